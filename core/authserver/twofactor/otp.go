package twofactor

// Mirrors better-auth src/plugins/two-factor/otp/index.ts: a numeric code stored as "<code>:<attempts>" in
// the verification row "2fa-otp-<key>", plain, hashed (SHA-256, base64url) or encrypted.

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/gobetterauth/gobetterauth/core/authserver"
)

// storeOTP is how a code is stored.
func (pl *plugin) storeOTP(x *authserver.Context, code string) (string, error) {
	switch pl.cfg.OTP.Storage {
	case "hashed":
		return hashOTP(code), nil
	case "encrypted":
		return x.Server().Encrypt(code)
	}
	return code, nil
}

// hashOTP is the plugin's defaultKeyHasher: base64url (no padding) of SHA-256.
func hashOTP(code string) string {
	sum := sha256.Sum256([]byte(code))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// sendOTP is POST /two-factor/send-otp {trustDevice?}.
func (pl *plugin) sendOTP(x *authserver.Context) (any, error) {
	if err := x.Validate(authserver.BodyField{Name: "trustDevice", Kind: authserver.FieldBool}); err != nil {
		return nil, err
	}
	if !pl.otpOn() {
		x.Logger().Error("auth: two-factor: send otp isn't configured (OTPConfig.Send or OTPConfig.Mail)")
		return nil, &authserver.APIError{Status: 400, Code: "OTP_NOT_CONFIGURED", Message: "otp isn't configured"}
	}
	f, err := pl.resolve(x)
	if err != nil {
		return nil, err
	}
	code := randomString(digits, pl.cfg.OTP.Digits)
	stored, err := pl.storeOTP(x, code)
	if err != nil {
		return nil, err
	}
	if err := createVerification(x, "2fa-otp-"+f.key, stored+":0", x.Now().Add(pl.cfg.OTP.Period)); err != nil {
		return nil, err
	}
	if send := pl.cfg.OTP.Send; send != nil {
		if err := send(x.Context(), f.user, code); err != nil {
			x.Logger().Error("auth: two-factor: failed to send the OTP", "user", f.user.ID, "err", err)
		}
	} else if !x.SendEmail(authserver.Email{Kind: authserver.EmailTwoFactorOTP, To: f.user.Email, User: f.user, Token: code}) {
		x.Logger().Error("auth: two-factor: OTPConfig.Mail is set but the server has no Mailer")
	}
	return map[string]bool{"status": true}, nil
}

// verifyOTP is POST /two-factor/verify-otp {code, trustDevice?}.
func (pl *plugin) verifyOTP(x *authserver.Context) (any, error) {
	if err := x.Validate(authserver.BodyField{Name: "code", Kind: authserver.FieldString, Required: true},
		authserver.BodyField{Name: "trustDevice", Kind: authserver.FieldBool}); err != nil {
		return nil, err
	}
	f, err := pl.resolve(x)
	if err != nil {
		return nil, err
	}
	r, err := row(x, f.user.ID)
	if err != nil {
		return nil, err
	}
	if !f.signIn() {
		r = nil
	}
	if r != nil {
		if err := pl.assertNotLocked(x, r); err != nil {
			return nil, err
		}
	}
	id := "2fa-otp-" + f.key
	v, err := consume(x, id)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, pl.err(400, "OTP_HAS_EXPIRED")
	}
	i := strings.LastIndexByte(v.Value, ':')
	stored, counter := v.Value, ""
	if i >= 0 {
		stored, counter = v.Value[:i], v.Value[i+1:]
	}
	attempts, _ := strconv.Atoi(counter)
	if attempts >= pl.cfg.OTP.AllowedAttempts {
		return nil, pl.err(400, "TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE")
	}
	want, got := stored, x.String("code")
	switch pl.cfg.OTP.Storage {
	case "hashed":
		got = hashOTP(got)
	case "encrypted":
		if want, err = x.Server().Decrypt(stored); err != nil {
			return nil, err
		}
	}
	if subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1 {
		if r != nil {
			if err := pl.resetFailures(x, r); err != nil {
				return nil, err
			}
		}
		if !enabled(f.user) {
			if f.session == nil {
				return nil, &authserver.APIError{Status: 400, Code: "FAILED_TO_CREATE_SESSION", Message: "Failed to create session"}
			}
			ns, err := pl.turnOn(x, f.session)
			if err != nil {
				return nil, err
			}
			return map[string]any{"token": ns.Session.Token, "user": userJSON(ns.User)}, nil
		}
		return f.valid(x)
	}
	if err := createVerification(x, id, stored+":"+strconv.Itoa(attempts+1), v.ExpiresAt); err != nil {
		return nil, err
	}
	if r != nil {
		if err := pl.recordFailure(x, r); err != nil {
			return nil, err
		}
	}
	return nil, pl.err(401, "INVALID_CODE")
}
