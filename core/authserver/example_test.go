package authserver_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http/httptest"
	"strings"

	_ "modernc.org/sqlite" // driver "sqlite"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
)

// A server on an in-memory SQLite database: sign up, then read the session with the cookie sign-up set,
// from the server's /get-session and from its verifier.
func Example() {
	ctx := context.Background()
	db, _ := sql.Open("sqlite", "file:example?mode=memory&cache=shared")
	defer db.Close()
	if err := authserver.Migrate(ctx, db, "sqlite"); err != nil {
		panic(err)
	}
	st, _ := sqlstore.New(db, sqlstore.SQLite, nil)
	srv, err := authserver.New(authserver.Config{
		Auth:     auth.Config{BaseURL: "http://localhost:3000", Secret: "example-secret-0123456789abcdefghijklmn", DisableJWKS: true},
		Database: st,
		DevMode:  true, // no rate limits; MUST NOT be set in production
	})
	if err != nil {
		panic(err)
	}
	defer srv.Close()

	r := httptest.NewRequest("POST", "http://localhost:3000/api/auth/sign-up/email",
		strings.NewReader(`{"name":"Ada","email":"ada@example.com","password":"correct-horse-battery"}`))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Origin", "http://localhost:3000")
	up := httptest.NewRecorder()
	srv.ServeHTTP(up, r)
	fmt.Println("sign-up:", up.Code)
	cookie := up.Result().Cookies()[0]

	r = httptest.NewRequest("GET", "http://localhost:3000/api/auth/get-session", nil)
	r.AddCookie(cookie)
	get := httptest.NewRecorder()
	srv.ServeHTTP(get, r)
	fmt.Println("get-session:", get.Code, strings.Contains(get.Body.String(), `"email":"ada@example.com"`))

	s, err := srv.Verifier().Authenticate(ctx, auth.Request{Cookie: []string{cookie.Name + "=" + cookie.Value}})
	fmt.Println("verifier:", s.User.Email, err)
	// Output:
	// sign-up: 200
	// get-session: 200 true
	// verifier: ada@example.com <nil>
}
