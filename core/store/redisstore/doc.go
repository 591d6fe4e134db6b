// Package redisstore looks up Better Auth sessions in Better Auth's secondary storage on Redis (or a Redis
// protocol server: Valkey, Dragonfly, KeyDB), through github.com/redis/go-redis/v9: [Store] only reads,
// for a verifier. [SecondaryStorage] is the whole secondaryStorage interface (get, set with a TTL, delete,
// increment, getAndDelete) for a server: authserver.Config.SecondaryStorage keeps sessions, verification
// values and rate-limit counters in it as Better Auth does.
//
// # Layout
//
// With secondaryStorage configured, Better Auth 1.7 writes, for each session, the key <token> (the raw
// session token, no prefix) holding JSON {"session":{…},"user":{…}} with dates as ISO-8601 strings and a
// TTL ending at the session's expiry. Revoking all of a user's sessions also writes
// revoked-sessions-before-<userId> (milliseconds since 1970), and Better Auth treats any session created
// before it as gone; so does this store. Storage adapters that add a key prefix (the
// @better-auth/redis-storage package uses "better-auth:") need [Options].KeyPrefix set to match.
//
// # Failures
//
// A missing key, or a value that is not a session, is [store.ErrNotFound]. Redis being down or slow is
// another error, which callers turn into 503. Every call is bounded by [Options].Timeout unless its
// context ends sooner; for the bound to hold while a command is on the wire, the client needs
// ContextTimeoutEnabled (storeurl sets it).
package redisstore
