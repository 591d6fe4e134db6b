package providers

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
)

// clockSkew is the leeway on exp and iat, as Better Auth's ID token checks allow (30 s).
const clockSkew = 30 * time.Second

// idTokenVerifier checks ID tokens: go-oidc verifies the signature with the issuer's keys (from a JWKS URL),
// the algorithm, the exact issuer and the expiry; this type adds the audience and azp, sub and iat, the
// token age, the nonce and any provider-specific claim check.
type idTokenVerifier struct {
	id string
	v  *oidc.IDTokenVerifier
	// stored is v without the expiry check, for the stored ID token UserInfo reads (see verifyStored).
	stored    *oidc.IDTokenVerifier
	audiences []string // the client id first
	// maxAge, when > 0, bounds now - iat (Better Auth: 1h for Google, Microsoft and Apple).
	maxAge time.Duration
	// nonceSHA256 also accepts a nonce claim equal to the lower-case hex SHA-256 of the expected nonce
	// (Apple's native SDKs hash it).
	nonceSHA256 bool
	// check runs last, on the token's claims.
	check func(c *idClaims) error
	now   func() time.Time
	// issuer is the fixed issuer tokens must carry, or "" when it varies (Microsoft's multi-tenant
	// endpoints) and check verifies it.
	issuer string
}

type idTokenOptions struct {
	issuer      string // "" skips go-oidc's issuer check; check must then do it
	jwksURL     string
	algs        []string
	audiences   []string
	maxAge      time.Duration
	nonceSHA256 bool
	check       func(c *idClaims) error
}

func newIDTokenVerifier(id string, client *http.Client, now func() time.Time, o idTokenOptions) *idTokenVerifier {
	// The key set is fetched in the background of whatever request first needs it, so it lives on a
	// context we own, carrying the bounded client.
	ks := &keySet{remote: oidc.NewRemoteKeySet(oidc.ClientContext(context.Background(), client), o.jwksURL)}
	algs := o.algs
	if len(algs) == 0 {
		algs = []string{oidc.RS256}
	}
	cfg := oidc.Config{
		SkipClientIDCheck:    true, // checked below against every accepted audience, with azp
		SkipIssuerCheck:      o.issuer == "",
		SupportedSigningAlgs: algs,
		Now:                  func() time.Time { return now().Add(-clockSkew) },
	}
	stored := cfg // a copy: the verifier keeps the pointer
	stored.SkipExpiryCheck = true
	return &idTokenVerifier{id: id, v: oidc.NewVerifier(o.issuer, ks, &cfg), stored: oidc.NewVerifier(o.issuer, ks, &stored), audiences: o.audiences, maxAge: o.maxAge, nonceSHA256: o.nonceSHA256,
		check: o.check, now: now, issuer: o.issuer}
}

// verify checks raw and returns its claims. nonce, when not empty, must match the nonce claim.
func (iv *idTokenVerifier) verify(ctx context.Context, raw, nonce string) (*oidc.IDToken, *idClaims, error) {
	return iv.verifyWith(ctx, iv.v, raw, nonce, iv.maxAge)
}

// verifyStored checks an ID token the server stored when the provider issued it (at sign-in or a
// refresh): everything verify checks but its expiry and age, since it is read long after (Better Auth
// decodes it without any check).
func (iv *idTokenVerifier) verifyStored(ctx context.Context, raw string) (*oidc.IDToken, *idClaims, error) {
	return iv.verifyWith(ctx, iv.stored, raw, "", 0)
}

func (iv *idTokenVerifier) verifyWith(ctx context.Context, v *oidc.IDTokenVerifier, raw, nonce string, maxAge time.Duration) (*oidc.IDToken, *idClaims, error) {
	if raw == "" {
		return nil, nil, invalidIDToken(iv.id, "empty")
	}
	fe := &fetchErr{}
	t, err := v.Verify(context.WithValue(ctx, fetchErrKey{}, fe), raw)
	if err != nil {
		if ferr := fe.get(); ferr != nil {
			return nil, nil, unavailable(iv.id, ferr)
		}
		if _, ok := errors.AsType[*oidc.TokenExpiredError](err); ok {
			return nil, nil, invalidIDToken(iv.id, "expired")
		}
		return nil, nil, invalidIDToken(iv.id, err.Error())
	}
	var c idClaims
	if err := t.Claims(&c); err != nil {
		return nil, nil, invalidIDToken(iv.id, "claims: "+err.Error())
	}
	if !slices.ContainsFunc(t.Audience, iv.accepted) {
		return nil, nil, invalidIDToken(iv.id, "aud is not the client id")
	}
	// OpenID Connect Core §3.1.3.7 (4, 5): azp, when present, names the client the token was issued to;
	// a token for several audiences must say which one it is for.
	if c.Azp != "" && !iv.accepted(c.Azp) {
		return nil, nil, invalidIDToken(iv.id, "azp is not the client id")
	}
	if c.Azp == "" && len(t.Audience) > 1 {
		return nil, nil, invalidIDToken(iv.id, "several audiences and no azp")
	}
	if t.Subject == "" {
		return nil, nil, invalidIDToken(iv.id, "no sub")
	}
	if t.IssuedAt.IsZero() {
		return nil, nil, invalidIDToken(iv.id, "no iat")
	}
	if maxAge > 0 {
		now := iv.now()
		if t.IssuedAt.After(now.Add(clockSkew)) {
			return nil, nil, invalidIDToken(iv.id, "iat is in the future")
		}
		if now.Sub(t.IssuedAt) > maxAge+clockSkew {
			return nil, nil, invalidIDToken(iv.id, "too old (iat)")
		}
	}
	if nonce != "" && !iv.nonceMatches(t.Nonce, nonce) {
		return nil, nil, invalidIDToken(iv.id, "nonce mismatch")
	}
	if iv.check != nil {
		if err := iv.check(&c); err != nil {
			return nil, nil, invalidIDToken(iv.id, err.Error())
		}
	}
	return t, &c, nil
}

func (iv *idTokenVerifier) accepted(aud string) bool {
	for _, a := range iv.audiences {
		if a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(aud)) == 1 {
			return true
		}
	}
	return false
}

func (iv *idTokenVerifier) nonceMatches(claim, want string) bool {
	if claim == "" {
		return false
	}
	if subtle.ConstantTimeCompare([]byte(claim), []byte(want)) == 1 {
		return true
	}
	if iv.nonceSHA256 {
		sum := sha256.Sum256([]byte(want))
		return subtle.ConstantTimeCompare([]byte(claim), []byte(hex.EncodeToString(sum[:]))) == 1
	}
	return false
}

// keySet wraps go-oidc's remote key set to tell "the keys could not be fetched" (the provider is
// unavailable) from "no key verifies this token" (the token is invalid): go-oidc flattens both into one
// error string.
type keySet struct{ remote *oidc.RemoteKeySet }

type fetchErrKey struct{}

type fetchErr struct {
	mu  sync.Mutex
	err error
}

func (f *fetchErr) set(err error) { f.mu.Lock(); f.err = err; f.mu.Unlock() }
func (f *fetchErr) get() error    { f.mu.Lock(); defer f.mu.Unlock(); return f.err }

func (k *keySet) VerifySignature(ctx context.Context, jwt string) ([]byte, error) {
	payload, err := k.remote.VerifySignature(ctx, jwt)
	if err != nil && isUnreachable(err) {
		if fe, ok := ctx.Value(fetchErrKey{}).(*fetchErr); ok {
			fe.set(err)
		}
	}
	return payload, err
}

// idClaims are the ID token (and userinfo) claims the providers map.
type idClaims struct {
	Sub           string   `json:"sub"`
	Iss           string   `json:"iss"`
	Azp           string   `json:"azp"`
	Email         string   `json:"email"`
	EmailVerified flexBool `json:"email_verified"`
	Name          string   `json:"name"`
	Picture       string   `json:"picture"`
	// Google
	HD string `json:"hd"`
	// Microsoft Entra ID
	OID                    string   `json:"oid"`
	TID                    string   `json:"tid"`
	VerifiedPrimaryEmail   []string `json:"verified_primary_email"`
	VerifiedSecondaryEmail []string `json:"verified_secondary_email"`
}

// flexBool is a claim some providers send as a boolean and others as "true"/"false" (Better Auth's
// parseStringBoolean). Set records that the claim was present at all; Value is true only for true and
// "true".
type flexBool struct{ Set, Value bool }

func (b *flexBool) UnmarshalJSON(data []byte) error {
	b.Set = true
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	b.Value = v == true || v == "true"
	return nil
}
