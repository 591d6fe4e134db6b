// Package interop starts the real Better Auth server in the repository's interop/ directory (Node,
// better-auth 1.7.25) and talks to it, so tests can check gobetterauth against what Better Auth itself
// issues rather than against our own idea of it.
//
// # Servers
//
// [Start] runs `node server.mjs` with the given environment (interop/README.md lists the variables) on an
// ephemeral loopback port and waits for its READY line. The server's stdin is a pipe held by this process:
// [Server.Close] closes it, and so does the operating system when a test binary dies, so Node never
// outlives the test. Each server has its own fresh SQLite database, so key ids and users are its own, unless
// env names another store: a SQLite file (DB_FILE), a PostgreSQL database (DATABASE) or Redis as Better
// Auth's secondaryStorage (REDIS_URL).
//
// # Clients
//
// [Server.SignUp] creates an email/password user and returns its session cookies; [Server.Token] and
// [Server.SessionJWT] turn them into JWT-plugin tokens; [Server.JWKS] and [Server.GetSession] return what the
// server says about its keys and the session; [Server.MintHS256] signs claims with Better Auth's own HS256
// signer. [Server.SignIn] and [Server.Post] call Better Auth's endpoints as a browser on the site would
// (with its Origin) and return the cookies and bearer token they set; [Server.LookupSession] asks
// /get-session about any cookies or Authorization header, with or without the server's cookie cache.
//
// # Tests
//
// [Require] (in testing.go) skips a test when Node or interop/node_modules is missing, and fails it instead
// when the environment variable CI is "true". Install the Node packages with `make interop-deps`.
package interop
