package interop

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// ClientTimeout bounds one run of interop/client.mjs (all its steps) in [ExecClient] and [RunClient].
const ClientTimeout = 60 * time.Second

// ClientStep is one step of a client script: Op is a dotted path on Better Auth's client object
// ("signUp.email", "getSession", "token", "$fetch"), called with Args as its first argument and, when not
// nil, Options as its second (fetch options). The ops "jar.clear", "jar.set" (Args {"cookie": "name=value"},
// or a whole Set-Cookie value) and "jar.delete" (Args {"name": …}) edit the script's cookie jar instead.
type ClientStep struct {
	Op      string `json:"op"`
	Args    any    `json:"args,omitempty"`
	Options any    `json:"options,omitempty"`
}

// ClientScript is what interop/client.mjs runs (interop/README.md, "client.mjs").
type ClientScript struct {
	// BaseURL is the server's origin, "http://127.0.0.1:<port>".
	BaseURL string `json:"baseURL"`
	// BasePath is where the server's routes are, Better Auth's basePath option. Empty means "/api/auth";
	// "/" means the routes are right under BaseURL.
	BasePath string `json:"basePath,omitempty"`
	// Origin is the Origin header sent on every request. Empty means none.
	Origin string `json:"origin,omitempty"`
	// Redirect is fetch's redirect mode, "manual" or "follow". Empty means "manual": a redirect is the
	// step's answer (its status and Location header), not followed.
	Redirect string `json:"redirect,omitempty"`
	// Steps run in order, whatever the earlier ones answered.
	Steps []ClientStep `json:"steps"`
}

// ClientError is the error object Better Auth's client returned: the status, and the code and message of
// Better Auth's JSON error body (Code is empty when the body had none).
type ClientError struct {
	Status  int    `json:"status"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// ClientRequest is one HTTP request a step sent, and the status it got.
type ClientRequest struct {
	Method string `json:"method"`
	URL    string `json:"url"`
	Status int    `json:"status"`
}

// ClientResult is what one [ClientStep] did.
type ClientResult struct {
	// Op is the step's op.
	Op string `json:"op"`
	// Data is the client's data: the JSON body of a successful answer, or null.
	Data json.RawMessage `json:"data"`
	// Error is the client's error object, or nil.
	Error *ClientError `json:"error"`
	// Status is the HTTP status of the step's last response (0 when it sent no request: jar ops, or a
	// request that failed).
	Status int `json:"status"`
	// SetCookies are the raw Set-Cookie header values the step's responses carried, in order.
	SetCookies []string `json:"setCookies"`
	// Headers are the set-auth-token, set-auth-jwt and location headers of the last response, when present.
	Headers map[string]string `json:"headers"`
	// Jar is the cookie jar after the step, name to value.
	Jar map[string]string `json:"jar"`
	// Requests are the requests the step sent.
	Requests []ClientRequest `json:"requests"`
	// Exception is what the step threw (a network error, an op that is not a function), or "".
	Exception string `json:"exception"`
}

// DecodeData decodes r.Data into v.
func (r ClientResult) DecodeData(v any) error {
	if err := json.Unmarshal(r.Data, v); err != nil {
		return fmt.Errorf("interop: %s data %s: %w", r.Op, r.Data, err)
	}
	return nil
}

// ExecClient runs `node client.mjs` in the interop directory with script on stdin and returns one result
// per step. A step that fails is a result, not an error: the error is for a harness that could not run,
// crashed, or answered the wrong number of lines, and quotes the script's stderr. ctx and [ClientTimeout]
// bound the run.
func ExecClient(ctx context.Context, script ClientScript) ([]ClientResult, error) {
	if err := Available(); err != nil {
		return nil, fmt.Errorf("interop: %w", err)
	}
	dir, err := Dir()
	if err != nil {
		return nil, err
	}
	if script.Steps == nil {
		script.Steps = []ClientStep{}
	}
	in, err := json.Marshal(script)
	if err != nil {
		return nil, fmt.Errorf("interop: client script: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, ClientTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "client.mjs")
	cmd.Dir = dir
	cmd.Env = childEnv(nil)
	cmd.Stdin = bytes.NewReader(in)
	cmd.WaitDelay = 2 * time.Second
	var stdout bytes.Buffer
	stderr := &tail{max: 64 << 10}
	cmd.Stdout, cmd.Stderr = &stdout, stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (%w)", err, ctx.Err())
		}
		return nil, fmt.Errorf("interop: node client.mjs: %v; stderr:\n%s", err, stderr.String())
	}
	var results []ClientResult
	for line := range strings.Lines(stdout.String()) {
		var r ClientResult
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			return nil, fmt.Errorf("interop: node client.mjs wrote %q: %w; stderr:\n%s", line, err, stderr.String())
		}
		results = append(results, r)
	}
	if len(results) != len(script.Steps) {
		return nil, fmt.Errorf("interop: node client.mjs answered %d of %d steps; stderr:\n%s",
			len(results), len(script.Steps), stderr.String())
	}
	return results, nil
}

// RunClient runs steps with Better Auth's own client against the server at baseURL (its origin), whose
// routes are under basePath ("" means "/api/auth"), sending the Origin header origin ("" sends none). It
// calls [Require] first, and fails tb (quoting the script's stderr) when the harness itself fails.
func RunClient(tb testing.TB, baseURL, basePath, origin string, steps ...ClientStep) []ClientResult {
	tb.Helper()
	return RunClientScript(tb, ClientScript{BaseURL: baseURL, BasePath: basePath, Origin: origin, Steps: steps})
}

// RunClientScript is [RunClient] with every option of [ClientScript].
func RunClientScript(tb testing.TB, script ClientScript) []ClientResult {
	tb.Helper()
	Require(tb)
	rs, err := ExecClient(tb.Context(), script)
	if err != nil {
		tb.Fatal(err)
	}
	return rs
}
