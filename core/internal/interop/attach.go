package interop

import (
	"net/http"
	"strings"
	"time"
)

// Attach returns a Server for a Better Auth-compatible server this package did not start (the Go server
// of core/auth, under httptest), so the same client helpers (SignUp, SignIn, Post, GetSession…) drive
// it. url is where it listens, basePath where its routes are ("/api/auth"); Close does nothing.
func Attach(url, basePath, secret string) *Server {
	url = strings.TrimSuffix(url, "/")
	done := make(chan struct{})
	close(done)
	s := &Server{URL: url, BaseURL: url, AuthBase: url + basePath, Secret: secret, done: done,
		stderr: &tail{max: 1}, client: &http.Client{Timeout: 10 * time.Second}}
	s.once.Do(func() {}) // nothing to stop
	return s
}
