package authserver

// Social sign-in: the redirect flow and its state (better-auth src/api/routes/sign-in.ts signInSocial,
// src/api/routes/callback.ts, src/oauth2/state.ts, src/state.ts, src/oauth2/errors.ts, src/oauth2/utils.ts).
// The account rules are in social_accounts.go.

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
	"github.com/gobetterauth/gobetterauth/core/store"
)

// Better Auth's social error codes (BASE_ERROR_CODES), with its messages.
var (
	errSocialProviderNotFound  = newAPIError(404, "PROVIDER_NOT_FOUND", "Provider not found")
	errSocialIDTokenNotSupport = newAPIError(404, "ID_TOKEN_NOT_SUPPORTED", "id_token not supported")
	errSocialInvalidIDToken    = newAPIError(401, "INVALID_TOKEN", "Invalid token")
	errSocialUserInfo          = newAPIError(401, "FAILED_TO_GET_USER_INFO", "Failed to get user info")
	errSocialNoEmail           = newAPIError(401, "USER_EMAIL_NOT_FOUND", "User email not found")
	errSocialAlreadyLinked     = newAPIError(409, "SOCIAL_ACCOUNT_ALREADY_LINKED", "Social account already linked")
	errSocialLinkNotAllowed    = newAPIError(401, "LINKING_NOT_ALLOWED", "Account not linked - linking not allowed")
	errSocialLinkDiffEmails    = newAPIError(401, "LINKING_DIFFERENT_EMAILS_NOT_ALLOWED", "Account not linked - different emails not allowed")
	errSocialLinkFailed        = newAPIError(417, "LINKING_FAILED", "Account not linked - unable to create account")
	errSocialUnlinkLast        = newAPIError(400, "FAILED_TO_UNLINK_LAST_ACCOUNT", "You can't unlink your last account")
	errSocialAccountNotFound   = newAPIError(400, "ACCOUNT_NOT_FOUND", "Account not found")
	errSocialCallbackRequired  = newAPIError(400, "CALLBACK_URL_REQUIRED", "callbackURL is required")
)

// The ?error= codes of callback redirects (OAUTH_CALLBACK_ERROR_CODES and src/state.ts).
const (
	oauthStateNotFound     = "state_not_found"
	oauthStateMismatch     = "state_mismatch"
	oauthInternal          = "internal_server_error"
	oauthNoCode            = "no_code"
	oauthProviderNotFound  = "oauth_provider_not_found"
	oauthIssuerMismatch    = "issuer_mismatch"
	oauthInvalidCode       = "invalid_code"
	oauthNonceMissing      = "nonce_binding_missing"
	oauthUserInfo          = "unable_to_get_user_info"
	oauthNoCallbackURL     = "no_callback_url"
	oauthUnableToLink      = "unable_to_link_account"
	oauthEmailMismatch     = "email_does_not_match"
	oauthLinkedToOther     = "account_already_linked_to_different_user"
	oauthEmailNotFound     = "email_not_found"
	oauthEmailNotVerified  = "email_not_verified"
	oauthCallbackMalformed = "invalid_callback_request"
)

const (
	socialStateTTL       = 10 * time.Minute // the verification row and expiresAt (6e5 ms)
	socialStateCookieTTL = 5 * time.Minute  // the signed state cookie's maxAge (300)
	socialStatePrefix    = "auth-state:"    // getAuthStateVerificationIdentifier
	socialStateMaxLen    = 512              // longer state parameters are not looked up
)

// reservedAuthParams are the authorization parameters additionalParams may not set
// (RESERVED_AUTHORIZATION_PARAMS).
var reservedAuthParams = []string{"state", "client_id", "redirect_uri", "response_type", "code_challenge",
	"code_challenge_method", "nonce", "scope"}

// oauthState is the JSON Better Auth stores in the verification row of a redirect flow (StateData plus
// oauthState), in its key order. ProviderID is ours: it binds the state to one provider's callback; Better
// Auth keeps it as additional data.
type oauthState struct {
	CallbackURL   string     `json:"callbackURL"`
	CodeVerifier  string     `json:"codeVerifier"`
	ErrorURL      string     `json:"errorURL,omitempty"`
	NewUserURL    string     `json:"newUserURL,omitempty"`
	Link          *stateLink `json:"link,omitempty"`
	ExpiresAt     int64      `json:"expiresAt"`
	RequestSignUp *bool      `json:"requestSignUp,omitempty"`
	IDTokenNonce  string     `json:"idTokenNonce,omitempty"`
	OAuthState    string     `json:"oauthState,omitempty"`
	ProviderID    string     `json:"providerId,omitempty"`
}

// stateLink is StateData.link: the user a /link-social flow links to.
type stateLink struct {
	Email  string `json:"email"`
	UserID string `json:"userId"`
	// EncryptedSessionToken is written by Better Auth's /link-social; it is kept when read and never
	// written by us (we check the callback's own session instead).
	EncryptedSessionToken string `json:"encryptedSessionToken,omitempty"`
}

// UnmarshalJSON reads a state row as Better Auth does (JSON.parse, then its schema): member names match
// exactly, and of a repeated name the last counts. encoding/json alone also matches names
// case-insensitively, so an additionalData key such as "NEWUSERURL" would fill an internal field.
func (s *oauthState) UnmarshalJSON(b []byte) error {
	type plain oauthState
	return exactJSON(b, (*plain)(s))
}

// UnmarshalJSON reads StateData.link with exact member names, as oauthState does.
func (l *stateLink) UnmarshalJSON(b []byte) error {
	type plain stateLink
	return exactJSON(b, (*plain)(l))
}

// exactJSON decodes the JSON object b into dst, a pointer to a struct, taking only the members whose names
// equal a field's json name exactly. JSON null leaves dst as it is.
func exactJSON(b []byte, dst any) error {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(b, &members); err != nil || members == nil {
		return err
	}
	t := reflect.TypeOf(dst).Elem()
	exact := make(map[string]json.RawMessage, t.NumField())
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if v, ok := members[name]; ok {
			exact[name] = v
		}
	}
	// Only exact names are left, one per field, so encoding/json's case folding has nothing to fold.
	kept, err := json.Marshal(exact)
	if err != nil {
		return err
	}
	return json.Unmarshal(kept, dst)
}

// internalStateKeys are the StateData keys additionalData cannot override.
var internalStateKeys = map[string]bool{"callbackURL": true, "codeVerifier": true, "errorURL": true,
	"newUserURL": true, "expiresAt": true, "oauthState": true, "link": true, "requestSignUp": true,
	"idTokenNonce": true, "serverContext": true, "providerId": true}

// providerIssuer is the issuer of an OpenID Connect provider (one with an Issuer() string method), or ""
// for a plain OAuth 2.0 provider.
func providerIssuer(p Provider) string {
	if ip, ok := p.(interface{ Issuer() string }); ok {
		return ip.Issuer()
	}
	return ""
}

// authBase is Better Auth's ctx.context.baseURL: the origin and the base path.
func (c *call) authBase() string { return c.a.s.origin + c.a.s.basePath }

// redirectURI is the provider's redirect_uri: <base>/callback/<id>.
func (c *call) redirectURI(id string) string { return c.authBase() + "/callback/" + url.PathEscape(id) }

// stateCookieName is createAuthCookie("state"): "<prefix>.state", "__Secure-" first in secure mode. The
// prefix is read off the session cookie names (Better Auth's default when all three are overridden).
func (c *call) stateCookieName() string {
	n := c.a.s.names
	sec := ""
	if c.a.s.secure {
		sec = betterauth.SecurePrefix
	}
	for _, p := range [][2]string{{n.SessionData, ".session_data"}, {n.DontRemember, ".dont_remember"},
		{n.SessionToken, ".session_token"}} {
		if base, ok := strings.CutSuffix(strings.TrimPrefix(p[0], sec), p[1]); ok && base != "" {
			return sec + base + ".state"
		}
	}
	return sec + betterauth.DefaultPrefix + ".state"
}

// requestCookie returns the value of the request's cookie name as better-call parses it, and false when
// it is absent or sent more than once.
func (c *call) requestCookie(name string) (string, bool) {
	vals := c.requestCookies(name)
	if len(vals) != 1 {
		return "", false
	}
	return vals[0], true
}

// --- body validation with zod's messages for the object-valued fields ----------------------------------

// sKind is the type of a social body field.
type sKind int

const (
	sString sKind = iota
	sBool
	sNumber
	sStrings      // z.array(z.string())
	sStringRecord // z.record(z.string(), z.string()) without reserved authorization parameters
	sRecord       // z.record(z.string(), z.any())
	sObject       // any object (Apple's user blob)
	sProvider     // z.enum(socialProviderList).or(z.string())
	sIDToken      // {token, nonce?, accessToken?, refreshToken?, expiresAt?, user?}
)

type sField struct {
	name     string
	kind     sKind
	required bool
}

// validateSocial checks the body as better-call does, reporting every issue in schema order.
func (c *call) validateSocial(fields ...sField) error {
	if v, bad := c.body["\x00notObject"]; bad || c.body == nil {
		got := "undefined"
		if bad {
			got = jsType(v)
		}
		return newAPIError(400, "VALIDATION_ERROR", "[body] Invalid input: expected object, received "+got)
	}
	var issues []string
	for _, f := range fields {
		issues = checkField(issues, "body."+f.name, c.body, f)
	}
	if len(issues) > 0 {
		return newAPIError(400, "VALIDATION_ERROR", strings.Join(issues, "; "))
	}
	return nil
}

func checkField(issues []string, path string, obj map[string]any, f sField) []string {
	v, present := obj[f.name]
	bad := func(want string) []string {
		got := "undefined"
		if present {
			got = jsType(v)
		}
		return append(issues, "["+path+"] Invalid input: expected "+want+", received "+got)
	}
	if !present {
		switch {
		case f.kind == sProvider:
			return append(issues, "["+path+"] Invalid input")
		case f.required:
			return bad(kindName(f.kind))
		}
		return issues
	}
	switch f.kind {
	case sString:
		if _, ok := v.(string); !ok {
			return bad("string")
		}
	case sProvider:
		if _, ok := v.(string); !ok {
			return append(issues, "["+path+"] Invalid input")
		}
	case sBool:
		if _, ok := v.(bool); !ok {
			return bad("boolean")
		}
	case sNumber:
		if _, ok := v.(json.Number); !ok {
			return bad("number")
		}
	case sStrings:
		arr, ok := v.([]any)
		if !ok {
			return bad("array")
		}
		for i, e := range arr {
			if _, ok := e.(string); !ok {
				issues = append(issues, "["+path+"."+strconv.Itoa(i)+"] Invalid input: expected string, received "+jsType(e))
			}
		}
	case sRecord, sStringRecord:
		m, ok := v.(map[string]any)
		if !ok {
			return bad("record")
		}
		if f.kind == sStringRecord {
			n := len(issues)
			for k, e := range m {
				if _, ok := e.(string); !ok {
					issues = append(issues, "["+path+"."+k+"] Invalid input: expected string, received "+jsType(e))
				}
			}
			if len(issues) == n {
				for k := range m {
					if slices.Contains(reservedAuthParams, k) {
						return append(issues, "["+path+"] additionalParams cannot include reserved OAuth parameters: "+
							strings.Join(reservedAuthParams, ", "))
					}
				}
			}
		}
	case sObject:
		if _, ok := v.(map[string]any); !ok {
			return bad("object")
		}
	case sIDToken:
		m, ok := v.(map[string]any)
		if !ok {
			return bad("object")
		}
		for _, sub := range []sField{{"token", sString, true}, {"nonce", sString, false},
			{"accessToken", sString, false}, {"refreshToken", sString, false}, {"expiresAt", sNumber, false},
			{"user", sObject, false}} {
			issues = checkField(issues, path+"."+sub.name, m, sub)
		}
	}
	return issues
}

// kindName is how zod names the type a field wants.
func kindName(k sKind) string {
	switch k {
	case sBool:
		return "boolean"
	case sNumber:
		return "number"
	case sStrings:
		return "array"
	case sRecord, sStringRecord:
		return "record"
	case sIDToken, sObject:
		return "object"
	}
	return "string"
}

// socialStartFields are the fields /sign-in/social accepts, in its schema's order.
var socialStartFields = []sField{{"callbackURL", sString, false}, {"newUserCallbackURL", sString, false},
	{"errorCallbackURL", sString, false}, {"provider", sProvider, true}, {"disableRedirect", sBool, false},
	{"idToken", sIDToken, false}, {"scopes", sStrings, false}, {"requestSignUp", sBool, false},
	{"loginHint", sString, false}, {"additionalParams", sStringRecord, false}, {"additionalData", sRecord, false}}

// --- /sign-in/social --------------------------------------------------------------------------------------

// signInSocial is POST /sign-in/social: the authorization URL of a redirect flow, or a sign-in with an ID
// token the client already has.
func (c *call) signInSocial() (any, error) {
	if err := c.validateSocial(socialStartFields...); err != nil {
		return nil, err
	}
	p := c.srv.providers[c.str("provider")]
	if p == nil {
		return nil, errSocialProviderNotFound
	}
	if tok, ok := c.body["idToken"].(map[string]any); ok {
		return c.signInIDToken(p, tok)
	}
	return c.startFlow(p, nil)
}

// startFlow stores a new flow's state, binds it to the browser and answers with the provider's
// authorization URL (generateState, generateGenericState, createAuthorizationURL).
func (c *call) startFlow(p Provider, link *stateLink) (any, error) {
	if m, _ := c.body["additionalParams"].(map[string]any); len(m) > 0 {
		return nil, newAPIError(400, "BAD_REQUEST", "additionalParams is not supported by this server")
	}
	cb := c.str("callbackURL")
	if cb == "" {
		cb = c.a.s.rawBaseURL
	}
	if cb == "" {
		return nil, errSocialCallbackRequired
	}
	st := oauthState{CallbackURL: cb, CodeVerifier: betterauth.RandomString(128), ErrorURL: c.str("errorCallbackURL"),
		Link: link, ExpiresAt: c.now.Add(socialStateTTL).UnixMilli(), ProviderID: p.ID()}
	if link == nil {
		st.NewUserURL = c.str("newUserCallbackURL")
	}
	if v, ok := c.body["requestSignUp"].(bool); ok {
		st.RequestSignUp = &v
	}
	// Every flow gets a nonce: OpenID Connect providers bind their ID token to it, plain OAuth 2.0
	// providers ignore it.
	st.IDTokenNonce = betterauth.RandomString(32)
	state := betterauth.RandomString(32)
	st.OAuthState = state
	value, err := encodeState(st, c.body["additionalData"])
	if err != nil {
		return nil, err
	}
	v := &store.Verification{ID: betterauth.NewID(), Identifier: socialStatePrefix + state, Value: value,
		ExpiresAt: c.now.Add(socialStateTTL), CreatedAt: c.now, UpdatedAt: c.now}
	if err := c.srv.db.CreateVerification(c.ctx, v); err != nil {
		return nil, dbError(err)
	}
	var scopes []string
	if arr, ok := c.body["scopes"].([]any); ok {
		for _, s := range arr {
			scopes = append(scopes, s.(string))
		}
	}
	u, err := p.AuthCodeURL(c.ctx, AuthCodeParams{State: state, CodeVerifier: st.CodeVerifier, Nonce: st.IDTokenNonce,
		RedirectURI: c.redirectURI(p.ID()), Scopes: scopes, LoginHint: c.str("loginHint")})
	if err != nil {
		c.a.s.log.Error("auth: building the authorization URL", "provider", p.ID(), "err", err)
		return nil, errServerUnavailable(5)
	}
	c.removeCookies(c.stateCookieName())
	c.setCookie(c.stateCookieName(), c.a.signer.Sign(state), c.attrs(seconds(socialStateCookieTTL)))
	disable, _ := c.body["disableRedirect"].(bool)
	if !disable {
		c.hdr().Set("Location", u)
	}
	redirect := "true"
	if disable {
		redirect = "false"
	}
	return json.RawMessage(`{"url":` + jsString(u) + `,"redirect":` + redirect + `}`), nil
}

// encodeState is JSON.stringify({...additionalData, ...stateData, oauthState}).
func encodeState(st oauthState, additional any) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(st); err != nil {
		return "", err
	}
	main := string(bytes.TrimSpace(buf.Bytes()))
	extra, _ := additional.(map[string]any)
	for k := range extra {
		if internalStateKeys[k] {
			delete(extra, k)
		}
	}
	if len(extra) == 0 {
		return main, nil
	}
	buf.Reset()
	if err := enc.Encode(extra); err != nil {
		return "", newAPIError(400, "BAD_REQUEST", "additionalData cannot be stored")
	}
	add := bytes.TrimSpace(buf.Bytes())
	return string(add[:len(add)-1]) + "," + main[1:], nil
}

// --- /callback/:id ------------------------------------------------------------------------------------------

// callbackKeys are the callback parameters, in the order of Better Auth's schema.
var callbackKeys = []string{"code", "error", "device_id", "error_description", "state", "user", "iss"}

// socialCallback is GET and POST /callback/:id: the provider's answer. POST (response_mode=form_post) is
// turned into a 302 to the GET form, so the SameSite=Lax state cookie comes along. Every outcome of GET is
// a 302: to the callbackURL (or newUserCallbackURL) with a session, or to the error URL with ?error=.
func (c *call) socialCallback() (any, error) {
	q := map[string]string{}
	var issues []string
	for _, k := range callbackKeys {
		switch vs := c.query[k]; {
		case len(vs) > 1:
			issues = append(issues, "[query."+k+"] Invalid input: expected string, received array")
		case len(vs) == 1:
			q[k] = vs[0]
		}
	}
	if c.r.Method == http.MethodPost {
		if c.body != nil {
			fs := make([]field, len(callbackKeys))
			for i, k := range callbackKeys {
				fs[i] = field{k, kString, false}
			}
			if err := c.validate(fs...); err != nil {
				return nil, err
			}
		}
		if len(issues) > 0 {
			return nil, newAPIError(400, "VALIDATION_ERROR", strings.Join(issues, "; "))
		}
		var params []string
		for _, k := range callbackKeys {
			v, ok := q[k]
			if !ok {
				v, ok = c.body[k].(string)
			}
			if ok {
				params = append(params, k+"="+formEncode(v))
			}
		}
		return c.redirect(c.redirectURI(c.param) + "?" + strings.Join(params, "&")), nil
	}
	if len(issues) > 0 {
		return nil, newAPIError(400, "VALIDATION_ERROR", strings.Join(issues, "; "))
	}
	defaultErr := c.authBase() + "/error"
	state := q["state"]
	if state == "" {
		return c.oauthError(defaultErr, oauthStateNotFound, ""), nil
	}
	st, errURL, code := c.consumeState(state, defaultErr)
	if code != "" {
		return c.oauthError(errURL, code, ""), nil
	}
	fail := func(code, desc string) (any, error) { return c.oauthError(errURL, code, desc), nil }
	if st.ProviderID != "" && st.ProviderID != c.param {
		c.a.s.log.Warn("auth: OAuth state used at another provider's callback", "state_provider", st.ProviderID,
			"callback", c.param)
		return fail(oauthStateMismatch, "")
	}
	if e := q["error"]; e != "" {
		return fail(e, q["error_description"])
	}
	authCode := q["code"]
	if authCode == "" {
		return fail(oauthNoCode, "")
	}
	p := c.srv.providers[c.param]
	if p == nil {
		return fail(oauthProviderNotFound, "")
	}
	iss := providerIssuer(p)
	if q["iss"] != "" && iss != "" && q["iss"] != iss {
		return fail(oauthIssuerMismatch, "")
	}
	if iss != "" && st.IDTokenNonce == "" {
		return fail(oauthNonceMissing, "")
	}
	if st.CodeVerifier == "" {
		return fail(oauthStateMismatch, "")
	}
	tokens, pu, err := p.Exchange(c.ctx, ExchangeParams{Code: authCode, CodeVerifier: st.CodeVerifier,
		RedirectURI: c.redirectURI(p.ID()), Nonce: st.IDTokenNonce})
	if err != nil || tokens == nil {
		c.a.s.log.Error("auth: OAuth code exchange failed", "provider", p.ID(), "err", err)
		if tokens == nil {
			return fail(oauthInvalidCode, "")
		}
		return fail(oauthUserInfo, "")
	}
	if pu == nil || pu.Subject == "" {
		return fail(oauthUserInfo, "")
	}
	if iss != "" && pu.Issuer != iss {
		c.a.s.log.Error("auth: identity from another issuer", "provider", p.ID(), "issuer", pu.Issuer)
		return fail(oauthIssuerMismatch, "")
	}
	if st.CallbackURL == "" || !c.srv.origins.ValidCallback(st.CallbackURL) {
		return fail(oauthNoCallbackURL, "")
	}
	acct := oauthAccount{providerID: p.ID(), accountID: pu.Subject, accessToken: tokens.AccessToken,
		refreshToken: tokens.RefreshToken, idToken: tokens.IDToken, accessExp: msTime(tokens.AccessTokenExpiresAt),
		refreshExp: msTime(tokens.RefreshTokenExpiresAt), scope: strings.Join(tokens.Scopes, ",")}
	if st.Link != nil {
		code, err := c.linkOAuth(st.Link, pu, acct, tokens.Scopes)
		if err != nil {
			return c.oauthFailure(err, errURL, defaultErr), nil
		}
		if code != "" {
			return fail(code, "")
		}
		return c.redirect(st.CallbackURL), nil
	}
	if pu.Email == "" {
		return fail(oauthEmailNotFound, "")
	}
	res, isRegister, failure, err := c.signInOAuth(pu, acct)
	if err != nil {
		return c.oauthFailure(err, errURL, defaultErr), nil
	}
	if failure != "" {
		return fail(strings.ReplaceAll(failure, " ", "_"), "")
	}
	c.setSessionCookie(res, nil, nil)
	to := st.CallbackURL
	if isRegister && st.NewUserURL != "" && c.srv.origins.ValidCallback(st.NewUserURL) {
		to = st.NewUserURL
	}
	return c.redirect(to), nil
}

// oauthFailure redirects for an error of the account step: a refusal with a code (a hook's) goes to the
// flow's error URL with its message, anything else to the default error URL as internal_server_error.
func (c *call) oauthFailure(err error, errURL, defaultErr string) any {
	var e *apiError
	if errors.As(err, &e) && e.status < 500 && e.code != "" {
		return c.oauthError(errURL, e.code, e.message)
	}
	c.a.s.log.Error("auth: OAuth callback failed", "err", err)
	return c.oauthError(defaultErr, oauthInternal, "")
}

// consumeState is parseGenericState with database storage: the row is deleted before anything else (so a
// state is used once even when its checks fail), then the signed state cookie must hold the same state and
// the state must not have expired. It returns the state, or the error URL and code to redirect with.
func (c *call) consumeState(state, defaultErr string) (*oauthState, string, string) {
	if len(state) > socialStateMaxLen {
		return nil, defaultErr, oauthStateMismatch
	}
	v, err := c.srv.db.Verification(c.ctx, socialStatePrefix+state)
	if errors.Is(err, store.ErrNotFound) {
		return nil, defaultErr, oauthStateMismatch
	}
	if err != nil {
		c.a.s.log.Error("auth: reading OAuth state", "err", err)
		return nil, defaultErr, oauthInternal
	}
	if err := c.srv.db.DeleteVerification(c.ctx, v.ID); err != nil {
		if errors.Is(err, store.ErrNotFound) { // another request consumed it first
			return nil, defaultErr, oauthStateMismatch
		}
		c.a.s.log.Error("auth: deleting OAuth state", "err", err)
		return nil, defaultErr, oauthInternal
	}
	var st oauthState
	if err := json.Unmarshal([]byte(v.Value), &st); err != nil {
		c.a.s.log.Error("auth: malformed OAuth state row", "err", err)
		return nil, defaultErr, oauthInternal
	}
	errURL := defaultErr
	if st.ErrorURL != "" && c.srv.origins.ValidCallback(st.ErrorURL) {
		errURL = st.ErrorURL
	}
	if st.OAuthState != "" && st.OAuthState != state {
		return nil, errURL, oauthStateMismatch
	}
	name := c.stateCookieName()
	raw, ok := c.requestCookie(name)
	var cookieState string
	if ok {
		cookieState, ok = c.a.signer.Verify(raw)
	}
	if !ok || subtle.ConstantTimeCompare([]byte(cookieState), []byte(state)) != 1 {
		c.a.s.log.Warn("auth: OAuth state not bound to this browser")
		return nil, errURL, oauthStateMismatch
	}
	c.expireCookie(name)
	if st.ExpiresAt < c.now.UnixMilli() || v.ExpiresAt.Before(c.now) {
		return nil, errURL, oauthStateMismatch
	}
	return &st, errURL, ""
}

// oauthError redirects to base with ?error=code[&error_description=desc] (redirectOnError).
func (c *call) oauthError(base, code, desc string) any {
	q := "error=" + formEncode(code)
	if desc != "" {
		q += "&error_description=" + formEncode(desc)
	}
	return c.redirect(appendQueryParams(base, q))
}

// appendQueryParams adds an encoded query to an absolute or root-relative URL, before its fragment, as
// Better Auth's appendQueryParams does (an empty http(s) path becomes "/", as WHATWG URLs serialize).
func appendQueryParams(input, query string) string {
	frag := ""
	if i := strings.IndexByte(input, '#'); i >= 0 {
		input, frag = input[:i], input[i:]
	}
	base, search, _ := strings.Cut(input, "?")
	if rest, ok := strings.CutPrefix(base, "https://"); ok && !strings.Contains(rest, "/") {
		base += "/"
	} else if rest, ok := strings.CutPrefix(base, "http://"); ok && !strings.Contains(rest, "/") {
		base += "/"
	}
	if search != "" {
		sep := "&"
		if strings.HasSuffix(search, "&") {
			sep = ""
		}
		return base + "?" + search + sep + query + frag
	}
	return base + "?" + query + frag
}

// formEncode is URLSearchParams' value encoding (application/x-www-form-urlencoded).
func formEncode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case isAlnum(ch) || ch == '*' || ch == '-' || ch == '.' || ch == '_':
			b.WriteByte(ch)
		case ch == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(hex[ch>>4])
			b.WriteByte(hex[ch&15])
		}
	}
	return b.String()
}

// msTime is a token expiry as Better Auth stores it (millisecond precision), nil when unknown.
func msTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC().Truncate(time.Millisecond)
	return &t
}

// jsString is JSON.stringify of a string: no HTML escaping of <, > and &.
func jsString(s string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(buf.String(), "\n")
}
