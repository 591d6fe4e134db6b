package interop_test

import (
	"maps"
	"testing"

	"github.com/gobetterauth/gobetterauth/core/authserver/apikey"
	"github.com/gobetterauth/gobetterauth/core/internal/interop"
)

// TestMigrateAPIKeySchema: Migrate with the api-key plugin's schema plans exactly the SQL of Better
// Auth's migrator with apiKey() on, on an empty database and on one that has the core tables (the
// apikey table created, with its indexes on configId, referenceId and key); after Go ran, Better Auth finds
// nothing to do.
func TestMigrateAPIKeySchema(t *testing.T) {
	interop.Require(t)
	for _, tt := range migrateTargets {
		t.Run(tt.name, func(t *testing.T) {
			u, env := tt.new(t)
			plugEnv := maps.Clone(env)
			plugEnv["PLUGINS"] = "apiKey"
			if p, plan := nodeMigrate(t, "plan", plugEnv), goMigrateWith(t, u, true, apikey.Schema); p.SQL != plan.SQL() {
				t.Errorf("plans on an empty database differ:\nBetter Auth:\n%s\ngobetterauth:\n%s", p.SQL, plan.SQL())
			}
			goMigrateWith(t, u, false, nil) // the core tables only
			if p, plan := nodeMigrate(t, "plan", plugEnv), goMigrateWith(t, u, true, apikey.Schema); p.SQL != plan.SQL() {
				t.Errorf("plans for adding the plugin differ:\nBetter Auth:\n%s\ngobetterauth:\n%s", p.SQL, plan.SQL())
			}
			goMigrateWith(t, u, false, apikey.Schema)
			if p := nodeMigrate(t, "plan", plugEnv); len(p.ToBeCreated) != 0 || len(p.ToBeAdded) != 0 || p.SQL != "" {
				t.Errorf("Better Auth would still migrate: %+v", p)
			}
		})
	}
}
