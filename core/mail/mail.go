package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"strings"
	"sync"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/authserver"
)

// Message is a rendered email.
type Message struct {
	Subject, Text string
}

// Render is the default text of each email: a subject and a plain-text body with the link.
func Render(e authserver.Email) Message {
	switch e.Kind {
	case authserver.EmailResetPassword:
		return Message{Subject: "Reset your password",
			Text: "Someone asked to reset the password of this account. If it was you, open this link within the hour:\r\n\r\n" + e.URL + "\r\n\r\nIf it was not you, ignore this email."}
	default:
		return Message{Subject: "Verify your email address",
			Text: "Open this link to verify your email address:\r\n\r\n" + e.URL + "\r\n"}
	}
}

// SMTP sends emails through an SMTP server. Its zero value is not usable: Addr and From are required.
type SMTP struct {
	// Addr is the server's host:port ("smtp.example.com:587").
	Addr string
	// From is the sender address ("Example <no-reply@example.com>").
	From string
	// Username and Password, when set, authenticate with PLAIN (only over TLS, or to localhost, as net/smtp
	// allows). Password prints and logs as "[REDACTED]".
	Username string
	Password auth.Secret
	// ImplicitTLS connects with TLS from the start (port 465). Otherwise STARTTLS is used when the server
	// offers it, and required unless InsecureAllowPlaintext is set.
	ImplicitTLS bool
	// InsecureAllowPlaintext allows sending without TLS when the server offers no STARTTLS. It MUST NOT be
	// set for a server reached over a network you do not control (a local relay or a test server only).
	InsecureAllowPlaintext bool
	// TLSConfig configures TLS. Nil means the server name from Addr and the system roots.
	TLSConfig *tls.Config
	// Timeout bounds one send. Zero means 15 s.
	Timeout time.Duration
	// Render writes the message. Nil means [Render].
	Render func(authserver.Email) Message
}

// SendEmail implements authserver.Mailer.
func (s *SMTP) SendEmail(ctx context.Context, e authserver.Email) error {
	from, err := mail.ParseAddress(s.From)
	if err != nil {
		return fmt.Errorf("mail: From %q: %w", s.From, err)
	}
	to, err := mail.ParseAddress(e.To)
	if err != nil || strings.ContainsAny(e.To, "\r\n") {
		return fmt.Errorf("mail: bad recipient address")
	}
	render := s.Render
	if render == nil {
		render = Render
	}
	msg, err := build(from, to, render(e))
	if err != nil {
		return err
	}
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 15 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	host, _, err := net.SplitHostPort(s.Addr)
	if err != nil {
		return fmt.Errorf("mail: Addr %q: %w", s.Addr, err)
	}
	tlsCfg := s.TLSConfig
	if tlsCfg == nil {
		tlsCfg = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()
	if s.ImplicitTLS {
		conn = tls.Client(conn, tlsCfg)
	}
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("mail: %w", err)
	}
	defer c.Close()
	if !s.ImplicitTLS {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(tlsCfg); err != nil {
				return fmt.Errorf("mail: STARTTLS: %w", err)
			}
		} else if !s.InsecureAllowPlaintext {
			return errors.New("mail: the server offers no STARTTLS (set InsecureAllowPlaintext only for a local relay)")
		}
	}
	if s.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", s.Username, string(s.Password), host)); err != nil {
			return fmt.Errorf("mail: auth: %w", err)
		}
	}
	if err := c.Mail(from.Address); err != nil {
		return fmt.Errorf("mail: MAIL FROM: %w", err)
	}
	if err := c.Rcpt(to.Address); err != nil {
		return fmt.Errorf("mail: RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("mail: DATA: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("mail: DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("mail: DATA: %w", err)
	}
	return c.Quit()
}

// build writes an RFC 5322 message with a quoted-printable UTF-8 text body.
func build(from, to *mail.Address, m Message) ([]byte, error) {
	var id [12]byte
	rand.Read(id[:])
	_, domain, _ := strings.Cut(from.Address, "@")
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s@%s>\r\nMIME-Version: 1.0\r\n",
		from.String(), to.String(), mime.QEncoding.Encode("utf-8", m.Subject), time.Now().Format(time.RFC1123Z),
		hex.EncodeToString(id[:]), domain)
	b.WriteString("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
	qp := quotedprintable.NewWriter(&b)
	if _, err := qp.Write([]byte(m.Text)); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Log is a development mailer: it writes each email's recipient and link (or, for an email that carries a
// code and no link, such as a two-factor or email-OTP code, the code) to Logger at Warn level instead of
// sending it. Links and codes are credentials: never use Log where logs are shared.
type Log struct {
	// Logger receives the records. Nil means slog.Default().
	Logger *slog.Logger
}

// SendEmail implements authserver.Mailer.
func (l Log) SendEmail(_ context.Context, e authserver.Email) error {
	lg := l.Logger
	if lg == nil {
		lg = slog.Default()
	}
	if e.URL == "" && e.Token != "" {
		lg.Warn("mail: development mailer (not sent)", "kind", string(e.Kind), "to", e.To, "code", e.Token)
		return nil
	}
	lg.Warn("mail: development mailer (not sent)", "kind", string(e.Kind), "to", e.To, "link", e.URL)
	return nil
}

// Outbox keeps emails in memory, newest last, up to Max (zero means 100). It is for tests and demos. The
// server sends emails in the background, after the request that asked for one has been answered: a test
// that needs an email waits for it with [Outbox.Next].
type Outbox struct {
	Max int

	mu      sync.Mutex
	sent    []outboxEntry
	arrived chan struct{} // closed and replaced by each SendEmail; nil until a Next waits
}

// outboxEntry is a kept email and whether Next has returned it.
type outboxEntry struct {
	email authserver.Email
	taken bool
}

// SendEmail implements authserver.Mailer.
func (o *Outbox) SendEmail(_ context.Context, e authserver.Email) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	max := o.Max
	if max <= 0 {
		max = 100
	}
	o.sent = append(o.sent, outboxEntry{email: e})
	if len(o.sent) > max {
		o.sent = o.sent[len(o.sent)-max:]
	}
	if o.arrived != nil {
		close(o.arrived)
		o.arrived = nil
	}
	return nil
}

// Sent returns a copy of the kept emails.
func (o *Outbox) Sent() []authserver.Email {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := make([]authserver.Email, len(o.sent))
	for i, k := range o.sent {
		out[i] = k.email
	}
	return out
}

// Last returns the newest email to address to of kind, if any.
func (o *Outbox) Last(to string, kind authserver.EmailKind) (authserver.Email, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for i := len(o.sent) - 1; i >= 0; i-- {
		if e := o.sent[i].email; strings.EqualFold(e.To, to) && e.Kind == kind {
			return e, true
		}
	}
	return authserver.Email{}, false
}

// Next returns the oldest email to address to of kind that Next has not returned yet, waiting for one to
// arrive until ctx is done (then it returns ctx's error). Each email is returned once, so a test asking
// for two emails in turn gets the first, then the second.
func (o *Outbox) Next(ctx context.Context, to string, kind authserver.EmailKind) (authserver.Email, error) {
	for {
		o.mu.Lock()
		for i := range o.sent {
			if k := &o.sent[i]; !k.taken && strings.EqualFold(k.email.To, to) && k.email.Kind == kind {
				k.taken = true
				o.mu.Unlock()
				return k.email, nil
			}
		}
		if o.arrived == nil {
			o.arrived = make(chan struct{})
		}
		arrived := o.arrived
		o.mu.Unlock()
		select {
		case <-arrived:
		case <-ctx.Done():
			return authserver.Email{}, fmt.Errorf("mail: no %s email to %s: %w", kind, to, ctx.Err())
		}
	}
}
