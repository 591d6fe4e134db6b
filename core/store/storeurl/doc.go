// Package storeurl opens a session store from one URL, such as the DATABASE_URL a Better Auth server
// already has. It links every driver the stores use; import the store packages directly to pick fewer.
//
// [FromEnv] and [ConfigFromEnv] are auth.FromEnv and auth.ConfigFromEnv plus the store DATABASE_URL (or
// REDIS_URL) names: package auth links no driver, so the environment's store is opened here.
//
// # Forms
//
//	sqlite:PATH, sqlite://PATH        Better Auth's SQLite file, relative or absolute (sqlite:///abs/auth.db);
//	                                  sqlite::memory: for an empty in-memory database
//	postgres://…, postgresql://…      PostgreSQL, any URL pgx accepts
//	mysql://user:pass@host:port/db    MySQL or MariaDB; query parameters are go-sql-driver/mysql's
//	redis://…, rediss://…             Better Auth's secondary storage; key_prefix=better-auth: sets the
//	                                  key prefix, the rest is go-redis's URL form
//	http://…, https://…               the Better Auth server itself (its baseURL); plain http only on
//	                                  loopback
//
// SQL stores read Better Auth's default table and column names; for renamed ones (snake_case, plural
// tables), open the database yourself and use sqlstore.New with sqlstore.Names.
package storeurl
