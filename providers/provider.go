package providers

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/gobetterauth/gobetterauth/core/authserver"
)

// TokenAuth is how the client authenticates at the token endpoint.
type TokenAuth int

const (
	// ClientSecretPost sends client_id and client_secret in the form body: Better Auth's default.
	ClientSecretPost TokenAuth = iota
	// ClientSecretBasic sends them with HTTP Basic authentication (Better Auth's authentication: "basic").
	ClientSecretBasic
)

func (a TokenAuth) style() oauth2.AuthStyle {
	if a == ClientSecretBasic {
		return oauth2.AuthStyleInHeader
	}
	return oauth2.AuthStyleInParams
}

// reservedParams are the authorization request parameters extra parameters cannot override (Better
// Auth's RESERVED_AUTHORIZATION_PARAMS).
var reservedParams = []string{"state", "client_id", "redirect_uri", "response_type", "code_challenge",
	"code_challenge_method", "nonce", "scope"}

// userFunc maps a token response (tok is nil for a bare ID token) and its verified ID token claims (nil for
// plain OAuth 2.0 providers) to the user.
type userFunc func(ctx context.Context, tok *oauth2.Token, idt *oidc.IDToken, c *idClaims) (*authserver.ProviderUser, error)

// provider implements [authserver.Provider] for every provider in this package.
type provider struct {
	id     string
	conf   oauth2.Config // Scopes and RedirectURL unused: they are per request
	scopes []string      // the default scopes (unless disabled), then the configured ones
	// params are extra authorization request parameters (prompt, response_mode, hd…), in order.
	params [][2]string
	client *http.Client
	now    func() time.Time
	ids    *idTokenVerifier // nil for plain OAuth 2.0 providers
	user   userFunc
	// userinfo is the OpenID userinfo endpoint UserInfo reads (OpenID issuers that have one, Google); ""
	// for the others.
	userinfo string
}

var (
	_ authserver.Provider       = (*provider)(nil)
	_ authserver.TokenRefresher = (*provider)(nil)
	_ authserver.UserInfoReader = (*provider)(nil)
)

// ID returns the provider id.
func (p *provider) ID() string { return p.id }

// Issuer returns the OpenID issuer every identity of this provider comes from ("https://accounts.google.com"),
// or "" for plain OAuth 2.0 providers and for providers whose issuer varies per user (Microsoft's "common",
// "organizations" and "consumers" tenants). The server checks the callback's RFC 9207 "iss" parameter and each
// identity's issuer against it.
func (p *provider) Issuer() string {
	if p.ids == nil {
		return ""
	}
	return p.ids.issuer
}

// AuthCodeURL returns the authorization URL: response_type=code, client_id, redirect_uri, state, the
// scopes, the S256 PKCE challenge of params.CodeVerifier, the nonce (OpenID providers only), login_hint and
// the provider's fixed parameters.
func (p *provider) AuthCodeURL(_ context.Context, params authserver.AuthCodeParams) (string, error) {
	if params.State == "" || params.RedirectURI == "" {
		return "", fmt.Errorf("%w: %s: state and redirect URI are required", ErrParams, p.id)
	}
	if err := checkVerifier(params.CodeVerifier); err != nil {
		return "", fmt.Errorf("%w: %s: %w", ErrParams, p.id, err)
	}
	opts := []oauth2.AuthCodeOption{
		oauth2.S256ChallengeOption(params.CodeVerifier),
		oauth2.SetAuthURLParam("redirect_uri", params.RedirectURI),
	}
	if scopes := joinScopes(p.scopes, params.Scopes); len(scopes) > 0 {
		opts = append(opts, oauth2.SetAuthURLParam("scope", strings.Join(scopes, " ")))
	}
	if params.Nonce != "" && p.ids != nil {
		opts = append(opts, oidc.Nonce(params.Nonce))
	}
	if params.LoginHint != "" {
		opts = append(opts, oauth2.SetAuthURLParam("login_hint", params.LoginHint))
	}
	for _, kv := range p.params {
		opts = append(opts, oauth2.SetAuthURLParam(kv[0], kv[1]))
	}
	return p.conf.AuthCodeURL(params.State, opts...), nil
}

// Exchange redeems the code with its PKCE verifier, verifies the ID token (OpenID providers) and reads
// the user.
func (p *provider) Exchange(ctx context.Context, params authserver.ExchangeParams) (*authserver.ProviderTokens, *authserver.ProviderUser, error) {
	if params.Code == "" || params.RedirectURI == "" {
		return nil, nil, fmt.Errorf("%w: %s: code and redirect URI are required", ErrParams, p.id)
	}
	if err := checkVerifier(params.CodeVerifier); err != nil {
		return nil, nil, fmt.Errorf("%w: %s: %w", ErrParams, p.id, err)
	}
	hctx := context.WithValue(ctx, oauth2.HTTPClient, p.client)
	tok, err := p.conf.Exchange(hctx, params.Code, oauth2.VerifierOption(params.CodeVerifier),
		oauth2.SetAuthURLParam("redirect_uri", params.RedirectURI))
	if err != nil {
		return nil, nil, classify(p.id, ErrExchange, err)
	}
	tokens := p.tokens(tok)
	var (
		idt    *oidc.IDToken
		claims *idClaims
	)
	if p.ids != nil {
		if tokens.IDToken == "" {
			return nil, nil, fmt.Errorf("%w: %s: no id_token in the token response", ErrUserInfo, p.id)
		}
		// A token response whose ID token fails verification still returns the tokens with the error: the
		// code was redeemed, it is the identity that cannot be trusted (Better Auth's unable_to_get_user_info,
		// not invalid_code).
		idt, claims, err = p.ids.verify(ctx, tokens.IDToken, params.Nonce)
		if err != nil {
			return tokens, nil, err
		}
		if idt.AccessTokenHash != "" {
			if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
				return tokens, nil, invalidIDToken(p.id, "at_hash does not match the access token")
			}
		}
	}
	u, err := p.user(hctx, tok, idt, claims)
	if err != nil {
		return tokens, nil, err
	}
	return tokens, u, nil
}

// VerifyIDToken verifies an ID token the client obtained itself and maps its claims to the user.
func (p *provider) VerifyIDToken(ctx context.Context, idToken, nonce string) (*authserver.ProviderUser, error) {
	if p.ids == nil {
		return nil, authserver.ErrIDTokenNotSupported
	}
	idt, claims, err := p.ids.verify(ctx, idToken, nonce)
	if err != nil {
		return nil, err
	}
	return p.user(context.WithValue(ctx, oauth2.HTTPClient, p.client), nil, idt, claims)
}

// RefreshAccessToken redeems a refresh token at the token endpoint (grant_type=refresh_token, with the
// client's credentials as for the code exchange) and returns the new tokens, as Better Auth's
// refreshAccessToken does for every provider. When the provider does not rotate refresh tokens the answer
// carries the one given. A new ID token is returned as the provider sent it, unverified (Better Auth stores
// it the same way); nothing here signs a user in with it.
func (p *provider) RefreshAccessToken(ctx context.Context, refreshToken string) (*authserver.ProviderTokens, error) {
	if refreshToken == "" {
		return nil, fmt.Errorf("%w: %s: refresh token is required", ErrParams, p.id)
	}
	hctx := context.WithValue(ctx, oauth2.HTTPClient, p.client)
	tok, err := p.conf.TokenSource(hctx, &oauth2.Token{RefreshToken: refreshToken}).Token()
	if err != nil {
		return nil, classify(p.id, ErrRefresh, err)
	}
	return p.tokens(tok), nil
}

// UserInfo reads the user an access token belongs to, for /account-info: OpenID issuers with a userinfo
// endpoint and Google from that endpoint (the profile is its claims, email_verified as for sign-in);
// GitHub and GitLab from their user APIs, as at sign-in (the profile is then empty); Microsoft, Apple and
// OpenID issuers without a userinfo endpoint from the stored ID token, as Better Auth does, mapped as at
// sign-in (Microsoft's photo read with the access token) with its claims as the profile. The stored ID
// token is verified as at sign-in except for its expiry and age ([ErrInvalidIDToken] when it fails, as
// when the provider has retired its key); without one the answer is [ErrInvalidIDToken].
func (p *provider) UserInfo(ctx context.Context, tokens authserver.ProviderTokens) (*authserver.ProviderUser, map[string]any, error) {
	if tokens.AccessToken == "" {
		return nil, nil, fmt.Errorf("%w: %s: access token is required", ErrParams, p.id)
	}
	hctx := context.WithValue(ctx, oauth2.HTTPClient, p.client)
	switch {
	case p.ids == nil:
		u, err := p.user(hctx, &oauth2.Token{AccessToken: tokens.AccessToken}, nil, nil)
		if err != nil {
			return nil, nil, err
		}
		return u, map[string]any{}, nil
	case p.userinfo == "":
		idt, c, err := p.ids.verifyStored(ctx, tokens.IDToken)
		if err != nil {
			return nil, nil, err
		}
		u, err := p.user(hctx, &oauth2.Token{AccessToken: tokens.AccessToken}, idt, c)
		if err != nil {
			return nil, nil, err
		}
		var raw map[string]any
		if err := idt.Claims(&raw); err != nil {
			return nil, nil, fmt.Errorf("%w: %s: %w", ErrUserInfo, p.id, err)
		}
		return u, raw, nil
	}
	var raw map[string]any
	if err := getJSON(hctx, p.id, p.userinfo, tokens.AccessToken, nil, &raw); err != nil {
		return nil, nil, err
	}
	b, _ := json.Marshal(raw)
	var c idClaims
	if err := json.Unmarshal(b, &c); err != nil || c.Sub == "" {
		return nil, nil, fmt.Errorf("%w: %s: userinfo without a subject", ErrUserInfo, p.id)
	}
	return &authserver.ProviderUser{Subject: c.Sub, Issuer: p.Issuer(), Email: c.Email,
		EmailVerified: c.Email != "" && c.EmailVerified.Value, Name: c.Name, Image: c.Picture}, raw, nil
}

// tokens maps a token response as Better Auth's getOAuth2Tokens does.
func (p *provider) tokens(tok *oauth2.Token) *authserver.ProviderTokens {
	now := p.now()
	t := &authserver.ProviderTokens{AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken}
	if s, ok := tok.Extra("id_token").(string); ok {
		t.IDToken = s
	}
	switch {
	case tok.ExpiresIn > 0:
		t.AccessTokenExpiresAt = now.Add(time.Duration(tok.ExpiresIn) * time.Second)
	case !tok.Expiry.IsZero():
		t.AccessTokenExpiresAt = tok.Expiry
	}
	if secs := number(tok.Extra("refresh_token_expires_in")); secs > 0 {
		t.RefreshTokenExpiresAt = now.Add(time.Duration(secs) * time.Second)
	}
	t.Scopes = parseScopes(tok.Extra("scope"))
	return t
}

// checkVerifier checks a PKCE code verifier: 43 to 128 characters of [A-Za-z0-9-._~] (RFC 7636 §4.1).
func checkVerifier(v string) error {
	if len(v) < 43 || len(v) > 128 {
		return fmt.Errorf("code verifier must be 43 to 128 characters, got %d", len(v))
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~", c) >= 0) {
			return fmt.Errorf("code verifier has a character outside [A-Za-z0-9-._~]")
		}
	}
	return nil
}

// joinScopes returns the scopes of each list in order, without empties and repeats.
func joinScopes(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		for _, s := range l {
			if s = strings.TrimSpace(s); s != "" && !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	return out
}

// parseScopes reads the token response's scope: a space-delimited string (RFC 6749 §3.3), a comma-
// delimited one (GitHub), or an array.
func parseScopes(v any) []string {
	var parts []string
	split := func(s string) []string {
		return strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' || r == '\n' })
	}
	switch s := v.(type) {
	case string:
		parts = split(s)
	case []any:
		for _, e := range s {
			if str, ok := e.(string); ok {
				parts = append(parts, split(str)...) // an element "a b" is two scopes, as in a string
			}
		}
	}
	return joinScopes(parts)
}

// number reads a JSON number or a numeric string (form-encoded token responses).
func number(v any) int64 {
	switch n := v.(type) {
	case float64:
		return int64(n)
	case string:
		i, _ := strconv.ParseInt(n, 10, 64)
		return i
	case json.Number:
		i, _ := n.Int64()
		return i
	}
	return 0
}

// extraParams turns configured extra authorization parameters into ordered pairs, dropping the reserved
// ones.
func extraParams(m map[string]string) [][2]string {
	keys := make([]string, 0, len(m))
	for k := range m {
		if !slices.Contains(reservedParams, k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	out := make([][2]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, [2]string{k, m[k]})
	}
	return out
}

// getJSON GETs u with the access token and decodes the JSON answer into v. A non-200 answer is
// [ErrUserInfo]; an unreachable provider is an [auth.UnavailableError].
func getJSON(ctx context.Context, id, u, accessToken string, hdr http.Header, v any) error {
	client, _ := ctx.Value(oauth2.HTTPClient).(*http.Client)
	if client == nil {
		return fmt.Errorf("providers: %s: no HTTP client", id)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrUserInfo, id, err)
	}
	for k, vs := range hdr {
		req.Header[k] = vs
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	resp, err := client.Do(req)
	if err != nil {
		return classify(id, ErrUserInfo, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return classify(id, ErrUserInfo, err)
	}
	if resp.StatusCode != http.StatusOK {
		const max = 200
		if len(body) > max {
			body = body[:max]
		}
		return fmt.Errorf("%w: %s: GET %s: %s: %q", ErrUserInfo, id, req.URL.Redacted(), resp.Status, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("%w: %s: GET %s: %w", ErrUserInfo, id, req.URL.Redacted(), err)
	}
	return nil
}

func orNow(now func() time.Time) func() time.Time {
	if now == nil {
		return time.Now
	}
	return now
}
