package emailotp

// Mirrors better-auth src/plugins/email-otp/index.ts, routes.ts, otp-token.ts, utils.ts and
// error-codes.ts (1.7.25).

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
	"github.com/gobetterauth/gobetterauth/core/store"
)

// Defaults of Config, Better Auth's.
const (
	DefaultOTPLength       = 6
	DefaultExpiresIn       = 300 * time.Second
	DefaultAllowedAttempts = 3
	DefaultRateLimitWindow = 60 * time.Second
	DefaultRateLimitMax    = 3
)

// ErrorCodes are the plugin's error codes and messages (EMAIL_OTP_ERROR_CODES).
var ErrorCodes = map[string]string{
	"OTP_EXPIRED":       "OTP expired",
	"INVALID_OTP":       "Invalid OTP",
	"TOO_MANY_ATTEMPTS": "Too many attempts",
}

// The OTP types of /email-otp/send-verification-otp and /email-otp/check-verification-otp.
const (
	TypeSignIn            = "sign-in"
	TypeEmailVerification = "email-verification"
	TypeForgetPassword    = "forget-password"
	typeChangeEmail       = "change-email"
)

// Config is the email-OTP plugin's options (Better Auth's emailOTP({...})). The zero value is Better
// Auth's defaults: 6-digit codes valid 5 minutes, 3 wrong tries per code, stored as they are, sign-up by
// code allowed.
type Config struct {
	// OTPLength is the number of digits. Zero means 6.
	OTPLength int
	// ExpiresIn is how long a code is valid. Zero means 300 s.
	ExpiresIn time.Duration
	// AllowedAttempts is how many wrong codes one code survives; the next try answers 403
	// TOO_MANY_ATTEMPTS and the code is gone. Zero means 3.
	AllowedAttempts int
	// Storage is how codes are kept in the verification table: "plain" (the default), "hashed" (SHA-256,
	// base64url without padding) or "encrypted" (with the server's secret, as Better Auth's
	// symmetricEncrypt).
	Storage string
	// DisableSignUp refuses sign-in codes for addresses without a user: no code is sent, and
	// /sign-in/email-otp answers 400 INVALID_OTP for them.
	DisableSignUp bool
	// SendVerificationOnSignUp sends an email-verification code after every sign-up.
	SendVerificationOnSignUp bool
	// RateLimitWindow and RateLimitMax limit each of the plugin's endpoints per client IP. Zero means
	// 60 s and 3.
	RateLimitWindow time.Duration
	RateLimitMax    int
}

// plugin is a configured email-OTP plugin.
type plugin struct {
	cfg Config
	p   *authserver.Plugin
}

// New returns Better Auth's email-OTP plugin (emailOTP()) for the server: codes sent through the
// server's Mailer ([authserver.EmailSignInOTP], [authserver.EmailVerificationOTP],
// [authserver.EmailPasswordResetOTP]) that sign in (or up), verify the address or reset the password.
// The server must have a Mailer.
func New(cfg Config) authserver.Plugin {
	c := cfg
	if c.OTPLength == 0 {
		c.OTPLength = DefaultOTPLength
	}
	if c.ExpiresIn == 0 {
		c.ExpiresIn = DefaultExpiresIn
	}
	if c.AllowedAttempts == 0 {
		c.AllowedAttempts = DefaultAllowedAttempts
	}
	if c.Storage == "" {
		c.Storage = "plain"
	}
	if c.RateLimitWindow == 0 {
		c.RateLimitWindow = DefaultRateLimitWindow
	}
	if c.RateLimitMax == 0 {
		c.RateLimitMax = DefaultRateLimitMax
	}
	pl := &plugin{cfg: c}
	post := func(path string, h func(*authserver.Context) (any, error)) authserver.Endpoint {
		return authserver.Endpoint{Method: http.MethodPost, Path: path, Handler: h}
	}
	send := post("/email-otp/send-verification-otp", pl.sendVerificationOTP)
	send.FormCSRF = true
	p := authserver.Plugin{
		ID: "email-otp",
		Init: func(s *authserver.Server) error {
			switch {
			case c.Storage != "plain" && c.Storage != "hashed" && c.Storage != "encrypted":
				return errors.New(`auth: emailotp: Storage must be "plain", "hashed" or "encrypted"`)
			case c.OTPLength < 4 || c.OTPLength > 12:
				return errors.New("auth: emailotp: OTPLength must be 4 to 12")
			case c.ExpiresIn < time.Second || c.AllowedAttempts < 1:
				return errors.New("auth: emailotp: ExpiresIn must be at least a second and AllowedAttempts positive")
			case !s.HasMailer():
				return errors.New("auth: emailotp: the server has no Mailer (Config.Mailer) to send codes with")
			}
			return nil
		},
		Endpoints: []authserver.Endpoint{
			send,
			post("/email-otp/check-verification-otp", pl.checkVerificationOTP),
			post("/email-otp/verify-email", pl.verifyEmail),
			post("/sign-in/email-otp", pl.signIn),
			post("/email-otp/request-password-reset", pl.requestPasswordReset),
			post("/forget-password/email-otp", pl.requestPasswordReset),
			post("/email-otp/reset-password", pl.resetPassword),
		},
		ErrorCodes: ErrorCodes,
	}
	for _, path := range []string{"/email-otp/send-verification-otp", "/email-otp/check-verification-otp",
		"/email-otp/verify-email", "/sign-in/email-otp", "/email-otp/request-password-reset",
		"/email-otp/reset-password", "/forget-password/email-otp"} {
		p.RateLimit = append(p.RateLimit, authserver.RateLimitRule{Prefix: path, Window: c.RateLimitWindow, Max: c.RateLimitMax})
	}
	if c.SendVerificationOnSignUp {
		p.After = []authserver.Hook{{Match: func(path string) bool { return strings.HasPrefix(path, "/sign-up") }, Run: pl.afterSignUp}}
	}
	pl.p = &p
	return p
}

// identifier is toOTPIdentifier: "<type>-otp-<email>".
func identifier(typ, email string) string { return typ + "-otp-" + email }

// kinds are the emails of each type.
var kinds = map[string]authserver.EmailKind{
	TypeSignIn:            authserver.EmailSignInOTP,
	TypeEmailVerification: authserver.EmailVerificationOTP,
	TypeForgetPassword:    authserver.EmailPasswordResetOTP,
}

// storeOTP is how a code is kept.
func (pl *plugin) storeOTP(x *authserver.Context, otp string) (string, error) {
	switch pl.cfg.Storage {
	case "hashed":
		return hashOTP(otp), nil
	case "encrypted":
		return x.Server().Encrypt(otp)
	}
	return otp, nil
}

// hashOTP is the plugin's defaultKeyHasher: base64url (no padding) of SHA-256.
func hashOTP(otp string) string {
	sum := sha256.Sum256([]byte(otp))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// matches is verifyStoredOTP, in constant time.
func (pl *plugin) matches(x *authserver.Context, stored, otp string) bool {
	want, got := stored, otp
	switch pl.cfg.Storage {
	case "hashed":
		got = hashOTP(otp)
	case "encrypted":
		var err error
		if want, err = x.Server().Decrypt(stored); err != nil {
			return false
		}
	}
	return subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1
}

// newOTP makes a code for identifier and stores it as "<stored>:0" (resolveOTP, generateOTP's default).
func (pl *plugin) newOTP(x *authserver.Context, id string) (string, error) {
	otp := betterauth.RandomFrom("0123456789", pl.cfg.OTPLength)
	stored, err := pl.storeOTP(x, otp)
	if err != nil {
		return "", err
	}
	now := x.Now()
	return otp, x.Database().CreateVerification(x.Context(), &store.Verification{ID: betterauth.NewID(), Identifier: id,
		Value: stored + ":0", ExpiresAt: now.Add(pl.cfg.ExpiresIn), CreatedAt: now, UpdatedAt: now})
}

// send queues the code's email.
func send(x *authserver.Context, typ, to string, u store.User, otp string) {
	x.SendEmail(authserver.Email{Kind: kinds[typ], To: to, User: u, Token: otp})
}

// user returns the user with the address, or nil.
func user(x *authserver.Context, email string) (*store.User, error) {
	u, err := x.Database().UserByEmail(x.Context(), email)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return u, err
}

// email is the body's email, lowercased, or 400 INVALID_EMAIL when it is not an address.
func email(x *authserver.Context) (string, error) {
	e := strings.ToLower(x.String("email"))
	if !authserver.ValidEmail(e) {
		return "", &authserver.APIError{Status: 400, Code: "INVALID_EMAIL", Message: "Invalid email"}
	}
	return e, nil
}

// validateType checks the body's type against the enum, with zod's message.
func validateType(x *authserver.Context) error {
	switch t := x.Body()["type"].(type) {
	case string:
		if t == TypeSignIn || t == TypeEmailVerification || t == TypeForgetPassword || t == typeChangeEmail {
			return nil
		}
	}
	return &authserver.APIError{Status: 400, Code: "VALIDATION_ERROR",
		Message: `[body.type] Invalid option: expected one of "email-verification"|"sign-in"|"forget-password"|"change-email"`}
}

// str is a required string body field.
func str(name string) authserver.BodyField {
	return authserver.BodyField{Name: name, Kind: authserver.FieldString, Required: true}
}

// sendVerificationOTP is POST /email-otp/send-verification-otp {email, type}. It answers
// {"success":true} whether or not the address has a user; the code is sent only when it has one, or the
// type is sign-in and sign-up is allowed.
func (pl *plugin) sendVerificationOTP(x *authserver.Context) (any, error) {
	if err := x.Validate(str("email")); err != nil {
		return nil, err
	}
	if err := validateType(x); err != nil {
		return nil, err
	}
	addr, err := email(x)
	if err != nil {
		return nil, err
	}
	typ := x.String("type")
	if typ == typeChangeEmail {
		return nil, &authserver.APIError{Status: 400, Message: "Invalid OTP type"}
	}
	id := identifier(typ, addr)
	otp, err := pl.newOTP(x, id)
	if err != nil {
		return nil, err
	}
	u, err := user(x, addr)
	if err != nil {
		return nil, err
	}
	ok := map[string]bool{"success": true}
	if u == nil && (typ != TypeSignIn || pl.cfg.DisableSignUp) {
		return ok, deleteAll(x, id)
	}
	to, usr := addr, store.User{}
	if u != nil {
		to, usr = u.Email, *u
	}
	send(x, typ, to, usr, otp)
	return ok, nil
}

// requestPasswordReset is POST /email-otp/request-password-reset and /forget-password/email-otp
// {email}: {"success":true} either way; a code is sent only to an address with a user.
func (pl *plugin) requestPasswordReset(x *authserver.Context) (any, error) {
	if err := x.Validate(str("email")); err != nil {
		return nil, err
	}
	addr, err := email(x)
	if err != nil {
		return nil, err
	}
	id := identifier(TypeForgetPassword, addr)
	otp, err := pl.newOTP(x, id)
	if err != nil {
		return nil, err
	}
	u, err := user(x, addr)
	if err != nil {
		return nil, err
	}
	if u == nil {
		return map[string]bool{"success": true}, deleteAll(x, id)
	}
	send(x, TypeForgetPassword, u.Email, *u, otp)
	return map[string]bool{"success": true}, nil
}

// checkVerificationOTP is POST /email-otp/check-verification-otp {email, type, otp}: checks a code
// without spending it (a wrong one counts as an attempt).
func (pl *plugin) checkVerificationOTP(x *authserver.Context) (any, error) {
	if err := x.Validate(str("email"), str("otp")); err != nil {
		return nil, err
	}
	if err := validateType(x); err != nil {
		return nil, err
	}
	addr, err := email(x)
	if err != nil {
		return nil, err
	}
	if err := pl.verify(x, identifier(x.String("type"), addr), x.String("otp"), true); err != nil {
		return nil, err
	}
	u, err := user(x, addr)
	if err != nil {
		return nil, err
	}
	if u == nil {
		return nil, errUserNotFound
	}
	return map[string]bool{"success": true}, nil
}

var errUserNotFound = &authserver.APIError{Status: 400, Code: "USER_NOT_FOUND", Message: "User not found"}

// verifyEmail is POST /email-otp/verify-email {email, otp}: spends an email-verification code and marks
// the address verified; with AutoSignInAfterVerification it signs in.
func (pl *plugin) verifyEmail(x *authserver.Context) (any, error) {
	if err := x.Validate(str("email"), str("otp")); err != nil {
		return nil, err
	}
	addr, err := email(x)
	if err != nil {
		return nil, err
	}
	if err := pl.verify(x, identifier(TypeEmailVerification, addr), x.String("otp"), false); err != nil {
		return nil, err
	}
	u, err := user(x, addr)
	if err != nil {
		return nil, err
	}
	if u == nil {
		return nil, errUserNotFound
	}
	cur, _ := x.Session() // the session the code was entered with, if any (401 is no error here)
	nu, detached, err := x.VerifyEmail(*u)
	if err != nil {
		return nil, err
	}
	if detached && cur != nil && cur.User.ID == nu.ID && !x.Server().AutoSignInAfterVerification() {
		// Proving the address ended the user's sessions (sessions made before the proof may be someone
		// else's); whoever entered the code with one proved it, and gets a fresh session in its place.
		if _, err := x.CreateSession(nu, x.DontRemember()); err != nil {
			return nil, err
		}
	}
	if x.Server().AutoSignInAfterVerification() {
		res, err := x.CreateSession(nu, false)
		if err != nil {
			return nil, err
		}
		return map[string]any{"status": true, "token": res.Session.Token, "user": rawJSON(betterauth.UserJSON(nu))}, nil
	}
	if !detached && cur != nil && cur.User.ID == nu.ID {
		cur.User.EmailVerified = true
		x.RefreshCookieCache(cur)
	}
	return map[string]any{"status": true, "token": nil, "user": rawJSON(betterauth.UserJSON(nu))}, nil
}

// signIn is POST /sign-in/email-otp {email, otp, name?, image?}: spends a sign-in code and signs in,
// creating the user when the address has none (unless DisableSignUp: 400 INVALID_OTP).
func (pl *plugin) signIn(x *authserver.Context) (any, error) {
	if err := x.Validate(str("email"), str("otp"), authserver.BodyField{Name: "name", Kind: authserver.FieldString},
		authserver.BodyField{Name: "image", Kind: authserver.FieldString}); err != nil {
		return nil, err
	}
	addr := strings.ToLower(x.String("email"))
	if err := pl.verify(x, identifier(TypeSignIn, addr), x.String("otp"), false); err != nil {
		return nil, err
	}
	u, err := user(x, addr)
	if err != nil {
		return nil, err
	}
	if u == nil {
		if pl.cfg.DisableSignUp {
			return nil, pl.p.Error(400, "INVALID_OTP")
		}
		u = &store.User{Email: addr, EmailVerified: true, Name: x.String("name"), Image: x.String("image")}
		if err := x.CreateUser(u); err != nil {
			return nil, err
		}
	} else if !u.EmailVerified {
		pu, err := x.ProveEmail(*u)
		if err != nil {
			return nil, err
		}
		u = &pu
	}
	res, err := x.CreateSession(*u, false)
	if err != nil {
		return nil, err
	}
	return map[string]any{"token": res.Session.Token, "user": rawJSON(betterauth.UserJSON(res.User))}, nil
}

// resetPassword is POST /email-otp/reset-password {email, otp, password}: spends a forget-password code
// and sets the password.
func (pl *plugin) resetPassword(x *authserver.Context) (any, error) {
	if err := x.Validate(str("email"), str("otp"), str("password")); err != nil {
		return nil, err
	}
	addr, err := email(x)
	if err != nil {
		return nil, err
	}
	pw := x.String("password")
	if err := x.CheckNewPassword(pw); err != nil {
		return nil, err
	}
	id := identifier(TypeForgetPassword, addr)
	if err := pl.verify(x, id, x.String("otp"), true); err != nil {
		return nil, err
	}
	u, err := user(x, addr)
	if err != nil {
		return nil, err
	}
	if u == nil {
		return nil, errUserNotFound
	}
	// Spend the code now: of two requests racing with it, only the one that deletes the row goes on.
	if err := pl.verify(x, id, x.String("otp"), false); err != nil {
		return nil, err
	}
	if err := x.ResetPassword(*u, pw); err != nil {
		return nil, err
	}
	if !u.EmailVerified {
		if _, err := x.Database().UpdateUser(x.Context(), u.ID, map[string]any{"emailVerified": true}, x.Now()); err != nil {
			return nil, err
		}
	}
	return map[string]bool{"success": true}, nil
}

// afterSignUp sends an email-verification code after a sign-up (sendVerificationOnSignUp).
func (pl *plugin) afterSignUp(x *authserver.Context) error {
	res, err := x.Result()
	if err != nil || res == nil {
		return nil
	}
	b, err := json.Marshal(res)
	if err != nil {
		return nil
	}
	var out struct {
		User struct {
			Email string `json:"email"`
		} `json:"user"`
	}
	if json.Unmarshal(b, &out) != nil || out.User.Email == "" {
		return nil
	}
	addr := out.User.Email
	otp, err := pl.newOTP(x, identifier(TypeEmailVerification, addr))
	if err != nil {
		return err
	}
	u, _ := user(x, addr)
	var usr store.User
	if u != nil {
		usr = *u
	}
	send(x, TypeEmailVerification, addr, usr, otp)
	return nil
}

// verify is atomicVerifyOTP: an expired code is removed (400 OTP_EXPIRED); a missing one is 400
// INVALID_OTP; one tried AllowedAttempts times already is removed (403 TOO_MANY_ATTEMPTS); a wrong code
// is put back with one more attempt (400 INVALID_OTP). A right code is spent, or put back as it was when
// restore.
func (pl *plugin) verify(x *authserver.Context, id, otp string, restore bool) error {
	db, ctx, now := x.Database(), x.Context(), x.Now()
	v, err := db.Verification(ctx, id)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if v != nil && v.ExpiresAt.Before(now) {
		if err := deleteAll(x, id); err != nil {
			return err
		}
		return pl.p.Error(400, "OTP_EXPIRED")
	}
	if v == nil {
		return pl.p.Error(400, "INVALID_OTP")
	}
	if err := db.DeleteVerification(ctx, v.ID); errors.Is(err, store.ErrNotFound) {
		return pl.p.Error(400, "INVALID_OTP")
	} else if err != nil {
		return err
	}
	stored, attempts := v.Value, 0
	if i := strings.LastIndexByte(v.Value, ':'); i >= 0 {
		stored = v.Value[:i]
		attempts, _ = strconv.Atoi(v.Value[i+1:])
	}
	if attempts >= pl.cfg.AllowedAttempts {
		return pl.p.Error(403, "TOO_MANY_ATTEMPTS")
	}
	put := func(value string) error {
		return db.CreateVerification(ctx, &store.Verification{ID: betterauth.NewID(), Identifier: id, Value: value,
			ExpiresAt: v.ExpiresAt, CreatedAt: now, UpdatedAt: now})
	}
	if !pl.matches(x, stored, otp) {
		if err := put(stored + ":" + strconv.Itoa(attempts+1)); err != nil {
			return err
		}
		return pl.p.Error(400, "INVALID_OTP")
	}
	if !restore {
		return nil
	}
	if _, err := db.Verification(ctx, id); err == nil {
		return pl.p.Error(400, "INVALID_OTP") // a newer code was issued meanwhile
	}
	return put(v.Value)
}

// deleteAll deletes every verification row of id (deleteVerificationByIdentifier).
func deleteAll(x *authserver.Context, id string) error {
	for range 64 {
		v, err := x.Database().Verification(x.Context(), id)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := x.Database().DeleteVerification(x.Context(), v.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	return nil
}

// rawJSON is JSON sent as it is.
type rawJSON []byte

// MarshalJSON returns r.
func (r rawJSON) MarshalJSON() ([]byte, error) { return r, nil }
