package authfiber

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// TestNetRequestOwnsItsMemory converts a request, then makes fasthttp reuse its buffers for another request
// of the same shape, as it does once a handler returns: nothing in the converted request may change. It also
// checks that repeated header lines (X-Forwarded-For) are all kept and that RemoteAddr is the connection's.
func TestNetRequestOwnsItsMemory(t *testing.T) {
	first := "POST /api/auth/sign-in/email?a=1 HTTP/1.1\r\nHost: app.example.com\r\n" +
		"X-Forwarded-For: 198.51.100.1\r\nX-Forwarded-For: 203.0.113.9\r\nCookie: better-auth.session_token=AAAA.BBBB\r\n" +
		"Origin: http://app.example.com\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n{\"email\":\"x\"}"
	second := strings.NewReplacer("sign-in", "sign-ux", "a=1", "b=2", "app.", "zzz.", "198", "199", "203", "204",
		"AAAA", "CCCC", "POST", "PUSH", `"x"`, `"y"`).Replace(first)

	var fctx fasthttp.RequestCtx
	fctx.Init(&fasthttp.Request{}, &net.TCPAddr{IP: net.IPv4(192, 0, 2, 7), Port: 4321}, nil)
	if err := fctx.Request.Read(bufio.NewReader(strings.NewReader(first))); err != nil {
		t.Fatal(err)
	}
	app := fiber.New()
	c := app.AcquireCtx(&fctx)
	defer app.ReleaseCtx(c)

	r, err := netRequest(c)
	if err != nil {
		t.Fatal(err)
	}
	// Reuse the buffers.
	fctx.Request.Reset()
	if err := fctx.Request.Read(bufio.NewReader(strings.NewReader(second))); err != nil {
		t.Fatal(err)
	}
	_ = fctx.Request.Header.Peek("X-Forwarded-For")
	_ = fctx.Request.Header.Cookie("better-auth.session_token")

	body, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		got, want any
	}{
		{"method", r.Method, "POST"},
		{"path", r.URL.Path, "/api/auth/sign-in/email"},
		{"query", r.URL.RawQuery, "a=1"},
		{"request URI", r.RequestURI, "/api/auth/sign-in/email?a=1"},
		{"host", r.Host, "app.example.com"},
		{"remote address", r.RemoteAddr, "192.0.2.7:4321"},
		{"X-Forwarded-For lines", r.Header.Values("X-Forwarded-For"), []string{"198.51.100.1", "203.0.113.9"}},
		{"cookie", r.Header.Values("Cookie"), []string{"better-auth.session_token=AAAA.BBBB"}},
		{"origin", r.Header.Get("Origin"), "http://app.example.com"},
		{"no Host header", r.Header.Values("Host"), []string(nil)},
		{"content length", r.ContentLength, int64(13)},
		{"body", string(body), `{"email":"x"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !reflect.DeepEqual(tt.got, tt.want) {
				t.Errorf("got %#v, want %#v", tt.got, tt.want)
			}
		})
	}
}

// TestHandlerAnswer checks that the net/http answer reaches fiber's response whole: status, every Set-Cookie
// line (two of the same name included, as Better Auth sends when it clears and sets a cookie), repeated
// headers and the body; headers changed after WriteHeader are dropped, as net/http drops them.
func TestHandlerAnswer(t *testing.T) {
	app := fiber.New()
	app.All("/*", handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Set-Cookie", "a=1; Path=/; HttpOnly")
		w.Header().Add("Set-Cookie", "b=2; Path=/; Max-Age=0")
		w.Header().Add("Set-Cookie", "b=3; Path=/; HttpOnly; SameSite=Lax")
		w.Header().Add("Vary", "Origin")
		w.Header().Add("Vary", "Cookie")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		w.Header().Set("X-Late", "ignored")
		_, _ = io.WriteString(w, `{"ok":`)
		_, _ = io.WriteString(w, `true}`)
	})))
	res, err := app.Test(httptest.NewRequest("POST", "/x", nil))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	tests := []struct {
		name      string
		got, want any
	}{
		{"status", res.StatusCode, http.StatusCreated},
		{"Set-Cookie", res.Header.Values("Set-Cookie"),
			[]string{"a=1; Path=/; HttpOnly", "b=2; Path=/; Max-Age=0", "b=3; Path=/; HttpOnly; SameSite=Lax"}},
		{"Vary", res.Header.Values("Vary"), []string{"Origin", "Cookie"}},
		{"Content-Type", res.Header.Get("Content-Type"), "application/json"},
		{"late header", res.Header.Values("X-Late"), []string(nil)},
		{"body", string(body), `{"ok":true}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !reflect.DeepEqual(tt.got, tt.want) {
				t.Errorf("got %#v, want %#v", tt.got, tt.want)
			}
		})
	}
}
