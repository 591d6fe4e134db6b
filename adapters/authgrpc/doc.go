// Package authgrpc is gobetterauth's gRPC server interceptors: they authenticate each call with an
// [auth.Auth], apply a per-method policy ([authrpc.Policy]) and make the caller's [auth.Session] available to
// handlers through the call's context.
//
// # Usage
//
//	a, err := auth.FromEnv() // BETTER_AUTH_URL, …; storeurl.FromEnv(ctx) for session cookies (DATABASE_URL)
//	opts := []authgrpc.Option{
//		authgrpc.WithPolicy(auth.Policy{Skip: []string{"/grpc.health.v1.Health"}}),
//		authgrpc.WithMethodPolicy("/shop.v1.Admin", auth.Policy{Roles: []string{"admin"}}),
//	}
//	s := grpc.NewServer(
//		grpc.ChainUnaryInterceptor(authgrpc.UnaryServerInterceptor(a, opts...)),
//		grpc.ChainStreamInterceptor(authgrpc.StreamServerInterceptor(a, opts...)),
//	)
//	// in a handler:
//	sess, ok := authgrpc.Session(ctx) // or auth.FromContext(ctx)
//
// # Credentials
//
// A call's credentials are read from its metadata: the "authorization" value ("Bearer <JWT>" from Better
// Auth's JWT plugin, or a bearer-plugin session token), and Better Auth's session cookie from the "cookie"
// values, for traffic that comes through gRPC-Web or a gateway from a browser. Session cookies and session
// tokens need an [auth.Auth] with a Store (storeurl.FromEnv).
//
// # Refusals
//
// A refused call never reaches its handler. It ends with a status whose code comes from
// [auth.HTTPStatus] through [authrpc.NewStatus]: Unauthenticated (401), PermissionDenied (403),
// ResourceExhausted (429), Unavailable (503) or Internal (a check that panicked). The message is Better
// Auth's ("Unauthorized", "Invalid token", …), the details carry a google.rpc.ErrorInfo whose reason is
// Better Auth's error code ("UNAUTHORIZED", "INVALID_TOKEN", "TOKEN_EXPIRED", "FORBIDDEN", "BANNED_USER",
// "SERVICE_UNAVAILABLE") in domain [authrpc.Domain], and Unavailable carries a google.rpc.RetryInfo. No
// token bytes or internal details are sent. [WithErrorHandler] replaces that answer.
//
// # Policy
//
// [WithPolicy] sets the policy of every method; [WithMethodPolicy] that of a service ("/pkg.Service") or a
// method ("/pkg.Service/Method"), which wins over its service's. Optional methods let calls without
// credentials through anonymously; role, permission and custom checks refuse with PermissionDenied. The
// interceptors pass the shared RPC conformance suite, [authtest.RunRPC], as authconnect does.
//
// The interceptors have the shapes of go-grpc-middleware's auth.UnaryServerInterceptor and
// StreamServerInterceptor; [WithPolicy]'s Skip (or the selector middleware) takes the place of its
// ServiceAuthFuncOverride.
//
// [authtest.RunRPC]: https://pkg.go.dev/github.com/gobetterauth/gobetterauth/core/auth/authtest#RunRPC
package authgrpc
