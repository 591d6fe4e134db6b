package authserver

// The JWT plugin, server side (better-auth src/plugins/jwt/index.ts: /token, /jwks, the set-auth-jwt
// header of /get-session; src/plugins/jwt/sign.ts, adapter.ts, utils.ts via internal/jwtissue).

import (
	"encoding/json"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
	"github.com/gobetterauth/gobetterauth/core/internal/jwtissue"
	"github.com/gobetterauth/gobetterauth/core/store"
)

// JWTConfig is the JWT plugin (jwt() in Better Auth): GET /token, GET /jwks and the set-auth-jwt header
// of /get-session, with keys in the jwks table that a Node server sharing the database can use too. The
// zero value means the plugin's defaults.
type JWTConfig struct {
	// Algorithm is jwks.keyPairConfig.alg: EdDSA (default, Ed25519), ES256, ES512, RS256 or PS256.
	Algorithm string
	// ExpiresIn is jwt.expirationTime. Zero means 15 minutes.
	ExpiresIn time.Duration
	// Issuer and Audience are jwt.issuer and jwt.audience. "" means BaseURL's origin.
	Issuer, Audience string
	// RotationInterval is jwks.rotationInterval: keys expire this long after creation and a new one is made.
	// Zero means never.
	RotationInterval time.Duration
	// GracePeriod is jwks.gracePeriod: how long /jwks still lists an expired key. Zero means 30 days.
	GracePeriod time.Duration
	// DisablePrivateKeyEncryption stores private keys as plain JWK JSON (jwks.disablePrivateKeyEncryption).
	// Off by default: they are encrypted with the secret, as Better Auth does.
	DisablePrivateKeyEncryption bool
	// DisableSetAuthJWTHeader stops /get-session from answering with a set-auth-jwt header.
	DisableSetAuthJWTHeader bool
}

// jwtIssuer signs the server's JWTs.
type jwtIssuer struct {
	cfg     JWTConfig
	policy  jwtissue.Policy
	secrets jwtissue.Secrets
	keys    store.KeyStore
	opts    jwtissue.ClaimsOptions

	mu     sync.Mutex // serialises key creation
	opened sync.Map   // row id → *jwtissue.Key

	cur atomic.Pointer[cachedKey] // the signing key last read, reused for keyReuse while live
}

// cachedKey is a signing key and when its row was read.
type cachedKey struct {
	key    *jwtissue.Key
	readAt time.Time
}

// keyReuse is how long a signing key read from the jwks table is reused without reading the table again
// (a key another server adds meanwhile is picked up after at most this long; an expired key never is).
const keyReuse = 10 * time.Second

func newJWTIssuer(cfg JWTConfig, s *settings, c *auth.Config, db store.Database) (*jwtIssuer, error) {
	ks, ok := store.As[store.KeyStore](db)
	if !ok {
		return nil, configError("JWT needs a Database with the jwks table (store.KeyStore; sqlstore has it)")
	}
	switch cfg.Algorithm {
	case "":
		cfg.Algorithm = "EdDSA"
	case "EdDSA", "ES256", "ES512", "RS256", "PS256":
	default:
		return nil, configError("JWT.Algorithm %q: want EdDSA, ES256, ES512, RS256 or PS256", cfg.Algorithm)
	}
	if cfg.ExpiresIn < 0 || cfg.RotationInterval < 0 || cfg.GracePeriod < 0 {
		return nil, configError("JWT durations must not be negative")
	}
	j := &jwtIssuer{cfg: cfg, keys: ks,
		policy: jwtissue.Policy{Alg: cfg.Algorithm, RotationInterval: cfg.RotationInterval, GracePeriod: cfg.GracePeriod,
			DisablePrivateKeyEncryption: cfg.DisablePrivateKeyEncryption},
		opts: jwtissue.ClaimsOptions{BaseURL: s.rawBaseURL, Issuer: cfg.Issuer, Audience: cfg.Audience, ExpirationTime: cfg.ExpiresIn}}
	// The defaults Claims would derive from BaseURL on every token (an empty origin stays empty, and
	// Claims then fails as before).
	if origin := jwtissue.Origin(s.rawBaseURL); origin != "" {
		j.opts.Issuer, j.opts.Audience = orDefault(j.opts.Issuer, origin), orDefault(j.opts.Audience, origin)
	}
	if len(c.Secrets) > 0 {
		for _, v := range c.Secrets {
			j.secrets.Versions = append(j.secrets.Versions, jwtissue.Versioned{Version: v.Version, Value: string(v.Value)})
		}
		j.secrets.Legacy = string(c.Secret)
	} else {
		j.secrets.Current = string(c.Secret)
	}
	return j, nil
}

func toRow(k store.JWK) jwtissue.Row {
	return jwtissue.Row{ID: k.ID, PublicKey: k.PublicKey, PrivateKey: k.PrivateKey, Alg: k.Alg, Crv: k.Crv,
		CreatedAt: k.CreatedAt, ExpiresAt: k.ExpiresAt}
}

// jwtRows reads the key rows, creating the first key when there is none (or, for signing, when none is
// live). created reports that this call inserted a key.
//
// Servers sharing the table do not coordinate, as Better Auth's do not (its createJwk runs whenever
// getLatestKey finds no live key): several starting at once on an empty table, or seeing the signing key
// expire at once, may each insert a key. Every such key is published by /jwks, so whatever any of them
// signs verifies everywhere; and all converge on one signing key, the newest live one (Better Auth's
// getLatestKey, [jwtissue.Current]), because the rows are read again after an insert and a key this
// server just created is not reused without reading the table again.
func (c *call) jwtRows(forSigning bool) (rows []jwtissue.Row, created bool, err error) {
	j := c.a.jwt
	read := func() ([]jwtissue.Row, error) {
		ks, err := j.keys.JWKs(c.ctx)
		if err != nil {
			return nil, dbError(err)
		}
		rows := make([]jwtissue.Row, len(ks))
		for i, k := range ks {
			rows[i] = toRow(k)
		}
		return rows, nil
	}
	rows, err = read()
	if err != nil {
		return nil, false, err
	}
	need := len(rows) == 0
	if forSigning && !need {
		_, ok := jwtissue.Current(rows, j.policy, c.now)
		need = !ok
	}
	if !need {
		return rows, false, nil
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if rows, err = read(); err != nil { // another request may have made it meanwhile
		return nil, false, err
	}
	if len(rows) > 0 {
		if _, ok := jwtissue.Current(rows, j.policy, c.now); ok || !forSigning {
			return rows, false, nil
		}
	}
	_, r, err := j.policy.Generate(j.secrets, c.now)
	if err != nil {
		return nil, false, err
	}
	if err := j.keys.CreateJWK(c.ctx, &store.JWK{ID: r.ID, PublicKey: r.PublicKey, PrivateKey: r.PrivateKey,
		Alg: r.Alg, Crv: r.Crv, CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt}); err != nil {
		return nil, false, dbError(err)
	}
	// Other servers may have inserted keys meanwhile: read them all, so that the newest signs here too.
	if again, err := read(); err == nil && len(again) > 0 {
		return again, true, nil
	}
	return append(rows, *r), true, nil
}

// signingKey returns the key that signs now.
func (c *call) signingKey() (*jwtissue.Key, error) {
	if ck := c.a.jwt.cur.Load(); ck != nil && c.now.Sub(ck.readAt) < keyReuse && c.now.Sub(ck.readAt) >= 0 &&
		(ck.key.ExpiresAt == nil || ck.key.ExpiresAt.After(c.now)) {
		return ck.key, nil
	}
	rows, created, err := c.jwtRows(true)
	if err != nil {
		return nil, err
	}
	row, ok := jwtissue.Current(rows, c.a.jwt.policy, c.now)
	if !ok {
		return nil, errors.New("auth: no live JWT signing key")
	}
	k, err := c.openKey(row)
	if err != nil {
		return nil, err
	}
	if !created { // a key just made may lose to one another server made at the same time: read again next time
		c.a.jwt.cur.Store(&cachedKey{key: k, readAt: c.now})
	}
	return k, nil
}

// openKey decrypts a key row once per server.
func (c *call) openKey(row jwtissue.Row) (*jwtissue.Key, error) {
	if k, ok := c.a.jwt.opened.Load(row.ID); ok {
		return k.(*jwtissue.Key), nil
	}
	k, err := c.a.jwt.policy.Open(row, c.a.jwt.secrets)
	if err != nil {
		return nil, err
	}
	c.a.jwt.opened.Store(row.ID, k)
	return k, nil
}

// issueJWT signs the JWT plugin's token for a session.
func (c *call) issueJWT(res *store.Result) (string, error) {
	k, err := c.signingKey()
	if err != nil {
		return "", err
	}
	sess := jwtissue.Session{User: betterauth.UserJSON(res.User)}
	if c.a.jwt.opts.DefinePayload != nil || c.a.jwt.opts.Subject != nil {
		sess.Session = betterauth.SessionJSON(res.Session) // only these read the session
	}
	payload, err := jwtissue.Claims(sess, c.a.jwt.opts, c.now)
	if err != nil {
		return "", err
	}
	if h := c.srv.hooks.JWTPayload; h != nil {
		var claims map[string]any
		if err := json.Unmarshal(payload, &claims); err != nil {
			return "", err
		}
		if err := h(c.ctx, res.Session, res.User, claims); err != nil {
			return "", hookError(err)
		}
		return jwtissue.Sign(k, claims)
	}
	return jwtissue.SignClaims(k, payload)
}

// token is GET /token: {"token": <JWT>} for the signed-in user.
func (c *call) token() (any, error) {
	res, err := c.session(false)
	if err != nil {
		return nil, err
	}
	tok, err := c.issueJWT(res)
	if err != nil {
		return nil, err
	}
	return map[string]string{"token": tok}, nil
}

// jwks is GET /jwks: the public keys, as Better Auth lists them.
func (c *call) jwks() (any, error) {
	rows, _, err := c.jwtRows(false)
	if err != nil {
		return nil, err
	}
	b, err := jwtissue.PublishedJWKS(rows, c.a.jwt.policy, c.now)
	if err != nil {
		return nil, err
	}
	return json.RawMessage(b), nil
}

// setAuthJWT adds the set-auth-jwt header to a /get-session answer.
func (c *call) setAuthJWT(res *store.Result) {
	if c.a.jwt == nil || c.a.jwt.cfg.DisableSetAuthJWTHeader || res == nil {
		return
	}
	tok, err := c.issueJWT(res)
	if err != nil {
		c.a.s.log.Error("auth: signing the set-auth-jwt header", "err", err)
		return
	}
	c.hdr().Set("Set-Auth-JWT", tok)
	exposeHeader(c.hdr(), "set-auth-jwt")
}
