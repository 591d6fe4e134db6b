// Package authrpc is what gobetterauth's RPC adapters (authgrpc for gRPC, authconnect for Connect) share: a
// per-method route policy, the reading of credentials from request metadata, and the mapping of the core's
// errors to RPC status codes. It imports no RPC framework; the adapters translate its answers into their
// own error models, so they cannot drift.
//
// # Policy
//
// A [Policy] has a default [auth.Policy] and, optionally, one per service ("/pkg.Service") or per method
// ("/pkg.Service/Method", gRPC's full method name and Connect's procedure). A method's entry wins over its
// service's, which wins over the default. Path prefixes in an [auth.Policy] match full method names, so
// Skip: []string{"/grpc.health.v1.Health"} lets health checks through untouched. Page routes (Pages,
// LoginURL) have no meaning in RPC and are refused.
//
// # Codes
//
// [NewStatus] maps an error to an RPC refusal through [auth.HTTPStatus]: 401 is Unauthenticated, 403
// PermissionDenied, 429 ResourceExhausted, 503 Unavailable (with how long to wait before retrying), anything
// else Internal. The refusal carries Better Auth's error code (e.g. "INVALID_TOKEN") and message, the same
// ones the HTTP adapters put in their JSON body; the adapters send the code as a google.rpc.ErrorInfo
// reason in [Domain] and the wait as a google.rpc.RetryInfo.
package authrpc
