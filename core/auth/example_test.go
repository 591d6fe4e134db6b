package auth_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/auth/authtest"
)

// Verify a JWT-plugin token and read the user and a custom claim from it.
func ExampleAuth_VerifyToken() {
	betterAuth, err := authtest.NewIssuer("EdDSA") // stands in for a Better Auth server with the JWT plugin
	if err != nil {
		log.Fatal(err)
	}
	defer betterAuth.Close()
	token := betterAuth.MustMint(authtest.Claims{
		ID: "u_123", Email: "ada@example.com", Name: "Ada",
		Extra: map[string]any{"role": "admin", "permissions": []string{"billing:read"}},
	})

	a, err := auth.New(auth.Config{BaseURL: betterAuth.URL()})
	if err != nil {
		log.Fatal(err)
	}
	s, err := a.Authenticate(context.Background(), auth.Request{Authorization: []string{"Bearer " + token}})
	if err != nil {
		log.Fatal(err)
	}
	perms, _ := auth.Claim[[]string](s, "permissions")
	fmt.Println(s.User.ID, s.User.Email, s.User.Role, perms, s.Claims.Algorithm)
	// Output: u_123 ada@example.com admin [billing:read] EdDSA
}

// Errors are sentinels; HTTPStatus maps them to the status every adapter uses.
func ExampleHTTPStatus() {
	a, err := auth.New(auth.Config{BaseURL: "https://app.example.com"})
	if err != nil {
		log.Fatal(err)
	}
	_, err = a.VerifyToken(context.Background(), "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")
	fmt.Println(errors.Is(err, auth.ErrInvalidToken), auth.HTTPStatus(err))
	r := auth.NewErrorResponse(err)
	fmt.Println(r.WWWAuthenticate, string(r.Body()))
	// Output:
	// true 401
	// Bearer error="invalid_token" {"code":"INVALID_TOKEN","message":"Invalid token"}
}

// New validates the whole Config and reports every problem as ErrInvalidConfig.
func ExampleNew_invalidConfig() {
	_, err := auth.New(auth.Config{BaseURL: "https://app.example.com", Secret: "too-short"})
	fmt.Println(errors.Is(err, auth.ErrInvalidConfig))
	fmt.Println(err)
	// Output:
	// true
	// auth: invalid config: Secret is 9 bytes; at least 32 are required
}
