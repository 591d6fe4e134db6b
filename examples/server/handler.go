package main

import (
	"bytes"
	"embed"
	"encoding/json"
	"html/template"
	"io/fs"
	"net/http"
	"strings"

	"github.com/gobetterauth/gobetterauth/adapters/authhttp"
	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/authserver"
)

// web holds the HTML app: plain pages and one script that calls Better Auth's endpoints with fetch.
//
//go:embed web
var web embed.FS

// pages maps the app's page routes to their files in web/. Each is rendered inside web/layout.html.
var pages = map[string]string{
	"GET /{$}":       "web/index.html",
	"GET /sign-up":   "web/sign-up.html",
	"GET /sign-in":   "web/sign-in.html",
	"GET /dashboard": "web/dashboard.html",
	"GET /api-keys":  "web/api-keys.html",
	// The active organization's members and invitations, and the page an invitation's link opens.
	"GET /organization":      "web/organization.html",
	"GET /accept-invitation": "web/accept-invitation.html",
	"GET /error":             "web/error.html", // ?error=CODE, where an errorCallbackURL may send the browser
}

// pageData is what the page templates see.
type pageData struct {
	// AuthBase is where Better Auth's endpoints are (the server's base path, /api/auth by default): the
	// script reads it from the body's data-auth-base attribute, so a BETTER_AUTH_URL with a path or a
	// BETTER_AUTH_BASE_PATH needs no change to the pages.
	AuthBase string
	// Social are the sign-in page's "Sign in with …" buttons.
	Social []socialButton
	// PasswordMin and PasswordMax are the password rules the sign-up page shows: the server's
	// (authserver's defaults, as Better Auth's).
	PasswordMin, PasswordMax int
	// MagicLink offers "Email me a sign-in link" on the sign-in page: the server has a mailer (in this
	// example, development mode's, which writes the link to the log) and the magic-link plugin.
	MagicLink bool
}

// newHandler wires the server's routes: Better Auth's endpoints, the pages (the sign-in page with a button
// for each of social), and the protected API.
func newHandler(srv *authserver.Server, social []socialButton, metrics http.Handler) http.Handler {
	mux := http.NewServeMux()
	authhttp.Mount(mux, srv) // GET and POST <base path>/…, /api/auth/… by default
	a := srv.Verifier()

	// The dashboard, the API keys page and the admin page are page routes: a visitor who is not signed in is
	// sent to /sign-in?callbackUrl=/dashboard (or the page asked for).
	signedIn := authhttp.Middleware(a, authhttp.WithPolicy(auth.Policy{Pages: []string{"/dashboard", "/api-keys", "/admin",
		"/organization", "/accept-invitation"}, LoginURL: "/sign-in"}))
	data := pageData{AuthBase: srv.BasePath(), Social: social,
		PasswordMin: authserver.DefaultMinPasswordLength, PasswordMax: authserver.DefaultMaxPasswordLength,
		MagicLink: srv.HasMailer()}
	for pattern, file := range pages {
		h := page(file, http.StatusOK, data)
		if pattern != "GET /{$}" && pattern != "GET /sign-up" && pattern != "GET /sign-in" && pattern != "GET /error" {
			h = signedIn(h)
		}
		mux.Handle(pattern, h)
	}
	// The admin page is for users the admin plugin lets list users (the admin role, or ADMIN_USER_IDS);
	// others get a 403 page. The page is only a view: /api/auth/admin/* checks every call again.
	adminPage, forbidden := page("web/admin.html", http.StatusOK, data), page("web/403.html", http.StatusForbidden, data)
	mux.Handle("GET /admin", signedIn(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, _ := authhttp.Session(r)
		if !a.AdminHasPermission(s, map[string][]string{"user": {"list"}}) {
			forbidden.ServeHTTP(w, r)
			return
		}
		adminPage.ServeHTTP(w, r)
	})))
	// Anything else: the styled 404 page, or a JSON 404 under /api/ (Better Auth's own paths are Mount's).
	notFoundPage := page("web/404.html", http.StatusNotFound, data)
	mux.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/") {
			writeJSON(w, http.StatusNotFound, map[string]string{"code": "NOT_FOUND", "message": "Not Found"})
			return
		}
		notFoundPage.ServeHTTP(w, r)
	}))
	static, err := fs.Sub(web, "web/static")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	mux.Handle("GET /static/", secured(http.StripPrefix("/static/", http.FileServerFS(static))))

	// The API, as in examples/nethttp: the session cookies sign-in set are accepted by authhttp.Middleware.
	if metrics != nil {
		mux.Handle("GET /metrics", metrics)
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
	mux.HandleFunc("GET /api/public", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"message": "hello, anyone"})
	})
	mux.Handle("GET /api/me", authhttp.Middleware(a)(http.HandlerFunc(me)))
	mux.Handle("POST /api/qr", authhttp.Middleware(a)(http.HandlerFunc(totpQR))) // the dashboard's two-factor setup
	admins := authhttp.Middleware(a, authhttp.WithPolicy(auth.Policy{Roles: []string{"admin"}}))
	mux.Handle("GET /api/admin", admins(http.HandlerFunc(adminHello)))
	return mux
}

func me(w http.ResponseWriter, r *http.Request) {
	s, _ := authhttp.Session(r)
	writeJSON(w, http.StatusOK, s) // {"session":{…},"user":{…}}, as Better Auth's /get-session
}

func adminHello(w http.ResponseWriter, r *http.Request) {
	s, _ := authhttp.Session(r)
	writeJSON(w, http.StatusOK, map[string]string{"message": "hello, admin " + s.User.Name})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// page serves one embedded HTML file inside web/layout.html, an html/template rendered once with data, with
// the given status.
func page(file string, status int, data pageData) http.Handler {
	t, err := template.ParseFS(web, "web/layout.html", "web/passkey.html", file)
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		panic(err) // the templates only range over data's fields
	}
	b := buf.Bytes()
	return secured(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(status)
		_, _ = w.Write(b)
	}))
}

// secured adds the headers every page and script gets: scripts only from this origin (none inline), no
// framing, no MIME sniffing, no referrer sent elsewhere.
func secured(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "same-origin")
		h.ServeHTTP(w, r)
	})
}
