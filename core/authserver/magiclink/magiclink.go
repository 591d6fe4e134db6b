package magiclink

// Mirrors better-auth src/plugins/magic-link/index.ts and utils.ts (1.7.25).

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
	"github.com/gobetterauth/gobetterauth/core/store"
)

// Defaults of Config, Better Auth's.
const (
	DefaultExpiresIn       = 300 * time.Second
	DefaultRateLimitWindow = 60 * time.Second
	DefaultRateLimitMax    = 5
	tokenLength            = 32
	tokenAlphabet          = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" // generateRandomString(32, "a-z", "A-Z")
)

// Config is the magic-link plugin's options (Better Auth's magicLink({...})). The zero value is Better
// Auth's defaults: links last 5 minutes, tokens are stored as they are, following a link for an address
// without a user signs them up.
type Config struct {
	// ExpiresIn is how long a link is valid. Zero means 300 s.
	ExpiresIn time.Duration
	// DisableSignUp refuses links for addresses without a user: following one redirects with
	// error=new_user_signup_disabled. The request for a link answers the same either way.
	DisableSignUp bool
	// StoreToken is how the token is kept in the verification table: "plain" (the default) or "hashed"
	// (SHA-256, base64url without padding), as Better Auth's storeToken option.
	StoreToken string
	// RateLimitWindow and RateLimitMax limit /sign-in/magic-link and /magic-link/verify per client IP.
	// Zero means 60 s and 5.
	RateLimitWindow time.Duration
	RateLimitMax    int
}

// plugin is a configured magic-link plugin.
type plugin struct{ cfg Config }

// New returns Better Auth's magic-link plugin (magicLink()) for the server: POST /sign-in/magic-link
// sends a link through the server's Mailer ([authserver.EmailMagicLink]) and GET /magic-link/verify signs
// in with it, creating the user when the address has none (unless DisableSignUp). The server must have a
// Mailer.
func New(cfg Config) authserver.Plugin {
	c := cfg
	if c.ExpiresIn == 0 {
		c.ExpiresIn = DefaultExpiresIn
	}
	if c.StoreToken == "" {
		c.StoreToken = "plain"
	}
	if c.RateLimitWindow == 0 {
		c.RateLimitWindow = DefaultRateLimitWindow
	}
	if c.RateLimitMax == 0 {
		c.RateLimitMax = DefaultRateLimitMax
	}
	pl := &plugin{cfg: c}
	return authserver.Plugin{
		ID: "magic-link",
		Init: func(s *authserver.Server) error {
			switch {
			case c.StoreToken != "plain" && c.StoreToken != "hashed":
				return errors.New(`auth: magiclink: StoreToken must be "plain" or "hashed"`)
			case c.ExpiresIn < time.Second:
				return errors.New("auth: magiclink: ExpiresIn must be at least a second")
			case !s.HasMailer():
				return errors.New("auth: magiclink: the server has no Mailer (Config.Mailer) to send links with")
			}
			return nil
		},
		Endpoints: []authserver.Endpoint{
			{Method: http.MethodPost, Path: "/sign-in/magic-link", FormCSRF: true, Handler: pl.signIn},
			{Method: http.MethodGet, Path: "/magic-link/verify", Handler: pl.verify},
		},
		RateLimit: []authserver.RateLimitRule{
			{Prefix: "/sign-in/magic-link", Window: c.RateLimitWindow, Max: c.RateLimitMax},
			{Prefix: "/magic-link/verify", Window: c.RateLimitWindow, Max: c.RateLimitMax},
		},
	}
}

// identifier is the verification row's identifier for a stored token: "magic-link:<stored>".
func (pl *plugin) identifier(token string) string {
	if pl.cfg.StoreToken == "hashed" {
		sum := sha256.Sum256([]byte(token))
		token = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	return "magic-link:" + token
}

// record is the verification row's value, in JSON.stringify's key order; an absent name is left out.
type record struct {
	Type  string `json:"type"`
	Email string `json:"email"`
	Name  string `json:"name,omitempty"`
}

// parseRecord is parseMagicLinkRecord: the value must be exactly {type:"magic-link", email, name?}.
func parseRecord(value string) (*record, bool) {
	var m map[string]any
	if json.Unmarshal([]byte(value), &m) != nil {
		return nil, false
	}
	r := &record{}
	for k, v := range m {
		s, ok := v.(string)
		if !ok {
			return nil, false
		}
		switch k {
		case "type":
			r.Type = s
		case "email":
			r.Email = s
		case "name":
			r.Name = s
		default:
			return nil, false // .strict()
		}
	}
	if r.Type != "magic-link" || !authserver.ValidEmail(r.Email) {
		return nil, false
	}
	return r, true
}

// signIn is POST /sign-in/magic-link {email, name?, callbackURL?, newUserCallbackURL?, errorCallbackURL?,
// metadata?}. It answers {"status":true} whether or not the address has a user: the link is made and sent
// either way, as in Better Auth, so the answer tells nothing about the address.
func (pl *plugin) signIn(x *authserver.Context) (any, error) {
	if err := x.Validate(
		authserver.BodyField{Name: "email", Kind: authserver.FieldEmail, Required: true},
		authserver.BodyField{Name: "name", Kind: authserver.FieldString},
		authserver.BodyField{Name: "callbackURL", Kind: authserver.FieldString},
		authserver.BodyField{Name: "newUserCallbackURL", Kind: authserver.FieldString},
		authserver.BodyField{Name: "errorCallbackURL", Kind: authserver.FieldString},
	); err != nil {
		return nil, err
	}
	if m, ok := x.Body()["metadata"]; ok {
		if _, obj := m.(map[string]any); !obj {
			return nil, &authserver.APIError{Status: 400, Code: "VALIDATION_ERROR",
				Message: "[body.metadata] Invalid input: expected record, received " + jsType(m)}
		}
	}
	email := x.String("email")
	token := betterauth.RandomFrom(tokenAlphabet, tokenLength)
	val, _ := json.Marshal(record{Type: "magic-link", Email: email, Name: x.String("name")})
	now := x.Now()
	if err := x.Database().CreateVerification(x.Context(), &store.Verification{ID: betterauth.NewID(),
		Identifier: pl.identifier(token), Value: string(val), ExpiresAt: now.Add(pl.cfg.ExpiresIn), CreatedAt: now, UpdatedAt: now}); err != nil {
		return nil, err
	}
	link := x.Server().BaseURL() + x.Server().BasePath() + "/magic-link/verify?token=" + token
	cb := x.String("callbackURL")
	if cb == "" {
		cb = "/"
	}
	link += "&callbackURL=" + formEscape(cb)
	if v := x.String("newUserCallbackURL"); v != "" {
		link += "&newUserCallbackURL=" + formEscape(v)
	}
	if v := x.String("errorCallbackURL"); v != "" {
		link += "&errorCallbackURL=" + formEscape(v)
	}
	// The user row only fills Email.User; a lookup failure must not change the answer.
	var u store.User
	if found, err := x.Database().UserByEmail(x.Context(), strings.ToLower(email)); err == nil {
		u = *found
	}
	x.SendEmail(authserver.Email{Kind: authserver.EmailMagicLink, To: email, User: u, URL: link, Token: token})
	return map[string]bool{"status": true}, nil
}

// formEscape escapes a query value as URLSearchParams does (application/x-www-form-urlencoded).
func formEscape(s string) string { return url.QueryEscape(s) }

// jsType names v's type as zod does.
func jsType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case float64, json.Number:
		return "number"
	case []any:
		return "array"
	}
	return "object"
}

// verify is GET /magic-link/verify?token=…&callbackURL=…&newUserCallbackURL=…&errorCallbackURL=…: it
// spends the token and signs in (or up). Without callbackURL it answers {token, user, session}; with it,
// it redirects there (to newUserCallbackURL for a new user). A bad token redirects to errorCallbackURL
// (else callbackURL, else "/") with ?error=INVALID_TOKEN.
func (pl *plugin) verify(x *authserver.Context) (any, error) {
	q := x.Query()
	for _, k := range []string{"token", "callbackURL", "errorCallbackURL", "newUserCallbackURL"} {
		if len(q[k]) > 1 {
			return nil, &authserver.APIError{Status: 400, Code: "VALIDATION_ERROR", Message: "[query." + k + "] Invalid input: expected string, received array"}
		}
	}
	if _, ok := q["token"]; !ok {
		return nil, &authserver.APIError{Status: 400, Code: "VALIDATION_ERROR", Message: "[query.token] Invalid input: expected string, received undefined"}
	}
	for _, k := range []string{"callbackURL", "newUserCallbackURL", "errorCallbackURL"} {
		if err := x.CheckCallback(q.Get(k)); err != nil {
			return nil, err
		}
	}
	base := x.Server().BaseURL() + x.Server().BasePath()
	callbackURL := resolve(base, or(q.Get("callbackURL"), "/"))
	errorURL := resolve(base, or(q.Get("errorCallbackURL"), callbackURL))
	newUserURL := resolve(base, or(q.Get("newUserCallbackURL"), callbackURL))
	fail := func(code, desc string) (any, error) {
		x.Redirect(withError(errorURL, code, desc))
		return nil, nil
	}
	id := pl.identifier(q.Get("token"))
	v, err := x.Database().Verification(x.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return fail("INVALID_TOKEN", "")
	}
	if err != nil {
		return nil, err
	}
	if _, ok := parseRecord(v.Value); !ok {
		return fail("INVALID_TOKEN", "")
	}
	// Spend it: of two requests with one link, only the one that deletes the row goes on.
	if err := x.Database().DeleteVerification(x.Context(), v.ID); errors.Is(err, store.ErrNotFound) {
		return fail("INVALID_TOKEN", "")
	} else if err != nil {
		return nil, err
	}
	if v.ExpiresAt.Before(x.Now()) {
		return fail("INVALID_TOKEN", "")
	}
	rec, _ := parseRecord(v.Value)
	newUser := false
	u, err := x.Database().UserByEmail(x.Context(), strings.ToLower(rec.Email))
	switch {
	case errors.Is(err, store.ErrNotFound):
		if pl.cfg.DisableSignUp {
			return fail("new_user_signup_disabled", "")
		}
		u = &store.User{Email: rec.Email, EmailVerified: true, Name: rec.Name}
		if err := x.CreateUser(u); err != nil {
			var ae *authserver.APIError
			if errors.As(err, &ae) && ae.Code != "" {
				return fail(ae.Code, ae.Message)
			}
			return nil, err
		}
		newUser = true
	case err != nil:
		return nil, err
	}
	if !u.EmailVerified {
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
	if q.Get("callbackURL") == "" {
		return map[string]any{"token": res.Session.Token, "user": rawJSON(betterauth.UserJSON(res.User)),
			"session": rawJSON(betterauth.SessionJSON(res.Session))}, nil
	}
	if newUser {
		x.Redirect(newUserURL)
	} else {
		x.Redirect(callbackURL)
	}
	return nil, nil
}

// or returns v, or def when v is empty.
func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// resolve is new URL(target, base).toString(); a target that does not parse resolves to base.
func resolve(base, target string) string {
	b, err := url.Parse(base)
	if err != nil {
		return base
	}
	u, err := b.Parse(target)
	if err != nil {
		return b.String()
	}
	return u.String()
}

// withError adds error (and error_description) to target's query as URLSearchParams.set does: existing
// parameters keep their order, an existing error is replaced.
func withError(target, code, desc string) string {
	u, err := url.Parse(target)
	if err != nil {
		return target
	}
	set := map[string]string{"error": code}
	keys := []string{"error"}
	if desc != "" {
		set["error_description"] = desc
		keys = append(keys, "error_description")
	}
	var parts []string
	for _, p := range strings.Split(u.RawQuery, "&") {
		if p == "" {
			continue
		}
		k, _, _ := strings.Cut(p, "=")
		if name, err := url.QueryUnescape(k); err == nil && set[name] != "" {
			continue
		}
		parts = append(parts, p)
	}
	for _, k := range keys {
		parts = append(parts, k+"="+url.QueryEscape(set[k]))
	}
	u.RawQuery = strings.Join(parts, "&")
	return u.String()
}

// rawJSON is JSON sent as it is.
type rawJSON []byte

// MarshalJSON returns r.
func (r rawJSON) MarshalJSON() ([]byte, error) { return r, nil }
