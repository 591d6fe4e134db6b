package jwtissue_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/gobetterauth/gobetterauth/core/internal/jwtissue"
)

// Rotated secrets encrypt with the current version and still open what older versions, or the legacy
// secret, wrote.
func ExampleEncrypt() {
	old := jwtissue.Secrets{Current: "the-secret-before-rotation-0123456789abcdef"}
	rotated := jwtissue.Secrets{
		Versions: []jwtissue.Versioned{{Version: 2, Value: "the-current-secret-0123456789abcdefghijkl"}},
		Legacy:   old.Current,
	}
	bare, _ := jwtissue.Encrypt(old, `{"kty":"OKP"}`)
	env, _ := jwtissue.Encrypt(rotated, `{"kty":"OKP"}`)
	fmt.Println(strings.HasPrefix(env, "$ba$2$"))
	for _, c := range []string{bare, env} {
		pt, err := jwtissue.Decrypt(rotated, c)
		fmt.Println(pt, err)
	}
	// Output:
	// true
	// {"kty":"OKP"} <nil>
	// {"kty":"OKP"} <nil>
}

// Claims builds the JWT plugin's payload from the session's user.
func ExampleClaims() {
	user := []byte(`{"name":"Ada","email":"ada@example.com","emailVerified":true,"image":null,"id":"u1"}`)
	payload, _ := jwtissue.Claims(jwtissue.Session{User: user},
		jwtissue.ClaimsOptions{BaseURL: "https://app.example.com/api/auth"}, time.Unix(1795872551, 0))
	fmt.Println(string(payload))
	// Output:
	// {"iat":1795872551,"name":"Ada","email":"ada@example.com","emailVerified":true,"image":null,"id":"u1","sub":"u1","exp":1795873451,"iss":"https://app.example.com","aud":"https://app.example.com"}
}
