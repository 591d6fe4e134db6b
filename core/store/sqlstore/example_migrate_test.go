package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
)

// Migrate creates Better Auth's tables; a second run finds nothing to do.
func ExampleMigrate() {
	db, err := sql.Open("sqlite", "file::memory:")
	if err != nil {
		panic(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1) // one in-memory database
	ctx := context.Background()

	plan, err := sqlstore.Migrate(ctx, db, sqlstore.SQLite, &sqlstore.MigrateOptions{DryRun: true})
	if err != nil {
		panic(err)
	}
	fmt.Println("would create:", plan.Created)

	rep, err := sqlstore.Migrate(ctx, db, sqlstore.SQLite, nil)
	if err != nil {
		panic(err)
	}
	fmt.Println("created:", rep.Created, len(rep.Statements), "statements")

	again, err := sqlstore.Migrate(ctx, db, sqlstore.SQLite, nil)
	if err != nil {
		panic(err)
	}
	fmt.Printf("then: %q\n", again.SQL())
	// Output:
	// would create: [user session account verification jwks]
	// created: [user session account verification jwks] 8 statements
	// then: ""
}
