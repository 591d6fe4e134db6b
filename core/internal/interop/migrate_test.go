package interop_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/internal/interop"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
	"github.com/gobetterauth/gobetterauth/core/store/storeurl"
)

// nodePlan is what interop/migrate.mjs prints: Better Auth's getMigrations result for its configuration
// (jwt() and bearer() plugins) on the database of env.
type nodePlan struct {
	ToBeCreated []string `json:"toBeCreated"`
	ToBeAdded   []struct {
		Table  string   `json:"table"`
		Fields []string `json:"fields"`
	} `json:"toBeAdded"`
	SQL string `json:"sql"`
}

// nodeMigrate runs `node migrate.mjs mode` (plan or run) with the database variables env.
func nodeMigrate(t *testing.T, mode string, env map[string]string) nodePlan {
	t.Helper()
	dir, err := interop.Dir()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "migrate.mjs", mode)
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if name != "DATABASE" && name != "DB_FILE" && name != "NODE_ENV" && !strings.HasPrefix(name, "BETTER_AUTH_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node migrate.mjs %s: %v\n%s", mode, err, stderr.String())
	}
	var p nodePlan
	if err := json.Unmarshal(stdout.Bytes(), &p); err != nil {
		t.Fatalf("node migrate.mjs %s printed %q: %v", mode, stdout.String(), err)
	}
	return p
}

// migrateTarget is an empty database both sides can open.
type migrateTarget struct {
	name string
	// new returns the Go DATABASE_URL of a fresh empty database and the node environment naming it.
	new func(t *testing.T) (databaseURL string, env map[string]string)
}

var migrateTargets = []migrateTarget{
	{name: "sqlite", new: func(t *testing.T) (string, map[string]string) {
		path := filepath.Join(t.TempDir(), "auth.db")
		return "sqlite:" + path, map[string]string{"DB_FILE": path}
	}},
	{name: "postgres", new: func(t *testing.T) (string, map[string]string) {
		u, drop, err := newPostgresDatabase(context.Background())
		requireFixture(t, err)
		t.Cleanup(drop)
		return u, map[string]string{"DATABASE": u}
	}}, {name: "mysql", new: func(t *testing.T) (string, map[string]string) { return sharedDatabase(t, "mysql") }},
}

// goMigrate runs sqlstore.Migrate (dry run or not) on databaseURL.
func goMigrate(t *testing.T, databaseURL string, dryRun bool) *sqlstore.MigrateReport {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, dialect, err := storeurl.OpenDB(ctx, databaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rep, err := sqlstore.Migrate(ctx, db, dialect, &sqlstore.MigrateOptions{DryRun: dryRun})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestMigrateGoThenNode: after gobetterauth's Migrate on an empty database, Better Auth's getMigrations
// (with the jwt and bearer plugins) finds nothing to create or add.
func TestMigrateGoThenNode(t *testing.T) {
	interop.Require(t)
	for _, tt := range migrateTargets {
		t.Run(tt.name, func(t *testing.T) {
			u, env := tt.new(t)
			rep := goMigrate(t, u, false)
			if len(rep.Created) != 5 {
				t.Fatalf("Go created %v", rep.Created)
			}
			if p := nodeMigrate(t, "plan", env); len(p.ToBeCreated) != 0 || len(p.ToBeAdded) != 0 || p.SQL != "" {
				t.Errorf("Better Auth would still migrate: %+v", p)
			}
		})
	}
}

// TestMigrateNodeThenGo: after Better Auth's runMigrations on an empty database, gobetterauth's Migrate
// plans nothing; and on an empty database both plan the same SQL.
func TestMigrateNodeThenGo(t *testing.T) {
	interop.Require(t)
	for _, tt := range migrateTargets {
		t.Run(tt.name, func(t *testing.T) {
			u, env := tt.new(t)
			plan := goMigrate(t, u, true)
			if p := nodeMigrate(t, "plan", env); p.SQL != plan.SQL() {
				t.Errorf("plans on an empty database differ:\nBetter Auth:\n%s\ngobetterauth:\n%s", p.SQL, plan.SQL())
			}
			if p := nodeMigrate(t, "run", env); len(p.ToBeCreated) != 0 || len(p.ToBeAdded) != 0 {
				t.Fatalf("Better Auth left work after running: %+v", p)
			}
			if rep := goMigrate(t, u, true); len(rep.Statements) != 0 {
				t.Errorf("Go would still migrate: %s", fmt.Sprint(rep.Statements))
			}
		})
	}
}
