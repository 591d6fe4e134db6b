package auth

// Request is the read-only view of an HTTP request that an adapter hands to [Auth.Authenticate]. Adapters
// for frameworks that reuse buffers (fasthttp, fiber) must fill it with copies.
type Request struct {
	// Method is the HTTP method.
	Method string
	// Path is the URL path.
	Path string
	// Authorization holds every Authorization header value, in order. More than one is refused as ambiguous.
	Authorization []string
	// Cookie holds every Cookie header value, in order.
	Cookie []string
	// SkipCookieCache makes a session cookie go to the store even when a valid cookie cache came with it,
	// for sensitive routes that must see a revocation at once.
	SkipCookieCache bool
	// Header holds the request's headers for the credentials read from other headers: the API key
	// headers ([Auth.APIKeyHeaders]), by canonical name. Nil means none. Adapters for frameworks that reuse
	// buffers copy only those headers.
	Header map[string][]string
	// APIKeyPermissions, when not nil, are the permissions an API key must hold ({"files": ["read"]}),
	// checked before a use of the key is counted, as the plugin's verifyApiKey checks its permissions
	// argument. A key without them is refused with 403. Sessions and tokens are not affected.
	APIKeyPermissions map[string][]string
}
