package auth_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http/httptest"
	"os"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/auth/authtest"
)

// Authenticate a net/http request: its Authorization header carries a JWT-plugin token. A request without
// credentials is ErrNoCredentials, an anonymous caller rather than a failure.
func ExampleAuth_Authenticate() {
	betterAuth, err := authtest.NewIssuer("ES256") // stands in for a Better Auth server with the JWT plugin
	if err != nil {
		log.Fatal(err)
	}
	defer betterAuth.Close()
	a, err := auth.New(auth.Config{BaseURL: betterAuth.URL()})
	if err != nil {
		log.Fatal(err)
	}

	r := httptest.NewRequest("GET", "/api/me", nil)
	r.Header.Set("Authorization", "Bearer "+betterAuth.MustMint(authtest.Claims{ID: "u_1", Email: "ada@example.com"}))
	s, err := a.Authenticate(r.Context(), auth.NewRouteRequest(r).Request)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.User.ID, s.User.Email, s.Credential)

	anon := httptest.NewRequest("GET", "/api/me", nil)
	_, err = a.Authenticate(anon.Context(), auth.NewRouteRequest(anon).Request)
	fmt.Println(errors.Is(err, auth.ErrNoCredentials), auth.HTTPStatus(err))
	// Output:
	// u_1 ada@example.com jwt
	// true 401
}

// An adapter puts the session in the request's context; a handler reads it back with FromContext and
// reads any claim, typed, with Claim.
func ExampleFromContext() {
	betterAuth, err := authtest.NewIssuer("EdDSA")
	if err != nil {
		log.Fatal(err)
	}
	defer betterAuth.Close()
	a, err := auth.New(auth.Config{BaseURL: betterAuth.URL()})
	if err != nil {
		log.Fatal(err)
	}
	token := betterAuth.MustMint(authtest.Claims{ID: "u_2", Extra: map[string]any{"plan": "pro", "seats": 5}})
	s, err := a.Authenticate(context.Background(), auth.Request{Authorization: []string{"Bearer " + token}})
	if err != nil {
		log.Fatal(err)
	}
	ctx := auth.NewContext(context.Background(), s) // what the adapters' Middleware does

	// In a handler:
	if s, ok := auth.FromContext(ctx); ok {
		plan, _ := auth.Claim[string](s, "plan")
		seats, _ := auth.Claim[int](s, "seats")
		_, hasTeam := auth.Claim[string](s, "team")
		fmt.Println(s.User.ID, plan, seats, hasTeam)
	}
	_, ok := auth.FromContext(context.Background())
	fmt.Println(ok)
	// Output:
	// u_2 pro 5 false
	// false
}

// ConfigFromEnv reads the BETTER_AUTH_* variables (see the Env constants); unset ones keep their defaults.
func ExampleConfigFromEnv() {
	env := map[string]string{
		auth.EnvBaseURL:     "https://app.example.com",
		auth.EnvSecret:      "a-long-random-secret-0123456789abcdef",
		auth.EnvAudiences:   "https://api.example.com,https://app.example.com",
		auth.EnvTokenCache:  "1000",
		auth.EnvDatabaseURL: "", // a store comes from storeurl.FromEnv, never from package auth
		auth.EnvRedisURL:    "",
	}
	for k, v := range env {
		old, had := os.LookupEnv(k)
		os.Setenv(k, v)
		defer func() {
			if had {
				os.Setenv(k, old)
			} else {
				os.Unsetenv(k)
			}
		}()
	}

	cfg, err := auth.ConfigFromEnv()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(cfg.BaseURL, cfg.Audiences, cfg.TokenCacheSize)
	fmt.Println(cfg.Secret) // a Secret prints redacted
	// Output:
	// https://app.example.com [https://api.example.com https://app.example.com] 1000
	// [REDACTED]
}
