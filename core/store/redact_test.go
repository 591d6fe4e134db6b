package store_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/store"
)

// TestRecordsRedactCredentials checks that no credential a record holds shows in %v, %+v, %#v, %s, or a
// slog text or JSON line, alone or inside a Result or a slice, while the other fields still show.
func TestRecordsRedactCredentials(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	sess := store.Session{ID: "sess-id-1", Token: "SECRET-session-token", UserID: "user-1", ExpiresAt: now}
	tests := []struct {
		name    string
		v       any
		secrets []string
		visible string
	}{
		{name: "session", v: sess, secrets: []string{"SECRET-session-token"}, visible: "sess-id-1"},
		{name: "session pointer", v: &sess, secrets: []string{"SECRET-session-token"}, visible: "sess-id-1"},
		{name: "result", v: store.Result{Session: sess, User: store.User{ID: "user-1"}},
			secrets: []string{"SECRET-session-token"}, visible: "sess-id-1"},
		{name: "account", v: store.Account{ID: "acct-1", AccessToken: "SECRET-access", RefreshToken: "SECRET-refresh",
			IDToken: "SECRET-idtoken", Password: "SECRET-salt:SECRET-hash"},
			secrets: []string{"SECRET-access", "SECRET-refresh", "SECRET-idtoken", "SECRET-salt"}, visible: "acct-1"},
		{name: "accounts", v: []store.Account{{ID: "acct-2", AccessToken: "SECRET-access"}},
			secrets: []string{"SECRET-access"}, visible: "acct-2"},
		{name: "verification", v: store.Verification{ID: "ver-1", Identifier: "reset-password:x", Value: "SECRET-user-id"},
			secrets: []string{"SECRET-user-id"}, visible: "reset-password:x"},
		{name: "jwk", v: store.JWK{ID: "key-1", PublicKey: `{"kty":"OKP"}`, PrivateKey: "SECRET-private-jwk"},
			secrets: []string{"SECRET-private-jwk"}, visible: "key-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			outs := map[string]string{}
			for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
				outs[verb] = fmt.Sprintf(verb, tt.v)
			}
			var text, js bytes.Buffer
			slog.New(slog.NewTextHandler(&text, nil)).Info("record", "r", tt.v)
			slog.New(slog.NewJSONHandler(&js, nil)).Info("record", "r", tt.v)
			outs["slog text"], outs["slog json"] = text.String(), js.String()
			for how, out := range outs {
				for _, secret := range tt.secrets {
					if strings.Contains(out, secret) {
						t.Errorf("%s leaks %q: %s", how, secret, out)
					}
				}
				if !strings.Contains(out, tt.visible) {
					t.Errorf("%s lost %q: %s", how, tt.visible, out)
				}
			}
			if !strings.Contains(outs["%+v"], "[REDACTED]") {
				t.Errorf("%%+v shows no [REDACTED]: %s", outs["%+v"])
			}
		})
	}
}

// TestRecordsKeepCredentials checks that redaction is only in formatting: the fields keep their values.
func TestRecordsKeepCredentials(t *testing.T) {
	s := store.Session{Token: "tok"}
	_ = fmt.Sprint(s)
	if s.Token != "tok" {
		t.Fatalf("Token = %q after printing", s.Token)
	}
}
