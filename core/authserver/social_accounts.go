package authserver

// Social accounts: who a provider identity signs in as, linking, and the account endpoints (better-auth
// src/oauth2/link-account.ts handleOAuthUserInfo and linkOAuthAccount, src/api/routes/account.ts
// linkSocialAccount, unlinkAccount, listUserAccounts; the ID token branch of sign-in.ts signInSocial).

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
	"github.com/gobetterauth/gobetterauth/core/store"
)

// oauthAccount is the account data of a provider identity (accountKey plus tokens). Empty strings and nil
// times are "undefined": not written.
type oauthAccount struct {
	providerID, accountID              string
	accessToken, refreshToken, idToken string
	accessExp, refreshExp              *time.Time
	scope                              string // comma-joined
}

// tokenFields are the account columns a sign-in refreshes: the defined tokens and expiries.
func (a oauthAccount) tokenFields() map[string]any {
	f := map[string]any{"providerId": a.providerID}
	for k, v := range map[string]string{"accessToken": a.accessToken, "refreshToken": a.refreshToken, "idToken": a.idToken} {
		if v != "" {
			f[k] = v
		}
	}
	if a.accessExp != nil {
		f["accessTokenExpiresAt"] = *a.accessExp
	}
	if a.refreshExp != nil {
		f["refreshTokenExpiresAt"] = *a.refreshExp
	}
	return f
}

// row is the account row for userID.
func (a oauthAccount) row(userID string, now time.Time) *store.Account {
	return &store.Account{ID: betterauth.NewID(), AccountID: a.accountID, ProviderID: a.providerID, UserID: userID,
		AccessToken: a.accessToken, RefreshToken: a.refreshToken, IDToken: a.idToken, AccessTokenExpiresAt: a.accessExp,
		RefreshTokenExpiresAt: a.refreshExp, Scope: a.scope, CreatedAt: now, UpdatedAt: now}
}

// trusted says whether implicit linking may rely on the provider's word (trustedProviders).
func (c *call) trusted(providerID string) bool {
	return slices.Contains(c.srv.linking.TrustedProviders, providerID)
}

// signInOAuth is handleOAuthUserInfo: the account keyed by (providerId, accountId) signs its user in;
// otherwise a user with the same email gets the account linked when the rules allow; otherwise a user is
// created. It returns the new session, whether the user is new, or a failure in Better Auth's words
// ("account not linked", "unable to link account", "unable to create user", …). err is a database or
// hook failure.
func (c *call) signInOAuth(pu *ProviderUser, a oauthAccount) (res *store.Result, isRegister bool, failure string, err error) {
	if c.srv.observer != nil {
		defer func() { c.observeAuth(socialAttempt(a.providerID, res, isRegister, failure, err)) }()
	}
	if err := c.sealAccount(&a); err != nil {
		return nil, false, "", err
	}
	db := c.srv.db
	email := strings.ToLower(pu.Email)
	owned, err := db.AccountByProvider(c.ctx, a.providerID, a.accountID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, false, "", dbError(err)
	}
	var u *store.User
	switch {
	case owned != nil:
		u, err = db.UserByID(c.ctx, owned.UserID)
		if errors.Is(err, store.ErrNotFound) {
			c.a.s.log.Error("auth: OAuth account references a missing user", "account", owned.ID)
			return nil, false, "unable to link account", nil
		}
		if err != nil {
			return nil, false, "", dbError(err)
		}
		// Fresh tokens on every sign-in (updateAccountOnSignIn); the scope only changes through linking.
		if err := db.UpdateAccount(c.ctx, owned.ID, a.tokenFields(), c.now); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return nil, false, "unable to update account", nil
			}
			return nil, false, "", dbError(err)
		}
		if u, err = c.promoteVerified(u, pu, email); err != nil {
			return nil, false, "", err
		}
	default:
		u, err = db.UserByEmail(c.ctx, email)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, false, "", dbError(err)
		}
		if u == nil {
			u, failure, err = c.socialSignUp(pu, email, a)
			if u == nil {
				return nil, false, failure, err
			}
			isRegister = true
			break
		}
		l := c.srv.linking
		if (!c.trusted(a.providerID) && !pu.EmailVerified) || !u.EmailVerified || l.Disabled || l.DisableImplicitLinking {
			c.a.s.log.Info("auth: a user with this email exists and the identity was not linked", "provider", a.providerID)
			return nil, false, "account not linked", nil
		}
		if err := db.CreateAccount(c.ctx, a.row(u.ID, c.now)); err != nil {
			c.a.s.log.Error("auth: linking an OAuth account", "err", err)
			return nil, false, "unable to link account", nil
		}
		if u, err = c.promoteVerified(u, pu, email); err != nil {
			return nil, false, "", err
		}
		u = c.updateUserInfoOnLink(u, pu)
	}
	sess, err := c.createSession(u.ID, false, *u)
	if err != nil {
		return nil, false, "", err
	}
	return &store.Result{Session: *sess, User: *u}, isRegister, "", nil
}

// socialAttempt is signInOAuth's outcome for the observer: the failure as its redirect's error code.
func socialAttempt(provider string, res *store.Result, isRegister bool, failure string, err error) AuthAttempt {
	at := AuthAttempt{Flow: "sign-in", Method: "social", Provider: provider, OK: res != nil}
	if isRegister {
		at.Flow = "sign-up"
	}
	var e *apiError
	switch {
	case failure != "":
		at.Code = strings.ReplaceAll(failure, " ", "_")
	case errors.As(err, &e):
		at.Code = e.code
	case err != nil:
		at.Code = oauthInternal
	}
	return at
}

// socialSignUp creates the user and its account (emailVerified as the provider says). A failure after the
// user was inserted removes it again, as Better Auth's transaction would.
func (c *call) socialSignUp(pu *ProviderUser, email string, a oauthAccount) (*store.User, string, error) {
	u := &store.User{ID: betterauth.NewID(), Email: email, Name: pu.Name, Image: pu.Image, EmailVerified: pu.EmailVerified}
	if h := c.srv.hooks.BeforeCreateUser; h != nil {
		if err := h(c.ctx, u); err != nil {
			return nil, "", hookError(err)
		}
		u.Email = strings.ToLower(u.Email)
		if u.ID == "" || u.Email == "" {
			return nil, "unable to create user", nil
		}
	}
	c.applyUserDefaults(u)
	if err := c.srv.db.CreateUser(c.ctx, u, c.now); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return nil, "unable to create user", nil
		}
		return nil, "", dbError(err)
	}
	setTimes(u, c.now)
	if err := c.srv.db.CreateAccount(c.ctx, a.row(u.ID, c.now)); err != nil {
		c.a.s.log.Error("auth: creating the OAuth account of a new user", "err", err)
		if err := c.srv.db.DeleteUser(c.ctx, u.ID); err != nil {
			c.a.s.log.Error("auth: removing a user whose account could not be created", "err", err)
		}
		return nil, "unable to create user", nil
	}
	if h := c.srv.hooks.AfterCreateUser; h != nil {
		if err := h(c.ctx, *u); err != nil {
			return nil, "", hookError(err)
		}
	}
	if s := c.srv.ev.SendOnSignUp; s != nil && *s && !u.EmailVerified && c.srv.mailer != nil {
		if err := c.sendVerification(*u); err != nil {
			c.a.s.log.Error("auth: sending the sign-up verification email", "err", err)
		}
	}
	return u, "", nil
}

// promoteVerified marks the user's email verified when the provider vouches for the same address.
func (c *call) promoteVerified(u *store.User, pu *ProviderUser, email string) (*store.User, error) {
	if !pu.EmailVerified || u.EmailVerified || email != u.Email {
		return u, nil
	}
	nu, err := c.srv.db.UpdateUser(c.ctx, u.ID, map[string]any{"emailVerified": true}, c.now)
	if err != nil {
		return nil, dbError(err)
	}
	return nu, nil
}

// updateUserInfoOnLink copies the provider's name and image to the user when AccountLinking says so;
// a failure is logged, never fatal.
func (c *call) updateUserInfoOnLink(u *store.User, pu *ProviderUser) *store.User {
	if !c.srv.linking.UpdateUserInfoOnLink {
		return u
	}
	f := map[string]any{}
	if pu.Name != "" {
		f["name"] = pu.Name
	}
	if pu.Image != "" {
		f["image"] = pu.Image
	}
	if len(f) == 0 {
		return u
	}
	nu, err := c.srv.db.UpdateUser(c.ctx, u.ID, f, c.now)
	if err != nil {
		c.a.s.log.Warn("auth: could not update user info on account link", "err", err)
		return u
	}
	return nu
}

// linkOAuth is linkOAuthAccount, the callback of a /link-social flow. Beyond Better Auth, the request's
// own session must belong to the user who started the link. It returns a callback error code, or "".
func (c *call) linkOAuth(link *stateLink, pu *ProviderUser, a oauthAccount, scopes []string) (string, error) {
	res, err := c.session(true)
	if err != nil {
		var e *apiError
		if errors.As(err, &e) && e.status == 401 {
			return oauthUnableToLink, nil
		}
		return "", err
	}
	if res.User.ID != link.UserID {
		c.a.s.log.Warn("auth: link flow completed by another user's session")
		return oauthUnableToLink, nil
	}
	if (!c.trusted(a.providerID) && !pu.EmailVerified) || c.srv.linking.Disabled {
		return oauthUnableToLink, nil
	}
	if err := c.sealAccount(&a); err != nil {
		return "", err
	}
	if !strings.EqualFold(pu.Email, link.Email) && !c.srv.linking.AllowDifferentEmails {
		return oauthEmailMismatch, nil
	}
	existing, err := c.srv.db.AccountByProvider(c.ctx, a.providerID, a.accountID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return "", dbError(err)
	}
	if existing != nil {
		if existing.UserID != link.UserID {
			return oauthLinkedToOther, nil
		}
		f := a.tokenFields()
		if s := mergeScopes(existing.Scope, scopes); s != "" {
			f["scope"] = s
		}
		if err := c.srv.db.UpdateAccount(c.ctx, existing.ID, f, c.now); err != nil {
			return "", dbError(err)
		}
	} else if err := c.srv.db.CreateAccount(c.ctx, a.row(link.UserID, c.now)); err != nil {
		c.a.s.log.Error("auth: creating a linked account", "err", err)
		return oauthUnableToLink, nil
	}
	c.updateUserInfoOnLink(&res.User, pu)
	return "", nil
}

// mergeScopes is the union of a stored comma-separated scope and new scopes, in first-seen order.
func mergeScopes(stored string, incoming []string) string {
	var out []string
	for _, s := range append(strings.Split(stored, ","), incoming...) {
		if s = strings.TrimSpace(s); s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return strings.Join(out, ",")
}

// verifyIDToken checks an ID token the client sent (verifyProviderIdToken and getUserInfo).
func (c *call) verifyIDToken(p Provider, tok map[string]any) (*ProviderUser, error) {
	token, _ := tok["token"].(string)
	nonce, _ := tok["nonce"].(string)
	pu, err := p.VerifyIDToken(c.ctx, token, nonce)
	switch {
	case errors.Is(err, ErrIDTokenNotSupported):
		return nil, errSocialIDTokenNotSupport
	case errors.Is(err, auth.ErrUnavailable):
		c.a.s.log.Error("auth: could not verify an ID token", "provider", p.ID(), "err", err)
		return nil, errServerUnavailable(5)
	case err != nil:
		c.a.s.log.Warn("auth: invalid ID token", "provider", p.ID(), "err", err)
		return nil, errSocialInvalidIDToken
	case pu == nil || pu.Subject == "":
		return nil, errSocialUserInfo
	}
	if iss := providerIssuer(p); iss != "" && pu.Issuer != iss {
		c.a.s.log.Warn("auth: ID token from another issuer", "provider", p.ID(), "issuer", pu.Issuer)
		return nil, errSocialInvalidIDToken
	}
	if pu.Email == "" {
		return nil, errSocialNoEmail
	}
	return pu, nil
}

// signInIDToken is the idToken branch of POST /sign-in/social: {redirect:false, token, user} and the
// session cookie.
func (c *call) signInIDToken(p Provider, tok map[string]any) (any, error) {
	pu, err := c.verifyIDToken(p, tok)
	if err != nil {
		return nil, err
	}
	token, _ := tok["token"].(string)
	access, _ := tok["accessToken"].(string)
	res, _, failure, err := c.signInOAuth(pu, oauthAccount{providerID: p.ID(), accountID: pu.Subject,
		accessToken: access, idToken: token})
	if err != nil {
		return nil, err
	}
	if failure != "" {
		return nil, newAPIError(401, "OAUTH_LINK_ERROR", failure)
	}
	c.setSessionCookie(res, nil, nil)
	b := []byte(`{"redirect":false,"token":`)
	b = append(b, jsString(res.Session.Token)...)
	b = append(b, `,"user":`...)
	b = append(b, userOut(res.User)...)
	return json.RawMessage(append(b, '}')), nil
}

// linkSocialFields are the fields /link-social accepts, in its schema's order.
var linkSocialFields = []sField{{"callbackURL", sString, false}, {"provider", sProvider, true},
	{"idToken", sIDToken, false}, {"requestSignUp", sBool, false}, {"scopes", sStrings, false},
	{"errorCallbackURL", sString, false}, {"disableRedirect", sBool, false}, {"loginHint", sString, false},
	{"additionalParams", sStringRecord, false}, {"additionalData", sRecord, false}}

// linkSocial is POST /link-social: links a provider identity to the signed-in user, by a redirect flow or
// with an ID token.
func (c *call) linkSocial() (any, error) {
	if err := c.validateSocial(linkSocialFields...); err != nil {
		return nil, err
	}
	res, err := c.session(true)
	if err != nil {
		return nil, err
	}
	p := c.srv.providers[c.str("provider")]
	if p == nil {
		return nil, errSocialProviderNotFound
	}
	tok, ok := c.body["idToken"].(map[string]any)
	if !ok {
		return c.startFlow(p, &stateLink{Email: res.User.Email, UserID: res.User.ID})
	}
	pu, err := c.verifyIDToken(p, tok)
	if err != nil {
		return nil, err
	}
	token, _ := tok["token"].(string)
	access, _ := tok["accessToken"].(string)
	refresh, _ := tok["refreshToken"].(string)
	a := oauthAccount{providerID: p.ID(), accountID: pu.Subject, accessToken: access, refreshToken: refresh, idToken: token}
	if err := c.sealAccount(&a); err != nil {
		return nil, err
	}
	existing, err := c.srv.db.AccountByProvider(c.ctx, a.providerID, a.accountID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, dbError(err)
	}
	done := json.RawMessage(`{"url":"","status":true,"redirect":false}`)
	if existing != nil {
		if existing.UserID != res.User.ID {
			return nil, errSocialAlreadyLinked
		}
		if err := c.srv.db.UpdateAccount(c.ctx, existing.ID, a.tokenFields(), c.now); err != nil {
			return nil, dbError(err)
		}
		c.updateUserInfoOnLink(&res.User, pu)
		return done, nil
	}
	if (!c.trusted(p.ID()) && !pu.EmailVerified) || c.srv.linking.Disabled {
		return nil, errSocialLinkNotAllowed
	}
	if !strings.EqualFold(pu.Email, res.User.Email) && !c.srv.linking.AllowDifferentEmails {
		return nil, errSocialLinkDiffEmails
	}
	if err := c.srv.db.CreateAccount(c.ctx, a.row(res.User.ID, c.now)); err != nil {
		c.a.s.log.Error("auth: creating a linked account", "err", err)
		return nil, errSocialLinkFailed
	}
	c.updateUserInfoOnLink(&res.User, pu)
	return done, nil
}

// unlinkAccount is POST /unlink-account {accountId}: removes one of the user's accounts by its row id;
// needs a fresh session and refuses the last account unless AllowUnlinkingAll.
func (c *call) unlinkAccount() (any, error) {
	if err := c.validate(field{"accountId", kString, true}); err != nil {
		return nil, err
	}
	res, err := c.session(false)
	if err != nil {
		return nil, err
	}
	if c.srv.freshAge > 0 && c.now.Sub(res.Session.CreatedAt) >= c.srv.freshAge {
		return nil, errSessionNotFresh
	}
	accts, err := c.srv.db.Accounts(c.ctx, res.User.ID)
	if err != nil {
		return nil, dbError(err)
	}
	if len(accts) == 1 && !c.srv.linking.AllowUnlinkingAll {
		return nil, errSocialUnlinkLast
	}
	id := c.str("accountId")
	i := slices.IndexFunc(accts, func(a store.Account) bool { return a.ID == id })
	if i < 0 {
		return nil, errSocialAccountNotFound
	}
	if err := c.srv.db.DeleteAccount(c.ctx, id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, errSocialAccountNotFound
		}
		return nil, dbError(err)
	}
	return map[string]bool{"status": true}, nil
}

// accountOut is an account as /list-accounts returns it, in Better Auth's key order: no tokens, no
// password, scopes as an array.
type accountOut struct {
	AccountID  string   `json:"accountId"`
	ProviderID string   `json:"providerId"`
	UserID     string   `json:"userId"`
	CreatedAt  string   `json:"createdAt"`
	UpdatedAt  string   `json:"updatedAt"`
	ID         string   `json:"id"`
	Scopes     []string `json:"scopes"`
}

// listAccounts is GET /list-accounts: the user's accounts.
func (c *call) listAccounts() (any, error) {
	res, err := c.session(false)
	if err != nil {
		return nil, err
	}
	accts, err := c.srv.db.Accounts(c.ctx, res.User.ID)
	if err != nil {
		return nil, dbError(err)
	}
	out := make([]accountOut, 0, len(accts))
	for _, a := range accts {
		out = append(out, accountOut{ID: a.ID, AccountID: a.AccountID, ProviderID: a.ProviderID, UserID: a.UserID,
			CreatedAt: isoTime(a.CreatedAt), UpdatedAt: isoTime(a.UpdatedAt), Scopes: storedScopes(a.Scope)})
	}
	return out, nil
}
