package authhttp

import (
	"errors"
	"net/http"

	"github.com/gobetterauth/gobetterauth/core/auth"
)

// Require returns middleware that lets a request through only with valid credentials.
func Require(a *auth.Auth, opts ...Option) func(http.Handler) http.Handler {
	return middleware(a, true, opts)
}

// Optional returns middleware that lets requests without credentials through anonymously and refuses
// requests whose credentials are present but invalid (or cannot be checked).
func Optional(a *auth.Auth, opts ...Option) func(http.Handler) http.Handler {
	return middleware(a, false, opts)
}

// SessionFrom returns the session that Require or Optional stored in r's context.
func SessionFrom(r *http.Request) (*auth.Session, bool) { return auth.FromContext(r.Context()) }

// Request returns the core's view of r. It copies nothing: net/http does not reuse request memory.
func Request(r *http.Request) auth.Request {
	return auth.Request{
		Method:        r.Method,
		Path:          r.URL.Path,
		Authorization: r.Header["Authorization"],
		Cookie:        r.Header["Cookie"],
	}
}

func middleware(a *auth.Auth, required bool, opts []Option) func(http.Handler) http.Handler {
	if a == nil {
		panic("authhttp: nil *auth.Auth") // a programming error at set-up, never at request time
	}
	o := options{onError: WriteError}
	for _, opt := range opts {
		opt(&o)
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s, err := authenticate(a, r)
			switch {
			case err == nil:
				next.ServeHTTP(w, r.WithContext(auth.NewContext(r.Context(), s)))
			case !required && errors.Is(err, auth.ErrNoCredentials):
				next.ServeHTTP(w, r)
			default:
				o.onError(w, r, err)
			}
		})
	}
}

// errPanic is returned when verification panicked: the request is refused with a 500, never let through.
var errPanic = errors.New("authhttp: panic during authentication")

func authenticate(a *auth.Auth, r *http.Request) (s *auth.Session, err error) {
	defer func() {
		if recover() != nil {
			s, err = nil, errPanic
		}
	}()
	return a.Authenticate(r.Context(), Request(r))
}

// WriteError is the default error handler: the status from [auth.HTTPStatus], WWW-Authenticate or
// Retry-After as the error calls for, and Better Auth's JSON error body.
func WriteError(w http.ResponseWriter, _ *http.Request, err error) {
	auth.NewErrorResponse(err).Write(w)
}
