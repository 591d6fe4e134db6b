package authserver

// Email verification and password reset (better-auth src/api/routes/email-verification.ts, password.ts).

import (
	"bytes"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
	"github.com/gobetterauth/gobetterauth/core/store"
)

var (
	errVerificationDisabled = newAPIError(400, "VERIFICATION_EMAIL_NOT_ENABLED", "Verification email isn't enabled")
	errResetDisabled        = newAPIError(400, "RESET_PASSWORD_DISABLED", "Reset password isn't enabled")
	errEmailMismatch        = newAPIError(400, "EMAIL_MISMATCH", "Email mismatch")
	errEmailAlreadyVerified = newAPIError(400, "EMAIL_ALREADY_VERIFIED", "Email is already verified")
	errInvalidToken         = newAPIError(400, "INVALID_TOKEN", "Invalid token")
	errTokenExpired         = newAPIError(401, "TOKEN_EXPIRED", "Token expired")
	errUserNotFound         = newAPIError(400, "USER_NOT_FOUND", "User not found")
)

// verifyHeader is the protected header of Better Auth's email verification JWT.
var verifyHeader = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256"}`))

// verificationToken is Better Auth's createEmailVerificationToken: an HS256 JWT with the current secret
// holding {email, userId, iat, exp}.
func (c *call) verificationToken(email, userID string) string {
	return c.changeToken(email, "", "", userID)
}

// changeToken is createEmailVerificationToken with updateTo and requestType (the email change links); ""
// leaves a claim out, as undefined is left out of Better Auth's JSON.
func (c *call) changeToken(email, updateTo, requestType, userID string) string {
	iat := c.now.Unix()
	claims := `{"email":` + jsonString(strings.ToLower(email))
	if updateTo != "" {
		claims += `,"updateTo":` + jsonString(strings.ToLower(updateTo))
	}
	if requestType != "" {
		claims += `,"requestType":` + jsonString(requestType)
	}
	if userID != "" {
		claims += `,"userId":` + jsonString(userID)
	}
	claims += `,"iat":` + strconv.FormatInt(iat, 10) + `,"exp":` + strconv.FormatInt(iat+int64(c.srv.ev.ExpiresIn/time.Second), 10) + `}`
	signing := verifyHeader + "." + base64.RawURLEncoding.EncodeToString([]byte(claims))
	return signing + "." + base64.RawURLEncoding.EncodeToString(c.a.signer.Sum([]byte(signing)))
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// verificationClaims are the claims of an email verification token.
type verificationClaims struct {
	Email       string `json:"email"`
	UpdateTo    string `json:"updateTo"`
	RequestType string `json:"requestType"`
	UserID      string `json:"userId"`
	Exp         *int64 `json:"exp"`
}

// parseVerificationToken checks an email verification JWT as jose's jwtVerify(token, secret, HS256) does:
// the header must say HS256 (and nothing critical), the signature must match, and exp must not have
// passed. Expired → TOKEN_EXPIRED, anything else → INVALID_TOKEN.
func (c *call) parseVerificationToken(tok string) (*verificationClaims, *apiError) {
	if len(tok) > 4096 {
		return nil, errInvalidToken
	}
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return nil, errInvalidToken
	}
	hb, err1 := base64.RawURLEncoding.Strict().DecodeString(parts[0])
	pb, err2 := base64.RawURLEncoding.Strict().DecodeString(parts[1])
	sig, err3 := base64.RawURLEncoding.Strict().DecodeString(parts[2])
	if err1 != nil || err2 != nil || err3 != nil {
		return nil, errInvalidToken
	}
	var h map[string]any
	if json.Unmarshal(hb, &h) != nil || h["alg"] != "HS256" || h["crit"] != nil || (h["b64"] != nil && h["b64"] != true) {
		return nil, errInvalidToken
	}
	if !c.a.signer.Equal([]byte(parts[0]+"."+parts[1]), sig) {
		return nil, errInvalidToken
	}
	var cl verificationClaims
	dec := json.NewDecoder(bytes.NewReader(pb))
	if dec.Decode(&cl) != nil || !validEmail(cl.Email) {
		return nil, errInvalidToken
	}
	if cl.Exp != nil && c.now.Unix() >= *cl.Exp {
		return nil, errTokenExpired
	}
	return &cl, nil
}

// sendVerification queues the verification email for u, with the request's callbackURL (default "/"). It
// fails only without a Mailer; the send itself happens in the background (see [Mailer]).
func (c *call) sendVerification(u store.User) error {
	if c.srv.mailer == nil {
		return errVerificationDisabled
	}
	tok := c.verificationToken(u.Email, u.ID)
	cb := c.str("callbackURL")
	if cb == "" {
		cb = "/"
	}
	link := c.a.s.baseURL + c.a.s.basePath + "/verify-email?token=" + tok + "&callbackURL=" + encodeURIComponent(cb)
	c.srv.mail.send(Email{Kind: EmailVerify, To: u.Email, User: u, URL: link, Token: tok})
	return nil
}

// encodeURIComponent escapes as JavaScript's encodeURIComponent.
func encodeURIComponent(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if isAlnum(ch) || strings.IndexByte("-_.!~*'()", ch) >= 0 {
			b.WriteByte(ch)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[ch>>4])
		b.WriteByte(hex[ch&0xf])
	}
	return b.String()
}

// sendVerificationEmail is POST /send-verification-email {email, callbackURL?}.
func (c *call) sendVerificationEmail() (any, error) {
	if err := c.validate(field{"email", kEmail, true}, field{"callbackURL", kString, false}); err != nil {
		return nil, err
	}
	if c.srv.mailer == nil {
		return nil, errVerificationDisabled
	}
	email := c.str("email")
	res, err := c.loadSession(false, false)
	if err != nil {
		return nil, err
	}
	if res == nil {
		// Unauthenticated: the same answer and at least 500 ms whether or not the address has an unverified
		// account, so neither the body nor the time tells.
		start := time.Now()
		u, err := c.srv.db.UserByEmail(c.ctx, strings.ToLower(email))
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, dbError(err)
		}
		var sendErr error
		if u == nil || u.EmailVerified {
			_ = c.verificationToken(email, "")
		} else {
			sendErr = c.sendVerification(*u)
		}
		if d := 500*time.Millisecond - time.Since(start); d > 0 {
			select {
			case <-time.After(d):
			case <-c.ctx.Done():
			}
		}
		if sendErr != nil {
			return nil, sendErr
		}
		return map[string]bool{"status": true}, nil
	}
	if !strings.EqualFold(res.User.Email, email) {
		return nil, errEmailMismatch
	}
	if res.User.EmailVerified {
		return nil, errEmailAlreadyVerified
	}
	if err := c.sendVerification(res.User); err != nil {
		return nil, err
	}
	return map[string]bool{"status": true}, nil
}

// verifyEmail is GET /verify-email?token=&callbackURL=.
func (c *call) verifyEmail() (any, error) {
	cb := c.query.Get("callbackURL")
	if e := c.srv.origins.CheckCallback(cb); e != nil {
		return nil, httpsecError(e)
	}
	fail := func(e *apiError) (any, error) {
		if cb != "" {
			return c.redirect(appendQuery(cb, "error", e.code)), nil
		}
		return nil, &apiError{status: 401, code: e.code, message: e.message}
	}
	cl, e := c.parseVerificationToken(c.query.Get("token"))
	if e != nil {
		return fail(e)
	}
	if cl.UpdateTo != "" {
		return c.verifyEmailChange(cl, cb, fail)
	}
	u, err := c.srv.db.UserByEmail(c.ctx, strings.ToLower(cl.Email))
	if errors.Is(err, store.ErrNotFound) {
		return fail(errUserNotFound)
	}
	if err != nil {
		return nil, dbError(err)
	}
	if cl.UserID != "" && subtle.ConstantTimeCompare([]byte(cl.UserID), []byte(u.ID)) != 1 {
		return fail(errInvalidToken)
	}
	if !u.EmailVerified {
		detached, err := c.endUnprovenAccess(*u)
		if err != nil {
			return nil, err
		}
		if u, err = c.srv.db.UpdateUser(c.ctx, u.ID, map[string]any{"emailVerified": true}, c.now); err != nil {
			return nil, dbError(err)
		}
		if c.srv.ev.AutoSignInAfterVerification {
			cur, err := c.loadSession(true, true)
			if err != nil {
				return nil, err
			}
			if cur == nil || cur.User.Email != u.Email || detached {
				sess, err := c.createSession(u.ID, false, *u)
				if err != nil {
					return nil, err
				}
				c.setSessionCookie(&store.Result{Session: *sess, User: *u}, nil, nil)
			} else {
				cur.User.EmailVerified = true
				c.setSessionCookie(cur, nil, nil)
			}
		}
	}
	if cb != "" {
		return c.redirect(cb), nil
	}
	return json.RawMessage(`{"status":true,"user":null}`), nil
}

// redirect answers 302 to target (resolved against the base URL when relative, as Location allows).
func (c *call) redirect(target string) any {
	c.status = 302
	c.hdr().Set("Location", target)
	return nil
}

// appendQuery adds k=v to a URL's query, keeping what is there.
func appendQuery(target, k, v string) string {
	sep := "?"
	if strings.Contains(target, "?") {
		sep = "&"
	}
	frag := ""
	if i := strings.IndexByte(target, '#'); i >= 0 {
		target, frag = target[:i], target[i:]
		if strings.Contains(target, "?") {
			sep = "&"
		} else {
			sep = "?"
		}
	}
	return target + sep + url.QueryEscape(k) + "=" + url.QueryEscape(v) + frag
}

// resolve is JavaScript's new URL(target, base).href for the redirect endpoints.
func (c *call) resolve(target string, set map[string]string) string {
	base, _ := url.Parse(c.a.s.baseURL + c.a.s.basePath)
	u, err := base.Parse(target)
	if err != nil {
		u, _ = url.Parse(c.a.s.baseURL + c.a.s.basePath + "/error")
	}
	q := u.Query()
	for k, v := range set {
		q.Set(k, v)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

const resetMessage = "If this email exists in our system, check your email for the reset link"

// requestPasswordReset is POST /request-password-reset {email, redirectTo?}: the same answer whether or not
// the address has an account.
func (c *call) requestPasswordReset() (any, error) {
	if c.srv.mailer == nil {
		return nil, errResetDisabled
	}
	if err := c.validate(field{"email", kEmail, true}, field{"redirectTo", kString, false}); err != nil {
		return nil, err
	}
	ok := map[string]any{"status": true, "message": resetMessage}
	u, err := c.srv.db.UserByEmail(c.ctx, strings.ToLower(c.str("email")))
	if errors.Is(err, store.ErrNotFound) {
		// The same database work as a known address.
		_ = betterauth.RandomString(24)
		if _, err := c.srv.db.Verification(c.ctx, "dummy-verification-token"); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, dbError(err)
		}
		return ok, nil
	}
	if err != nil {
		return nil, dbError(err)
	}
	tok := betterauth.RandomString(24)
	v := &store.Verification{ID: betterauth.NewID(), Identifier: "reset-password:" + tok, Value: u.ID,
		ExpiresAt: c.now.Add(c.srv.ep.ResetPasswordTokenExpiresIn), CreatedAt: c.now, UpdatedAt: c.now}
	if err := c.srv.db.CreateVerification(c.ctx, v); err != nil {
		return nil, dbError(err)
	}
	cb := ""
	if r := c.str("redirectTo"); r != "" {
		cb = encodeURIComponent(r)
	}
	link := c.a.s.baseURL + c.a.s.basePath + "/reset-password/" + tok + "?callbackURL=" + cb
	// Queued, not sent: the answer must not wait for the mailer, or its time tells that the address is known.
	c.srv.mail.send(Email{Kind: EmailResetPassword, To: u.Email, User: *u, URL: link, Token: tok})
	return ok, nil
}

// resetPasswordCallback is GET /reset-password/:token?callbackURL=: 302 to callbackURL?token=… when the
// token is valid, else to callbackURL?error=INVALID_TOKEN.
func (c *call) resetPasswordCallback() (any, error) {
	cb := c.query.Get("callbackURL")
	if e := c.srv.origins.CheckCallback(cb); e != nil {
		return nil, httpsecError(e)
	}
	tok := c.param
	if tok == "" || cb == "" {
		if cb == "" {
			return c.redirect(c.resolve(c.a.s.baseURL+c.a.s.basePath+"/error", map[string]string{"error": "INVALID_TOKEN"})), nil
		}
		return c.redirect(c.resolve(cb, map[string]string{"error": "INVALID_TOKEN"})), nil
	}
	v, err := c.srv.db.Verification(c.ctx, "reset-password:"+tok)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, dbError(err)
	}
	if v == nil || v.ExpiresAt.Before(c.now) {
		return c.redirect(c.resolve(cb, map[string]string{"error": "INVALID_TOKEN"})), nil
	}
	return c.redirect(c.resolve(cb, map[string]string{"token": tok})), nil
}

// resetPassword is POST /reset-password {newPassword, token?} (token also from the query): sets the
// password and spends the token.
func (c *call) resetPassword() (any, error) {
	if err := c.validate(field{"newPassword", kString, true}, field{"token", kString, false}); err != nil {
		return nil, err
	}
	tok := c.str("token")
	if tok == "" {
		tok = c.query.Get("token")
	}
	if tok == "" {
		return nil, errInvalidToken
	}
	pw := c.str("newPassword")
	if err := c.checkNewPassword(pw); err != nil {
		return nil, err
	}
	v, err := c.srv.db.Verification(c.ctx, "reset-password:"+tok)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, dbError(err)
	}
	if v == nil || v.ExpiresAt.Before(c.now) {
		return nil, errInvalidToken
	}
	u, err := c.srv.db.UserByID(c.ctx, v.Value)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errUserNotFound
	}
	if err != nil {
		return nil, dbError(err)
	}
	hash, err := c.hashPassword(pw)
	if err != nil {
		return nil, err
	}
	// Spend the token first: of two requests racing with it, only the one that deletes the row goes on.
	if err := c.srv.db.DeleteVerification(c.ctx, v.ID); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, errInvalidToken
		}
		return nil, dbError(err)
	}
	if err := c.setResetPassword(*u, hash); err != nil {
		return nil, err
	}
	return map[string]bool{"status": true}, nil
}

// setResetPassword is what a password reset does once its token is spent: it ends unproven access (see
// endUnprovenAccess), deletes the user's sessions unless KeepSessionsOnPasswordReset, and sets the
// credential account's password to hash (creating the account when the user had none).
func (c *call) setResetPassword(u store.User, hash string) error {
	detached, err := c.endUnprovenAccess(u)
	if err != nil {
		return err
	}
	if !c.srv.ep.KeepSessionsOnPasswordReset && !detached {
		if err := c.deleteUserSessions(u.ID); err != nil {
			return err
		}
	}
	accts, err := c.srv.db.Accounts(c.ctx, u.ID)
	if err != nil {
		return dbError(err)
	}
	for _, a := range accts {
		if a.ProviderID == "credential" {
			return dbError(c.srv.db.UpdateAccount(c.ctx, a.ID, map[string]any{"password": hash}, c.now))
		}
	}
	acct := &store.Account{ID: betterauth.NewID(), AccountID: u.ID, ProviderID: "credential", UserID: u.ID,
		Password: hash, CreatedAt: c.now, UpdatedAt: c.now}
	return dbError(c.srv.db.CreateAccount(c.ctx, acct))
}

// endUnprovenAccess is what proving the address (following a verification link, completing a password
// reset) does to a user whose email was not verified until then, unless
// AccountLinking.KeepUnverifiedLinksOnEmailProof: it deletes the user's provider identities (account rows
// whose providerId is not "credential") and every session of the user, and reports true. Better Auth's
// account table has no per-identity "verified" flag, so the rule goes by the user row: while
// user.emailVerified is false, every identity linked to the user was linked without a verified email (a
// social sign-up whose provider did not vouch for the address, or a link made before the address was
// proved), and may be an attacker's who created the account first (a pre-account hijack). The owner signs
// in again and links their identities anew. Callers create the session the proof itself signs in, if any,
// after it. It does nothing and reports false when the user is verified or the option keeps Better Auth's
// behaviour.
func (c *call) endUnprovenAccess(u store.User) (bool, error) {
	if u.EmailVerified || c.srv.linking.KeepUnverifiedLinksOnEmailProof {
		return false, nil
	}
	accts, err := c.srv.db.Accounts(c.ctx, u.ID)
	if err != nil {
		return false, dbError(err)
	}
	var providers []string
	for _, a := range accts {
		if a.ProviderID == "credential" {
			continue
		}
		// Identities go first: once they are gone no new session can come through them.
		if err := c.srv.db.DeleteAccount(c.ctx, a.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return false, dbError(err)
		}
		providers = append(providers, a.ProviderID)
	}
	if len(providers) > 0 {
		c.a.s.log.Warn("auth: the email was proved; provider identities linked before it was verified were detached",
			"user", u.ID, "providers", providers)
	}
	return true, c.deleteUserSessions(u.ID)
}

// verifyEmailChange is /verify-email for the links of /change-email (tokens with updateTo): the bound
// user must still have the address the token names (so a spent link answers INVALID_TOKEN), and a
// signed-in caller must be that user. A confirmation link mails the verification link to the new
// address; a verification link changes the address, keeping emailVerified as it was (an unverified user
// stays unverified); a token without requestType (Better Auth's legacy flow) changes it with
// emailVerified false and mails a verification link to the new address.
func (c *call) verifyEmailChange(cl *verificationClaims, cb string, fail func(*apiError) (any, error)) (any, error) {
	if cl.UserID == "" {
		return fail(errInvalidToken)
	}
	bound, err := c.srv.db.UserByID(c.ctx, cl.UserID)
	if errors.Is(err, store.ErrNotFound) {
		return fail(errUserNotFound)
	}
	if err != nil {
		return nil, dbError(err)
	}
	if subtle.ConstantTimeCompare([]byte(strings.ToLower(bound.Email)), []byte(cl.Email)) != 1 {
		return fail(errInvalidToken)
	}
	sess, err := c.loadSession(false, false)
	if err != nil {
		return nil, err
	}
	if sess != nil && sess.User.ID != bound.ID {
		return fail(errInvalidUser)
	}
	newEmail := strings.ToLower(cl.UpdateTo)
	link := func(tok string) string { return c.verifyEmailLink(tok, cb) }
	done := func(u *store.User) (any, error) {
		if sess != nil {
			c.setSessionCookie(&store.Result{Session: sess.Session, User: *u}, nil, nil)
		}
		if cb != "" {
			return c.redirect(cb), nil
		}
		return map[string]any{"status": true, "user": userOut(*u)}, nil
	}
	switch cl.RequestType {
	case "change-email-confirmation":
		tok := c.changeToken(cl.Email, newEmail, "change-email-verification", bound.ID)
		if c.srv.mail != nil {
			to := *bound
			to.Email = newEmail
			c.srv.mail.send(Email{Kind: EmailVerify, To: newEmail, User: to, NewEmail: newEmail, URL: link(tok), Token: tok})
		}
		if cb != "" {
			return c.redirect(cb), nil
		}
		return map[string]bool{"status": true}, nil
	case "change-email-verification":
		u, err := c.srv.db.UpdateUser(c.ctx, bound.ID, map[string]any{"email": newEmail, "emailVerified": bound.EmailVerified}, c.now)
		if errors.Is(err, store.ErrConflict) {
			return fail(errInvalidToken) // the address was taken since the link was sent
		}
		if err != nil {
			return nil, dbError(err)
		}
		return done(u)
	default:
		u, err := c.srv.db.UpdateUser(c.ctx, bound.ID, map[string]any{"email": newEmail, "emailVerified": false}, c.now)
		if errors.Is(err, store.ErrConflict) {
			return fail(errInvalidToken)
		}
		if err != nil {
			return nil, dbError(err)
		}
		if c.srv.mail != nil {
			tok := c.changeToken(newEmail, "", "", bound.ID)
			c.srv.mail.send(Email{Kind: EmailVerify, To: newEmail, User: *u, URL: link(tok), Token: tok})
		}
		return done(u)
	}
}
