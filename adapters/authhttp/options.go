package authhttp

import "net/http"

// Option configures Require and Optional.
type Option func(*options)

type options struct {
	onError func(http.ResponseWriter, *http.Request, error)
}

// WithErrorHandler replaces [WriteError] as the answer to refused requests. h must write a response; the
// next handler is not called either way. [auth.HTTPStatus] gives the status to use.
func WithErrorHandler(h func(w http.ResponseWriter, r *http.Request, err error)) Option {
	return func(o *options) {
		if h != nil {
			o.onError = h
		}
	}
}
