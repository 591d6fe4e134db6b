package authserver

// Provider tokens on the account row: account.encryptOAuthTokens (better-auth src/oauth2/utils.ts
// setTokenUtil, decryptOAuthToken) and the token endpoints of src/api/routes/account.ts (getAccessToken,
// refreshToken, accountInfo, getValidAccessToken, resolveUserId, resolveUserAccount).

import (
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/internal/jwtissue"
	"github.com/gobetterauth/gobetterauth/core/store"
)

// Better Auth's answers of the token endpoints.
var (
	errUserIDOrSession        = newAPIError(400, "USER_ID_OR_SESSION_REQUIRED", "Either userId or session is required")
	errTokenRefreshNotFound   = newAPIError(400, "REFRESH_TOKEN_NOT_FOUND", "Refresh token not found")
	errFailedGetAccessToken   = newAPIError(400, "FAILED_TO_GET_ACCESS_TOKEN", "Failed to get a valid access token")
	errFailedRefreshToken     = newAPIError(400, "FAILED_TO_REFRESH_ACCESS_TOKEN", "Failed to refresh access token")
	errAccountSelectionFormat = newAPIError(400, "VALIDATION_ERROR", "[body] Invalid input")
	errUnauthorizedNoBody     = &apiError{status: 401, noBody: true}
	errAccountInfoQuery       = newAPIError(400, "VALIDATION_ERROR", "[query] Invalid input")
	errProviderNotConfigured  = newAPIError(400, "PROVIDER_NOT_CONFIGURED", "Account is not associated with a configured social provider.")
	errAccessTokenNotFound    = newAPIError(400, "ACCESS_TOKEN_NOT_FOUND", "Access token not found")
)

func errProviderNotSupported(id string) *apiError {
	return newAPIError(400, "PROVIDER_NOT_SUPPORTED", "Provider "+id+" is not supported.")
}

func errTokenRefreshNotSupported(id string) *apiError {
	return newAPIError(400, "TOKEN_REFRESH_NOT_SUPPORTED", "Provider "+id+" does not support token refreshing.")
}

// accessTokenLeeway is how close to its expiry a stored access token is refreshed by /get-access-token.
const accessTokenLeeway = 5 * time.Second

// encryptedHex is isLikelyEncrypted's bare-hex test.
var encryptedHex = regexp.MustCompile(`^[0-9a-fA-F]+$`)

// sealToken is setTokenUtil: the token encrypted when EncryptOAuthTokens, "" kept.
func (c *call) sealToken(tok string) (string, error) {
	if !c.srv.encryptOAuth || tok == "" {
		return tok, nil
	}
	return jwtissue.Encrypt(c.a.symmetricSecrets(), tok)
}

// openToken is decryptOAuthToken: with EncryptOAuthTokens, a token that looks encrypted ("$ba$…" or
// even-length hex) is decrypted and anything else is returned as stored (written before encryption was on).
func (c *call) openToken(tok string) (string, error) {
	if !c.srv.encryptOAuth || tok == "" {
		return tok, nil
	}
	if !strings.HasPrefix(tok, "$ba$") && (len(tok)%2 != 0 || !encryptedHex.MatchString(tok)) {
		return tok, nil
	}
	return jwtissue.Decrypt(c.a.symmetricSecrets(), tok)
}

// sealAccount encrypts a's access and refresh tokens when EncryptOAuthTokens (every write of provider
// tokens goes through it, as Better Auth's through setTokenUtil).
func (c *call) sealAccount(a *oauthAccount) error {
	var err error
	if a.accessToken, err = c.sealToken(a.accessToken); err != nil {
		return err
	}
	a.refreshToken, err = c.sealToken(a.refreshToken)
	return err
}

// tokenAccount resolves the account of a token request: the body is accountSelectionSchema's {accountId, userId?}
// or {useAccountCookie: true, userId?} (strict objects), the caller must have a session (an HTTP caller
// always acts as its session's user: userId is for Better Auth's server-side calls), and the account must
// be one of the user's by its row id. The account cookie (storeAccountCookie) is not supported, so
// useAccountCookie finds no account.
func (c *call) tokenAccount() (*store.Account, error) {
	if _, bad := c.body["\x00notObject"]; bad || c.body == nil {
		return nil, errAccountSelectionFormat
	}
	return c.selectAccount(c.body, errAccountSelectionFormat)
}

// selectAccount is tokenAccount for a parsed selection; invalid is its validation error.
func (c *call) selectAccount(sel map[string]any, invalid *apiError) (*store.Account, error) {
	for k, v := range sel {
		switch k {
		case "accountId", "userId":
			if _, ok := v.(string); !ok {
				return nil, invalid
			}
		case "useAccountCookie":
			if v != true {
				return nil, invalid
			}
		default:
			return nil, invalid
		}
	}
	id, byID := sel["accountId"].(string)
	if _, byCookie := sel["useAccountCookie"]; byID == byCookie {
		return nil, invalid
	}
	res, err := c.session(true)
	if errors.Is(err, errUnauthorized) {
		return nil, errUnauthorizedNoBody // resolveUserId's ctx.error("UNAUTHORIZED"): no body
	}
	if err != nil {
		return nil, err
	}
	if res.User.ID == "" {
		return nil, errUserIDOrSession
	}
	if !byID {
		return nil, errSocialAccountNotFound
	}
	accts, err := c.srv.db.Accounts(c.ctx, res.User.ID)
	if err != nil {
		return nil, dbError(err)
	}
	for i := range accts {
		if accts[i].ID == id {
			return &accts[i], nil
		}
	}
	return nil, errSocialAccountNotFound
}

// getAccessToken is POST /get-access-token: the account's access token, refreshed through the provider
// (and the new tokens written) when it is expired or expires within 5 s and a refresh token is stored.
func (c *call) getAccessToken() (any, error) {
	a, err := c.tokenAccount()
	if err != nil {
		return nil, err
	}
	p := c.srv.providers[a.ProviderID]
	if p == nil {
		return nil, errProviderNotSupported(a.ProviderID)
	}
	out, err := c.validAccessToken(p, a)
	if err != nil {
		var e *apiError
		if errors.As(err, &e) && e.status >= 500 {
			return nil, err
		}
		c.a.s.log.Warn("auth: could not get a valid access token", "provider", a.ProviderID, "err", err)
		return nil, errFailedGetAccessToken
	}
	return out, nil
}

// accessTokenOut is /get-access-token's answer, in Better Auth's key order; nil fields are undefined.
type accessTokenOut struct {
	AccessToken          string   `json:"accessToken"`
	AccessTokenExpiresAt *string  `json:"accessTokenExpiresAt,omitempty"`
	Scopes               []string `json:"scopes"`
	IDToken              *string  `json:"idToken,omitempty"`
}

// validAccessToken is getValidAccessToken.
func (c *call) validAccessToken(p Provider, a *store.Account) (*accessTokenOut, error) {
	out := &accessTokenOut{Scopes: storedScopes(a.Scope)}
	exp := a.AccessTokenExpiresAt
	idToken := a.IDToken
	r, canRefresh := p.(TokenRefresher)
	if a.RefreshToken != "" && exp != nil && exp.Sub(c.now) < accessTokenLeeway && canRefresh {
		refresh, err := c.openToken(a.RefreshToken)
		if err != nil {
			return nil, err
		}
		nt, err := r.RefreshAccessToken(c.ctx, refresh)
		if err != nil {
			return nil, err
		}
		if nt == nil {
			return nil, errors.New("auth: the provider returned no tokens")
		}
		f, err := c.refreshedFields(nt, a)
		if err != nil {
			return nil, err
		}
		if err := c.srv.db.UpdateAccount(c.ctx, a.ID, f, c.now); err != nil {
			return nil, dbError(err)
		}
		out.AccessToken = nt.AccessToken
		if t := msTime(nt.AccessTokenExpiresAt); t != nil {
			exp = t
		}
		if nt.IDToken != "" {
			idToken = nt.IDToken
		}
	} else {
		tok, err := c.openToken(a.AccessToken)
		if err != nil {
			return nil, err
		}
		out.AccessToken = tok
	}
	if exp != nil {
		s := isoTime(*exp)
		out.AccessTokenExpiresAt = &s
	}
	if idToken != "" {
		out.IDToken = &idToken
	}
	return out, nil
}

// refreshedFields are the account columns a refresh writes: the new access token and its expiry, the new
// refresh token (or the stored one), its expiry (or the stored one) and the new ID token (or the stored
// one). The scope is left as it is: a refresh answer may be narrower.
func (c *call) refreshedFields(nt *ProviderTokens, a *store.Account) (map[string]any, error) {
	access, err := c.sealToken(nt.AccessToken)
	if err != nil {
		return nil, err
	}
	f := map[string]any{"accessToken": access, "refreshToken": a.RefreshToken}
	if nt.RefreshToken != "" {
		if f["refreshToken"], err = c.sealToken(nt.RefreshToken); err != nil {
			return nil, err
		}
	}
	if t := msTime(nt.AccessTokenExpiresAt); t != nil {
		f["accessTokenExpiresAt"] = *t
	}
	if t := msTime(nt.RefreshTokenExpiresAt); t != nil {
		f["refreshTokenExpiresAt"] = *t
	} else if a.RefreshTokenExpiresAt != nil {
		f["refreshTokenExpiresAt"] = *a.RefreshTokenExpiresAt
	}
	if nt.IDToken != "" {
		f["idToken"] = nt.IDToken
	} else if a.IDToken != "" {
		f["idToken"] = a.IDToken
	}
	return f, nil
}

// refreshTokenOut is /refresh-token's answer, in Better Auth's key order. Nil pointers of the stored
// columns are null; a nil AccessTokenExpiresAt is undefined.
type refreshTokenOut struct {
	AccessToken           string  `json:"accessToken"`
	RefreshToken          string  `json:"refreshToken"`
	AccessTokenExpiresAt  *string `json:"accessTokenExpiresAt,omitempty"`
	RefreshTokenExpiresAt *string `json:"refreshTokenExpiresAt"`
	Scope                 *string `json:"scope"`
	IDToken               *string `json:"idToken"`
	ProviderID            string  `json:"providerId"`
	AccountID             string  `json:"accountId"`
}

// refreshToken is POST /refresh-token: refreshes the account's tokens through the provider, writes them
// and returns them.
func (c *call) refreshToken() (any, error) {
	a, err := c.tokenAccount()
	if err != nil {
		return nil, err
	}
	p := c.srv.providers[a.ProviderID]
	if p == nil {
		return nil, errProviderNotSupported(a.ProviderID)
	}
	r, ok := p.(TokenRefresher)
	if !ok {
		return nil, errTokenRefreshNotSupported(a.ProviderID)
	}
	if a.RefreshToken == "" {
		return nil, errTokenRefreshNotFound
	}
	out, err := c.refreshAccount(r, a)
	if err != nil {
		var e *apiError
		if errors.As(err, &e) && e.status >= 500 {
			return nil, err
		}
		c.a.s.log.Warn("auth: could not refresh an access token", "provider", a.ProviderID, "err", err)
		return nil, errFailedRefreshToken
	}
	return out, nil
}

func (c *call) refreshAccount(r TokenRefresher, a *store.Account) (*refreshTokenOut, error) {
	refresh, err := c.openToken(a.RefreshToken)
	if err != nil {
		return nil, err
	}
	nt, err := r.RefreshAccessToken(c.ctx, refresh)
	if err != nil {
		return nil, err
	}
	if nt == nil {
		return nil, errors.New("auth: the provider returned no tokens")
	}
	f, err := c.refreshedFields(nt, a)
	if err != nil {
		return nil, err
	}
	if err := c.srv.db.UpdateAccount(c.ctx, a.ID, f, c.now); err != nil {
		return nil, dbError(err)
	}
	out := &refreshTokenOut{AccessToken: nt.AccessToken, RefreshToken: refresh, ProviderID: a.ProviderID, AccountID: a.ID}
	if nt.RefreshToken != "" {
		out.RefreshToken = nt.RefreshToken
	}
	if t := msTime(nt.AccessTokenExpiresAt); t != nil {
		s := isoTime(*t)
		out.AccessTokenExpiresAt = &s
	}
	if t, ok := f["refreshTokenExpiresAt"].(time.Time); ok {
		s := isoTime(t)
		out.RefreshTokenExpiresAt = &s
	}
	if a.Scope != "" {
		out.Scope = &a.Scope
	}
	if s, ok := f["idToken"].(string); ok {
		out.IDToken = &s
	}
	return out, nil
}

// accountInfoOut is /account-info's answer: the provider's user and profile, and the account.
type accountInfoOut struct {
	User    providerUserOut `json:"user"`
	Data    map[string]any  `json:"data"`
	Account struct {
		ID         string `json:"id"`
		ProviderID string `json:"providerId"`
		AccountID  string `json:"accountId"`
	} `json:"account"`
}

// providerUserOut is a provider's user as Better Auth's social providers map it: email is null when the
// provider gave none, name and image are undefined when empty.
type providerUserOut struct {
	ID            string  `json:"id"`
	Name          string  `json:"name,omitempty"`
	Email         *string `json:"email"`
	Image         string  `json:"image,omitempty"`
	EmailVerified bool    `json:"emailVerified"`
}

// accountInfo is GET /account-info?accountId=…: the provider's user info, read with a valid access token
// (refreshed first as /get-access-token does).
func (c *call) accountInfo() (any, error) {
	sel := map[string]any{}
	for k, vs := range c.query {
		if len(vs) != 1 {
			return nil, errAccountInfoQuery
		}
		sel[k] = vs[0]
		if k == "useAccountCookie" && vs[0] == "true" {
			sel[k] = true
		}
	}
	a, err := c.selectAccount(sel, errAccountInfoQuery)
	if err != nil {
		return nil, err
	}
	p := c.srv.providers[a.ProviderID]
	if p == nil {
		return nil, errProviderNotConfigured
	}
	tok, err := c.validAccessToken(p, a)
	if err != nil {
		var e *apiError
		if errors.As(err, &e) && e.status >= 500 {
			return nil, err
		}
		c.a.s.log.Warn("auth: could not get a valid access token", "provider", a.ProviderID, "err", err)
		return nil, errFailedGetAccessToken
	}
	if tok.AccessToken == "" {
		return nil, errAccessTokenNotFound
	}
	r, ok := p.(UserInfoReader)
	if !ok {
		return nil, errSocialUserInfo
	}
	pt := ProviderTokens{AccessToken: tok.AccessToken, Scopes: tok.Scopes}
	if tok.IDToken != nil {
		pt.IDToken = *tok.IDToken
	}
	if tok.AccessTokenExpiresAt != nil {
		pt.AccessTokenExpiresAt, _ = time.Parse(time.RFC3339Nano, *tok.AccessTokenExpiresAt)
	}
	pu, data, err := r.UserInfo(c.ctx, pt)
	switch {
	case errors.Is(err, auth.ErrUnavailable):
		c.a.s.log.Error("auth: could not read user info", "provider", p.ID(), "err", err)
		return nil, errServerUnavailable(5)
	case err != nil || pu == nil:
		c.a.s.log.Warn("auth: could not read user info", "provider", p.ID(), "err", err)
		return nil, errSocialUserInfo
	case pu.Subject != a.AccountID:
		// Beyond Better Auth (whose genericOAuth checks the subject only against an ID token): the
		// provider answered for another identity than the account's.
		c.a.s.log.Warn("auth: user info of another identity than the account's", "provider", p.ID())
		return nil, errSocialUserInfo
	}
	out := &accountInfoOut{User: providerUserOut{ID: pu.Subject, Name: pu.Name, Image: pu.Image, EmailVerified: pu.EmailVerified},
		Data: data}
	if pu.Email != "" {
		out.User.Email = &pu.Email
	}
	if out.Data == nil {
		out.Data = map[string]any{}
	}
	out.Account.ID, out.Account.ProviderID, out.Account.AccountID = a.ID, a.ProviderID, a.AccountID
	return out, nil
}

// storedScopes is parseStoredScopes: the comma-separated scope column as a list.
func storedScopes(scope string) []string {
	out := []string{}
	for s := range strings.SplitSeq(scope, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
