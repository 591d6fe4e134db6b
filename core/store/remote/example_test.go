package remote_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/gobetterauth/gobetterauth/core/store"
	"github.com/gobetterauth/gobetterauth/core/store/remote"
)

// A Better Auth server answering get-session as 1.7.25 does.
func betterAuthServer() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/api/auth/get-session" && r.Header.Get("Authorization") == "Bearer 8ICvaykCwrycDxO05n5NASxXdUymOf3H" {
			w.Write([]byte(`{"session":{"expiresAt":"2026-12-05T13:29:57.664Z","token":"8ICvaykCwrycDxO05n5NASxXdUymOf3H","createdAt":"2026-11-28T13:29:57.664Z","updatedAt":"2026-11-28T13:29:57.664Z","ipAddress":"","userAgent":"curl/7.88.1","userId":"od7P8P2oWVDWy8q5ekJum3zYiSRrvBW6","id":"EQB0x3qMMLsSC4aFjAAviedpmrTe0YlQ"},"user":{"name":"Probe","email":"nocache@example.com","emailVerified":false,"image":null,"createdAt":"2026-11-28T13:29:57.534Z","updatedAt":"2026-11-28T13:29:57.534Z","id":"od7P8P2oWVDWy8q5ekJum3zYiSRrvBW6"}}`))
			return
		}
		w.Write([]byte("null"))
	}))
}

func ExampleNew() {
	srv := betterAuthServer() // https://app.example.com in production
	defer srv.Close()

	sessions, err := remote.New(srv.URL, nil)
	if err != nil {
		panic(err)
	}
	defer sessions.Close()

	res, err := sessions.Lookup(context.Background(), "8ICvaykCwrycDxO05n5NASxXdUymOf3H")
	if err != nil {
		panic(err)
	}
	fmt.Println(res.User.Email, res.Session.ExpiresAt)

	_, err = sessions.LookupCredentials(context.Background(), "theme=dark; better-auth.session_token=forged.sig", "")
	fmt.Println(errors.Is(err, store.ErrNotFound))
	// Output:
	// nocache@example.com 2026-12-05 13:29:57.664 +0000 UTC
	// true
}

func ExampleFilterCookies() {
	fmt.Println(remote.FilterCookies("theme=dark; better-auth.session_token=abc.sig%3D; _ga=1; better-auth.session_data=xyz"))
	// Output: better-auth.session_token=abc.sig%3D; better-auth.session_data=xyz
}
