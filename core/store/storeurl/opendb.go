package storeurl

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/go-sql-driver/mysql"

	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
)

// OpenDB opens the SQL database databaseURL names (sqlite:PATH, postgres://…, mysql://…) for reading and
// writing, checks that it answers within ctx or [OpenTimeout], and returns it with its dialect. Unlike
// [Open] it does not check for Better Auth's tables, and a SQLite file that does not exist is created: it
// is what migrations and servers that write use. Errors never contain the URL's password.
//
// The pool is [Pool]'s defaults, overridden by the URL's pool_* parameters; [OpenDBWith] sets it in code.
func OpenDB(ctx context.Context, databaseURL string) (*sql.DB, sqlstore.Dialect, error) {
	return OpenDBWith(ctx, databaseURL, nil)
}

// OpenDBWith is [OpenDB] with options: only Options.Pool applies. A nil *Options means all defaults.
func OpenDBWith(ctx context.Context, databaseURL string, opts *Options) (*sql.DB, sqlstore.Dialect, error) {
	if opts == nil {
		opts = &Options{}
	}
	t, err := parse(databaseURL)
	if err != nil {
		return nil, "", err
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, OpenTimeout)
		defer cancel()
	}
	var db *sql.DB
	switch t.kind {
	case "sqlite":
		dsn := t.sqliteWritable()
		dsn = strings.Replace(dsn, "?mode=rw&", "?mode=rwc&", 1)
		if db, err = sql.Open("sqlite", dsn); err != nil {
			return nil, "", fmt.Errorf("storeurl: %w", err)
		}
	case "postgres":
		if db, err = sql.Open("pgx", t.dsn); err != nil {
			return nil, "", fmt.Errorf("storeurl: %w", redact(err, t.dsn))
		}
	case "mysql":
		conn, err := mysql.NewConnector(t.mysql)
		if err != nil {
			return nil, "", fmt.Errorf("storeurl: %w", err)
		}
		db = sql.OpenDB(conn)
	default:
		return nil, "", fmt.Errorf("storeurl: %s is not an SQL database (want sqlite:, postgres:// or mysql://)", t.kind)
	}
	t.applyPool(db, opts.Pool)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, "", fmt.Errorf("storeurl: %s: %w", t.kind, redact(err, t.dsn))
	}
	return db, sqlstore.Dialect(t.kind), nil
}
