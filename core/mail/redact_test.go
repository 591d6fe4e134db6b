package mail_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/gobetterauth/gobetterauth/core/mail"
)

// TestSMTPPasswordRedacted checks that a printed or logged SMTP config never shows its password.
func TestSMTPPasswordRedacted(t *testing.T) {
	const secret = "SECRET-smtp-password"
	m := mail.SMTP{Addr: "smtp.example.com:587", From: "no-reply@example.com", Username: "mailer", Password: secret}
	outs := map[string]string{}
	for _, verb := range []string{"%v", "%+v", "%#v"} {
		outs[verb] = fmt.Sprintf(verb, m)
		outs[verb+" pointer"] = fmt.Sprintf(verb, &m)
	}
	var text, js bytes.Buffer
	slog.New(slog.NewTextHandler(&text, nil)).Info("smtp", "config", m)
	slog.New(slog.NewJSONHandler(&js, nil)).Info("smtp", "config", m)
	outs["slog text"], outs["slog json"] = text.String(), js.String()
	for how, out := range outs {
		if strings.Contains(out, secret) {
			t.Errorf("%s leaks the password: %s", how, out)
		}
		if how != "slog json" && !strings.Contains(out, "smtp.example.com:587") { // a config with func fields has no JSON form
			t.Errorf("%s lost Addr: %s", how, out)
		}
	}
}
