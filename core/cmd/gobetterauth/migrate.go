package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
	"github.com/gobetterauth/gobetterauth/core/store/storeurl"
)

const migrateUsage = `usage: gobetterauth migrate --database-url DSN [--dry-run] [--timeout D]
`

// migrate creates Better Auth's tables (sqlstore.Migrate) in the database DSN names, or with --dry-run
// prints the SQL it would run. It prints what it did to standard error, and the SQL to standard output.
// Exit status: 0 done (or nothing to do); 1 the migration failed or was refused; 2 bad usage; 3 the
// database could not be reached.
func migrate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, migrateUsage); fs.PrintDefaults() }
	dsn := fs.String("database-url", "", "the database: sqlite:PATH, postgres://… or mysql://…")
	dryRun := fs.Bool("dry-run", false, "print the SQL without running it")
	timeout := fs.Duration("timeout", time.Minute, "time limit for the whole migration")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() != 0 {
		fmt.Fprintf(stderr, "gobetterauth: migrate takes no arguments\n%s", migrateUsage)
		return exitUsage
	}
	if *dsn == "" {
		fmt.Fprintf(stderr, "gobetterauth: --database-url is required\n%s", migrateUsage)
		return exitUsage
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	db, dialect, err := storeurl.OpenDB(ctx, *dsn)
	if err != nil {
		fmt.Fprintf(stderr, "gobetterauth: %v\n", err)
		return exitUnavailable
	}
	defer db.Close()
	rep, err := sqlstore.Migrate(ctx, db, dialect, &sqlstore.MigrateOptions{DryRun: *dryRun})
	if rep != nil && rep.SQL() != "" {
		fmt.Fprintln(stdout, rep.SQL())
	}
	if err != nil {
		fmt.Fprintf(stderr, "gobetterauth: %v\n", err)
		return exitInvalid
	}
	verb := "created"
	if *dryRun {
		verb = "would create"
	}
	switch {
	case len(rep.Statements) == 0:
		fmt.Fprintln(stderr, "gobetterauth: Better Auth's tables are up to date")
	default:
		fmt.Fprintf(stderr, "gobetterauth: %s tables %v", verb, rep.Created)
		for _, a := range rep.Added {
			fmt.Fprintf(stderr, ", columns %v of %s", a.Columns, a.Table)
		}
		fmt.Fprintln(stderr)
	}
	return exitOK
}
