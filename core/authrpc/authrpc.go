package authrpc

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
)

// Domain is the google.rpc.ErrorInfo domain of the refusals the RPC adapters send: its reason is Better
// Auth's error code.
const Domain = "better-auth"

// Policy is the route policy of an RPC adapter: a default [auth.Policy] and per-service or per-method ones.
// The zero Policy requires valid credentials on every method.
type Policy struct {
	// Default applies to every method that Methods does not name. Its zero value requires valid credentials.
	Default auth.Policy

	// Methods maps a full method name ("/pkg.Service/Method") or a service name ("/pkg.Service") to the
	// policy of that method or of every method of that service. A method's entry wins over its service's.
	// An entry replaces Default; it does not add to it. Nil means none.
	Methods map[string]auth.Policy
}

// Guard applies a [Policy] with an [auth.Auth] to RPC calls. Create it with [NewGuard]; it is safe for
// concurrent use.
type Guard struct {
	def     *auth.Guard
	methods map[string]*auth.Guard // by full method name or service name
}

// NewGuard validates p and returns a Guard that applies it with a. Every problem is reported here, wrapped
// in [auth.ErrInvalidConfig].
func NewGuard(a *auth.Auth, p Policy) (*Guard, error) {
	def, err := newGuard(a, "Default", p.Default)
	if err != nil {
		return nil, err
	}
	g := &Guard{def: def}
	if len(p.Methods) > 0 {
		g.methods = make(map[string]*auth.Guard, len(p.Methods))
	}
	for name, mp := range p.Methods {
		if !validName(name) {
			return nil, fmt.Errorf("%w: authrpc: Policy.Methods: %q is neither a service (\"/pkg.Service\") nor a full method name (\"/pkg.Service/Method\")", auth.ErrInvalidConfig, name)
		}
		if g.methods[name], err = newGuard(a, "Methods["+name+"]", mp); err != nil {
			return nil, err
		}
	}
	return g, nil
}

func newGuard(a *auth.Auth, field string, p auth.Policy) (*auth.Guard, error) {
	if p.Pages != nil || p.LoginURL != "" || p.CallbackParam != "" {
		return nil, fmt.Errorf("%w: authrpc: Policy.%s: page routes (Pages, LoginURL, CallbackParam) have no meaning in RPC", auth.ErrInvalidConfig, field)
	}
	return auth.NewGuard(a, p)
}

// validName reports whether s is "/service" or "/service/method" with non-empty parts.
func validName(s string) bool {
	if len(s) < 2 || s[0] != '/' {
		return false
	}
	svc, method, two := strings.Cut(s[1:], "/")
	return svc != "" && (!two || method != "" && !strings.Contains(method, "/")) && !strings.ContainsAny(s, "?#*%\\ ")
}

// guard returns the guard of a full method name.
func (g *Guard) guard(method string) *auth.Guard {
	if g.methods == nil {
		return g.def
	}
	if mg, ok := g.methods[method]; ok {
		return mg
	}
	if i := strings.LastIndexByte(method, '/'); i > 0 {
		if sg, ok := g.methods[method[:i]]; ok {
			return sg
		}
	}
	return g.def
}

// Check applies the policy of method (a full method name, "/pkg.Service/Method") to a call that carried
// the given authorization and cookie metadata values (nil when absent). HTTP/2 may split a Cookie header
// into several values; each is read. Like [auth.Guard.Check], it reuses a session ctx already carries. The
// decision is Allow or Deny, never Redirect.
func (g *Guard) Check(ctx context.Context, method string, authorization, cookie []string) auth.Decision {
	rr := auth.RouteRequest{Request: auth.Request{
		Method:        http.MethodPost,
		Path:          method,
		Authorization: authorization,
		Cookie:        cookie,
	}}
	return g.guard(method).Check(ctx, &rr)
}

// Code is an RPC status code. The numbers are gRPC's canonical codes, which Connect shares.
type Code uint32

// The codes a refusal maps to.
const (
	// Unauthenticated is 401: no credentials, or invalid or expired ones.
	Unauthenticated Code = 16
	// PermissionDenied is 403: authenticated, but not allowed (a role, permission or custom check, a ban).
	PermissionDenied Code = 7
	// ResourceExhausted is 429: rate limited.
	ResourceExhausted Code = 8
	// Unavailable is 503: the credentials could not be checked (the JWKS endpoint or the store is down).
	Unavailable Code = 14
	// Internal is 500 and anything unknown: never a reason to let a call through, nor to log a user out.
	Internal Code = 13
)

// CodeForStatus maps an HTTP status from [auth.HTTPStatus] to its RPC code; 200 maps to 0 (OK).
func CodeForStatus(status int) Code {
	switch status {
	case http.StatusOK:
		return 0
	case http.StatusUnauthorized:
		return Unauthenticated
	case http.StatusForbidden:
		return PermissionDenied
	case http.StatusTooManyRequests:
		return ResourceExhausted
	case http.StatusServiceUnavailable:
		return Unavailable
	}
	return Internal
}

// Status is an RPC refusal.
type Status struct {
	// Code is the RPC status code.
	Code Code
	// Reason is Better Auth's error code, e.g. "UNAUTHORIZED", "INVALID_TOKEN", "TOKEN_EXPIRED".
	Reason string
	// Message is Better Auth's message, e.g. "Unauthorized". It never carries token bytes or internal
	// details.
	Message string
	// RetryAfter is how long to wait before retrying an Unavailable call (at least a second), or 0.
	RetryAfter time.Duration
}

// NewStatus maps err to its RPC refusal, the RPC form of [auth.NewErrorResponse].
func NewStatus(err error) Status {
	r := auth.NewErrorResponse(err)
	return Status{
		Code:       CodeForStatus(r.Status),
		Reason:     r.Code,
		Message:    r.Message,
		RetryAfter: time.Duration(r.RetryAfter) * time.Second,
	}
}
