// Package authservertest helps test code that mounts an [authserver.Server].
//
// # A server for a test
//
// [New] returns a server on a fresh SQLite file in the test's temporary directory, migrated by
// [authserver.Migrate], with BaseURL [Origin], the compact cookie cache on and rate limits off. It is closed when
// the test ends.
//
// # The Mount check
//
// [RunMount] is the shared check every adapter's Mount helper passes, as authtest.Run is for their
// middleware: given the base URL of a router with a [New] server mounted at /api/auth and a protected
// GET /api/me, it signs up through the real endpoints, checks the Set-Cookie headers, and runs the same
// requests in order with a cookie jar, so the four adapters answer the same inputs the same way.
package authservertest
