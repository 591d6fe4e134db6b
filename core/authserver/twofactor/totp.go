package twofactor

// Mirrors better-auth src/plugins/two-factor/totp/index.ts and @better-auth/utils otp.ts (createOTP: the
// secret string's UTF-8 bytes are the HMAC key; codes of the previous, current and next period pass; the
// otpauth:// URI). The HOTP computation is github.com/pquerna/otp's.

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"

	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/store"
)

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// totpKey is the HMAC key of a decrypted secret: its UTF-8 bytes, or the bytes of "base32:<secret>" (a
// secret imported from another provider).
func totpKey(secret string) ([]byte, error) {
	if rest, ok := strings.CutPrefix(secret, "base32:"); ok {
		return b32.DecodeString(strings.TrimRight(strings.ToUpper(rest), "="))
	}
	return []byte(secret), nil
}

// code returns the TOTP code of key for counter.
func code(key []byte, counter uint64, digits int) (string, error) {
	return hotp.GenerateCodeCustom(b32.EncodeToString(key), counter, hotp.ValidateOpts{Digits: otp.Digits(digits), Algorithm: otp.AlgorithmSHA1})
}

// matchTOTP checks code against the periods around now (window 1, as Better Auth's verify) and returns the
// counter it matched, comparing in constant time.
func matchTOTP(key []byte, input string, now time.Time, period time.Duration, digits int) (uint64, bool, error) {
	cur := uint64(now.UnixMilli() / period.Milliseconds())
	var hit uint64
	ok := false
	for c := cur - 1; c <= cur+1; c++ {
		want, err := code(key, c, digits)
		if err != nil {
			return 0, false, err
		}
		if subtle.ConstantTimeCompare([]byte(input), []byte(want)) == 1 && !ok {
			hit, ok = c, true
		}
	}
	return hit, ok, nil
}

// totpURI is createOTP(secret).url(issuer, account).
func totpURI(secret []byte, issuer, account string, digits int, period time.Duration) string {
	q := "secret=" + formEncode(b32.EncodeToString(secret)) + "&issuer=" + formEncode(issuer) +
		"&digits=" + strconv.Itoa(digits) + "&period=" + strconv.Itoa(int(period/time.Second))
	return "otpauth://totp/" + uriComponent(issuer) + ":" + uriComponent(account) + "?" + q
}

// uriComponent is JavaScript's encodeURIComponent.
func uriComponent(s string) string { return escape(s, "-_.!~*'()", false) }

// formEncode is URLSearchParams' serialisation of a value (application/x-www-form-urlencoded).
func formEncode(s string) string { return escape(s, "*-._", true) }

func escape(s, keep string, plusSpace bool) string {
	const hexd = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(keep, c) >= 0:
			b.WriteByte(c)
		case c == ' ' && plusSpace:
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(hexd[c>>4])
			b.WriteByte(hexd[c&15])
		}
	}
	return b.String()
}

// secretKey decrypts a row's TOTP secret into its HMAC key.
func secretKey(x *authserver.Context, r *store.TwoFactor) ([]byte, []byte, error) {
	s, err := x.Server().Decrypt(r.Secret)
	if err != nil {
		return nil, nil, err
	}
	k, err := totpKey(s)
	return k, []byte(s), err
}

// getTOTPURI is POST /two-factor/get-totp-uri {password}.
func (pl *plugin) getTOTPURI(x *authserver.Context) (any, error) {
	if err := x.Validate(pl.passwordField()); err != nil {
		return nil, err
	}
	res, err := x.Session()
	if err != nil {
		return nil, err
	}
	if pl.cfg.TOTP.Disable {
		return nil, &authserver.APIError{Status: 400, Code: "TOTP_NOT_CONFIGURED", Message: "totp isn't configured"}
	}
	r, err := row(x, res.User.ID)
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, pl.err(400, "TOTP_NOT_ENABLED")
	}
	key, _, err := secretKey(x, r)
	if err != nil {
		return nil, err
	}
	if err := pl.checkPassword(x, res.User.ID); err != nil {
		return nil, err
	}
	return map[string]string{"totpURI": totpURI(key, pl.cfg.Issuer, res.User.Email, pl.cfg.TOTP.Digits, pl.cfg.TOTP.Period)}, nil
}

// verifyTOTP is POST /two-factor/verify-totp {code, trustDevice?}: finishes a sign-in challenge, or, for a
// signed-in user, confirms the enrolment (twoFactorEnabled turns on with the first good code).
func (pl *plugin) verifyTOTP(x *authserver.Context) (any, error) {
	if err := x.Validate(authserver.BodyField{Name: "code", Kind: authserver.FieldString, Required: true},
		authserver.BodyField{Name: "trustDevice", Kind: authserver.FieldBool}); err != nil {
		return nil, err
	}
	if pl.cfg.TOTP.Disable {
		return nil, &authserver.APIError{Status: 400, Code: "TOTP_NOT_CONFIGURED", Message: "totp isn't configured"}
	}
	f, err := pl.resolve(x)
	if err != nil {
		return nil, err
	}
	r, err := row(x, f.user.ID)
	if err != nil {
		return nil, err
	}
	if r == nil || (f.signIn() && !r.Verified) {
		return nil, pl.err(400, "TOTP_NOT_ENABLED")
	}
	if f.signIn() {
		if err := pl.assertNotLocked(x, r); err != nil {
			return nil, err
		}
	}
	at, err := f.begin(x)
	if err != nil {
		return nil, err
	}
	key, _, err := secretKey(x, r)
	var counter uint64
	ok := false
	if err == nil {
		counter, ok, err = matchTOTP(key, x.String("code"), x.Now(), pl.cfg.TOTP.Period, pl.cfg.TOTP.Digits)
	}
	if err != nil {
		at.restore()
		return nil, err
	}
	if ok && !pl.cfg.TOTP.AllowReplay {
		ok, err = pl.spendCounter(x, r, counter)
		if err != nil {
			at.restore()
			return nil, err
		}
	}
	if !ok {
		at.failed()
		if f.signIn() {
			if err := pl.recordFailure(x, r); err != nil {
				return nil, err
			}
		}
		return nil, pl.err(401, "INVALID_CODE")
	}
	if f.signIn() {
		if err := pl.resetFailures(x, r); err != nil {
			return nil, err
		}
	}
	if !r.Verified {
		if !enabled(f.user) {
			ns, err := pl.turnOn(x, f.session)
			if err != nil {
				return nil, err
			}
			_ = ns
		}
		if err := db(x).UpdateTwoFactor(x.Context(), r.ID, map[string]any{"verified": true}); err != nil {
			return nil, err
		}
	}
	return f.valid(x)
}

// spendCounter records that the user's code of counter was used, and reports false when it already was
// (a replay). The record is a verification row whose id is derived from the row and the counter, so two
// requests racing with one code cannot both insert it. It is always a row of the database, also with
// secondary storage (whose Set would let both writers win), as Better Auth's reserveVerificationValue is.
func (pl *plugin) spendCounter(x *authserver.Context, r *store.TwoFactor, counter uint64) (bool, error) {
	sum := sha256.Sum256([]byte("2fa-totp-used!" + r.ID + "!" + strconv.FormatUint(counter, 10)))
	id := hex.EncodeToString(sum[:16])
	now := x.Now()
	err := store.Base(x.Database()).CreateVerification(x.Context(), &store.Verification{ID: id, Identifier: "2fa-totp-used-" + id,
		Value: r.UserID, ExpiresAt: now.Add(3 * pl.cfg.TOTP.Period), CreatedAt: now, UpdatedAt: now})
	if errors.Is(err, store.ErrConflict) {
		return false, nil
	}
	return err == nil, err
}
