package oidcop_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth/authtest/oidcop"
)

const redirect = "http://127.0.0.1:3000/api/auth/callback/local"

func TestOP(t *testing.T) {
	op := oidcop.Start(t, []oidcop.Client{{ID: "c", Secret: "s", RedirectURIs: []string{redirect}}},
		map[string]oidcop.Claims{"alice": {"email": "alice@example.com", "email_verified": true}})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	resp, err := http.Get(op.Issuer + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	var disc struct {
		Issuer                string `json:"issuer"`
		AuthorizationEndpoint string `json:"authorization_endpoint"`
	}
	err = json.NewDecoder(resp.Body).Decode(&disc)
	resp.Body.Close()
	if err != nil || disc.Issuer != op.Issuer || disc.AuthorizationEndpoint == "" {
		t.Fatalf("discovery: %+v, %v", disc, err)
	}
	authURL := disc.AuthorizationEndpoint + "?" + url.Values{
		"response_type": {"code"}, "client_id": {"c"}, "redirect_uri": {redirect},
		"scope": {"openid email"}, "state": {"st"},
	}.Encode()

	tests := []struct {
		name      string
		run       func() (*url.URL, error)
		wantCode  bool
		wantError string
	}{
		{"login and consent", func() (*url.URL, error) { return op.Login(ctx, authURL, "alice", true) }, true, ""},
		{"consent denied", func() (*url.URL, error) { return op.Login(ctx, authURL, "alice", false) }, false, "access_denied"},
		{"abort at login", func() (*url.URL, error) { return op.Abort(ctx, authURL) }, false, "access_denied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := tt.run()
			if err != nil {
				t.Fatalf("%v\nOP stderr:\n%s", err, op.Stderr())
			}
			q := u.Query()
			if got := u.Scheme + "://" + u.Host + u.Path; got != redirect {
				t.Errorf("stopped at %s, want %s", got, redirect)
			}
			if q.Get("state") != "st" {
				t.Errorf("state = %q", q.Get("state"))
			}
			if q.Get("iss") != op.Issuer {
				t.Errorf("iss = %q, want %q", q.Get("iss"), op.Issuer)
			}
			if (q.Get("code") != "") != tt.wantCode {
				t.Errorf("code = %q, want one: %v", q.Get("code"), tt.wantCode)
			}
			if q.Get("error") != tt.wantError {
				t.Errorf("error = %q, want %q", q.Get("error"), tt.wantError)
			}
		})
	}

	t.Run("unknown redirect_uri is refused by the OP", func(t *testing.T) {
		bad := disc.AuthorizationEndpoint + "?" + url.Values{"response_type": {"code"}, "client_id": {"c"},
			"redirect_uri": {"http://127.0.0.1:3000/evil"}, "scope": {"openid"}, "state": {"st"}}.Encode()
		if u, err := op.Login(ctx, bad, "alice", true); err == nil {
			t.Fatalf("Login reached %s", u)
		}
	})
}
