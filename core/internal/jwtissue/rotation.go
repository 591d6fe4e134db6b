package jwtissue

// Mirrors better-auth src/plugins/jwt/adapter.ts (getLatestKey, getLatestKeyByAlg), src/plugins/jwt/sign.ts
// (resolveSigningKey without overrides), src/plugins/jwt/utils.ts (createJwk's expiresAt) and the key
// filter of the /jwks endpoint in src/plugins/jwt/index.ts.

import (
	"slices"
	"time"
)

// DefaultGracePeriod is how long the /jwks endpoint keeps listing an expired key by default
// (jwks.gracePeriod, 30 days).
const DefaultGracePeriod = 30 * 24 * time.Hour

// Policy holds the JWT plugin's jwks options that decide which key signs and which keys are published.
// The zero value is Better Auth's default: EdDSA keys, encrypted, never rotated.
type Policy struct {
	// Alg is jwks.keyPairConfig.alg, the algorithm of new keys and of rows without one. "" means
	// [DefaultAlg].
	Alg string
	// RotationInterval is jwks.rotationInterval: a new key expires this long after it is created, and the
	// next signature then needs a new key. Zero means keys never expire.
	RotationInterval time.Duration
	// GracePeriod is jwks.gracePeriod: how long an expired key stays in the key set. Zero means
	// [DefaultGracePeriod]; a negative value means none (Better Auth's gracePeriod: 0).
	GracePeriod time.Duration
	// DisablePrivateKeyEncryption is jwks.disablePrivateKeyEncryption: private keys are stored as plain JWK
	// JSON. Off by default.
	DisablePrivateKeyEncryption bool
}

func (p Policy) alg() string {
	if p.Alg == "" {
		return DefaultAlg
	}
	return p.Alg
}

// Generate creates a key for p.Alg as [Generate] does, and gives its row ExpiresAt = now +
// RotationInterval when one is set, as createJwk does.
func (p Policy) Generate(secrets Secrets, now time.Time) (*Key, *Row, error) {
	k, r, err := Generate(p.alg(), secrets, !p.DisablePrivateKeyEncryption, now)
	if err != nil {
		return nil, nil, err
	}
	if p.RotationInterval > 0 {
		exp := time.UnixMilli(now.UnixMilli()).Add(p.RotationInterval).UTC()
		r.ExpiresAt, k.ExpiresAt = &exp, &exp
	}
	return k, r, nil
}

// Open opens a row for signing: with [Open], or [OpenUnencrypted] when DisablePrivateKeyEncryption is set.
// A row without an alg gets p.Alg.
func (p Policy) Open(r Row, secrets Secrets) (*Key, error) {
	if r.Alg == "" {
		r.Alg = p.alg()
	}
	if p.DisablePrivateKeyEncryption {
		return OpenUnencrypted(r)
	}
	return Open(r, secrets)
}

// Current returns the row that signs at now, as resolveSigningKey picks it: among the live rows (no
// ExpiresAt, or ExpiresAt after now), the newest (by CreatedAt; rows with equal CreatedAt keep their
// order) whose alg is p.Alg (a row without an alg counts as p.Alg), else the newest live row of any alg.
// ok is false when no row is live: Better Auth then creates a key ([Policy.Generate]), stores it and signs
// with it.
func Current(rows []Row, p Policy, now time.Time) (row Row, ok bool) {
	now = time.UnixMilli(now.UnixMilli())
	alg := p.alg()
	var live []Row
	for _, r := range rows {
		if r.ExpiresAt == nil || r.ExpiresAt.After(now) {
			live = append(live, r)
		}
	}
	slices.SortStableFunc(live, func(a, b Row) int { return b.CreatedAt.Compare(a.CreatedAt) })
	for _, r := range live {
		if r.Alg == alg || r.Alg == "" {
			return r, true
		}
	}
	if len(live) > 0 {
		return live[0], true
	}
	return Row{}, false
}

// Published returns the rows the /jwks endpoint lists at now, in their order: those without ExpiresAt,
// and those whose ExpiresAt + GracePeriod is after now. When the table has no row at all, Better Auth
// first creates a key ([Policy.Generate]); rows that are all past their grace period give an empty set.
func Published(rows []Row, p Policy, now time.Time) []Row {
	now = time.UnixMilli(now.UnixMilli())
	grace := p.GracePeriod
	switch {
	case grace == 0:
		grace = DefaultGracePeriod
	case grace < 0:
		grace = 0
	}
	var out []Row
	for _, r := range rows {
		if r.ExpiresAt == nil || r.ExpiresAt.Add(grace).After(now) {
			out = append(out, r)
		}
	}
	return out
}
