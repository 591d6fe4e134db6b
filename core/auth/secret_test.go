package auth_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/gobetterauth/gobetterauth/core/auth"
)

// TestSecretRedactedEverywhere checks that a Config's secrets show in no format, slog handler or JSON encoding.
func TestSecretRedactedEverywhere(t *testing.T) {
	const secret = "SECRET-better-auth-secret-0123456789"
	cfg := auth.Config{BaseURL: "https://app.example.com", Secret: secret,
		Secrets: []auth.VersionedSecret{{Version: 2, Value: secret + "-v2"}}}
	outs := map[string]string{}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		outs[verb] = fmt.Sprintf(verb, cfg.Secret)
		outs[verb+" of the secrets"] = fmt.Sprintf(verb, cfg.Secrets)
	}
	b, err := json.Marshal(struct {
		S  auth.Secret
		Vs []auth.VersionedSecret
	}{cfg.Secret, cfg.Secrets})
	if err != nil {
		t.Fatal(err)
	}
	outs["json"] = string(b)
	var text, js bytes.Buffer
	slog.New(slog.NewTextHandler(&text, nil)).Info("cfg", "secret", cfg.Secret, "secrets", cfg.Secrets)
	slog.New(slog.NewJSONHandler(&js, nil)).Info("cfg", "secret", cfg.Secret, "secrets", cfg.Secrets)
	outs["slog text"], outs["slog json"] = text.String(), js.String()
	for how, out := range outs {
		if strings.Contains(out, "SECRET-") {
			t.Errorf("%s leaks the secret: %s", how, out)
		}
	}
	if string(cfg.Secret) != secret {
		t.Errorf("string(Secret) = %q", string(cfg.Secret))
	}
}
