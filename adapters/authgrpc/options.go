package authgrpc

import (
	"context"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/authrpc"
)

// Option configures [UnaryServerInterceptor] and [StreamServerInterceptor].
type Option func(*options)

type options struct {
	policy   authrpc.Policy
	optional bool
	onError  func(ctx context.Context, err error) error
}

// WithPolicy sets the policy of every method that [WithMethodPolicy] does not name: optional auth, skipped
// methods (Skip takes full method names or services as prefixes: "/grpc.health.v1.Health"), and role,
// permission and custom checks. See [auth.Policy]; its zero value (the default) requires valid credentials.
// Page routes (Pages, LoginURL) are refused.
func WithPolicy(p auth.Policy) Option {
	return func(o *options) { o.policy.Default = p }
}

// WithMethodPolicy sets the policy of a service ("/pkg.Service") or a method ("/pkg.Service/Method"), in
// place of the one [WithPolicy] sets. A method's policy wins over its service's. Setting a name again
// replaces its policy.
func WithMethodPolicy(name string, p auth.Policy) Option {
	return func(o *options) {
		if o.policy.Methods == nil {
			o.policy.Methods = map[string]auth.Policy{}
		}
		o.policy.Methods[name] = p
	}
}

// Optional lets calls without credentials through anonymously on every method whose policy comes from
// [WithPolicy]; present but invalid credentials are still refused. It is the same as setting Optional in
// that policy, and may be combined with WithPolicy in either order.
func Optional() Option {
	return func(o *options) { o.optional = true }
}

// WithErrorHandler replaces [Error] as the answer to refused calls: the interceptor returns what h
// returns (which should be a status error; [auth.HTTPStatus] and [authrpc.NewStatus] give the code to use),
// and the handler never runs. Nil means Error.
func WithErrorHandler(h func(ctx context.Context, err error) error) Option {
	return func(o *options) { o.onError = h }
}
