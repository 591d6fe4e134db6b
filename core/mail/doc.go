// Package mail sends the emails of gobetterauth's server, package authserver: email verification and
// password reset links. Each type here is an [authserver.Mailer]; set one as authserver.Config.Mailer.
// The server queues emails and sends them in the background (authserver.Config.MailQueue), so a slow
// mail server never holds up a request; Server.Close drains the queue.
//
// # Mailers
//
//   - [SMTP] delivers through an SMTP server with net/smtp: STARTTLS (required unless
//     InsecureAllowPlaintext) or implicit TLS, PLAIN authentication, a bounded time per send. Its Password
//     is an [auth.Secret], so a logged or printed SMTP config does not leak it.
//   - [Log] writes each email's recipient and link to a logger: for development only.
//   - [Outbox] keeps emails in memory, with [Outbox.Last] and [Outbox.Next] to find the link a test needs.
//
// # Messages
//
// [Render] is the default subject and plain-text body of each email kind; SMTP.Render replaces it.
package mail
