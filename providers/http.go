package providers

import (
	"fmt"
	"io"
	"net/http"
	"time"
)

// DefaultTimeout bounds each HTTP call to a provider (discovery, token, key set, user API) when the
// configured HTTPClient has no Timeout of its own.
const DefaultTimeout = 10 * time.Second

// MaxResponseBytes is the largest response body read from a provider; a longer one is an error.
const MaxResponseBytes = 1 << 20

// boundedClient returns a copy of c (nil means a new client) that every provider call goes through: its
// Timeout defaults to [DefaultTimeout], redirects are not followed (a 3xx is an error, as Better Auth
// refuses redirects on its token requests), bodies are limited to [MaxResponseBytes], 5xx and 429 answers
// become transport errors (the provider is unavailable), and requests without an Accept header ask for
// JSON.
func boundedClient(c *http.Client) *http.Client {
	var out http.Client
	if c != nil {
		out = *c
	}
	if out.Timeout <= 0 {
		out.Timeout = DefaultTimeout
	}
	base := out.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	out.Transport = &boundedTransport{base: base, max: MaxResponseBytes}
	out.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &out
}

type boundedTransport struct {
	base http.RoundTripper
	max  int64
}

// statusError is a provider's 5xx or 429 answer, reported as a transport failure.
type statusError struct {
	status string
	host   string
}

func (e *statusError) Error() string { return fmt.Sprintf("%s answered %s", e.host, e.status) }

func (t *boundedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Header.Get("Accept") == "" {
		req = req.Clone(req.Context())
		req.Header.Set("Accept", "application/json")
	}
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
		resp.Body.Close()
		return nil, &statusError{status: resp.Status, host: req.URL.Host}
	}
	resp.Body = &limitedBody{rc: resp.Body, n: t.max, max: t.max}
	return resp, nil
}

// errTooLarge is returned by a body read past [MaxResponseBytes].
type errTooLarge int64

func (e errTooLarge) Error() string {
	return fmt.Sprintf("providers: response body larger than %d bytes", int64(e))
}

type limitedBody struct {
	rc     io.ReadCloser
	n, max int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.n <= 0 {
		var one [1]byte
		n, err := b.rc.Read(one[:])
		if n > 0 {
			return 0, errTooLarge(b.max)
		}
		return 0, err
	}
	if int64(len(p)) > b.n {
		p = p[:b.n]
	}
	n, err := b.rc.Read(p)
	b.n -= int64(n)
	return n, err
}

func (b *limitedBody) Close() error { return b.rc.Close() }
