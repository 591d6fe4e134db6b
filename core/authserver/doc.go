// Package authserver is a Better Auth-compatible server in Go: it answers Better Auth 1.7.25's endpoints
// (email and password, sessions, email verification, password reset, social sign-in) with the same JSON,
// status codes, error codes, cookies and database rows, so the better-auth JS client works against it
// unchanged and a Go and a Node server can share one database.
//
// # A server wraps a verifier
//
// [New] takes a [Config]: Auth is the verifier's configuration (package auth: base URL, secret, cookie
// names, the cookie cache), Database holds Better Auth's tables, and the rest are the server's options.
// The [Server] it returns is an [net/http.Handler] for the base path, and [Server.Verifier] is the
// *auth.Auth that checks the sessions it creates, for the application's own routes:
//
//	srv, err := authserver.New(authserver.Config{
//		Auth:     auth.Config{BaseURL: "https://app.example.com", Secret: secret},
//		Database: st, // sqlstore.New(db, sqlstore.SQLite, nil), after authserver.Migrate
//	})
//	authhttp.Mount(mux, srv)                                         // /api/auth/…
//	mux.Handle("GET /api/me", authhttp.Middleware(srv.Verifier())(me)) // its sessions, verified
//
// The adapters' Mount helpers take a *Server, so a verifier cannot be mounted as a server by mistake.
//
// # Tables
//
// [Migrate] creates Better Auth's tables (user, session, account, verification, jwks) as Better Auth's
// own migrator does, plus the tables of the plugins it is given; it only adds, so it is safe at every
// start.
//
// # Many instances
//
// Config.SecondaryStorage (redisstore.NewSecondaryStorage) keeps sessions, their active-sessions lists,
// revocations and verification values in Redis under Better Auth's keys, so Go and Node instances share
// them; Session.StoreSessionInDatabase and PreserveSessionInDatabase are Better Auth's options of the same
// names. RateLimit.Storage "database" or "secondary-storage" makes every instance count one window, with
// RateLimit.FailOpen deciding what an outage of that store means. See docs/scaling.md.
//
// # Plugins
//
// A [Plugin] adds what one of Better Auth's plugins adds: endpoints, tables, hooks before and after
// endpoints, rate-limit rules and error codes. [JWT] (GET /token, GET /jwks, set-auth-jwt) and [Bearer]
// (Authorization: Bearer session tokens, set-auth-token) are built in; docs/plugins.md shows how to
// write one.
//
// # Mail, hooks and providers
//
// A [Mailer] sends verification and reset emails (package mail has SMTP and a development mailer).
// [Hooks] run at points of the flows (user creation, sessions, JWT claims). A [Provider] is a social
// sign-in provider; the providers module has Google, Microsoft, Apple, GitLab, GitHub and any OpenID
// Connect issuer. [DevSecret] makes a development secret.
//
// # Protections
//
// Every request goes through Better Auth's protections: rate limits per client IP and path, body size
// and media type, origin and callback URL checks, the form CSRF check on sign-in and sign-up. A database
// that is down answers 503 with Retry-After, never a 401 that would sign users out. See docs/server.md.
package authserver
