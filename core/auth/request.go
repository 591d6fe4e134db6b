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
}
