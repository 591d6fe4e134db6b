// Package store defines where gobetterauth finds and keeps Better Auth's data: the interfaces the verifier
// and the server use, and the records they pass around. It links no driver: the implementations are
// subpackages, and a program imports only the one it uses.
//
// # Looking sessions up
//
// [Store] is what the verifier (package auth) needs: [Store.Lookup] turns a session token into a
// [Result], the session row and its user, or [ErrNotFound]. Any other error means "could not check",
// which the verifier answers with 503, never a sign-out. A store that checks raw credentials itself (the
// remote store) also implements [CredentialLookup]. [NewCache] puts a bounded in-process cache in front of
// any Store.
//
// # Writing Better Auth's tables
//
// [Database] is what server mode (package authserver) needs: Better Auth's user, session, account and
// verification tables, read and written as Better Auth does. [KeyStore] adds the JWT plugin's jwks table.
// A unique value already taken is [ErrConflict].
//
// # Records
//
// [User], [Session], [Account], [Verification] and [JWK] are rows of Better Auth's tables. The fields that
// hold a credential ([Session].Token; [Account].AccessToken, RefreshToken, IDToken and Password;
// [Verification].Value; [JWK].PrivateKey) stay plain strings for the code that uses them, but the records
// format (%v, %+v, %#v) and log (slog) with those fields as "[REDACTED]", so a logged record does not
// leak what a caller could sign in with. Their JSON encoding does not change.
//
// # Implementations
//
//   - sqlstore: Better Auth's own tables over database/sql (SQLite, PostgreSQL, MySQL), with writes and a
//     migrator; a [Database], [Store] and [KeyStore].
//   - redisstore: Better Auth's secondary storage layout in Redis; a [Store].
//   - remote: a Better Auth server's /get-session over HTTP; a [Store] and [CredentialLookup].
//   - storeurl: opens one of them from a URL or DATABASE_URL/REDIS_URL (and so links every driver).
package store
