package authfiber

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/gobetterauth/gobetterauth/core/authserver"
)

// Mount registers the server s on r for every method at s.BasePath()+"/*" ("/api/auth/*" by default), so
// that it answers Better Auth's endpoints there: sign-up, sign-in, sign-out, get-session and the rest.
//
// Each request is handed to s as a net/http request that owns all its memory: method, URL, host, every
// header line (repeated ones such as X-Forwarded-For included) and the body are copied out of fasthttp's
// buffers, which fasthttp reuses once the handler returns. The connection's address becomes RemoteAddr, from
// which s derives the client IP (through [authserver.Config] TrustedProxies only; fiber's c.IP and
// ProxyHeader are not used). The request's context is c.UserContext(). The answer, every Set-Cookie header
// included, is copied back into fiber's response. fiber's middleware/adaptor is not used: it hands the
// handler strings that alias fasthttp's buffers, keeps only the last of repeated header lines and makes the
// reused fasthttp.RequestCtx the request's context.
//
// Mount on the app (or a group at "/"): the base path is matched against the full URL path, so a group at
// "/v1" would route "/v1/api/auth/…" to s, which answers 404. Mount panics if s is nil: a programming error
// found at set-up.
func Mount(r fiber.Router, s *authserver.Server) {
	if s == nil {
		panic("authfiber: Mount with a nil *authserver.Server")
	}
	r.All(s.BasePath()+"/*", handler(s))
}

// handler serves c with h, through a net/http request that shares no memory with fasthttp.
func handler(h http.Handler) fiber.Handler {
	return func(c *fiber.Ctx) error {
		r, err := netRequest(c)
		if err != nil {
			return fiber.ErrBadRequest
		}
		w := &responseWriter{c: c, header: http.Header{}}
		h.ServeHTTP(w, r)
		if !w.wroteHeader {
			w.WriteHeader(http.StatusOK)
		}
		return nil
	}
}

// netRequest returns c's request as a net/http server request. Every string and byte is a copy.
func netRequest(c *fiber.Ctx) (*http.Request, error) {
	fc := c.Context()
	req := c.Request()
	uri := string(req.Header.RequestURI())
	u, err := url.ParseRequestURI(uri)
	if err != nil {
		return nil, err
	}
	header := http.Header{}
	req.Header.VisitAll(func(k, v []byte) {
		key := http.CanonicalHeaderKey(string(k))
		if key == "Host" || key == "Transfer-Encoding" { // net/http keeps these out of Header
			return
		}
		header[key] = append(header[key], string(v))
	})
	body := bytes.Clone(req.Body())
	r := &http.Request{
		Method:        strings.Clone(c.Method()),
		URL:           u,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        header,
		Body:          http.NoBody,
		ContentLength: int64(len(body)),
		Host:          string(req.Header.Host()),
		RemoteAddr:    fc.RemoteAddr().String(),
		RequestURI:    uri,
		TLS:           fc.TLSConnectionState(),
	}
	if len(body) > 0 {
		r.Body = readCloser{bytes.NewReader(body)}
	}
	if p := string(req.Header.Protocol()); p != "" {
		r.Proto = p
		if major, minor, ok := http.ParseHTTPVersion(p); ok {
			r.ProtoMajor, r.ProtoMinor = major, minor
		}
	}
	return r.WithContext(c.UserContext()), nil
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

// responseWriter writes a net/http answer into fiber's response. Headers are copied into fasthttp's at the
// first WriteHeader or Write, as net/http sends them then; later changes are ignored, as net/http does.
type responseWriter struct {
	c           *fiber.Ctx
	header      http.Header
	wroteHeader bool
}

func (w *responseWriter) Header() http.Header { return w.header }

func (w *responseWriter) WriteHeader(status int) {
	if w.wroteHeader {
		return
	}
	w.wroteHeader = true
	res := w.c.Response()
	for k, vv := range w.header {
		if k == "Content-Length" || k == "Transfer-Encoding" || k == "Connection" {
			continue // fasthttp frames the body itself
		}
		if k == "Content-Type" && len(vv) > 0 {
			res.Header.SetContentType(vv[0])
			continue
		}
		for _, v := range vv {
			res.Header.Add(k, v) // Add keeps every Set-Cookie; fasthttp copies the bytes
		}
	}
	w.c.Status(status)
}

func (w *responseWriter) Write(p []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	w.c.Response().AppendBody(p)
	return len(p), nil
}
