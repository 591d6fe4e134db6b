package authtest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// Issuer is a fake Better Auth server: it serves a JWKS at BasePath+"/jwks" and mints JWT-plugin tokens.
type Issuer struct {
	// Server is the HTTP server behind the issuer; its URL is the base URL tokens name as iss and aud.
	Server *httptest.Server

	mu      sync.Mutex
	keys    []*signingKey // published keys; the last one signs
	handler func(w http.ResponseWriter, r *http.Request) bool
	hits    atomic.Int64
	now     func() time.Time
}

type signingKey struct {
	kid  string
	alg  string
	priv crypto.Signer
}

// Claims is the payload of a minted token. Zero fields get Better Auth's defaults when minting.
type Claims struct {
	ID            string
	Email         string
	Name          string
	EmailVerified bool
	Image         *string
	// Extra claims are added after the user fields, in sorted key order.
	Extra map[string]any
	// Subject defaults to ID.
	Subject string
	// Issuer and Audience default to the issuer's URL.
	Issuer   string
	Audience any
	// IssuedAt defaults to now; ExpiresAt to IssuedAt + 15 minutes.
	IssuedAt, ExpiresAt time.Time
}

// NewIssuer starts an issuer with one key for alg (EdDSA, ES256, ES384, ES512, RS256, RS384, RS512, PS256,
// PS384 or PS512). Close it with Close.
func NewIssuer(alg string) (*Issuer, error) {
	is := &Issuer{now: time.Now}
	if _, err := is.Rotate(alg); err != nil {
		return nil, err
	}
	is.Server = httptest.NewServer(http.HandlerFunc(is.serve))
	return is, nil
}

// Close stops the server.
func (is *Issuer) Close() { is.Server.Close() }

// URL is the issuer's base URL.
func (is *Issuer) URL() string { return is.Server.URL }

// JWKSURL is the URL of the key set.
func (is *Issuer) JWKSURL() string { return is.Server.URL + "/api/auth/jwks" }

// Hits reports how many key set requests the issuer has answered.
func (is *Issuer) Hits() int64 { return is.hits.Load() }

// SetHandler installs a hook that sees every key set request first; when it returns true it has answered
// the request itself. Use it to simulate an endpoint that is down, slow or returns garbage. Nil removes it.
func (is *Issuer) SetHandler(h func(w http.ResponseWriter, r *http.Request) bool) {
	is.mu.Lock()
	defer is.mu.Unlock()
	is.handler = h
}

// SetNow sets the issuer's clock, used for default iat and exp.
func (is *Issuer) SetNow(now func() time.Time) {
	is.mu.Lock()
	defer is.mu.Unlock()
	is.now = now
}

// Rotate adds a new signing key for alg, which signs from now on; older keys stay published. It returns the
// new key id.
func (is *Issuer) Rotate(alg string) (string, error) {
	priv, err := generate(alg)
	if err != nil {
		return "", err
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	k := &signingKey{kid: fmt.Sprintf("%x", b), alg: alg, priv: priv}
	is.mu.Lock()
	defer is.mu.Unlock()
	is.keys = append(is.keys, k)
	return k.kid, nil
}

// Retire removes every published key except the current signing key.
func (is *Issuer) Retire() {
	is.mu.Lock()
	defer is.mu.Unlock()
	is.keys = is.keys[len(is.keys)-1:]
}

// KeyID returns the current signing key's id.
func (is *Issuer) KeyID() string {
	is.mu.Lock()
	defer is.mu.Unlock()
	return is.keys[len(is.keys)-1].kid
}

// PrivateKey returns the current signing key, for tests that forge tokens by hand.
func (is *Issuer) PrivateKey() crypto.Signer {
	is.mu.Lock()
	defer is.mu.Unlock()
	return is.keys[len(is.keys)-1].priv
}

// JWKS returns the published key set as JSON, in Better Auth's member order (alg, crv, key members, kid).
func (is *Issuer) JWKS() []byte {
	is.mu.Lock()
	defer is.mu.Unlock()
	var keys []json.RawMessage
	for _, k := range is.keys {
		pub, _ := jose.JSONWebKey{Key: k.priv.Public(), KeyID: k.kid, Algorithm: k.alg}.MarshalJSON()
		keys = append(keys, pub)
	}
	out, _ := json.Marshal(map[string]any{"keys": keys})
	return out
}

func (is *Issuer) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/api/auth/jwks" {
		http.NotFound(w, r)
		return
	}
	is.hits.Add(1)
	is.mu.Lock()
	h := is.handler
	is.mu.Unlock()
	if h != nil && h(w, r) {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(is.JWKS())
}

// Mint signs a token with the current key.
func (is *Issuer) Mint(c Claims) (string, error) {
	payload, err := is.Payload(c)
	if err != nil {
		return "", err
	}
	return is.Sign(payload, nil)
}

// MustMint is Mint that panics on error, for tests.
func (is *Issuer) MustMint(c Claims) string {
	t, err := is.Mint(c)
	if err != nil {
		panic(err)
	}
	return t
}

// Payload builds the JSON payload Mint would sign, in the JWT plugin's member order.
func (is *Issuer) Payload(c Claims) ([]byte, error) {
	is.mu.Lock()
	now := is.now()
	is.mu.Unlock()
	if c.ID == "" {
		c.ID = "user_0123456789abcdefghijklmnopq"
	}
	if c.Email == "" {
		c.Email = "user@example.com"
	}
	if c.Name == "" {
		c.Name = "Test User"
	}
	if c.Subject == "" {
		c.Subject = c.ID
	}
	if c.Issuer == "" {
		c.Issuer = is.Server.URL
	}
	if c.Audience == nil {
		c.Audience = is.Server.URL
	}
	if c.IssuedAt.IsZero() {
		c.IssuedAt = now
	}
	if c.ExpiresAt.IsZero() {
		c.ExpiresAt = c.IssuedAt.Add(15 * time.Minute)
	}
	created := c.IssuedAt.UTC().Format("2006-01-02T15:04:05.000Z")
	members := []member{
		{"iat", c.IssuedAt.Unix()}, {"id", c.ID}, {"createdAt", created}, {"updatedAt", created},
		{"email", c.Email}, {"emailVerified", c.EmailVerified}, {"name", c.Name}, {"image", c.Image},
	}
	for _, k := range sortedKeys(c.Extra) {
		members = append(members, member{k, c.Extra[k]})
	}
	members = append(members, member{"sub", c.Subject}, member{"exp", c.ExpiresAt.Unix()},
		member{"iss", c.Issuer}, member{"aud", c.Audience})
	return marshalOrdered(members)
}

// Sign signs payload as is with the current key. extra header members are added to {"alg","kid"}.
func (is *Issuer) Sign(payload []byte, extra map[string]any) (string, error) {
	is.mu.Lock()
	k := is.keys[len(is.keys)-1]
	is.mu.Unlock()
	opts := (&jose.SignerOptions{}).WithHeader("kid", k.kid)
	for name, v := range extra {
		opts = opts.WithHeader(jose.HeaderKey(name), v)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.SignatureAlgorithm(k.alg), Key: k.priv}, opts)
	if err != nil {
		return "", err
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

func generate(alg string) (crypto.Signer, error) {
	switch alg {
	case "EdDSA":
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		return priv, err
	case "ES256":
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "ES384":
		return ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case "ES512":
		return ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	case "RS256", "RS384", "RS512", "PS256", "PS384", "PS512":
		return rsa.GenerateKey(rand.Reader, 2048)
	}
	return nil, fmt.Errorf("authtest: unsupported algorithm %q", alg)
}
