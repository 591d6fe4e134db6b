package interop_test

import (
	"context"
	"maps"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/authserver/twofactor"
	"github.com/gobetterauth/gobetterauth/core/internal/interop"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
	"github.com/gobetterauth/gobetterauth/core/store/storeurl"
)

// goMigrateWith runs sqlstore.Migrate with plugin tables on databaseURL.
func goMigrateWith(t *testing.T, databaseURL string, dryRun bool, tables []sqlstore.Table) *sqlstore.MigrateReport {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, dialect, err := storeurl.OpenDB(ctx, databaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rep, err := sqlstore.Migrate(ctx, db, dialect, &sqlstore.MigrateOptions{DryRun: dryRun, Tables: tables})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestMigrateTwoFactorSchema: Migrate with the two-factor plugin's schema plans exactly the SQL of Better
// Auth's migrator with twoFactor() on, on an empty database (the twoFactor table created) and on one that
// has the core tables (user.twoFactorEnabled added with its default); after Go ran, Better Auth finds
// nothing to do.
func TestMigrateTwoFactorSchema(t *testing.T) {
	interop.Require(t)
	for _, tt := range migrateTargets {
		t.Run(tt.name, func(t *testing.T) {
			u, env := tt.new(t)
			plugEnv := maps.Clone(env)
			plugEnv["PLUGINS"] = "twoFactor"
			if p, plan := nodeMigrate(t, "plan", plugEnv), goMigrateWith(t, u, true, twofactor.Schema); p.SQL != plan.SQL() {
				t.Errorf("plans on an empty database differ:\nBetter Auth:\n%s\ngobetterauth:\n%s", p.SQL, plan.SQL())
			}
			goMigrateWith(t, u, false, nil) // the core tables only
			if p, plan := nodeMigrate(t, "plan", plugEnv), goMigrateWith(t, u, true, twofactor.Schema); p.SQL != plan.SQL() {
				t.Errorf("plans for adding the plugin differ:\nBetter Auth:\n%s\ngobetterauth:\n%s", p.SQL, plan.SQL())
			}
			goMigrateWith(t, u, false, twofactor.Schema)
			if p := nodeMigrate(t, "plan", plugEnv); len(p.ToBeCreated) != 0 || len(p.ToBeAdded) != 0 || p.SQL != "" {
				t.Errorf("Better Auth would still migrate: %+v", p)
			}
		})
	}
}
