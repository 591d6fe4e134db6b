package betterauth

// Mirrors better-auth src/cookies/index.ts (createCookieGetter, getCookies), src/cookies/session-store.ts
// (getChunkedCookie, parseCookieChunkIndex) and better-call src/cookies.ts (parseCookies).

import (
	"errors"
	"strconv"
	"strings"
)

// DefaultPrefix is Better Auth's default cookiePrefix.
const DefaultPrefix = "better-auth"

// SecurePrefix is put in front of every cookie name when Better Auth's secure cookies are on.
const SecurePrefix = "__Secure-"

// Names are the cookie names Better Auth reads and writes.
type Names struct {
	SessionToken string
	SessionData  string
	DontRemember string
}

// NewNames builds the names as Better Auth does: "<prefix>.<cookie>" (prefix "better-auth" when empty), or
// the full override name when one is given, with "__Secure-" in front of each when secure.
func NewNames(prefix string, secure bool, overrides Names) Names {
	if prefix == "" {
		prefix = DefaultPrefix
	}
	name := func(override, cookie string) string {
		n := override
		if n == "" {
			n = prefix + "." + cookie
		}
		if secure {
			n = SecurePrefix + n
		}
		return n
	}
	return Names{
		SessionToken: name(overrides.SessionToken, "session_token"),
		SessionData:  name(overrides.SessionData, "session_data"),
		DontRemember: name(overrides.DontRemember, "dont_remember"),
	}
}

// Limits on the cookie cache value when it is split into chunks.
const (
	MaxChunks     = 16
	MaxCacheBytes = 64 << 10
)

// ErrAmbiguous means the session cookie appeared more than once (cookie tossing from a sibling domain, or a
// stale cookie on another path). Better Auth would take the first; we refuse to guess.
var ErrAmbiguous = errors.New("betterauth: session cookie sent more than once")

// Jar holds the Better Auth cookies of one request, as sent (not URL-decoded).
type Jar struct {
	// SessionToken is the signed session token cookie value, or "".
	SessionToken string
	// SessionData is the cookie cache value (chunks joined), or "" when absent or unusable: duplicated,
	// chunks with gaps, too many chunks or too large. Unusable caches only mean "ask the store".
	SessionData string
	// DontRemember is the signed dont_remember cookie value, or "".
	DontRemember string
}

// Read collects Better Auth's cookies from the Cookie header values, parsing each "name=value" pair as
// better-call does (split at ";", trimmed, one layer of double quotes removed). Only exact names count: in
// secure mode only the "__Secure-" names exist, so a plain-named cookie planted over http is ignored. A
// session token cookie that appears twice is an error ([ErrAmbiguous]).
func Read(headers []string, n Names) (Jar, error) {
	var j Jar
	var tokenSeen, dataSeen, dataDup bool
	var chunks [MaxChunks]string
	var chunkSeen [MaxChunks]bool
	chunkBad, chunkCount := false, 0
	dataChunkPrefix := n.SessionData + "."
	for _, h := range headers {
		for len(h) > 0 {
			var pair string
			if i := strings.IndexByte(h, ';'); i >= 0 {
				pair, h = h[:i], h[i+1:]
			} else {
				pair, h = h, ""
			}
			eq := strings.IndexByte(pair, '=')
			if eq < 0 {
				continue
			}
			name := strings.TrimSpace(pair[:eq])
			value := strings.TrimSpace(pair[eq+1:])
			if len(value) >= 2 && value[0] == '"' && value[len(value)-1] == '"' {
				value = value[1 : len(value)-1]
			}
			switch {
			case name == n.SessionToken:
				if tokenSeen {
					return Jar{}, ErrAmbiguous
				}
				tokenSeen, j.SessionToken = true, value
			case name == n.SessionData:
				if dataSeen {
					dataDup = true
				}
				dataSeen, j.SessionData = true, value
			case name == n.DontRemember:
				if j.DontRemember == "" {
					j.DontRemember = value
				}
			case strings.HasPrefix(name, dataChunkPrefix):
				i, ok := chunkIndex(name[len(dataChunkPrefix):])
				if !ok || i >= MaxChunks || chunkSeen[i] {
					chunkBad = true
					continue
				}
				chunkSeen[i], chunks[i] = true, value
				chunkCount++
			}
		}
	}
	switch {
	case dataDup || len(j.SessionData) > MaxCacheBytes:
		j.SessionData = ""
	case !dataSeen && chunkCount > 0 && !chunkBad:
		j.SessionData = joinChunks(chunks[:], chunkSeen[:], chunkCount)
	}
	return j, nil
}

// chunkIndex parses a chunk suffix the way Better Auth does: a canonical non-negative decimal.
func chunkIndex(s string) (int, bool) {
	if s == "" || len(s) > 4 || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	i, err := strconv.Atoi(s)
	return i, err == nil && i >= 0
}

// joinChunks joins chunks 0..count-1, which must all be present (no gaps), within MaxCacheBytes.
func joinChunks(chunks []string, seen []bool, count int) string {
	total := 0
	for i := range count {
		if !seen[i] {
			return ""
		}
		total += len(chunks[i])
	}
	if total > MaxCacheBytes {
		return ""
	}
	var b strings.Builder
	b.Grow(total)
	for i := range count {
		b.WriteString(chunks[i])
	}
	return b.String()
}
