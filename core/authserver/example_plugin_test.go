package authserver_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
)

// greeting is a small plugin: GET /greeting answers the signed-in user's name, a table "greeting" is
// created by Migrate, and an after hook stamps every answer of /sign-up/email.
var greeting = authserver.Plugin{
	ID: "greeting",
	Endpoints: []authserver.Endpoint{{Method: http.MethodGet, Path: "/greeting",
		Handler: func(c *authserver.Context) (any, error) {
			s, err := c.Session() // 401 UNAUTHORIZED without one
			if err != nil {
				return nil, err
			}
			return map[string]string{"hello": s.User.Name}, nil
		}}},
	Schema: []sqlstore.Table{{Name: "greeting", Fields: []sqlstore.Field{
		{Name: "text", Type: sqlstore.FieldString, Required: true},
		{Name: "userId", Type: sqlstore.FieldString, Required: true, References: "user", Index: true},
	}}},
	After: []authserver.Hook{{Match: authserver.PathIs("/sign-up/email"), Run: func(c *authserver.Context) error {
		c.Header().Set("X-Greeting", "welcome")
		return nil
	}}},
}

func ExamplePlugin() {
	ctx := context.Background()
	db, _ := sql.Open("sqlite", "file:plugin-example?mode=memory&cache=shared")
	defer db.Close()
	if err := authserver.Migrate(ctx, db, "sqlite", greeting); err != nil { // core tables + "greeting"
		panic(err)
	}
	st, _ := sqlstore.New(db, sqlstore.SQLite, nil)
	srv, err := authserver.New(authserver.Config{
		Auth:     auth.Config{BaseURL: "http://localhost:3000", Secret: "example-secret-0123456789abcdefghijklmn", DisableJWKS: true},
		Database: st,
		DevMode:  true,
		Plugins:  []authserver.Plugin{greeting},
	})
	if err != nil {
		panic(err)
	}
	call := func(method, path, body, cookie string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, "http://localhost:3000/api/auth"+path, strings.NewReader(body))
		r.Header.Set("Origin", "http://localhost:3000")
		if body != "" {
			r.Header.Set("Content-Type", "application/json")
		}
		if cookie != "" {
			r.Header.Set("Cookie", cookie)
		}
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, r)
		return w
	}
	up := call("POST", "/sign-up/email", `{"name":"Ada","email":"ada@example.com","password":"correct-horse-battery"}`, "")
	fmt.Println(up.Code, up.Header().Get("X-Greeting"))
	c := up.Result().Cookies()[0]
	fmt.Println(call("GET", "/greeting", "", c.Name+"="+c.Value).Body)
	fmt.Println(call("GET", "/greeting", "", "").Body)
	var n int
	db.QueryRow(`select count(*) from greeting`).Scan(&n)
	fmt.Println("greeting rows:", n)
	// Output:
	// 200 welcome
	// {"hello":"Ada"}
	// {"code":"UNAUTHORIZED","message":"Unauthorized"}
	// greeting rows: 0
}
