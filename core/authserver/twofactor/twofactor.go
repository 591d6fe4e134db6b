package twofactor

// Mirrors better-auth src/plugins/two-factor/index.ts (the plugin, /two-factor/enable, /two-factor/disable,
// the sign-in hook and the trusted device), constant.ts, error-code.ts and schema.ts.

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
	"github.com/gobetterauth/gobetterauth/core/store"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
)

// Better Auth's cookie names (constant.ts), below the cookie prefix.
const (
	cookieTwoFactor   = "two_factor"
	cookieTrustDevice = "trust_device"
)

// Defaults of Config, Better Auth's.
const (
	DefaultTrustDeviceMaxAge     = 30 * 24 * time.Hour
	DefaultTwoFactorCookieMaxAge = 600 * time.Second
	DefaultDigits                = 6
	DefaultPeriod                = 30 * time.Second
	DefaultOTPPeriod             = 3 * time.Minute
	DefaultOTPAttempts           = 5
	DefaultBackupCodeAmount      = 10
	DefaultBackupCodeLength      = 10
	DefaultMaxFailedAttempts     = 10
	DefaultLockoutDuration       = 15 * time.Minute
	challengeAttempts            = 5 // beginAttempt(5): codes tried against one sign-in challenge
)

// ErrorCodes are the plugin's error codes and messages (TWO_FACTOR_ERROR_CODES).
var ErrorCodes = map[string]string{
	"OTP_NOT_ENABLED":                    "OTP not enabled",
	"OTP_NOT_CONFIGURED":                 "OTP is not available",
	"OTP_HAS_EXPIRED":                    "OTP has expired",
	"TOTP_NOT_ENABLED":                   "TOTP not enabled",
	"TOTP_ALREADY_ENABLED":               "TOTP is already enabled",
	"TOTP_NOT_CONFIGURED":                "TOTP is not available",
	"TWO_FACTOR_NOT_ENABLED":             "Two factor isn't enabled",
	"BACKUP_CODES_NOT_ENABLED":           "Backup codes aren't enabled",
	"INVALID_BACKUP_CODE":                "Invalid backup code",
	"INVALID_CODE":                       "Invalid code",
	"TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE": "Too many attempts. Please request a new code.",
	"ACCOUNT_TEMPORARILY_LOCKED":         "Too many failed verification attempts. Your account is temporarily locked. Please try again later.",
	"INVALID_TWO_FACTOR_COOKIE":          "Invalid two factor cookie",
}

// Config is the two-factor plugin's options (Better Auth's twoFactor({...})). The zero value is Better
// Auth's defaults: TOTP on, OTP off, encrypted backup codes, a 30-day trusted device, the lockout on.
type Config struct {
	// Issuer names the app in TOTP URIs. Empty means "Better Auth" (Better Auth's appName default).
	Issuer string
	// SkipVerificationOnEnable turns two-factor on at /two-factor/enable, before a first TOTP code.
	SkipVerificationOnEnable bool
	// AllowPasswordless lets users without a password enable, disable and manage two-factor without one.
	AllowPasswordless bool
	// TrustDeviceMaxAge is how long "trust this device" lasts. Zero means 30 days.
	TrustDeviceMaxAge time.Duration
	// TwoFactorCookieMaxAge is how long a sign-in challenge (the two_factor cookie) lasts. Zero means 600 s.
	TwoFactorCookieMaxAge time.Duration
	// TOTP configures authenticator-app codes.
	TOTP TOTPConfig
	// OTP configures codes sent by email (or another channel).
	OTP OTPConfig
	// BackupCodes configures the recovery codes.
	BackupCodes BackupCodeConfig
	// Lockout configures the account lockout after consecutive failed second-factor checks.
	Lockout LockoutConfig
}

// TOTPConfig is Better Auth's totpOptions.
type TOTPConfig struct {
	// Disable turns TOTP off (its endpoints answer 400 TOTP_NOT_CONFIGURED).
	Disable bool
	// Digits is the code length, 1 to 8. Zero means 6.
	Digits int
	// Period is the time step. Zero means 30 s; it is a whole number of seconds.
	Period time.Duration
	// AllowReplay accepts a code again within its window, as Better Auth does. By default a code that
	// signed in (or verified) once is refused afterwards: a deliberate difference from Better Auth.
	AllowReplay bool
}

// OTPConfig is Better Auth's otpOptions.
type OTPConfig struct {
	// Send delivers a code to the user. Nil, with Mail false, means OTP is off (OTP_NOT_CONFIGURED).
	Send func(ctx context.Context, u store.User, code string) error
	// Mail delivers codes through the server's Mailer as [authserver.EmailTwoFactorOTP] emails when Send
	// is nil.
	Mail bool
	// Period is how long a code is valid. Zero means 3 minutes.
	Period time.Duration
	// Digits is the code length. Zero means 6.
	Digits int
	// AllowedAttempts is how many wrong codes one code survives. Zero means 5.
	AllowedAttempts int
	// Storage is how codes are stored: "plain" (the default), "hashed" (SHA-256, base64url) or "encrypted".
	Storage string
}

// BackupCodeConfig is Better Auth's backupCodeOptions.
type BackupCodeConfig struct {
	// Amount is how many codes are made. Zero means 10.
	Amount int
	// Length is the characters of a code before the dash is put in its middle. Zero means 10.
	Length int
	// Plain stores the codes as plain JSON (storeBackupCodes: "plain"). By default they are encrypted with
	// the server's secret.
	Plain bool
}

// LockoutConfig is Better Auth's accountLockout.
type LockoutConfig struct {
	// Disabled turns the lockout off.
	Disabled bool
	// MaxFailedAttempts is how many consecutive failures lock the account. Zero means 10.
	MaxFailedAttempts int
	// Duration is how long the lock lasts. Zero means 15 minutes.
	Duration time.Duration
}

// plugin is a configured two-factor plugin.
type plugin struct {
	cfg Config
	p   *authserver.Plugin
}

// New returns Better Auth's two-factor plugin (twoFactor()) for the server: its /two-factor/* endpoints,
// its twoFactor table and user.twoFactorEnabled column, its 3-per-10-s rate limit, and the sign-in
// challenge: a password sign-in of a user with two-factor on answers {"twoFactorRedirect":true,
// "twoFactorMethods":[…]} with the two_factor cookie and creates no session, unless the device is trusted.
// The Database must be a store.TwoFactorStore (sqlstore is).
func New(cfg Config) authserver.Plugin {
	c := cfg
	c.TrustDeviceMaxAge = orDefault(c.TrustDeviceMaxAge, DefaultTrustDeviceMaxAge)
	c.TwoFactorCookieMaxAge = orDefault(c.TwoFactorCookieMaxAge, DefaultTwoFactorCookieMaxAge)
	c.TOTP.Digits = orDefault(c.TOTP.Digits, DefaultDigits)
	c.TOTP.Period = orDefault(c.TOTP.Period, DefaultPeriod)
	c.OTP.Period = orDefault(c.OTP.Period, DefaultOTPPeriod)
	c.OTP.Digits = orDefault(c.OTP.Digits, DefaultDigits)
	c.OTP.AllowedAttempts = orDefault(c.OTP.AllowedAttempts, DefaultOTPAttempts)
	c.OTP.Storage = orDefault(c.OTP.Storage, "plain")
	c.BackupCodes.Amount = orDefault(c.BackupCodes.Amount, DefaultBackupCodeAmount)
	c.BackupCodes.Length = orDefault(c.BackupCodes.Length, DefaultBackupCodeLength)
	c.Lockout.MaxFailedAttempts = orDefault(c.Lockout.MaxFailedAttempts, DefaultMaxFailedAttempts)
	c.Lockout.Duration = orDefault(c.Lockout.Duration, DefaultLockoutDuration)
	if c.Issuer == "" {
		c.Issuer = "Better Auth"
	}
	pl := &plugin{cfg: c}
	post := func(path string, h func(x *authserver.Context) (any, error)) authserver.Endpoint {
		return authserver.Endpoint{Method: http.MethodPost, Path: path, Handler: h}
	}
	p := authserver.Plugin{
		ID: "two-factor",
		Init: func(s *authserver.Server) error {
			if _, ok := store.As[store.TwoFactorStore](s.Database()); !ok {
				return errors.New("auth: twofactor: the Database has no twoFactor table methods (store.TwoFactorStore; sqlstore has them)")
			}
			switch {
			case c.TOTP.Digits < 1 || c.TOTP.Digits > 8 || c.OTP.Digits < 1 || c.OTP.Digits > 10:
				return errors.New("auth: twofactor: TOTP.Digits must be 1 to 8, OTP.Digits 1 to 10")
			case c.TOTP.Period < time.Second || c.TOTP.Period%time.Second != 0:
				return errors.New("auth: twofactor: TOTP.Period must be a whole number of seconds")
			case c.OTP.Storage != "plain" && c.OTP.Storage != "hashed" && c.OTP.Storage != "encrypted":
				return errors.New(`auth: twofactor: OTP.Storage must be "plain", "hashed" or "encrypted"`)
			case c.BackupCodes.Amount < 1 || c.BackupCodes.Length < 2:
				return errors.New("auth: twofactor: BackupCodes.Amount and Length must be positive")
			}
			return nil
		},
		Endpoints: []authserver.Endpoint{
			post("/two-factor/enable", pl.enable),
			post("/two-factor/disable", pl.disable),
			post("/two-factor/get-totp-uri", pl.getTOTPURI),
			post("/two-factor/verify-totp", pl.verifyTOTP),
			post("/two-factor/send-otp", pl.sendOTP),
			post("/two-factor/verify-otp", pl.verifyOTP),
			post("/two-factor/generate-backup-codes", pl.generateBackupCodes),
			post("/two-factor/verify-backup-code", pl.verifyBackupCode),
		},
		Schema:     Schema,
		RateLimit:  []authserver.RateLimitRule{{Prefix: "/two-factor/", Window: 10 * time.Second, Max: 3}},
		ErrorCodes: ErrorCodes,
		Gates:      map[authserver.GateFinding]func(*authserver.Context, store.User) error{authserver.GateTwoFactor: pl.gate},
	}
	pl.p = &p
	return p
}

// Schema is the plugin's schema as Better Auth's migrator creates it: user.twoFactorEnabled and the
// twoFactor table.
var Schema = []sqlstore.Table{
	{Name: "user", Fields: []sqlstore.Field{{Name: "twoFactorEnabled", Type: sqlstore.FieldBoolean, Default: false}}},
	{Name: "twoFactor", Fields: []sqlstore.Field{
		{Name: "secret", Type: sqlstore.FieldString, Required: true, Index: true},
		{Name: "backupCodes", Type: sqlstore.FieldString, Required: true},
		{Name: "userId", Type: sqlstore.FieldString, Required: true, References: "user", Index: true},
		{Name: "verified", Type: sqlstore.FieldBoolean, Default: true},
		{Name: "failedVerificationCount", Type: sqlstore.FieldNumber, Default: 0},
		{Name: "lockedUntil", Type: sqlstore.FieldDate},
	}},
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

func (pl *plugin) err(status int, code string) error { return pl.p.Error(status, code) }

// db returns the server's database as a TwoFactorStore (Init checked it is one).
func db(x *authserver.Context) store.TwoFactorStore {
	l, _ := store.As[store.TwoFactorStore](x.Database())
	return l
}

// enabled reports the user's twoFactorEnabled.
func enabled(u store.User) bool { return betterauth.Truthy(u.Additional["twoFactorEnabled"]) }

// userJSON is a user as Better Auth's parseUserOutput returns it.
func userJSON(u store.User) any { return rawJSON(betterauth.UserJSON(u)) }

// rawJSON is JSON sent as it is.
type rawJSON []byte

// MarshalJSON returns r.
func (r rawJSON) MarshalJSON() ([]byte, error) { return r, nil }

// Better Auth's generateRandomString alphabets.
const (
	alphaNum     = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	alphaNumDash = alphaNum + "-_"
	digits       = "0123456789"
)

// randomString returns n characters of alphabet, each equally likely.
func randomString(alphabet string, n int) string { return betterauth.RandomFrom(alphabet, n) }

// checkPassword is Better Auth's shouldRequirePassword followed by validatePassword.
func (pl *plugin) checkPassword(x *authserver.Context, userID string) error {
	if pl.cfg.AllowPasswordless {
		has, err := x.HasPassword(userID)
		if err != nil {
			return err
		}
		if !has {
			return nil
		}
	}
	return x.CheckPassword(userID, x.String("password"))
}

// passwordField is the password body field: required unless AllowPasswordless.
func (pl *plugin) passwordField() authserver.BodyField {
	return authserver.BodyField{Name: "password", Kind: authserver.FieldString, Required: !pl.cfg.AllowPasswordless}
}

// consume deletes the newest verification row of identifier and returns it, or nil when there was none,
// another request took it first, or it had expired (Better Auth's consumeVerificationValue).
func consume(x *authserver.Context, identifier string) (*store.Verification, error) {
	v, err := x.Database().Verification(x.Context(), identifier)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if err := x.Database().DeleteVerification(x.Context(), v.ID); errors.Is(err, store.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	if v.ExpiresAt.Before(x.Now()) {
		return nil, nil
	}
	return v, nil
}

// deleteByIdentifier deletes every verification row of identifier (deleteVerificationByIdentifier).
func deleteByIdentifier(x *authserver.Context, identifier string) error {
	for range 16 {
		v, err := x.Database().Verification(x.Context(), identifier)
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

// createVerification inserts a verification row.
func createVerification(x *authserver.Context, identifier, value string, expiresAt time.Time) error {
	now := x.Now()
	return x.Database().CreateVerification(x.Context(), &store.Verification{ID: betterauth.NewID(), Identifier: identifier,
		Value: value, ExpiresAt: expiresAt, CreatedAt: now, UpdatedAt: now})
}

// trustDevice creates a trusted-device record and sets its cookie: "<hmac>!<identifier>", the HMAC of
// "<userId>!<identifier>" under the secret.
func (pl *plugin) trustDevice(x *authserver.Context, userID string) error {
	id := "trust-device-" + randomString(alphaNumDash, 32)
	if err := createVerification(x, id, userID, x.Now().Add(pl.cfg.TrustDeviceMaxAge)); err != nil {
		return err
	}
	x.SetSignedCookie(x.CookieName(cookieTrustDevice), x.Server().HMAC(userID+"!"+id)+"!"+id, pl.cfg.TrustDeviceMaxAge)
	return nil
}

// trusted reads the trust_device cookie for u: the cookie value ("" when none) and whether it vouches for
// this device (readSignInTwoFactorState).
func (pl *plugin) trusted(x *authserver.Context, u store.User) (string, bool, error) {
	v, ok := x.SignedCookie(x.CookieName(cookieTrustDevice))
	if !ok {
		return "", false, nil
	}
	token, id, _ := strings.Cut(v, "!")
	if token == "" || id == "" {
		return v, false, nil
	}
	want := x.Server().HMAC(u.ID + "!" + id)
	if subtle.ConstantTimeCompare([]byte(token), []byte(want)) != 1 {
		return v, false, nil
	}
	rec, err := x.Database().Verification(x.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return v, false, nil
	}
	if err != nil {
		return v, false, err
	}
	return v, rec.Value == u.ID && rec.ExpiresAt.After(x.Now()), nil
}

// gate is the sign-in interception (the plugin's hooks.after on the sign-in paths): a trusted device signs
// in (its record renewed); otherwise the answer is {"twoFactorRedirect":true,"twoFactorMethods":[…]} with the
// two_factor cookie, and no session.
func (pl *plugin) gate(x *authserver.Context, u store.User) error {
	cookie, trusted, err := pl.trusted(x, u)
	if err != nil {
		return err
	}
	if trusted {
		_, oldID, _ := strings.Cut(cookie, "!")
		if err := deleteByIdentifier(x, oldID); err != nil {
			return err
		}
		return pl.trustDevice(x, u.ID)
	}
	if rm, ok := x.Body()["rememberMe"].(bool); ok && !rm {
		x.SetSignedCookie(x.CookieName("dont_remember"), "true", 0)
	}
	if cookie != "" {
		x.SetCookie(x.CookieName(cookieTrustDevice), "", -1)
	}
	x.ExpireSessionCookies(true)
	id := "2fa-" + randomString(alphaNumDash, 20)
	exp := x.Now().Add(pl.cfg.TwoFactorCookieMaxAge)
	if err := createVerification(x, id, u.ID, exp); err != nil {
		return err
	}
	if err := createVerification(x, "2fa-attempts-"+id, "0", exp); err != nil {
		return err
	}
	x.SetSignedCookie(x.CookieName(cookieTwoFactor), id, pl.cfg.TwoFactorCookieMaxAge)
	methods := []string{}
	if !pl.cfg.TOTP.Disable {
		row, err := db(x).TwoFactorByUser(x.Context(), u.ID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if row != nil && row.Verified {
			methods = append(methods, "totp")
		}
	}
	if pl.otpOn() {
		methods = append(methods, "otp")
	}
	return &authserver.Challenge{Body: map[string]any{"twoFactorRedirect": true, "twoFactorMethods": methods}}
}

func (pl *plugin) otpOn() bool { return pl.cfg.OTP.Send != nil || pl.cfg.OTP.Mail }

// enable is POST /two-factor/enable {password, method?, issuer?}.
func (pl *plugin) enable(x *authserver.Context) (any, error) {
	if err := x.Validate(pl.passwordField(), authserver.BodyField{Name: "issuer", Kind: authserver.FieldString}); err != nil {
		return nil, err
	}
	method := "totp"
	if m, ok := x.Body()["method"]; ok && m != nil {
		s, _ := m.(string)
		if s != "totp" && s != "otp" {
			return nil, &authserver.APIError{Status: 400, Code: "VALIDATION_ERROR", Message: `[body.method] Invalid option: expected one of "otp"|"totp"`}
		}
		method = s
	}
	res, err := x.FreshSession()
	if err != nil {
		return nil, err
	}
	u := res.User
	if err := pl.checkPassword(x, u.ID); err != nil {
		return nil, err
	}
	if method == "otp" && !pl.otpOn() {
		return nil, pl.err(400, "OTP_NOT_CONFIGURED")
	}
	if method == "totp" && pl.cfg.TOTP.Disable {
		return nil, pl.err(400, "TOTP_NOT_CONFIGURED")
	}
	if method == "otp" {
		if _, err := pl.turnOn(x, res); err != nil {
			return nil, err
		}
		return map[string]any{"method": "otp"}, nil
	}
	existing, err := db(x).TwoFactorByUser(x.Context(), u.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	if existing != nil && existing.Verified {
		return nil, pl.err(400, "TOTP_ALREADY_ENABLED")
	}
	codes, stored, err := pl.newBackupCodes(x)
	if err != nil {
		return nil, err
	}
	secret := randomString(alphaNumDash, 32)
	encSecret, err := x.Server().Encrypt(secret)
	if err != nil {
		return nil, err
	}
	if pl.cfg.SkipVerificationOnEnable {
		if _, err := pl.turnOn(x, res); err != nil {
			return nil, err
		}
	}
	verified := pl.cfg.SkipVerificationOnEnable
	if existing != nil {
		err = db(x).UpdateTwoFactor(x.Context(), existing.ID, map[string]any{"secret": encSecret, "backupCodes": stored, "verified": verified})
	} else {
		err = db(x).CreateTwoFactor(x.Context(), &store.TwoFactor{ID: betterauth.NewID(), UserID: u.ID, Secret: encSecret,
			BackupCodes: stored, Verified: verified})
	}
	if err != nil {
		return nil, err
	}
	issuer := x.String("issuer")
	if issuer == "" {
		issuer = pl.cfg.Issuer
	}
	return map[string]any{"method": "totp", "totpURI": totpURI([]byte(secret), issuer, u.Email, pl.cfg.TOTP.Digits, pl.cfg.TOTP.Period),
		"backupCodes": codes}, nil
}

// turnOn sets twoFactorEnabled and replaces the request's session with a new one carrying the updated
// user (Better Auth's updateUser, createSession, setSessionCookie, deleteSession).
func (pl *plugin) turnOn(x *authserver.Context, res *store.Result) (*store.Result, error) {
	return pl.setEnabled(x, res, true)
}

func (pl *plugin) setEnabled(x *authserver.Context, res *store.Result, on bool) (*store.Result, error) {
	u, err := x.Database().UpdateUser(x.Context(), res.User.ID, map[string]any{"twoFactorEnabled": on}, x.Now())
	if err != nil {
		return nil, err
	}
	old := res.Session.Token
	ns, err := x.CreateSession(*u, x.DontRemember())
	if err != nil {
		return nil, err
	}
	if err := x.DeleteSession(old); err != nil {
		return nil, err
	}
	return ns, nil
}

// disable is POST /two-factor/disable {password}.
func (pl *plugin) disable(x *authserver.Context) (any, error) {
	if err := x.Validate(pl.passwordField()); err != nil {
		return nil, err
	}
	res, err := x.FreshSession()
	if err != nil {
		return nil, err
	}
	if err := pl.checkPassword(x, res.User.ID); err != nil {
		return nil, err
	}
	u, err := x.Database().UpdateUser(x.Context(), res.User.ID, map[string]any{"twoFactorEnabled": false}, x.Now())
	if err != nil {
		return nil, err
	}
	if err := db(x).DeleteTwoFactor(x.Context(), u.ID); err != nil {
		return nil, err
	}
	old := res.Session.Token
	if _, err := x.CreateSession(*u, x.DontRemember()); err != nil {
		return nil, err
	}
	if err := x.DeleteSession(old); err != nil {
		return nil, err
	}
	if v, ok := x.SignedCookie(x.CookieName(cookieTrustDevice)); ok {
		if _, id, _ := strings.Cut(v, "!"); id != "" {
			if err := deleteByIdentifier(x, id); err != nil {
				return nil, err
			}
		}
		x.SetCookie(x.CookieName(cookieTrustDevice), "", -1)
	}
	return map[string]bool{"status": true}, nil
}
