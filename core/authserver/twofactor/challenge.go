package twofactor

// Mirrors better-auth src/plugins/two-factor/verify-two-factor.ts: who a second-factor check is for (the
// signed-in user, or the sign-in challenge of the two_factor cookie), the per-challenge attempt budget and
// the per-account lockout.

import (
	"errors"
	"strconv"

	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/store"
)

// flow is one second-factor check: for a signed-in user (session set) or a sign-in challenge.
type flow struct {
	pl      *plugin
	user    store.User
	session *store.Result // nil for a sign-in challenge
	key     string        // the challenge identifier, or "<userId>!<sessionId>"
	exp     store.Verification
}

// signIn reports whether the check finishes a sign-in.
func (f *flow) signIn() bool { return f.session == nil }

// resolve finds what a check is for: the request's session, else the two_factor cookie's challenge.
func (pl *plugin) resolve(x *authserver.Context) (*flow, error) {
	res, err := x.FreshSession()
	if err == nil {
		return &flow{pl: pl, user: res.User, session: res, key: res.User.ID + "!" + res.Session.ID}, nil
	}
	var ae *authserver.APIError
	if !errors.As(err, &ae) || ae.Status != 401 {
		return nil, err
	}
	id, ok := x.SignedCookie(x.CookieName(cookieTwoFactor))
	if !ok {
		return nil, pl.err(401, "INVALID_TWO_FACTOR_COOKIE")
	}
	v, err := x.Database().Verification(x.Context(), id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !v.ExpiresAt.After(x.Now())) {
		return nil, pl.err(401, "INVALID_TWO_FACTOR_COOKIE")
	}
	if err != nil {
		return nil, err
	}
	u, err := x.Database().UserByID(x.Context(), v.Value)
	if errors.Is(err, store.ErrNotFound) {
		return nil, pl.err(401, "INVALID_TWO_FACTOR_COOKIE")
	}
	if err != nil {
		return nil, err
	}
	return &flow{pl: pl, user: *u, key: id, exp: *v}, nil
}

// attempt is one code tried against a sign-in challenge's budget.
type attempt struct {
	x        *authserver.Context
	id       string
	attempts int
	f        *flow
}

// begin spends the challenge's attempt counter (beginAttempt): too many attempts end the challenge. For a
// signed-in user it is nil: there is no budget.
func (f *flow) begin(x *authserver.Context) (*attempt, error) {
	if !f.signIn() {
		return nil, nil
	}
	id := "2fa-attempts-" + f.key
	v, err := consume(x, id)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, f.pl.err(401, "INVALID_TWO_FACTOR_COOKIE")
	}
	n, err := strconv.Atoi(v.Value)
	if err != nil || n < 0 {
		n = challengeAttempts
	}
	if n >= challengeAttempts {
		if _, err := consume(x, f.key); err != nil {
			x.SetCookie(x.CookieName(cookieTwoFactor), "", -1)
			return nil, &authserver.APIError{Status: 500, Code: "FAILED_TO_INVALIDATE_TWO_FACTOR_CHALLENGE", Message: "Failed to invalidate two-factor challenge"}
		}
		x.SetCookie(x.CookieName(cookieTwoFactor), "", -1)
		return nil, f.pl.err(400, "TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE")
	}
	return &attempt{x: x, id: id, attempts: n, f: f}, nil
}

// failed records a wrong code against the challenge.
func (a *attempt) failed() {
	if a != nil {
		_ = createVerification(a.x, a.id, strconv.Itoa(a.attempts+1), a.f.exp.ExpiresAt)
	}
}

// restore puts the counter back after an error that was not a wrong code.
func (a *attempt) restore() {
	if a != nil {
		_ = createVerification(a.x, a.id, strconv.Itoa(a.attempts), a.f.exp.ExpiresAt)
	}
}

// valid finishes the check: a sign-in challenge is consumed and becomes a session (and, with trustDevice,
// a trusted device); a signed-in user keeps the session. The answer is {"token","user"}.
func (f *flow) valid(x *authserver.Context) (any, error) {
	if !f.signIn() {
		return map[string]any{"token": f.session.Session.Token, "user": userJSON(f.session.User)}, nil
	}
	twoFactorCookie := x.CookieName(cookieTwoFactor)
	v, err := consume(x, f.key)
	if err != nil {
		return nil, err
	}
	if v == nil || v.Value != f.user.ID {
		x.SetCookie(twoFactorCookie, "", -1)
		return nil, f.pl.err(401, "INVALID_TWO_FACTOR_COOKIE")
	}
	res, err := x.CreateSession(f.user, x.DontRemember())
	if err != nil {
		return nil, err
	}
	x.SetCookie(twoFactorCookie, "", -1)
	if trust, _ := x.Body()["trustDevice"].(bool); trust {
		if err := f.pl.trustDevice(x, f.user.ID); err != nil {
			return nil, err
		}
		x.SetCookie(x.CookieName("dont_remember"), "", -1)
	}
	return map[string]any{"token": res.Session.Token, "user": userJSON(f.user)}, nil
}

// assertNotLocked refuses a locked account (429 ACCOUNT_TEMPORARILY_LOCKED) and clears a lock that passed.
func (pl *plugin) assertNotLocked(x *authserver.Context, row *store.TwoFactor) error {
	if pl.cfg.Lockout.Disabled || row.LockedUntil == nil {
		return nil
	}
	if row.LockedUntil.After(x.Now()) {
		return pl.err(429, "ACCOUNT_TEMPORARILY_LOCKED")
	}
	return db(x).UnlockTwoFactor(x.Context(), row.ID, x.Now())
}

// recordFailure counts a failed check toward the lockout and locks the account when the budget is spent.
func (pl *plugin) recordFailure(x *authserver.Context, row *store.TwoFactor) error {
	if pl.cfg.Lockout.Disabled {
		return nil
	}
	n, err := db(x).IncrementTwoFactorFailures(x.Context(), row.ID)
	if err != nil {
		return err
	}
	if n >= pl.cfg.Lockout.MaxFailedAttempts {
		return db(x).LockTwoFactor(x.Context(), row.ID, pl.cfg.Lockout.MaxFailedAttempts, x.Now().Add(pl.cfg.Lockout.Duration))
	}
	return nil
}

// resetFailures clears the count after a success.
func (pl *plugin) resetFailures(x *authserver.Context, row *store.TwoFactor) error {
	if pl.cfg.Lockout.Disabled {
		return nil
	}
	return db(x).UpdateTwoFactor(x.Context(), row.ID, map[string]any{"failedVerificationCount": 0, "lockedUntil": nil})
}

// row returns the user's twoFactor row, or nil.
func row(x *authserver.Context, userID string) (*store.TwoFactor, error) {
	r, err := db(x).TwoFactorByUser(x.Context(), userID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return r, err
}
