package mail_test

import (
	"bufio"
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/mail"
)

// fakeSMTP is a minimal SMTP server on 127.0.0.1 that records one message per connection.
type fakeSMTP struct {
	ln       net.Listener
	mu       sync.Mutex
	rcpt     []string
	data     []string
	starttls bool
}

func newFakeSMTP(t *testing.T, starttls bool) *fakeSMTP {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeSMTP{ln: ln, starttls: starttls}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go f.serve(c)
		}
	}()
	return f
}

func (f *fakeSMTP) serve(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	r := bufio.NewReader(c)
	w := func(s string) { c.Write([]byte(s + "\r\n")) }
	w("220 fake ESMTP")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"):
			if f.starttls {
				w("250-fake")
				w("250 STARTTLS")
			} else {
				w("250 fake")
			}
		case strings.HasPrefix(cmd, "MAIL FROM"):
			w("250 ok")
		case strings.HasPrefix(cmd, "RCPT TO"):
			f.mu.Lock()
			f.rcpt = append(f.rcpt, strings.TrimSpace(line[8:]))
			f.mu.Unlock()
			w("250 ok")
		case cmd == "DATA":
			w("354 go")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(l)
			}
			f.mu.Lock()
			f.data = append(f.data, b.String())
			f.mu.Unlock()
			w("250 queued")
		case cmd == "QUIT":
			w("221 bye")
			return
		case strings.HasPrefix(cmd, "STARTTLS"):
			w("454 not really")
			return
		default:
			w("502 no")
		}
	}
}

func TestSMTP(t *testing.T) {
	f := newFakeSMTP(t, false)
	m := &mail.SMTP{Addr: f.ln.Addr().String(), From: "Example <no-reply@example.com>", InsecureAllowPlaintext: true}
	e := authserver.Email{Kind: authserver.EmailResetPassword, To: "ann@example.com",
		URL: "http://localhost:3000/api/auth/reset-password/abc?callbackURL=%2Freset", Token: "abc"}
	if err := m.SendEmail(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.data) != 1 || f.rcpt[0] != "<ann@example.com>" {
		t.Fatalf("rcpt %v, %d messages", f.rcpt, len(f.data))
	}
	msg := f.data[0]
	for _, want := range []string{"To: <ann@example.com>", "Subject: Reset your password", "Content-Transfer-Encoding: quoted-printable",
		"reset-password/abc?callbackURL=3D%2Freset"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
}

func TestSMTPRefusesPlaintext(t *testing.T) {
	f := newFakeSMTP(t, false)
	m := &mail.SMTP{Addr: f.ln.Addr().String(), From: "no-reply@example.com"}
	if err := m.SendEmail(context.Background(), authserver.Email{To: "a@example.com", URL: "x"}); err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Fatalf("sent over plaintext: %v", err)
	}
}

func TestSMTPHeaderInjection(t *testing.T) {
	m := &mail.SMTP{Addr: "127.0.0.1:1", From: "no-reply@example.com"}
	if err := m.SendEmail(context.Background(), authserver.Email{To: "a@example.com\r\nBcc: evil@example.com", URL: "x"}); err == nil {
		t.Fatal("accepted a recipient with a line break")
	}
}

func TestOutbox(t *testing.T) {
	var o mail.Outbox
	o.Max = 2
	for _, to := range []string{"a@x.io", "b@x.io", "c@x.io"} {
		o.SendEmail(context.Background(), authserver.Email{Kind: authserver.EmailVerify, To: to})
	}
	if len(o.Sent()) != 2 {
		t.Fatalf("kept %d", len(o.Sent()))
	}
	if _, ok := o.Last("a@x.io", authserver.EmailVerify); ok {
		t.Fatal("the oldest was not dropped")
	}
	if e, ok := o.Last("C@x.io", authserver.EmailVerify); !ok || e.To != "c@x.io" {
		t.Fatal("Last")
	}
}

// TestOutboxNext: Next waits for an email sent later (as the server's mail queue sends it after the
// answer), returns each email once, oldest first, and gives up when its context is done.
func TestOutboxNext(t *testing.T) {
	var o mail.Outbox
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got := make(chan authserver.Email, 1)
	go func() {
		e, err := o.Next(ctx, "A@x.io", authserver.EmailResetPassword)
		if err != nil {
			t.Error(err)
		}
		got <- e
	}()
	o.SendEmail(ctx, authserver.Email{Kind: authserver.EmailVerify, To: "a@x.io", Token: "other kind"})
	o.SendEmail(ctx, authserver.Email{Kind: authserver.EmailResetPassword, To: "b@x.io", Token: "other address"})
	o.SendEmail(ctx, authserver.Email{Kind: authserver.EmailResetPassword, To: "a@x.io", Token: "1"})
	o.SendEmail(ctx, authserver.Email{Kind: authserver.EmailResetPassword, To: "a@x.io", Token: "2"})
	if e := <-got; e.Token != "1" {
		t.Fatalf("Next waited for %q, want the first reset email", e.Token)
	}
	if e, err := o.Next(ctx, "a@x.io", authserver.EmailResetPassword); err != nil || e.Token != "2" {
		t.Fatalf("Next again: %q %v, want the second", e.Token, err)
	}
	short, cancelShort := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancelShort()
	if _, err := o.Next(short, "a@x.io", authserver.EmailResetPassword); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Next with nothing left: %v, want the deadline", err)
	}
}

// TestLogWritesLinkOrCode checks that the development mailer logs what the person would have received: the
// link of a link email, the code of a code email (which has no link).
func TestLogWritesLinkOrCode(t *testing.T) {
	tests := []struct {
		name  string
		email authserver.Email
		want  string
	}{
		{"magic link", authserver.Email{Kind: authserver.EmailMagicLink, To: "a@example.com",
			URL: "http://localhost:3000/api/auth/magic-link/verify?token=abc&callbackURL=%2F", Token: "abc"},
			`link="http://localhost:3000/api/auth/magic-link/verify?token=abc&callbackURL=%2F"`},
		{"two-factor code", authserver.Email{Kind: authserver.EmailTwoFactorOTP, To: "a@example.com", Token: "123456"},
			"code=123456"},
		{"sign-in code", authserver.Email{Kind: authserver.EmailSignInOTP, To: "a@example.com", Token: "654321"},
			"code=654321"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			l := mail.Log{Logger: slog.New(slog.NewTextHandler(&b, nil))}
			if err := l.SendEmail(context.Background(), tt.email); err != nil {
				t.Fatal(err)
			}
			if got := b.String(); !strings.Contains(got, tt.want) || !strings.Contains(got, "to=a@example.com") ||
				!strings.Contains(got, "kind="+string(tt.email.Kind)) {
				t.Errorf("logged %q, want it to hold %s, the recipient and the kind", got, tt.want)
			}
		})
	}
}
