package auth

// Credential names the kind of credential that authenticated a request.
type Credential uint8

// The kinds of credential. The values are stable (Better Auth session kinds start at 10).
const (
	// CredentialJWT is a JWT-plugin token verified against the JWKS.
	CredentialJWT Credential = 1
	// CredentialHS256 is an HS256 token verified with the shared secret.
	CredentialHS256 Credential = 2

	// CredentialCookie is the signed session_token cookie, checked against the Store.
	CredentialCookie Credential = 10
	// CredentialCookieCache is the session_token cookie with a valid session_data cookie cache (no store
	// lookup).
	CredentialCookieCache Credential = 11
	// CredentialSessionToken is a bearer-plugin session token in the Authorization header (signed or raw),
	// checked against the Store.
	CredentialSessionToken Credential = 12

	// CredentialAPIKey is a key of Better Auth's api-key plugin, checked against its apikey table.
	CredentialAPIKey Credential = 20
)

// String returns "jwt", "hs256", "cookie", "cookie-cache", "session-token" or "api-key".
func (c Credential) String() string {
	switch c {
	case CredentialJWT:
		return "jwt"
	case CredentialHS256:
		return "hs256"
	case CredentialCookie:
		return "cookie"
	case CredentialCookieCache:
		return "cookie-cache"
	case CredentialSessionToken:
		return "session-token"
	case CredentialAPIKey:
		return "api-key"
	}
	return "unknown"
}
