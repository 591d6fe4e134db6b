package organization_test

import (
	"testing"

	"github.com/gobetterauth/gobetterauth/core/authserver/organization"
)

func TestSmokePrint(t *testing.T) {
	s := newServer(t, organization.Config{})
	a, _ := s.signUp("a@x.com")
	b, _ := s.signUp("b@x.com")
	p := func(r reply) reply { t.Logf("%d %s", r.code, r.raw); return r }
	org := p(s.post("/organization/create", a, map[string]any{"name": "Acme", "slug": "acme", "metadata": map[string]any{"k": 1}}))
	p(s.post("/organization/create", a, map[string]any{"name": "Acme", "slug": "acme"}))
	p(s.post("/organization/check-slug", a, map[string]any{"slug": "acme"}))
	p(s.post("/organization/check-slug", a, map[string]any{"slug": "acme2"}))
	p(s.post("/organization/create", a, map[string]any{"name": "Beta", "slug": "beta", "logo": "http://l", "keepCurrentActiveOrganization": true}))
	p(s.get("/organization/list", a))
	p(s.get("/organization/get-full-organization", a))
	inv := p(s.post("/organization/invite-member", a, map[string]any{"email": "B@x.com", "role": "member"}))
	p(s.get("/organization/list-invitations", a))
	p(s.get("/organization/list-user-invitations", b))
	p(s.get("/organization/get-invitation?id="+inv.str("id"), b))
	p(s.post("/organization/accept-invitation", b, map[string]any{"invitationId": inv.str("id")}))
	p(s.get("/organization/get-active-member", b))
	p(s.get("/organization/get-active-member-role", b))
	p(s.get("/organization/list-members", b))
	p(s.post("/organization/has-permission", b, map[string]any{"permissions": map[string]any{"member": []any{"create"}}}))
	p(s.post("/organization/update", b, map[string]any{"data": map[string]any{"name": "X"}}))
	p(s.post("/organization/update", a, map[string]any{"data": map[string]any{"name": "Acme2", "metadata": map[string]any{"a": "b"}}}))
	_ = org
	p(s.post("/organization/remove-member", a, map[string]any{"memberIdOrEmail": "b@x.com"}))
	p(s.post("/organization/leave", a, map[string]any{"organizationId": org.str("id")}))
	p(s.get("/get-session", a))
}
