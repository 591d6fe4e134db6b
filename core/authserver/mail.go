package authserver

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/gobetterauth/gobetterauth/core/store"
)

// EmailKind says what an [Email] is for.
type EmailKind string

// The emails the server sends.
const (
	// EmailVerify carries the email verification link (Better Auth's sendVerificationEmail).
	EmailVerify EmailKind = "verify-email"
	// EmailResetPassword carries the password reset link (Better Auth's sendResetPassword).
	EmailResetPassword EmailKind = "reset-password"
	// EmailChangeEmailConfirmation asks a verified user to confirm, from the old address, an email change
	// (Better Auth's user.changeEmail.sendChangeEmailConfirmation); Email.NewEmail is the new address.
	// Following the link mails an [EmailVerify] link to the new address.
	EmailChangeEmailConfirmation EmailKind = "change-email-confirmation"
	// EmailDeleteAccount carries the account deletion link (Better Auth's
	// user.deleteUser.sendDeleteAccountVerification): <BaseURL><BasePath>/delete-user/callback?token=….
	EmailDeleteAccount EmailKind = "delete-account"
	// EmailTwoFactorOTP carries a two-factor sign-in code (the two-factor plugin's otpOptions.sendOTP): the
	// code is in Token, URL is empty.
	EmailTwoFactorOTP EmailKind = "two-factor-otp"
	// EmailMagicLink carries a sign-in link (the magic-link plugin's sendMagicLink): URL is
	// <BaseURL><BasePath>/magic-link/verify?token=…&callbackURL=…, Token the token in it. User is zero when
	// the address has no user yet (following the link signs them up).
	EmailMagicLink EmailKind = "magic-link"
	// EmailSignInOTP carries an email-OTP sign-in code (the email-OTP plugin's sendVerificationOTP with
	// type "sign-in"): the code is in Token, URL is empty. User is zero when the address has no user yet.
	EmailSignInOTP EmailKind = "sign-in-otp"
	// EmailVerificationOTP carries an email-OTP code that verifies the address (type
	// "email-verification").
	EmailVerificationOTP EmailKind = "email-verification-otp"
	// EmailPasswordResetOTP carries an email-OTP code that resets the password (type "forget-password").
	EmailPasswordResetOTP EmailKind = "forget-password-otp"
	// EmailOrganizationInvitation invites To to an organization (the organization plugin's
	// sendInvitationEmail): Token is the invitation id, which /organization/accept-invitation takes; URL is
	// the link the plugin's InvitationURL made, or empty; Invitation holds the details. User is zero when
	// the address has no user yet.
	EmailOrganizationInvitation EmailKind = "organization-invitation"
)

// Email is a message the server asks a [Mailer] to send: the link and token Better Auth would pass to its
// sendVerificationEmail or sendResetPassword callbacks.
type Email struct {
	Kind EmailKind
	// To is the recipient, the user's email address.
	To string
	// User is the recipient's user row.
	User store.User
	// URL is the link to put in the message: <BaseURL><BasePath>/verify-email?token=…&callbackURL=… or
	// /reset-password/<token>?callbackURL=….
	URL string
	// NewEmail is the address an email change goes to, on [EmailChangeEmailConfirmation] emails and on the
	// [EmailVerify] emails that complete a change ("" otherwise).
	NewEmail string
	// Token is the token inside URL (the verification JWT, or the 24-character reset token). It is a
	// credential: do not log it.
	Token string
	// Invitation describes the invitation of an [EmailOrganizationInvitation] email (nil otherwise).
	Invitation *EmailInvitation
}

// EmailInvitation is what Better Auth's sendInvitationEmail is given about an organization invitation.
type EmailInvitation struct {
	// ID is the invitation id (also in Email.Token).
	ID string
	// Role is the role the invitee gets.
	Role string
	// OrganizationID, OrganizationName and OrganizationSlug name the organization.
	OrganizationID, OrganizationName, OrganizationSlug string
	// Inviter is the inviting user.
	Inviter store.User
	// ExpiresAt is when the invitation expires.
	ExpiresAt time.Time
}

// Mailer sends the server's emails. The mail package has an SMTP mailer and a development mailer that logs
// the links. The server calls SendEmail in the background, from a bounded queue (see [MailQueueConfig]),
// never while a request waits: a request that asks for an email answers as soon as the email is queued,
// so a slow mailer does not tell how long the answer for an address with an account takes compared to
// one without. ctx is the server's, not the request's, and carries MailQueueConfig.SendTimeout. An error
// is logged at Error level (as Better Auth's runInBackgroundOrAwait logs a failed send) and never reaches
// the client. SendEmail may be called from several goroutines at once.
type Mailer interface {
	SendEmail(ctx context.Context, e Email) error
}

// MailQueueConfig bounds how the server sends emails in the background (Config.MailQueue). The
// zero value means the defaults written on each field.
type MailQueueConfig struct {
	// Size is how many emails may wait to be sent. Zero means 256. An email asked for while the queue is
	// full is dropped and logged at Error level with the reason; the request still gets its usual answer,
	// since a different one would tell that the address has an account.
	Size int
	// Workers is how many emails are sent at once. Zero means 4.
	Workers int
	// SendTimeout bounds one SendEmail call (the deadline of its ctx). Zero means 30 s.
	SendTimeout time.Duration
	// DrainTimeout is how long [Server.Close] waits for the queued emails to be sent. Zero means 10 s. When
	// it passes, the sends under way are cancelled and the emails still queued are dropped, each logged.
	DrainTimeout time.Duration
}

// The defaults of MailQueueConfig.
const (
	DefaultMailQueueSize         = 256
	DefaultMailQueueWorkers      = 4
	DefaultMailSendTimeout       = 30 * time.Second
	DefaultMailQueueDrainTimeout = 10 * time.Second
)

// mailQueue sends the server's emails from a bounded queue with a few workers, under a context the server
// owns. The workers start with the first email; close drains the queue.
type mailQueue struct {
	mailer Mailer
	conf   MailQueueConfig
	log    *slog.Logger
	jobs   chan Email

	ctx    context.Context // cancelled by close, after the drain
	cancel context.CancelFunc
	start  sync.Once
	wg     sync.WaitGroup

	mu     sync.RWMutex // guards closed against sends on a closed jobs
	closed bool
}

// newMailQueue returns the queue for m with conf's defaults filled in (conf is validated).
func newMailQueue(m Mailer, conf MailQueueConfig, log *slog.Logger) *mailQueue {
	ctx, cancel := context.WithCancel(context.Background())
	return &mailQueue{mailer: m, conf: conf, log: log, jobs: make(chan Email, conf.Size), ctx: ctx, cancel: cancel}
}

// send queues e and returns at once. A full or closed queue drops e, logged at Error level.
func (q *mailQueue) send(e Email) {
	q.mu.RLock()
	defer q.mu.RUnlock()
	if q.closed {
		q.drop(e, "the server is closed (Server.Close)")
		return
	}
	// Under the read lock, so close (which takes the write lock) never waits on a WaitGroup being added to.
	q.start.Do(func() {
		q.wg.Add(q.conf.Workers)
		for range q.conf.Workers {
			go q.work()
		}
	})
	select {
	case q.jobs <- e:
	default:
		q.drop(e, fmt.Sprintf("the mail queue is full (%d emails wait; MailQueueConfig.Size)", q.conf.Size))
	}
}

// drop logs an email that will not be sent. The recipient's user id is logged, never the link.
func (q *mailQueue) drop(e Email, reason string) {
	q.log.Error("auth: email not sent: "+reason, "kind", string(e.Kind), "user", e.User.ID)
}

// work sends queued emails until the queue is closed and empty.
func (q *mailQueue) work() {
	defer q.wg.Done()
	for e := range q.jobs {
		if q.ctx.Err() != nil {
			q.drop(e, "Server.Close's drain timeout passed")
			continue
		}
		q.deliver(e)
	}
}

// deliver makes one SendEmail call; its error, or panic, is logged.
func (q *mailQueue) deliver(e Email) {
	ctx, cancel := context.WithTimeout(q.ctx, q.conf.SendTimeout)
	defer cancel()
	defer func() {
		if r := recover(); r != nil {
			q.log.Error("auth: the Mailer panicked", "kind", string(e.Kind), "user", e.User.ID, "panic", r)
		}
	}()
	if err := q.mailer.SendEmail(ctx, e); err != nil {
		q.log.Error("auth: sending an email failed", "kind", string(e.Kind), "user", e.User.ID, "err", err)
	}
}

// close stops taking emails and waits up to DrainTimeout for the queued ones to be sent; then it cancels
// the sends under way, drops what is left (each logged) and waits up to DrainTimeout more for the workers.
func (q *mailQueue) close() {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return
	}
	q.closed = true
	close(q.jobs)
	q.mu.Unlock()
	done := make(chan struct{})
	go func() { q.wg.Wait(); close(done) }()
	timer := time.NewTimer(q.conf.DrainTimeout)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
		q.log.Error("auth: Close: the mail queue did not drain in time; cancelling the sends under way",
			"timeout", q.conf.DrainTimeout, "queued", len(q.jobs))
		q.cancel()
		// What is still queued is dropped now, each logged, so nothing is lost unsaid after Close returns.
		for e := range q.jobs {
			q.drop(e, "Server.Close's drain timeout passed")
		}
		// The workers return once their cancelled sends do; a Mailer that ignores its context is left behind.
		timer.Reset(q.conf.DrainTimeout)
		select {
		case <-done:
		case <-timer.C:
			q.log.Error("auth: Close: a Mailer.SendEmail ignored its cancelled context; Close returns without it")
		}
	}
	q.cancel()
}

// MailerFunc adapts a function to [Mailer].
type MailerFunc func(ctx context.Context, e Email) error

// SendEmail calls f.
func (f MailerFunc) SendEmail(ctx context.Context, e Email) error { return f(ctx, e) }

// EmailVerificationConfig is Better Auth's emailVerification option. Emails are sent through
// Config.Mailer; without one, /send-verification-email answers 400 VERIFICATION_EMAIL_NOT_ENABLED.
type EmailVerificationConfig struct {
	// SendOnSignUp sends the verification email after sign-up. Nil means
	// EmailAndPassword.RequireEmailVerification.
	SendOnSignUp *bool
	// SendOnSignIn re-sends it when an unverified user signs in while verification is required.
	SendOnSignIn bool
	// AutoSignInAfterVerification creates a session when the link is followed.
	AutoSignInAfterVerification bool
	// ExpiresIn is the verification token's lifetime. Zero means 1 hour.
	ExpiresIn time.Duration
}

// Hooks run at points of the server's flows, like Better Auth's databaseHooks and plugin hooks. Each gets
// the request's context. A hook that returns a [*HookError] fails the request with that status, code and
// message; any other error fails it with 500 (and is logged). A nil hook is skipped.
type Hooks struct {
	// BeforeCreateUser runs before a user is inserted (sign-up, social sign-up). It may change u (name,
	// image, Additional fields) or refuse the sign-up.
	BeforeCreateUser func(ctx context.Context, u *store.User) error
	// AfterCreateUser runs after the user and its account are inserted.
	AfterCreateUser func(ctx context.Context, u store.User) error
	// SessionCreated runs after a session is inserted (sign-in, sign-up, password change): record the last
	// login here.
	SessionCreated func(ctx context.Context, s store.Session, u store.User) error
	// SessionDeleted runs after a session is deleted (sign-out, revocation, expiry clean-up); its error is
	// logged, never returned, since the deletion has happened.
	SessionDeleted func(ctx context.Context, s store.Session)
	// JWTPayload may add or change claims of the JWTs the server issues (/token, set-auth-jwt) before they
	// are signed; claims already holds Better Auth's (the user's fields, sub, iat, exp, iss, aud).
	JWTPayload func(ctx context.Context, s store.Session, u store.User, claims map[string]any) error
}

// HookError is an error a hook returns to fail the request with a status, a Better Auth-style code and a
// message: {"code":Code,"message":Message}.
type HookError struct {
	Status        int
	Code, Message string
}

func (e *HookError) Error() string { return "auth: hook refused: " + e.Code + ": " + e.Message }

// hookError maps a hook's error.
func hookError(err error) error {
	if err == nil {
		return nil
	}
	if he, ok := err.(*HookError); ok {
		st := he.Status
		if st < 400 || st > 599 {
			st = 400
		}
		return newAPIError(st, he.Code, he.Message)
	}
	return &hookFailure{err}
}

type hookFailure struct{ err error }

func (e *hookFailure) Error() string { return "auth: hook failed: " + e.err.Error() }
func (e *hookFailure) Unwrap() error { return e.err }
