package interop_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/internal/interop"
)

// orgRoles are the roles of interop/auth.mjs's organization plugin (ORG_STATEMENTS and orgRoles there), as
// Go configures them.
func orgRoles() map[string]map[string][]string {
	def := map[string][]string{"organization": {"update", "delete"}, "member": {"create", "update", "delete"},
		"invitation": {"create", "cancel"}, "team": {"create", "update", "delete"}, "ac": {"create", "read", "update", "delete"}}
	owner := map[string][]string{"project": {"create", "read", "delete"}}
	for k, v := range def {
		owner[k] = v
	}
	return map[string]map[string][]string{
		"owner": owner,
		"admin": {"organization": {"update"}, "invitation": {"create", "cancel"}, "member": {"create", "update", "delete"},
			"team": {"create", "update", "delete"}, "ac": {"create", "read", "update", "delete"}, "project": {"create", "read"}},
		"member":  {"organization": {}, "member": {}, "invitation": {}, "team": {}, "ac": {"read"}, "project": {"read"}},
		"auditor": {"project": {"read"}, "ac": {"read"}, "member": {"update"}},
	}
}

func decodeJSON(t *testing.T, raw []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
}

// TestOrganizationPermissionsAgainstBetterAuth: members with default, custom, dynamic (organizationRole)
// and multiple roles ask Better Auth's /organization/has-permission a table of permission requests; the Go
// verifier, reading the same member and organizationRole tables for the same session, answers each the
// same. Then an impersonation session from /admin/impersonate-user is flagged in Go and refused by a
// RefuseImpersonated guard, and a banned user's API key, which Better Auth still accepts, is refused.
func TestOrganizationPermissionsAgainstBetterAuth(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
			defer cancel()
			p := newPluginPair(t, ctx, kind)
			v, err := auth.New(auth.Config{BaseURL: p.node.BaseURL, Secret: auth.Secret(interop.DefaultSecret), DisableJWKS: true,
				Store: p.store, APIKeys: &auth.APIKeyConfig{Store: p.store},
				Organizations: &auth.OrganizationConfig{Store: p.store, Roles: orgRoles(), DynamicAccessControl: true, CacheTTL: -1}})
			if err != nil {
				t.Fatal(err)
			}
			ownerID, ownerCookie := p.user(t, ctx, "owner-"+kind+"@example.com")
			created, err := p.node.Post(ctx, "/organization/create", ownerCookie, map[string]any{"name": "Acme", "slug": "acme-" + kind})
			if err != nil {
				t.Fatal(err)
			}
			var org struct{ ID string }
			decodeJSON(t, created.Body, &org)
			headers := map[string]string{"cookie": ownerCookie}
			// Dynamic roles, stored in organizationRole by Better Auth's own endpoint.
			for role, perm := range map[string]map[string][]string{
				"viewer":  {"project": {"read", "delete"}},
				"inviter": {"invitation": {"create"}, "project": {"read"}},
			} {
				status, out, err := p.node.API(ctx, "createOrgRole", map[string]any{"organizationId": org.ID, "role": role, "permission": perm}, headers)
				if err != nil || status != 200 {
					t.Fatalf("createOrgRole %s: %d %s %v", role, status, out, err)
				}
			}
			members := []string{"owner", "admin", "member", "auditor", "viewer", "admin,member", "auditor,member", "member,viewer", "inviter,auditor"}
			cookies := map[string]string{"owner": ownerCookie}
			for i, role := range members[1:] {
				email := "m" + string(rune('a'+i)) + "-" + kind + "@example.com"
				id, cookie := p.user(t, ctx, email)
				status, out, err := p.node.API(ctx, "addMember", map[string]any{"userId": id, "role": strings.Split(role, ","), "organizationId": org.ID}, nil)
				if err != nil || status != 200 {
					t.Fatalf("addMember %s: %d %s %v", role, status, out, err)
				}
				cookies[role] = cookie
			}
			requests := []map[string][]string{
				{"project": {"create"}}, {"project": {"read"}}, {"project": {"delete"}}, {"project": {"read", "delete"}},
				{"project": {"create", "read", "delete"}}, {"organization": {"update"}}, {"organization": {"delete"}},
				{"member": {"create"}}, {"member": {"update"}}, {"ac": {"read"}}, {"ac": {"delete"}}, {"invitation": {"create"}},
				{"team": {"create"}}, {"project": {"read"}, "ac": {"read"}}, {"project": {"read"}, "member": {"update"}},
				{"project": {"read"}, "invitation": {"create"}}, {"unknown": {"x"}}, {"project": {}},
			}
			agree, granted := 0, 0
			for _, role := range members {
				cookie := cookies[role]
				if _, err := p.node.Post(ctx, "/organization/set-active", cookie, map[string]any{"organizationId": org.ID}); err != nil {
					t.Fatal(err)
				}
				s, err := v.Authenticate(ctx, auth.Request{Cookie: []string{cookie}})
				if err != nil {
					t.Fatalf("%s: %v", role, err)
				}
				if id, ok := s.ActiveOrganizationID(); !ok || id != org.ID {
					t.Fatalf("%s: active organization %q %v", role, id, ok)
				}
				m, err := v.Member(ctx, s)
				if err != nil || m.Role != role {
					t.Fatalf("%s: member %+v %v", role, m, err)
				}
				for _, req := range requests {
					lg, err := p.node.Post(ctx, "/organization/has-permission", cookie, map[string]any{"permissions": req, "organizationId": org.ID})
					if err != nil {
						t.Fatal(err)
					}
					var ans struct{ Success bool }
					decodeJSON(t, lg.Body, &ans)
					got, err := v.HasPermission(ctx, s, req)
					if err != nil {
						t.Fatal(err)
					}
					if got != ans.Success {
						t.Errorf("role %q, %v: Better Auth %v, Go %v", role, req, ans.Success, got)
						continue
					}
					agree++
					if got {
						granted++
					}
				}
			}
			t.Logf("%d (role set, permission request) pairs: Go equals Better Auth on %d (%d granted)", len(members)*len(requests), agree, granted)

			// Impersonation through the admin plugin: an admin (role set in the database, as the first admin
			// is) impersonates the member.
			adminID, adminCookie := p.user(t, ctx, "root-"+kind+"@example.com")
			if err := p.exec(ctx, `update "user" set "role" = 'admin' where "id" = ?`, adminID); err != nil {
				t.Fatal(err)
			}
			memberSession, err := v.Authenticate(ctx, auth.Request{Cookie: []string{cookies["member"]}})
			if err != nil {
				t.Fatal(err)
			}
			imp, err := p.node.Post(ctx, "/admin/impersonate-user", adminCookie, map[string]any{"userId": memberSession.User.ID})
			if err != nil {
				t.Fatal(err)
			}
			s, err := v.Authenticate(ctx, auth.Request{Cookie: []string{imp.Cookie}})
			if err != nil {
				t.Fatal(err)
			}
			if by, ok := s.ImpersonatedBy(); !ok || by != adminID || s.User.ID != memberSession.User.ID {
				t.Fatalf("impersonated session: by %q %v, user %q", by, ok, s.User.ID)
			}
			if by, ok := memberSession.ImpersonatedBy(); ok {
				t.Fatalf("the member's own session is flagged as impersonated by %q", by)
			}
			g, err := auth.NewGuard(v, auth.Policy{RefuseImpersonated: true})
			if err != nil {
				t.Fatal(err)
			}
			for name, c := range map[string]struct {
				cookie string
				want   int
			}{"impersonated": {imp.Cookie, 403}, "own": {cookies["member"], 200}} {
				rr := auth.RouteRequest{Request: auth.Request{Method: http.MethodGet, Path: "/api/admin", Cookie: []string{c.cookie}}}
				if d := g.Check(ctx, &rr); d.Status != c.want && !(c.want == 200 && d.Action == auth.Allow) {
					t.Fatalf("%s session on a RefuseImpersonated route: %v %d", name, d.Action, d.Status)
				}
			}
			if !v.AdminHasPermission(&auth.Session{User: auth.User{ID: adminID, Role: "admin"}}, map[string][]string{"user": {"impersonate"}}) {
				t.Fatal("admin may not impersonate")
			}

			// A banned user's key: Better Auth still accepts it, Go refuses it (403 BANNED_USER).
			key, _ := p.createKey(t, ctx, map[string]any{"userId": ownerID, "rateLimitEnabled": false})
			if _, err := p.node.Post(ctx, "/admin/ban-user", adminCookie, map[string]any{"userId": ownerID}); err != nil {
				t.Fatal(err)
			}
			if n := p.nodeVerify(t, ctx, key, nil); n != "valid" {
				t.Fatalf("Better Auth on a banned user's key: %q", n)
			}
			_, err = v.Authenticate(ctx, auth.Request{Header: map[string][]string{"X-Api-Key": {key}}})
			if !errors.Is(err, auth.ErrBanned) || auth.NewErrorResponse(err).Code != "BANNED_USER" {
				t.Fatalf("Go on a banned user's key: %v", err)
			}
			if _, err := p.node.Post(ctx, "/admin/unban-user", adminCookie, map[string]any{"userId": ownerID}); err != nil {
				t.Fatal(err)
			}
			if s, err := v.Authenticate(ctx, auth.Request{Header: map[string][]string{"X-Api-Key": {key}}}); err != nil || s.User.ID != ownerID {
				t.Fatalf("Go on the key after unban: %v", err)
			}
		})
	}
}
