package organization_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/authserver/organization"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
)

func Example() {
	ctx := context.Background()
	db, _ := sql.Open("sqlite", "file:organization-example?mode=memory&cache=shared")
	defer db.Close()
	// Better Auth's default roles plus an "auditor" that may read projects.
	roles := auth.DefaultOrganizationRoles()
	roles["auditor"] = map[string][]string{"project": {"read"}}
	org := organization.New(organization.Config{Roles: roles})
	if err := authserver.Migrate(ctx, db, "sqlite", org.Plugin()); err != nil {
		panic(err)
	}
	st, _ := sqlstore.New(db, sqlstore.SQLite, nil)
	srv, err := authserver.New(authserver.Config{
		Auth:     auth.Config{BaseURL: "http://localhost:3000", Secret: "example-secret-0123456789abcdefghijklmn", DisableJWKS: true},
		Database: st,
		DevMode:  true,
		Plugins:  []authserver.Plugin{org.Plugin()},
	})
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	call := func(method, path, body, cookie string) (int, string, string) {
		r := httptest.NewRequest(method, "http://localhost:3000/api/auth"+path, strings.NewReader(body))
		r.Header.Set("Origin", "http://localhost:3000")
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Cookie", cookie)
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, r)
		for _, c := range w.Result().Cookies() {
			if strings.HasSuffix(c.Name, "session_token") {
				cookie = c.Name + "=" + c.Value
			}
		}
		return w.Code, w.Body.String(), cookie
	}
	_, _, ann := call(http.MethodPost, "/sign-up/email", `{"name":"Ann","email":"ann@example.com","password":"correct horse battery"}`, "")
	code, _, _ := call(http.MethodPost, "/organization/create", `{"name":"Acme","slug":"acme"}`, ann)
	fmt.Println("create:", code)
	_, body, _ := call(http.MethodPost, "/organization/check-slug", `{"slug":"acme"}`, ann)
	fmt.Println("check-slug:", body)
	_, body, _ = call(http.MethodPost, "/organization/has-permission", `{"permissions":{"organization":["delete"]}}`, ann)
	fmt.Println("owner may delete:", body)

	// Bob is invited as an auditor and accepts.
	_, body, _ = call(http.MethodPost, "/organization/invite-member", `{"email":"bob@example.com","role":"auditor"}`, ann)
	var id string
	fmt.Sscanf(body[strings.Index(body, `"id":"`)+6:], "%32s", &id)
	_, _, bob := call(http.MethodPost, "/sign-up/email", `{"name":"Bob","email":"bob@example.com","password":"correct horse battery"}`, "")
	code, _, _ = call(http.MethodPost, "/organization/accept-invitation", `{"invitationId":"`+id+`"}`, bob)
	fmt.Println("accept:", code)
	_, body, _ = call(http.MethodGet, "/organization/get-active-member-role", "", bob)
	fmt.Println("bob:", body)
	_, body, _ = call(http.MethodPost, "/organization/has-permission", `{"permissions":{"project":["read"]}}`, bob)
	fmt.Println("auditor may read projects:", body)
	_, body, _ = call(http.MethodPost, "/organization/update", `{"data":{"name":"Bob's"}}`, bob)
	fmt.Println("auditor renames:", body)
	// Output:
	// create: 200
	// check-slug: {"code":"ORGANIZATION_SLUG_ALREADY_TAKEN","message":"Organization slug already taken"}
	// owner may delete: {"error":null,"success":true}
	// accept: 200
	// bob: {"role":"auditor"}
	// auditor may read projects: {"error":null,"success":true}
	// auditor renames: {"code":"YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_ORGANIZATION","message":"You are not allowed to update this organization"}
}
