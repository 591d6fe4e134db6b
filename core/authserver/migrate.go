package authserver

import (
	"context"
	"database/sql"

	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
)

// Migrate creates Better Auth 1.7.25's tables in db, as Better Auth's own migrator (getMigrations with the
// Kysely adapter) creates them: user, session, account and verification, and the JWT plugin's jwks table,
// with Better Auth's table and column names, types, constraints and indexes, so that a Node Better Auth
// server and gobetterauth can share the database. dialect is "sqlite", "postgres" or "mysql" (MySQL or
// MariaDB), and db must have been opened with a driver for it. Like Better Auth's migrator, Migrate only
// creates missing tables and adds missing columns; it never drops or alters anything, so it is safe to run
// at every start. plugins add their schemas ([Plugin].Schema): their tables after the core ones, and their
// extra columns; pass the Plugins of the server's Config. (The jwks table is always made, for a Node
// server with the JWT plugin sharing the database.) For names other than Better Auth's, additional user
// fields or a dry run, use [sqlstore.Migrate].
func Migrate(ctx context.Context, db *sql.DB, dialect string, plugins ...Plugin) error {
	var tables []sqlstore.Table
	for _, p := range plugins {
		tables = append(tables, p.Schema...)
	}
	_, err := sqlstore.Migrate(ctx, db, sqlstore.Dialect(dialect), &sqlstore.MigrateOptions{Tables: tables})
	return err
}
