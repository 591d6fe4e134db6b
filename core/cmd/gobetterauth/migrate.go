package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"strings"
	"time"

	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
	"github.com/gobetterauth/gobetterauth/core/store/storeurl"
)

// migrate creates Better Auth's tables (sqlstore.Migrate) in the database DSN names, or with --dry-run
// prints the SQL it would run. It prints what it did to standard error, and the SQL to standard output.
// Exit status: 0 done (or nothing to do); 1 the migration failed or was refused; 2 bad usage; 3 the
// database could not be reached.
func migrate(args []string, stdout, stderr io.Writer) int {
	fs := newFlags(cmdMigrate, stdout, stderr)
	dsn := fs.String("database-url", "", "the database: sqlite:PATH, postgres://… or mysql://…")
	dryRun := fs.Bool("dry-run", false, "print the SQL without running it")
	timeout := fs.Duration("timeout", time.Minute, "time limit for the whole migration")
	if code, done := parseFlags(fs, cmdMigrate, args, stdout, stderr); done {
		return code
	}
	if fs.NArg() != 0 {
		errorf(stderr, "migrate takes no arguments (see --help)")
		return exitUsage
	}
	if *dsn == "" {
		errorf(stderr, "--database-url is required (see --help)")
		return exitUsage
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	target := *dsn
	if path, ok := sqlitePath(target); ok && *dryRun {
		// A dry run creates nothing: a SQLite file that does not exist is planned as an empty database.
		if _, err := os.Stat(path); errors.Is(err, iofs.ErrNotExist) {
			target = "sqlite::memory:"
		}
	}
	db, dialect, err := storeurl.OpenDB(ctx, target)
	if err != nil {
		errorf(stderr, "%v\n", err)
		return exitUnavailable
	}
	defer db.Close()
	rep, err := sqlstore.Migrate(ctx, db, dialect, &sqlstore.MigrateOptions{DryRun: *dryRun})
	if rep != nil && rep.SQL() != "" {
		fmt.Fprintln(stdout, rep.SQL())
	}
	if err != nil {
		errorf(stderr, "%v\n", err)
		return exitInvalid
	}
	verb := "created"
	if *dryRun {
		verb = "would create"
	}
	switch {
	case len(rep.Statements) == 0:
		noticef(stderr, "Better Auth's tables are up to date")
	default:
		fmt.Fprintf(stderr, "gobetterauth: %s tables %v", verb, rep.Created)
		for _, a := range rep.Added {
			fmt.Fprintf(stderr, ", columns %v of %s", a.Columns, a.Table)
		}
		fmt.Fprintln(stderr)
	}
	return exitOK
}

// sqlitePath is the file a sqlite: URL names ("", false for other URLs and :memory:).
func sqlitePath(dsn string) (string, bool) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(dsn), "sqlite:")
	if !ok {
		return "", false
	}
	rest = strings.TrimPrefix(rest, "//")
	path, _, _ := strings.Cut(rest, "?")
	if path == "" || path == ":memory:" {
		return "", false
	}
	return path, true
}
