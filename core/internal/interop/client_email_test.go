package interop_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/internal/interop"
	"github.com/gobetterauth/gobetterauth/core/mail"
)

// wantStep checks one client step's outcome: no error and data whose "status" is true, or the error code.
func wantStep(t *testing.T, r interop.ClientResult, code string) map[string]any {
	t.Helper()
	var data map[string]any
	_ = json.Unmarshal(r.Data, &data)
	switch {
	case code == "" && r.Error != nil:
		t.Fatalf("%s: error %+v", r.Op, r.Error)
	case code != "" && (r.Error == nil || r.Error.Code != code):
		t.Fatalf("%s: got %+v (data %s), want %s", r.Op, r.Error, r.Data, code)
	}
	return data
}

// TestClientEmailFlowsGoServer: Better Auth's own JS client runs the email verification and password reset
// flows end to end against the Go server, with the links taken from the Go server's mailer.
func TestClientEmailFlowsGoServer(t *testing.T) {
	t.Parallel()
	interop.Require(t)
	box := &mail.Outbox{}
	g := startGoServer(t, "sqlite:"+filepath.Join(t.TempDir(), "email.db"), interop.DefaultSecret, func(c *authserver.Config) {
		c.Mailer = box
		c.EmailAndPassword.RequireEmailVerification = true
	})
	const email = "client-mail@example.com"
	step := func(op string, args any) interop.ClientStep { return interop.ClientStep{Op: op, Args: args} }

	res := interop.RunClient(t, g.URL, "/api/auth", g.URL,
		step("signUp.email", map[string]any{"name": "Client", "email": email, "password": "first-password-1", "callbackURL": "/welcome"}),
		step("signIn.email", map[string]any{"email": email, "password": "first-password-1"}),
	)
	if d := wantStep(t, res[0], ""); d["token"] != nil {
		t.Fatalf("sign-up with verification required returned a token: %s", res[0].Data)
	}
	wantStep(t, res[1], "EMAIL_NOT_VERIFIED")
	// The server mails in the background: wait for the email.
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	v, err := box.Next(ctx, email, authserver.EmailVerify)
	if err != nil {
		t.Fatal(err)
	}

	res = interop.RunClient(t, g.URL, "/api/auth", g.URL,
		step("verifyEmail", map[string]any{"query": map[string]any{"token": v.Token}}),
		step("signIn.email", map[string]any{"email": email, "password": "first-password-1"}),
		step("getSession", nil),
		step("requestPasswordReset", map[string]any{"email": email, "redirectTo": "/reset"}),
		step("requestPasswordReset", map[string]any{"email": "nobody-" + email, "redirectTo": "/reset"}),
		step("requestPasswordReset", map[string]any{"email": email, "redirectTo": "https://evil.example/reset"}),
	)
	if d := wantStep(t, res[0], ""); d["status"] != true {
		t.Fatalf("verifyEmail: %s", res[0].Data)
	}
	wantStep(t, res[1], "")
	var sess struct {
		User struct{ EmailVerified bool } `json:"user"`
	}
	if json.Unmarshal(res[2].Data, &sess) != nil || !sess.User.EmailVerified {
		t.Fatalf("getSession after verification: %s", res[2].Data)
	}
	a, b := wantStep(t, res[3], ""), wantStep(t, res[4], "")
	if a["message"] != b["message"] || a["status"] != true {
		t.Fatalf("reset answers differ for known and unknown emails: %v / %v", a, b)
	}
	wantStep(t, res[5], "INVALID_REDIRECT_URL")
	r, err := box.Next(ctx, email, authserver.EmailResetPassword)
	if err != nil {
		t.Fatal(err)
	}

	res = interop.RunClient(t, g.URL, "/api/auth", g.URL,
		step("resetPassword", map[string]any{"newPassword": "second-password-2", "token": r.Token}),
		step("resetPassword", map[string]any{"newPassword": "third-password-3", "token": r.Token}),
		step("signIn.email", map[string]any{"email": email, "password": "first-password-1"}),
		step("signIn.email", map[string]any{"email": email, "password": "second-password-2"}),
		step("verifyEmail", map[string]any{"query": map[string]any{"token": v.Token + "x"}}),
	)
	wantStep(t, res[0], "")
	wantStep(t, res[1], "INVALID_TOKEN")
	wantStep(t, res[2], "INVALID_EMAIL_OR_PASSWORD")
	wantStep(t, res[3], "")
	wantStep(t, res[4], "INVALID_TOKEN")
}
