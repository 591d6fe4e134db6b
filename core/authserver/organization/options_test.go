package organization_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/authserver/organization"
	"github.com/gobetterauth/gobetterauth/core/store"
)

// mailbox is a Mailer that keeps what it is given.
type mailbox struct {
	mu   sync.Mutex
	sent []authserver.Email
	got  chan struct{}
}

func (m *mailbox) SendEmail(_ context.Context, e authserver.Email) error {
	m.mu.Lock()
	m.sent = append(m.sent, e)
	m.mu.Unlock()
	m.got <- struct{}{}
	return nil
}

// TestOptions: each option changes what Better Auth's option changes.
func TestOptions(t *testing.T) {
	t.Run("organization limit and creation policy", func(t *testing.T) {
		s := newServer(t, organization.Config{OrganizationLimit: 1,
			AllowUserToCreateOrganization: func(_ context.Context, u store.User) (bool, error) {
				return !strings.HasPrefix(u.Email, "guest"), nil
			}})
		a, _ := s.signUp("ann@x.test")
		g, _ := s.signUp("guest@x.test")
		s.post("/organization/create", g, map[string]any{"name": "G", "slug": "g"}).want(t, "guest", 403, "YOU_ARE_NOT_ALLOWED_TO_CREATE_A_NEW_ORGANIZATION")
		s.post("/organization/create", a, map[string]any{"name": "A", "slug": "a"}).must(t, "first")
		s.post("/organization/create", a, map[string]any{"name": "B", "slug": "b"}).want(t, "second", 403, "YOU_HAVE_REACHED_THE_MAXIMUM_NUMBER_OF_ORGANIZATIONS")
	})
	t.Run("membership and invitation limits", func(t *testing.T) {
		s := newServer(t, organization.Config{MembershipLimit: 2, InvitationLimit: 2})
		a, _ := s.signUp("ann@x.test")
		b, _ := s.signUp("bob@x.test")
		c, _ := s.signUp("cid@x.test")
		s.post("/organization/create", a, map[string]any{"name": "A", "slug": "a"}).must(t, "create")
		ib := s.post("/organization/invite-member", a, map[string]any{"email": "bob@x.test", "role": "member"}).must(t, "invite bob")
		ic := s.post("/organization/invite-member", a, map[string]any{"email": "cid@x.test", "role": "member"}).must(t, "invite cid")
		s.post("/organization/invite-member", a, map[string]any{"email": "dan@x.test", "role": "member"}).want(t, "third pending", 403, "INVITATION_LIMIT_REACHED")
		s.post("/organization/accept-invitation", b, map[string]any{"invitationId": ib.str("id")}).must(t, "bob accepts")
		s.post("/organization/accept-invitation", c, map[string]any{"invitationId": ic.str("id")}).want(t, "third member", 403, "ORGANIZATION_MEMBERSHIP_LIMIT_REACHED")
		var status string
		if err := s.db.QueryRow(`select "status" from "invitation" where "id" = ?`, ic.str("id")).Scan(&status); err != nil || status != "pending" {
			t.Errorf("refused acceptance left status %q (%v)", status, err)
		}
	})
	t.Run("expiry, re-invitation, resend", func(t *testing.T) {
		s := newServer(t, organization.Config{InvitationExpiresIn: time.Hour, CancelPendingInvitationsOnReInvite: true})
		a, _ := s.signUp("ann@x.test")
		b, _ := s.signUp("bob@x.test")
		s.post("/organization/create", a, map[string]any{"name": "A", "slug": "a"}).must(t, "create")
		first := s.post("/organization/invite-member", a, map[string]any{"email": "bob@x.test", "role": "member"}).must(t, "invite")
		if first.str("expiresAt") != "2026-03-01T13:00:00.000Z" {
			t.Errorf("expiresAt %s, want one hour", first.str("expiresAt"))
		}
		second := s.post("/organization/invite-member", a, map[string]any{"email": "bob@x.test", "role": "admin"}).must(t, "re-invite")
		s.post("/organization/accept-invitation", b, map[string]any{"invitationId": first.str("id")}).want(t, "canceled one", 400, "INVITATION_NOT_FOUND")
		s.advance(30 * time.Minute)
		resent := s.post("/organization/invite-member", a, map[string]any{"email": "bob@x.test", "role": "admin", "resend": true}).must(t, "resend")
		if resent.str("id") != second.str("id") || resent.str("expiresAt") != "2026-03-01T13:30:00.000Z" {
			t.Errorf("resend: %s", resent.raw)
		}
		s.advance(61 * time.Minute)
		s.post("/organization/accept-invitation", b, map[string]any{"invitationId": second.str("id")}).want(t, "expired", 400, "INVITATION_NOT_FOUND")
		s.get("/organization/get-invitation?id="+second.str("id"), b).want(t, "expired get", 400, "INVITATION_NOT_FOUND")
	})
	t.Run("already invited without the option", func(t *testing.T) {
		s := newServer(t, organization.Config{})
		a, _ := s.signUp("ann@x.test")
		s.post("/organization/create", a, map[string]any{"name": "A", "slug": "a"}).must(t, "create")
		s.post("/organization/invite-member", a, map[string]any{"email": "bob@x.test", "role": "member"}).must(t, "invite")
		s.post("/organization/invite-member", a, map[string]any{"email": "BOB@x.test", "role": "member"}).want(t, "again", 400, "USER_IS_ALREADY_INVITED_TO_THIS_ORGANIZATION")
	})
	t.Run("email verification on invitation", func(t *testing.T) {
		s := newServer(t, organization.Config{RequireEmailVerificationOnInvitation: true})
		a, _ := s.signUp("ann@x.test")
		b, bid := s.signUp("bob@x.test")
		s.post("/organization/create", a, map[string]any{"name": "A", "slug": "a"}).must(t, "create")
		inv := s.post("/organization/invite-member", a, map[string]any{"email": "bob@x.test", "role": "member"}).must(t, "invite")
		s.post("/organization/accept-invitation", b, map[string]any{"invitationId": inv.str("id")}).want(t, "unverified accept", 403, "EMAIL_VERIFICATION_REQUIRED_BEFORE_ACCEPTING_OR_REJECTING_INVITATION")
		s.post("/organization/reject-invitation", b, map[string]any{"invitationId": inv.str("id")}).want(t, "unverified reject", 403, "EMAIL_VERIFICATION_REQUIRED_BEFORE_ACCEPTING_OR_REJECTING_INVITATION")
		s.get("/organization/get-invitation?id="+inv.str("id"), b).want(t, "unverified get", 403, "EMAIL_VERIFICATION_REQUIRED_FOR_INVITATION")
		if _, err := s.db.Exec(`update "user" set "emailVerified" = 1 where "id" = ?`, bid); err != nil {
			t.Fatal(err)
		}
		r := s.get("/organization/list-user-invitations", b).must(t, "verified list")
		if len(r.list) != 1 || r.list[0].(map[string]any)["organizationName"] != "A" {
			t.Errorf("list-user-invitations: %s", r.raw)
		}
		s.post("/organization/accept-invitation", b, map[string]any{"invitationId": inv.str("id")}).must(t, "verified accept")
	})
	t.Run("invitation email through the Mailer", func(t *testing.T) {
		mb := &mailbox{got: make(chan struct{}, 4)}
		s := newServer(t, organization.Config{SendInvitationEmail: true}, func(c *authserver.Config) { c.Mailer = mb })
		a, _ := s.signUp("ann@x.test")
		s.post("/organization/create", a, map[string]any{"name": "Acme", "slug": "acme"}).must(t, "create")
		inv := s.post("/organization/invite-member", a, map[string]any{"email": "Bob@X.test", "role": "admin"}).must(t, "invite")
		select {
		case <-mb.got:
		case <-time.After(10 * time.Second):
			t.Fatal("no email")
		}
		mb.mu.Lock()
		e := mb.sent[0]
		mb.mu.Unlock()
		if e.Kind != authserver.EmailOrganizationInvitation || e.To != "bob@x.test" || e.Token != inv.str("id") || e.Invitation == nil ||
			e.Invitation.OrganizationName != "Acme" || e.Invitation.OrganizationSlug != "acme" || e.Invitation.Role != "admin" ||
			e.Invitation.Inviter.Email != "ann@x.test" {
			t.Errorf("email: %+v %+v", e, e.Invitation)
		}
	})
	t.Run("deletion disabled", func(t *testing.T) {
		s := newServer(t, organization.Config{DisableOrganizationDeletion: true})
		a, _ := s.signUp("ann@x.test")
		org := s.post("/organization/create", a, map[string]any{"name": "A", "slug": "a"}).must(t, "create")
		s.post("/organization/delete", a, map[string]any{"organizationId": org.str("id")}).want(t, "delete", 404, "ORGANIZATION_DELETION_DISABLED")
	})
	t.Run("custom roles and creator role", func(t *testing.T) {
		roles := map[string]map[string][]string{
			"founder": {"organization": {"update", "delete"}, "member": {"create", "update", "delete"}, "invitation": {"create", "cancel"}},
			"viewer":  {"project": {"read"}},
		}
		s := newServer(t, organization.Config{Roles: roles, CreatorRole: "founder"})
		a, _ := s.signUp("ann@x.test")
		b, _ := s.signUp("bob@x.test")
		org := s.post("/organization/create", a, map[string]any{"name": "A", "slug": "a"}).must(t, "create")
		if m := org.obj["members"].([]any)[0].(map[string]any); m["role"] != "founder" {
			t.Errorf("creator role %v", m["role"])
		}
		inv := s.post("/organization/invite-member", a, map[string]any{"email": "bob@x.test", "role": "viewer"}).must(t, "invite viewer")
		s.post("/organization/accept-invitation", b, map[string]any{"invitationId": inv.str("id")}).must(t, "accept")
		r := s.post("/organization/has-permission", b, map[string]any{"permissions": map[string]any{"project": []any{"read"}}}).must(t, "viewer")
		if r.obj["success"] != true {
			t.Errorf("viewer project:read: %s", r.raw)
		}
		s.post("/organization/leave", a, map[string]any{"organizationId": org.str("id")}).want(t, "founder leaves", 400, "YOU_CANNOT_LEAVE_THE_ORGANIZATION_AS_THE_ONLY_OWNER")
		s.post("/organization/leave", b, map[string]any{"organizationId": org.str("id")}).must(t, "viewer leaves")
		if got := s.activeOrg(b); got != "" {
			t.Errorf("after leaving, active organization %q", got)
		}
	})
}

// TestHooks: the organization hooks run in Better Auth's order with what they may change, and a Before
// hook's error refuses the request with it.
func TestHooks(t *testing.T) {
	var mu sync.Mutex
	var calls []string
	log := func(s string) { mu.Lock(); calls = append(calls, s); mu.Unlock() }
	refuse := &authserver.APIError{Status: 403, Code: "NO_BANNED_WORDS", Message: "no"}
	h := organization.Hooks{
		BeforeCreateOrganization: func(_ context.Context, o *organization.Organization, u store.User) error {
			log("beforeCreate " + o.Slug)
			if o.Name == "banned" {
				return refuse
			}
			o.Name = strings.ToUpper(o.Name)
			return nil
		},
		AfterCreateOrganization: func(_ context.Context, o organization.Organization, m organization.Member, _ store.User) error {
			log("afterCreate " + o.Name + " " + m.Role)
			return nil
		},
		BeforeAddMember: func(_ context.Context, m *organization.Member, _ store.User, _ organization.Organization) error {
			log("beforeAddMember " + m.Role)
			return nil
		},
		AfterAddMember: func(_ context.Context, m organization.Member, _ store.User, _ organization.Organization) error {
			log("afterAddMember " + m.Role)
			return nil
		},
		BeforeCreateInvitation: func(_ context.Context, inv *organization.Invitation, _ store.User, _ organization.Organization) error {
			log("beforeInvite " + inv.Email)
			inv.Role = "admin"
			return nil
		},
		BeforeAcceptInvitation: func(_ context.Context, inv organization.Invitation, u store.User, _ organization.Organization) error {
			log("beforeAccept " + u.Email)
			return nil
		},
		AfterAcceptInvitation: func(_ context.Context, inv organization.Invitation, m organization.Member, _ store.User, _ organization.Organization) error {
			log("afterAccept " + inv.Status + " " + m.Role)
			return nil
		},
		BeforeUpdateMemberRole: func(_ context.Context, m organization.Member, role *string, _ store.User, _ organization.Organization) error {
			log("beforeRole " + m.Role + "->" + *role)
			*role = "member"
			return nil
		},
		AfterUpdateMemberRole: func(_ context.Context, m organization.Member, prev string, _ store.User, _ organization.Organization) error {
			log("afterRole " + prev + "->" + m.Role)
			return nil
		},
		BeforeRemoveMember: func(_ context.Context, m organization.Member, u store.User, _ organization.Organization) error {
			log("beforeRemove " + u.Email)
			return nil
		},
		BeforeDeleteOrganization: func(context.Context, organization.Organization, store.User) error {
			return errors.New("kept")
		},
	}
	s := newServer(t, organization.Config{Hooks: h})
	a, _ := s.signUp("ann@x.test")
	b, _ := s.signUp("bob@x.test")
	s.post("/organization/create", a, map[string]any{"name": "banned", "slug": "b"}).want(t, "refused by a hook", 403, "NO_BANNED_WORDS")
	org := s.post("/organization/create", a, map[string]any{"name": "acme", "slug": "acme"}).must(t, "create")
	if org.str("name") != "ACME" {
		t.Errorf("the hook's name: %s", org.raw)
	}
	inv := s.post("/organization/invite-member", a, map[string]any{"email": "bob@x.test", "role": "member"}).must(t, "invite")
	if inv.str("role") != "admin" {
		t.Errorf("the hook's role: %s", inv.raw)
	}
	acc := s.post("/organization/accept-invitation", b, map[string]any{"invitationId": inv.str("id")}).must(t, "accept")
	mid := acc.obj["member"].(map[string]any)["id"]
	r := s.post("/organization/update-member-role", a, map[string]any{"memberId": mid, "role": "admin"}).must(t, "role")
	if r.str("role") != "member" {
		t.Errorf("the hook's role: %s", r.raw)
	}
	s.post("/organization/remove-member", a, map[string]any{"memberIdOrEmail": "bob@x.test"}).must(t, "remove")
	if r := s.post("/organization/delete", a, map[string]any{"organizationId": org.str("id")}); r.code != 500 {
		t.Errorf("a hook's plain error: %d %s", r.code, r.raw)
	}
	want := []string{"beforeCreate b", "beforeCreate acme", "beforeAddMember owner", "afterAddMember owner", "afterCreate ACME owner",
		"beforeInvite bob@x.test", "beforeAccept bob@x.test", "afterAccept accepted admin", "beforeRole admin->admin",
		"afterRole admin->member", "beforeRemove bob@x.test"}
	if strings.Join(calls, "\n") != strings.Join(want, "\n") {
		t.Errorf("hooks ran:\n%s\nwant:\n%s", strings.Join(calls, "\n"), strings.Join(want, "\n"))
	}
}

// TestServerCalls: AddMember, CreateOrganization and HasPermission, the plugin's server-only calls.
func TestServerCalls(t *testing.T) {
	s := newServer(t, organization.Config{MembershipLimit: 2})
	_, aid := s.signUp("ann@x.test")
	_, bid := s.signUp("bob@x.test")
	_, cid := s.signUp("cid@x.test")
	ctx := t.Context()
	org, err := s.org.CreateOrganization(ctx, aid, organization.Organization{Name: "Acme", Slug: "acme", Metadata: map[string]any{"tier": "gold"}})
	if err != nil || org.ID == "" || org.Metadata["tier"] != "gold" {
		t.Fatalf("CreateOrganization: %+v %v", org, err)
	}
	m, err := s.org.AddMember(ctx, org.ID, bid, " admin , member", "")
	if err != nil || m.Role != "admin,member" || m.UserID != bid {
		t.Fatalf("AddMember: %+v %v", m, err)
	}
	var ae *authserver.APIError
	if _, err := s.org.AddMember(ctx, org.ID, bid, "member", ""); !errors.As(err, &ae) || ae.Code != "USER_IS_ALREADY_A_MEMBER_OF_THIS_ORGANIZATION" {
		t.Errorf("twice: %v", err)
	}
	if _, err := s.org.AddMember(ctx, org.ID, cid, "member", ""); !errors.As(err, &ae) || ae.Code != "ORGANIZATION_MEMBERSHIP_LIMIT_REACHED" {
		t.Errorf("over the limit: %v", err)
	}
	if _, err := s.org.AddMember(ctx, org.ID, "nobody", "member", ""); !errors.As(err, &ae) || ae.Code != "USER_NOT_FOUND" {
		t.Errorf("no user: %v", err)
	}
	for _, tt := range []struct {
		user string
		perm map[string][]string
		want bool
	}{
		{aid, map[string][]string{"organization": {"delete"}}, true},
		{bid, map[string][]string{"organization": {"delete"}}, false},
		{bid, map[string][]string{"member": {"create", "delete"}}, true},
		{cid, map[string][]string{"member": {"create"}}, false},
	} {
		if ok, err := s.org.HasPermission(ctx, org.ID, tt.user, tt.perm); err != nil || ok != tt.want {
			t.Errorf("HasPermission(%s, %v) = %v, %v", tt.user, tt.perm, ok, err)
		}
	}
}
