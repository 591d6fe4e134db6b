package interop_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/authserver/admin"
	"github.com/gobetterauth/gobetterauth/core/internal/interop"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
	"github.com/gobetterauth/gobetterauth/core/store/storeurl"
)

// adminPair is a Node server with admin() and a Go server with admin.New on one database.
type adminPair struct {
	db          *sql.DB
	dialect     sqlstore.Dialect
	node, goSrv *interop.Server
}

// newAdminPair is newAdminPairOn an SQLite database.
func newAdminPair(t *testing.T) *adminPair {
	t.Helper()
	return newAdminPairOn(t, "sqlite")
}

// newAdminPairOn makes the pair on a new database of kind (sqlite, postgres, mysql): Go migrates it first,
// then Better Auth at start finds nothing to do.
func newAdminPairOn(t *testing.T, kind string) *adminPair {
	t.Helper()
	interop.Require(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dbURL, env := sharedDatabase(t, kind)
	db, dialect, err := storeurl.OpenDB(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := sqlstore.Migrate(ctx, db, dialect, &sqlstore.MigrateOptions{Tables: admin.Schema}); err != nil {
		t.Fatal(err)
	}
	p := &adminPair{db: db, dialect: dialect}
	env["PLUGINS"], env["INSECURE_FAST_PASSWORD_HASH"] = "admin", "1"
	p.node = interop.NewServer(t, env)
	p.goSrv = startGoServer(t, dbURL, interop.DefaultSecret, func(c *authserver.Config) {
		c.Plugins = append(c.Plugins, admin.New(admin.Config{}))
	})
	return p
}

// exec runs q (written for SQLite: "quoted" names, ? placeholders) on the pair's database.
func (p *adminPair) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	if _, err := p.db.ExecContext(t.Context(), dialectSQL(p.dialect, q), args...); err != nil {
		t.Fatal(err)
	}
}

// userID returns the id of the user with email.
func (p *adminPair) userID(t *testing.T, email string) string {
	t.Helper()
	var id string
	if err := p.db.QueryRowContext(t.Context(), dialectSQL(p.dialect, `select "id" from "user" where "email" = ?`), email).Scan(&id); err != nil {
		t.Fatalf("user %s: %v", email, err)
	}
	return id
}

// TestMigrateAdminSchema: Migrate with admin.Schema plans exactly Better Auth's migrator with admin() on,
// on an empty database and on one with the core tables; afterwards Better Auth finds nothing to do.
func TestMigrateAdminSchema(t *testing.T) {
	interop.Require(t)
	for _, tt := range migrateTargets {
		t.Run(tt.name, func(t *testing.T) {
			u, env := tt.new(t)
			plugEnv := maps.Clone(env)
			plugEnv["PLUGINS"] = "admin"
			if p, plan := nodeMigrate(t, "plan", plugEnv), goMigrateWith(t, u, true, admin.Schema); p.SQL != plan.SQL() {
				t.Errorf("plans on an empty database differ:\nBetter Auth:\n%s\ngobetterauth:\n%s", p.SQL, plan.SQL())
			}
			goMigrateWith(t, u, false, nil)
			if p, plan := nodeMigrate(t, "plan", plugEnv), goMigrateWith(t, u, true, admin.Schema); p.SQL != plan.SQL() {
				t.Errorf("plans for adding the plugin differ:\nBetter Auth:\n%s\ngobetterauth:\n%s", p.SQL, plan.SQL())
			}
			goMigrateWith(t, u, false, admin.Schema)
			if p := nodeMigrate(t, "plan", plugEnv); len(p.ToBeCreated) != 0 || len(p.ToBeAdded) != 0 || p.SQL != "" {
				t.Errorf("Better Auth would still migrate: %+v", p)
			}
		})
	}
}

// clientOutcome is what the client comparisons compare of one step.
type clientOutcome struct {
	Op     string
	Status int
	Code   string
	Msg    string
	Keys   string
	Jar    string
	Extra  string
}

func outcomeOf(r interop.ClientResult, extra func(map[string]any) string) clientOutcome {
	o := clientOutcome{Op: r.Op, Status: r.Status}
	if r.Error != nil {
		o.Code, o.Msg = r.Error.Code, r.Error.Message
	}
	var data map[string]any
	if json.Unmarshal(r.Data, &data) == nil {
		o.Keys = strings.Join(slices.Sorted(maps.Keys(data)), ",")
		if extra != nil {
			o.Extra = extra(data)
		}
	}
	o.Jar = strings.Join(slices.Sorted(maps.Keys(r.Jar)), ",")
	return o
}

// jarSteps replays a jar into a new client run.
func jarSteps(jar map[string]string) []interop.ClientStep {
	var steps []interop.ClientStep
	for _, name := range slices.Sorted(maps.Keys(jar)) {
		steps = append(steps, interop.ClientStep{Op: "jar.set", Args: map[string]any{"cookie": name + "=" + jar[name]}})
	}
	return steps
}

// TestClientAdmin: the real JS client with adminClient() runs the same admin script against Node's admin()
// and the Go admin plugin, on one database: the same statuses, error codes, data keys and cookies at every
// step (list, get, set role, create, ban, the banned user's sign-in, unban, impersonate and stop, has
// permission, set password, revoke sessions, remove, a non-admin refused, sign-up with a role refused).
func TestClientAdmin(t *testing.T) {
	p := newAdminPair(t)
	step := func(op string, args any) interop.ClientStep { return interop.ClientStep{Op: op, Args: args} }
	run := func(s *interop.Server, tag string) []clientOutcome {
		dom := "@" + tag + ".example.com"
		boss, bob, carol := "boss"+dom, "bob"+dom, "carol"+dom
		var out []clientOutcome
		add := func(rs []interop.ClientResult, extra func(map[string]any) string) {
			for _, r := range rs {
				if strings.HasPrefix(r.Op, "jar.") {
					continue
				}
				out = append(out, outcomeOf(r, extra))
			}
		}
		rs := interop.RunClient(t, s.URL, "/api/auth", s.URL,
			step("signUp.email", map[string]any{"name": "Boss", "email": boss, "password": password}))
		add(rs, nil)
		add(interop.RunClient(t, s.URL, "/api/auth", s.URL,
			step("signUp.email", map[string]any{"name": "Bob", "email": bob, "password": password}),
			step("signUp.email", map[string]any{"name": "Eve", "email": "eve" + dom, "password": password, "role": "admin"}),
			step("admin.listUsers", map[string]any{"query": map[string]any{"limit": 10}}),
		), nil)
		if _, err := p.db.ExecContext(t.Context(), `update "user" set "role" = 'admin' where "email" = ?`, boss); err != nil {
			t.Fatal(err)
		}
		bobID := p.userID(t, bob)
		users := func(d map[string]any) string {
			us, _ := d["users"].([]any)
			return fmt.Sprintf("users=%d total=%v limit=%v", len(us), d["total"], d["limit"])
		}
		user := func(d map[string]any) string {
			u, _ := d["user"].(map[string]any)
			if u == nil {
				u = d
			}
			return fmt.Sprintf("role=%v banned=%v reason=%v", u["role"], u["banned"], u["banReason"])
		}
		steps := append(jarSteps(rs[0].Jar),
			step("admin.listUsers", map[string]any{"query": map[string]any{"searchValue": dom, "searchField": "email",
				"searchOperator": "ends_with", "sortBy": "email", "sortDirection": "desc", "limit": 1, "offset": 1}}),
			step("admin.listUsers", map[string]any{"query": map[string]any{"searchValue": "x", "searchField": "nope"}}),
			step("admin.listUsers", map[string]any{"query": map[string]any{"filterValue": "x", "filterField": "nope"}}),
			step("admin.listUsers", map[string]any{"query": map[string]any{"searchValue": dom, "searchOperator": "ends_with",
				"filterValue": "true", "filterField": "banned", "filterOperator": "ne"}}),
			step("admin.getUser", map[string]any{"query": map[string]any{"id": bobID}}),
			step("admin.getUser", map[string]any{"query": map[string]any{"id": "missing"}}),
			step("admin.setRole", map[string]any{"userId": bobID, "role": []any{"user", "editor"}}),
			step("admin.createUser", map[string]any{"email": carol, "password": password, "name": "Carol", "role": "user"}),
			step("admin.createUser", map[string]any{"email": carol, "password": password, "name": "Carol"}),
			step("admin.createUser", map[string]any{"email": "not-an-email", "name": "X"}),
			step("admin.banUser", map[string]any{"userId": bobID, "banReason": "spam"}),
			step("admin.listUserSessions", map[string]any{"userId": bobID}),
			step("admin.hasPermission", map[string]any{"permissions": map[string]any{"user": []any{"ban"}}}),
			step("admin.hasPermission", map[string]any{"permissions": map[string]any{"user": []any{"impersonate-admins"}}}),
			step("admin.impersonateUser", map[string]any{"userId": bobID}),
		)
		n := len(jarSteps(rs[0].Jar))
		add(interop.RunClient(t, s.URL, "/api/auth", s.URL, steps...)[n:], func(d map[string]any) string {
			if _, ok := d["users"]; ok {
				return users(d)
			}
			return user(d)
		})
		// The banned user cannot sign in; after the unban, impersonation works and stops.
		add(interop.RunClient(t, s.URL, "/api/auth", s.URL,
			step("signIn.email", map[string]any{"email": bob, "password": password})), nil)
		steps = append(jarSteps(rs[0].Jar),
			step("admin.unbanUser", map[string]any{"userId": bobID}),
			step("admin.impersonateUser", map[string]any{"userId": bobID}),
			step("getSession", nil),
			step("listSessions", nil),
			step("admin.stopImpersonating", nil),
			step("getSession", nil),
			step("admin.stopImpersonating", nil),
			step("admin.setUserPassword", map[string]any{"userId": bobID, "newPassword": "short"}),
			step("admin.setUserPassword", map[string]any{"userId": bobID, "newPassword": password + "-new"}),
			step("admin.revokeUserSessions", map[string]any{"userId": bobID}),
			step("admin.removeUser", map[string]any{"userId": p.userID(t, carol)}),
			step("admin.removeUser", map[string]any{"userId": p.userID(t, boss)}),
		)
		sess := func(d map[string]any) string {
			u, _ := d["user"].(map[string]any)
			se, _ := d["session"].(map[string]any)
			if u == nil {
				return ""
			}
			return fmt.Sprintf("email=%v impersonatedBy=%v", strings.TrimSuffix(fmt.Sprint(u["email"]), dom), se["impersonatedBy"] != nil)
		}
		add(interop.RunClient(t, s.URL, "/api/auth", s.URL, steps...)[n:], sess)
		// A non-admin is refused.
		add(interop.RunClient(t, s.URL, "/api/auth", s.URL,
			step("signIn.email", map[string]any{"email": bob, "password": password + "-new"}),
			step("admin.banUser", map[string]any{"userId": p.userID(t, boss)}),
			step("admin.listUsers", map[string]any{"query": map[string]any{}}),
			step("admin.impersonateUser", map[string]any{"userId": p.userID(t, boss)}),
			step("admin.hasPermission", map[string]any{"permissions": map[string]any{"user": []any{"ban"}}}),
		), user)
		return out
	}
	node, goRes := run(p.node, "node"), run(p.goSrv, "go")
	if len(node) != len(goRes) {
		t.Fatalf("%d steps on Node, %d on Go", len(node), len(goRes))
	}
	for i := range node {
		if node[i] != goRes[i] {
			t.Errorf("step %d:\n  Node %+v\n  Go   %+v", i, node[i], goRes[i])
		} else {
			t.Logf("step %d: %+v", i, node[i])
		}
	}
}

// TestAdminAcrossServers: on one database (SQLite, PostgreSQL, MySQL), a ban made through Go's admin plugin
// is refused by Node's sign-in, and one made through Node's is refused by Go's; an impersonation started on
// Node is stopped on Go.
func TestAdminAcrossServers(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres", "mysql"} {
		t.Run(kind, func(t *testing.T) {
			p := newAdminPairOn(t, kind)
			step := func(op string, args any) interop.ClientStep { return interop.ClientStep{Op: op, Args: args} }
			boss := "boss@across.example.com"
			signUp := func(s *interop.Server, email string) map[string]string {
				rs := interop.RunClient(t, s.URL, "/api/auth", s.URL, step("signUp.email", map[string]any{"name": "U", "email": email, "password": password}))
				wantStep(t, rs[0], "")
				return rs[0].Jar
			}
			bossJar := signUp(p.node, boss)
			p.exec(t, `update "user" set "role" = 'admin' where "email" = ?`, boss)
			for _, tt := range []struct {
				name      string
				ban, sign *interop.Server
			}{
				{name: "ban on Go, sign in on Node", ban: p.goSrv, sign: p.node},
				{name: "ban on Node, sign in on Go", ban: p.node, sign: p.goSrv},
			} {
				t.Run(tt.name, func(t *testing.T) {
					email := strings.ToLower(strings.NewReplacer(" ", "-", ",", "").Replace(tt.name)) + "@across.example.com"
					signUp(tt.sign, email)
					id := p.userID(t, email)
					rs := interop.RunClient(t, tt.ban.URL, "/api/auth", tt.ban.URL, append(jarSteps(bossJar),
						step("admin.banUser", map[string]any{"userId": id, "banReason": "across"}))...)
					wantStep(t, rs[len(rs)-1], "")
					var n int
					if err := p.db.QueryRowContext(t.Context(), dialectSQL(p.dialect, `select count(*) from "session" where "userId" = ?`), id).Scan(&n); err != nil || n != 0 {
						t.Fatalf("sessions left after the ban: %d (%v)", n, err)
					}
					rs = interop.RunClient(t, tt.sign.URL, "/api/auth", tt.sign.URL, step("signIn.email", map[string]any{"email": email, "password": password}))
					if rs[0].Status != 403 || rs[0].Error == nil || rs[0].Error.Code != "BANNED_USER" {
						t.Fatalf("sign-in of the banned user: %d %+v", rs[0].Status, rs[0].Error)
					}
				})
			}
			t.Run("impersonate on Node, stop on Go", func(t *testing.T) {
				email := "imp@across.example.com"
				signUp(p.node, email)
				rs := interop.RunClient(t, p.node.URL, "/api/auth", p.node.URL, append(jarSteps(bossJar),
					step("admin.impersonateUser", map[string]any{"userId": p.userID(t, email)}))...)
				wantStep(t, rs[len(rs)-1], "")
				jar := rs[len(rs)-1].Jar
				rs = interop.RunClient(t, p.goSrv.URL, "/api/auth", p.goSrv.URL, append(jarSteps(jar),
					step("admin.stopImpersonating", nil), step("getSession", nil))...)
				last := wantStep(t, rs[len(rs)-1], "")
				if u, _ := last["user"].(map[string]any); u["email"] != boss {
					t.Fatalf("after stopping on Go the session is %v's, want the admin's", u["email"])
				}
			})
		})
	}
}
