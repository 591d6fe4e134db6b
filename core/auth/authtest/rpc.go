package authtest

import (
	"cmp"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/authrpc"
)

// The RPC suite's service and methods. A server under test for [RunRPC] serves service RPCService with a
// unary method and a server-streaming method for each name in RPCMethods: the streaming one is named with
// the suffix "Stream" ("/authtest.v1.Test/Me" and "/authtest.v1.Test/MeStream"). Both take and return a
// string (google.protobuf.StringValue, say): the unary method answers the [Handler]'s string; the streaming
// one sends it as its only message.
const RPCService = "authtest.v1.Test"

// RPCMethods are the method names of [RPCService] (see there).
var RPCMethods = []string{"Me", "Admin", "Public"}

// RPCCall is one call a conformance case makes.
type RPCCall struct {
	// Method is the full method name, e.g. "/authtest.v1.Test/Me" or "/authtest.v1.Test/MeStream".
	Method string
	// Stream says the method is server-streaming.
	Stream bool
	// Metadata holds the request metadata, by lower-case key ("authorization", "cookie"); a key may have
	// several values.
	Metadata map[string][]string
}

// RPCResult is what the client of a call saw.
type RPCResult struct {
	// Code is the status code (gRPC's canonical numbers, which Connect shares); 0 for OK.
	Code uint32
	// Message is the status message; "" for OK.
	Message string
	// Reason and Domain are the google.rpc.ErrorInfo detail's, or "".
	Reason, Domain string
	// RetryDelay is the google.rpc.RetryInfo detail's delay, or 0 when there is none.
	RetryDelay time.Duration
	// Body is the string the method answered on OK (for a stream, its messages run together).
	Body string
	// Raw is everything else the client received (headers, trailers, details), as text, for the check
	// that no token bytes come back.
	Raw string
}

// RPCClient makes one call to the server under test. An error means the call could not be made or its
// answer could not be read, not that it was refused.
type RPCClient func(ctx context.Context, call RPCCall) (RPCResult, error)

// NewRPCServer builds the server under test for one RPC case: the adapter's unary and stream interceptors,
// made with a and applying p, in front of [RPCService], whose methods call h with the call's context and the
// session the adapter's accessor returns. It returns a client for it, and cleans up with t.Cleanup.
type NewRPCServer func(t *testing.T, a *auth.Auth, p authrpc.Policy, h Handler) RPCClient

type rpcCase struct {
	name     string
	policy   authrpc.Policy // method keys name the unary methods; the suite renames them for streams
	down     bool
	sessions bool
	method   string // a name in RPCMethods; "Me" when empty
	authz    []string
	cookie   []string

	code   authrpc.Code
	reason string // ErrorInfo reason; for OK, the body: "user:<id>" or "anonymous"
	msg    string
}

// RunRPC runs gobetterauth's RPC adapter conformance suite against newServer: the HTTP suite's cases
// ([Run]) in RPC terms, each made as a unary and as a server-streaming call. Each case gets a fresh fake
// Better Auth issuer, a fresh [auth.Auth] (with a debug logger that the suite reads) and a fresh server, and
// checks:
//
//   - the status code, message, ErrorInfo reason and domain ([authrpc.Domain]) and RetryInfo of each refusal:
//     Unauthenticated, PermissionDenied, Unavailable (with a retry delay of at least a second) and Internal;
//   - that the method ran exactly once on every allowed call and never on a refused one;
//   - that on an allowed call the method sees the caller (or no one, for anonymous calls) both through the
//     adapter's accessor and through [auth.FromContext] on its context;
//   - that no byte of a token reaches the answer or the log.
//
// The cases cover no credentials, valid, tampered, malformed, expired and ambiguous bearer tokens in the
// authorization metadata, the JWKS endpoint being down, Better Auth session cookies in the cookie metadata
// (also split over several values, as HTTP/2 allows) and bearer-plugin session tokens against a Store, the
// store being down, optional methods, per-service and per-method policies, skipped methods, role,
// permission and custom checks, and a panic inside a check.
func RunRPC(t *testing.T, newServer NewRPCServer) {
	t.Helper()
	for _, c := range rpcCases() {
		t.Run(c.name, func(t *testing.T) {
			t.Run("unary", func(t *testing.T) { runRPCCase(t, newServer, c, false) })
			t.Run("stream", func(t *testing.T) { runRPCCase(t, newServer, c, true) })
		})
	}
}

func rpcCases() []rpcCase {
	const (
		me     = "/" + RPCService + "/Me"
		admin  = "/" + RPCService + "/Admin"
		public = "/" + RPCService + "/Public"
	)
	bearer := func(tok string) []string { return []string{"Bearer " + tok} }
	unauth := func(c rpcCase) rpcCase {
		c.code, c.reason, c.msg = authrpc.Unauthenticated, "UNAUTHORIZED", "Unauthorized"
		return c
	}
	invalid := func(c rpcCase) rpcCase {
		c.code, c.reason, c.msg = authrpc.Unauthenticated, "INVALID_TOKEN", "Invalid token"
		return c
	}
	expired := func(c rpcCase) rpcCase {
		c.code, c.reason, c.msg = authrpc.Unauthenticated, "TOKEN_EXPIRED", "Token expired"
		return c
	}
	forbidden := func(c rpcCase) rpcCase {
		c.code, c.reason, c.msg = authrpc.PermissionDenied, "FORBIDDEN", "Forbidden"
		return c
	}
	unavailable := func(c rpcCase) rpcCase {
		c.code, c.reason, c.msg = authrpc.Unavailable, "SERVICE_UNAVAILABLE", "Authentication is temporarily unavailable"
		return c
	}
	ok := func(c rpcCase, body string) rpcCase { c.code, c.reason = 0, body; return c }
	call := func(name string, authz ...string) rpcCase { return rpcCase{name: name, authz: authz} }
	cookie := func(name string, cookies ...string) rpcCase {
		return rpcCase{name: name, cookie: cookies, sessions: true}
	}
	on := func(c rpcCase, method string) rpcCase { c.method = method; return c }
	with := func(c rpcCase, p authrpc.Policy) rpcCase { c.policy = p; return c }
	down := func(c rpcCase) rpcCase { c.down = true; return c }
	sessions := func(c rpcCase) rpcCase { c.sessions = true; return c }
	optional := authrpc.Policy{Default: auth.Policy{Optional: true}}
	perMethod := authrpc.Policy{Methods: map[string]auth.Policy{
		public: {Optional: true},
		admin:  {Roles: []string{"admin"}},
	}}
	perService := authrpc.Policy{
		Default: auth.Policy{Optional: true},
		Methods: map[string]auth.Policy{
			"/" + RPCService: {Roles: []string{"admin"}},
			me:               {},
		},
	}
	skipped := authrpc.Policy{Default: auth.Policy{Skip: []string{public}}}
	writers := authrpc.Policy{Default: auth.Policy{Permissions: []string{"posts:write"}}}

	return []rpcCase{
		// Required auth, the default policy.
		unauth(call("no credentials")),
		ok(call("valid bearer JWT", bearer(tokValid)...), "user:u1"),
		ok(call("bearer scheme in lower case", "bearer "+tokValid), "user:u1"),
		invalid(call("tampered signature", bearer(tokTampered)...)),
		invalid(call("not a JWT", "Bearer not-a-jwt")),
		expired(call("expired token", bearer(tokExpired)...)),
		unauth(call("another scheme", "Basic dTE6cGFzc3dvcmQ=")),
		invalid(call("two authorization values", "Bearer "+tokValid, "Bearer "+tokValid)),
		unavailable(down(call("JWKS endpoint down", bearer(tokValid)...))),
		unauth(rpcCase{name: "cookie without sessions configured", cookie: []string{"better-auth.session_token=abc.def"}}),

		// Better Auth session cookies (cookie metadata) and bearer-plugin session tokens, against a Store.
		ok(cookie("session cookie", cookieValid), "user:s1"),
		ok(cookie("session cookie among others", "theme=dark; "+cookieValid+"; x=1"), "user:s1"),
		ok(cookie("session cookie split over cookie values", "theme=dark", cookieValid), "user:s1"),
		invalid(cookie("session cookie with a bad signature", cookieTampered)),
		invalid(cookie("session cookie of an unknown session", cookieUnknown)),
		expired(cookie("session cookie of an expired session", cookieExpired)),
		invalid(cookie("session cookie sent twice", cookieValid, cookieValid)),
		unavailable(down(cookie("session cookie, store down", cookieValid))),
		ok(sessions(call("bearer session token", bearer(sessionBearer)...)), "user:s1"),
		forbidden(with(on(cookie("session cookie, role from the user row", cookieValid), "Admin"), perMethod)),
		ok(with(cookie("session cookie, permission from a user field", cookieValid), writers), "user:s1"),

		// Optional auth: anonymous without credentials, refused with bad ones.
		ok(with(call("optional, no credentials"), optional), anonymous),
		ok(with(call("optional, valid token", bearer(tokValid)...), optional), "user:u1"),
		invalid(with(call("optional, tampered token", bearer(tokTampered)...), optional)),
		expired(with(call("optional, expired token", bearer(tokExpired)...), optional)),
		unavailable(down(with(call("optional, JWKS endpoint down", bearer(tokValid)...), optional))),

		// Per-method and per-service policies, and skipped methods.
		ok(with(on(call("optional method, no credentials"), "Public"), perMethod), anonymous),
		unauth(with(call("required beside an optional method"), perMethod)),
		ok(with(on(call("role method, admin", bearer(tokAdmin)...), "Admin"), perMethod), "user:u2"),
		ok(with(on(call("role method, comma-separated roles", bearer(tokRoles)...), "Admin"), perMethod), "user:u3"),
		forbidden(with(on(call("role method, wrong role", bearer(tokUser)...), "Admin"), perMethod)),
		forbidden(with(on(call("role method, no role", bearer(tokValid)...), "Admin"), perMethod)),
		unauth(with(on(call("role method without credentials"), "Admin"), perMethod)),
		invalid(with(on(call("role method with a tampered token", bearer(tokTampered)...), "Admin"), perMethod)),
		ok(with(call("default for other methods", bearer(tokValid)...), perMethod), "user:u1"),
		forbidden(with(on(call("service policy", bearer(tokUser)...), "Public"), perService)),
		ok(with(on(call("service policy, admin", bearer(tokAdmin)...), "Public"), perService), "user:u2"),
		ok(with(call("method entry wins over its service's", bearer(tokUser)...), perService), "user:u4"),
		unauth(with(call("method entry wins, required"), perService)),
		ok(with(on(call("skipped method"), "Public"), skipped), anonymous),
		ok(with(on(call("skipped method ignores a bad token", bearer(tokTampered)...), "Public"), skipped), anonymous),
		unauth(with(call("not skipped"), skipped)),

		// Permission and custom checks, and a panic inside one.
		ok(with(call("permission from an array claim", bearer(tokPerms)...), writers), "user:u5"),
		forbidden(with(call("no permissions claim", bearer(tokAdmin)...), writers)),
		ok(with(call("permissions from a custom string claim", bearer(tokScope)...),
			authrpc.Policy{Default: auth.Policy{Permissions: []string{"posts:read", "posts:write"}, PermissionsClaim: "scope"}}), "user:u6"),
		ok(with(call("Authorize true", bearer(tokValid)...),
			authrpc.Policy{Default: auth.Policy{Authorize: func(s *auth.Session) bool { return s.User.ID == "u1" }}}), "user:u1"),
		forbidden(with(call("Authorize false", bearer(tokAdmin)...),
			authrpc.Policy{Default: auth.Policy{Authorize: func(s *auth.Session) bool { return s.User.ID == "u1" }}})),
		func() rpcCase {
			c := with(call("panic in a check", bearer(tokValid)...),
				authrpc.Policy{Default: auth.Policy{Authorize: func(*auth.Session) bool { panic("authtest: a check panicked") }}})
			c.code, c.reason, c.msg = authrpc.Internal, "INTERNAL_SERVER_ERROR", "Internal server error"
			return c
		}(),
	}
}

// streamPolicy renames the method names in p (Methods keys and Default.Skip) to the streaming methods.
func streamPolicy(p authrpc.Policy) authrpc.Policy {
	rename := func(name string) string {
		if strings.Count(name, "/") == 2 {
			return name + "Stream"
		}
		return name
	}
	out := p
	if p.Methods != nil {
		out.Methods = map[string]auth.Policy{}
		for k, v := range p.Methods {
			out.Methods[rename(k)] = v
		}
	}
	if p.Default.Skip != nil {
		out.Default.Skip = make([]string, len(p.Default.Skip))
		for i, s := range p.Default.Skip {
			out.Default.Skip[i] = rename(s)
		}
	}
	return out
}

func runRPCCase(t *testing.T, newServer NewRPCServer, c rpcCase, stream bool) {
	is, err := NewIssuer("EdDSA")
	if err != nil {
		t.Fatal(err)
	}
	defer is.Close()
	sessions := newMemStore()
	toks := mintAll(is, sessions)
	logs := &logBuffer{}
	cfg := auth.Config{
		BaseURL: is.URL(),
		Logger:  slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if c.sessions {
		cfg.Secret, cfg.Store = sessionSecret, sessions
	}
	a, err := auth.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if c.down && c.sessions {
		sessions.down.Store(true)
	} else if c.down {
		is.SetHandler(func(w http.ResponseWriter, _ *http.Request) bool {
			w.WriteHeader(http.StatusInternalServerError)
			return true
		})
	}

	var ran atomic.Int32
	var seen atomic.Value
	h := func(ctx context.Context, s *auth.Session, ok bool) string {
		ran.Add(1)
		fromCtx, ctxOK := auth.FromContext(ctx)
		switch {
		case ok != (s != nil):
			seen.Store("accessor returned ok without a session, or a session without ok")
		case ok != ctxOK || fromCtx != s:
			seen.Store("the accessor and auth.FromContext disagree")
		}
		if !ok {
			return anonymous
		}
		return "user:" + s.User.ID
	}
	p := c.policy
	method := "/" + RPCService + "/" + cmp.Or(c.method, "Me")
	if stream {
		p, method = streamPolicy(p), method+"Stream"
	}
	client := newServer(t, a, p, h)
	if client == nil {
		t.Fatal("newServer returned nil")
	}
	md := map[string][]string{}
	for _, v := range c.authz {
		md["authorization"] = append(md["authorization"], toks.Replace(v))
	}
	for _, v := range c.cookie {
		md["cookie"] = append(md["cookie"], toks.Replace(v))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := client(ctx, RPCCall{Method: method, Stream: stream, Metadata: md})
	if err != nil {
		t.Fatalf("%s: %v", method, err)
	}

	if authrpc.Code(res.Code) != c.code {
		t.Errorf("%s: code %d, want %d (message %q)", method, res.Code, c.code, res.Message)
	}
	if c.code == 0 {
		if res.Body != c.reason {
			t.Errorf("%s: answer %q, want %q", method, res.Body, c.reason)
		}
		if res.Reason != "" || res.RetryDelay != 0 {
			t.Errorf("%s: details %q %v on an allowed call", method, res.Reason, res.RetryDelay)
		}
	} else {
		if res.Message != c.msg {
			t.Errorf("%s: message %q, want %q", method, res.Message, c.msg)
		}
		if res.Reason != c.reason || res.Domain != authrpc.Domain {
			t.Errorf("%s: ErrorInfo %q in %q, want %q in %q", method, res.Reason, res.Domain, c.reason, authrpc.Domain)
		}
		switch {
		case c.code == authrpc.Unavailable && res.RetryDelay < time.Second:
			t.Errorf("%s: retry delay %v, want at least a second", method, res.RetryDelay)
		case c.code != authrpc.Unavailable && res.RetryDelay != 0:
			t.Errorf("%s: retry delay %v on a code %d", method, res.RetryDelay, c.code)
		}
	}
	if p, _ := seen.Load().(string); p != "" {
		t.Errorf("%s: in the method, %s", method, p)
	}
	switch n := ran.Load(); {
	case c.code == 0 && n != 1:
		t.Errorf("%s: the method ran %d times, want once", method, n)
	case c.code != 0 && n != 0:
		t.Errorf("%s: the method ran on a refused call (%d times)", method, n)
	}
	secrets := toks.secrets()
	if leak := findAny(logs.String(), secrets); leak != "" {
		t.Errorf("%s: token bytes %q reached the log:\n%s", method, leak, logs.String())
	}
	if leak := findAny(res.Message+"\n"+res.Reason+"\n"+res.Body+"\n"+res.Raw, secrets); leak != "" {
		t.Errorf("%s: token bytes %q reached the answer", method, leak)
	}
}
