package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gobetterauth/gobetterauth/core/store"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
)

// A database Better Auth migrated, with one session in it.
func exampleDB() (path string, cleanup func()) {
	dir, err := os.MkdirTemp("", "sqlstore-example")
	if err != nil {
		panic(err)
	}
	path = filepath.Join(dir, "auth.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		panic(err)
	}
	defer db.Close()
	ddl, err := os.ReadFile("testdata/schema.sqlite.sql")
	if err != nil {
		panic(err)
	}
	for _, stmt := range []string{string(ddl),
		`INSERT INTO "user" VALUES ('ExJ05IO85I6AqA4SiXKKdGfW6UqyDYLR', 'Alice', 'alice@example.com', 0, NULL,
			'2026-11-28T13:28:59.006Z', '2026-11-28T13:28:59.006Z', 'admin', 0, NULL, NULL)`,
		`INSERT INTO "session" VALUES ('pa2HfNEH46c23R0oPavCVSOz3KCHJz2W', '2026-12-05T13:28:59.012Z',
			'sqYbbU8rNWpIAU33u5KpylpiAn7vsxIq', '2026-11-28T13:28:59.012Z', '2026-11-28T13:28:59.012Z', '',
			'curl/7.88.1', 'ExJ05IO85I6AqA4SiXKKdGfW6UqyDYLR', NULL)`,
	} {
		if _, err := db.Exec(stmt); err != nil {
			panic(err)
		}
	}
	return path, func() { os.RemoveAll(dir) }
}

func ExampleNew() {
	path, cleanup := exampleDB()
	defer cleanup()

	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(1000)")
	if err != nil {
		panic(err)
	}
	defer db.Close()
	sessions, err := sqlstore.New(db, sqlstore.SQLite, nil)
	if err != nil {
		panic(err)
	}

	res, err := sessions.Lookup(context.Background(), "sqYbbU8rNWpIAU33u5KpylpiAn7vsxIq")
	if err != nil {
		panic(err)
	}
	fmt.Println(res.User.Email, res.User.Role, res.Session.ExpiresAt)

	_, err = sessions.Lookup(context.Background(), "signed-out-or-never-issued")
	fmt.Println(errors.Is(err, store.ErrNotFound))
	// Output:
	// alice@example.com admin 2026-12-05 13:28:59.012 +0000 UTC
	// true
}

func ExampleSnakeCase() {
	// A Drizzle schema with usePlural and snake_case columns.
	names := sqlstore.SnakeCase()
	names.User, names.Session = "users", "sessions"
	fmt.Println(names.Columns["userId"], names.Columns["expiresAt"])
	// Output: user_id expires_at
}
