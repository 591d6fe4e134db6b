package authtest_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/auth/authtest"
)

// A fake Better Auth server for a test: it publishes a JWKS and mints JWT-plugin tokens that package auth
// verifies. Rotate adds a new signing key, as a Better Auth server rotating its keys does. (An adapter's
// conformance test, authtest.Run, needs a *testing.T: see the package doc and any adapter's
// conformance_test.go.)
func ExampleNewIssuer() {
	is, err := authtest.NewIssuer("EdDSA")
	if err != nil {
		log.Fatal(err)
	}
	defer is.Close()
	a, err := auth.New(auth.Config{BaseURL: is.URL()})
	if err != nil {
		log.Fatal(err)
	}
	verify := func(tok string) {
		s, err := a.VerifyToken(context.Background(), tok)
		if err != nil {
			fmt.Println("refused:", err)
			return
		}
		fmt.Println("verified:", s.Subject, s.Algorithm)
	}

	verify(is.MustMint(authtest.Claims{ID: "u_1"}))
	verify(is.MustMint(authtest.Claims{ID: "u_1", IssuedAt: time.Now().Add(-time.Hour)}))
	if _, err := is.Rotate("ES256"); err != nil {
		log.Fatal(err)
	}
	verify(is.MustMint(authtest.Claims{ID: "u_3"}))
	// Output:
	// verified: u_1 EdDSA
	// refused: auth: token expired: exp passed
	// verified: u_3 ES256
}
