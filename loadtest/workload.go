package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Outcomes of one request, as the report counts them.
const (
	outOK         = "ok"            // the expected answer (a 401 to a forged credential included)
	outRateLimit  = "429"           // refused by a rate limit
	outUnavail    = "503"           // "could not check": allowed during an outage
	outServer     = "5xx"           // 500, 502 (the balancer's: a killed instance), 504
	outNetErr     = "net-error"     // no answer: timeout, connection reset
	outClient     = "4xx-other"     // an answer the workload did not expect (none in a healthy run)
	outAmbiguous  = "ambiguous"     // a refusal explained by an earlier write whose outcome is unknown
	outFalseAcc   = "FALSE-ACCEPT"  // a signed-out, revoked or forged credential accepted
	outWrongRefus = "WRONG-REFUSAL" // a valid credential refused with 401 (or a null session)
)

// sample is one request's record.
type sample struct {
	at      time.Duration // since the start of the load
	latency time.Duration
	op      string
	outcome string
	backend string // the balancer's backend header, or the direct target
	status  int
}

// user is one account of the workload. Its fields are used by one operation at a time (busy).
type user struct {
	busy     atomic.Bool
	email    string
	ip       string // its X-Forwarded-For: rate limits are per user
	password string // the last password a 200 confirmed
	pending  []string
	cookie   string // "name=value" of the session cookie, "" when signed out
	jwt      string
	jwtAt    time.Time
	unsure   bool // a write of unknown outcome may have changed what is valid: refusals are not counted
	changed  bool // its password was changed or reset (or may have been)
}

// revokedCookie is a session cookie that sign-out answered 200 for, and the backend that answered.
type revokedCookie struct{ cookie, by string }

// invariantViolation records one broken invariant for the report.
type invariantViolation struct {
	At     time.Duration `json:"at"`
	Kind   string        `json:"kind"`
	Op     string        `json:"op"`
	Detail string        `json:"detail"`
}

// workload drives the servers and records every request.
type workload struct {
	lb, api, node string // base URLs: the balancer, the verify-only API, the Node server (direct)
	origin        string
	client        *http.Client
	start         time.Time

	mu         sync.Mutex
	users      []*user
	revoked    []revokedCookie // session cookies signed out with a 200
	notes      []string        // the first unexpected answers, for the report
	jwtsBy     map[string]string
	samples    []sample
	violations []invariantViolation
	nextID     atomic.Int64
	phase      func(time.Duration) string
}

func newWorkload(lb, api, node string) *workload {
	tr := &http.Transport{MaxIdleConnsPerHost: 128, IdleConnTimeout: 30 * time.Second}
	return &workload{lb: lb, api: api, node: node, origin: lb, jwtsBy: map[string]string{},
		client: &http.Client{Transport: tr, Timeout: 10 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// answer is one HTTP exchange's result.
type answer struct {
	status  int
	body    []byte
	header  http.Header
	backend string
	err     error
	latency time.Duration
}

func (w *workload) do(ctx context.Context, method, url, ip, cookie, bearer string, body any) answer {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return answer{err: err}
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Origin", w.origin)
	if ip != "" {
		req.Header.Set("X-Forwarded-For", ip)
	}
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	t := time.Now()
	res, err := w.client.Do(req)
	a := answer{latency: time.Since(t), err: err}
	if err != nil {
		return a
	}
	a.body, _ = io.ReadAll(io.LimitReader(res.Body, 1<<20))
	res.Body.Close()
	a.status, a.header, a.backend = res.StatusCode, res.Header, res.Header.Get(backendHeader)
	return a
}

// record classifies an answer: ok when its status is one of want; refusal marks statuses that mean "not
// authenticated" (a false accept or a wrong refusal is decided by the caller).
func (w *workload) record(op string, a answer, outcome string, target string) {
	if outcome == outClient {
		w.note(op, a)
	}
	s := sample{at: time.Since(w.start) - a.latency, latency: a.latency, op: op, outcome: outcome, status: a.status,
		backend: a.backend}
	if s.backend == "" {
		s.backend = target
	}
	w.mu.Lock()
	w.samples = append(w.samples, s)
	w.mu.Unlock()
}

func (w *workload) violation(kind, op string, a answer, detail string) {
	if len(detail) > 300 {
		detail = detail[:300] + "…"
	}
	w.mu.Lock()
	w.violations = append(w.violations, invariantViolation{At: time.Since(w.start), Kind: kind, Op: op,
		Detail: fmt.Sprintf("%s (status %d from %s)", detail, a.status, a.backend)})
	w.mu.Unlock()
}

// generic classifies what is not a success: rate limits, outages, errors.
func generic(a answer) string {
	switch {
	case a.err != nil:
		return outNetErr
	case a.status == 429:
		return outRateLimit
	case a.status == 503:
		return outUnavail
	case a.status >= 500:
		return outServer
	default:
		return outClient
	}
}

// note keeps the first unexpected answers for the report.
func (w *workload) note(op string, a answer) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.notes) < 20 {
		body := strings.TrimSpace(string(a.body))
		if len(body) > 160 {
			body = body[:160] + "…"
		}
		w.notes = append(w.notes, fmt.Sprintf("%.1fs %s: %d from %s: %s", time.Since(w.start).Seconds(), op, a.status, a.backend, body))
	}
}

func sessionCookie(h http.Header) string {
	for _, c := range (&http.Response{Header: h}).Cookies() {
		if strings.HasSuffix(c.Name, "session_token") && c.Value != "" {
			return c.Name + "=" + c.Value
		}
	}
	return ""
}

// checkout returns a random user no operation holds, or nil.
func (w *workload) checkout(pred func(*user) bool) *user {
	w.mu.Lock()
	n := len(w.users)
	w.mu.Unlock()
	for range 8 {
		if n == 0 {
			return nil
		}
		w.mu.Lock()
		u := w.users[rand.IntN(n)]
		w.mu.Unlock()
		if u.busy.CompareAndSwap(false, true) {
			if pred(u) {
				return u
			}
			u.busy.Store(false)
		}
	}
	return nil
}

func newPassword() string { return "pw-" + randomHex(10) }

// op is one kind of operation with its weight in the mix.
type op struct {
	name   string
	weight int
	run    func(w *workload, ctx context.Context)
}

var ops = []op{
	{"sign-up", 8, (*workload).signUp},
	{"sign-in", 6, (*workload).signIn},
	{"get-session", 22, (*workload).getSession},
	{"api-cookie", 18, (*workload).apiCookie},
	{"api-jwt", 18, (*workload).apiJWT},
	{"sign-out", 4, (*workload).signOut},
	{"change-password", 3, (*workload).changePassword},
	{"password-reset", 2, (*workload).passwordReset},
	{"probe-signed-out", 7, (*workload).probeSignedOut},
	{"probe-forged", 5, (*workload).probeForged},
	{"abuse-sign-in", 7, (*workload).abuse},
}

func pickOp() op {
	total := 0
	for _, o := range ops {
		total += o.weight
	}
	n := rand.IntN(total)
	for _, o := range ops {
		if n < o.weight {
			return o
		}
		n -= o.weight
	}
	return ops[0]
}

func (w *workload) signUp(ctx context.Context) {
	id := w.nextID.Add(1)
	u := &user{email: fmt.Sprintf("lt-%d-%s@example.com", id, randomHex(3)), password: newPassword(),
		ip: fmt.Sprintf("10.%d.%d.%d", (id>>16)&255, (id>>8)&255, id&255)}
	a := w.do(ctx, "POST", w.lb+"/api/auth/sign-up/email", u.ip, "", "",
		map[string]string{"name": "Load Test", "email": u.email, "password": u.password})
	if a.status == 200 {
		u.cookie = sessionCookie(a.header)
		w.record("sign-up", a, outOK, "lb")
		w.mu.Lock()
		w.users = append(w.users, u)
		w.mu.Unlock()
		return
	}
	w.record("sign-up", a, generic(a), "lb") // outcome unknown: the user is not checked afterwards
}

func (w *workload) signIn(ctx context.Context) {
	u := w.checkout(func(u *user) bool { return u.cookie == "" || rand.IntN(4) == 0 })
	if u == nil {
		return
	}
	defer u.busy.Store(false)
	a := w.do(ctx, "POST", w.lb+"/api/auth/sign-in/email", u.ip, "", "",
		map[string]string{"email": u.email, "password": u.password})
	switch {
	case a.status == 200:
		u.cookie, u.unsure = sessionCookie(a.header), false
		w.record("sign-in", a, outOK, "lb")
	case a.status == 401 && len(u.pending) > 0:
		w.record("sign-in", a, outAmbiguous, "lb")
	case a.status == 401:
		w.record("sign-in", a, outWrongRefus, "lb")
		w.violation("wrong-refusal", "sign-in", a, u.email+": the password a 200 confirmed was refused")
	default:
		w.record("sign-in", a, generic(a), "lb")
	}
}

func (w *workload) getSession(ctx context.Context) {
	u := w.checkout(func(u *user) bool { return u.cookie != "" })
	if u == nil {
		return
	}
	defer u.busy.Store(false)
	a := w.do(ctx, "GET", w.lb+"/api/auth/get-session", u.ip, u.cookie, "", nil)
	switch {
	case a.status == 200 && !bytes.Equal(bytes.TrimSpace(a.body), []byte("null")):
		if j := a.header.Get("Set-Auth-Jwt"); j != "" {
			u.jwt, u.jwtAt = j, time.Now()
			w.mu.Lock()
			w.jwtsBy[a.backend] = j
			w.mu.Unlock()
		}
		w.record("get-session", a, outOK, "lb")
	case (a.status == 200 || a.status == 401) && u.unsure:
		w.record("get-session", a, outAmbiguous, "lb")
	case a.status == 200 || a.status == 401:
		w.record("get-session", a, outWrongRefus, "lb")
		w.violation("wrong-refusal", "get-session", a, u.email+": a live session answered as signed out")
	default:
		w.record("get-session", a, generic(a), "lb")
	}
}

func (w *workload) apiCall(ctx context.Context, name string, u *user, cookie, bearer string) {
	a := w.do(ctx, "GET", w.api+"/api/me", u.ip, cookie, bearer, nil)
	switch {
	case a.status == 200:
		w.record(name, a, outOK, "api")
	case a.status == 401 && u.unsure:
		w.record(name, a, outAmbiguous, "api")
	case a.status == 401:
		w.record(name, a, outWrongRefus, "api")
		w.violation("wrong-refusal", name, a, u.email+": a valid credential got 401: "+strings.TrimSpace(string(a.body)))
	default:
		w.record(name, a, generic(a), "api")
	}
}

func (w *workload) apiCookie(ctx context.Context) {
	u := w.checkout(func(u *user) bool { return u.cookie != "" })
	if u == nil {
		return
	}
	defer u.busy.Store(false)
	w.apiCall(ctx, "api-cookie", u, u.cookie, "")
}

func (w *workload) apiJWT(ctx context.Context) {
	// A JWT stays valid until it expires (15 minutes), sign-out or not: it is stateless by design.
	u := w.checkout(func(u *user) bool { return u.jwt != "" && time.Since(u.jwtAt) < 10*time.Minute })
	if u == nil {
		return
	}
	defer u.busy.Store(false)
	saved := u.unsure
	u.unsure = false // a JWT's validity does not depend on later writes
	w.apiCall(ctx, "api-jwt", u, "", u.jwt)
	u.unsure = saved
}

func (w *workload) signOut(ctx context.Context) {
	u := w.checkout(func(u *user) bool { return u.cookie != "" })
	if u == nil {
		return
	}
	defer u.busy.Store(false)
	a := w.do(ctx, "POST", w.lb+"/api/auth/sign-out", u.ip, u.cookie, "", map[string]string{})
	if a.status == 200 {
		w.mu.Lock()
		if len(w.revoked) < 2000 {
			w.revoked = append(w.revoked, revokedCookie{u.cookie, a.backend})
		}
		w.mu.Unlock()
		w.record("sign-out", a, outOK, "lb")
	} else {
		w.record("sign-out", a, generic(a), "lb")
	}
	u.cookie = "" // signed out, or unknown: not used again either way
}

func (w *workload) changePassword(ctx context.Context) {
	u := w.checkout(func(u *user) bool { return u.cookie != "" && len(u.pending) == 0 })
	if u == nil {
		return
	}
	defer u.busy.Store(false)
	np := newPassword()
	a := w.do(ctx, "POST", w.lb+"/api/auth/change-password", u.ip, u.cookie, "",
		map[string]any{"currentPassword": u.password, "newPassword": np, "revokeOtherSessions": false})
	switch a.status {
	case 200:
		u.password, u.pending, u.changed = np, nil, true
		w.record("change-password", a, outOK, "lb")
	case 401:
		if u.unsure {
			w.record("change-password", a, outAmbiguous, "lb")
			return
		}
		w.record("change-password", a, outWrongRefus, "lb")
		w.violation("wrong-refusal", "change-password", a, u.email+": a live session answered 401")
	default:
		if a.err != nil || a.status >= 500 {
			u.pending, u.changed = append(u.pending, np), true // may have been written
		}
		w.record("change-password", a, generic(a), "lb")
	}
}

// passwordReset asks the Node server for a reset link (its outbox holds the email), then resets with it:
// Better Auth's own code writes the new password to the shared database, and the Go servers must accept it.
func (w *workload) passwordReset(ctx context.Context) {
	u := w.checkout(func(u *user) bool { return len(u.pending) == 0 })
	if u == nil {
		return
	}
	defer u.busy.Store(false)
	a := w.do(ctx, "POST", w.node+"/api/auth/request-password-reset", u.ip, "", "",
		map[string]string{"email": u.email, "redirectTo": "/reset"})
	if a.status != 200 {
		w.record("password-reset", a, generic(a), "node")
		return
	}
	ob := w.do(ctx, "GET", w.node+"/__test/outbox", "", "", "", nil)
	var mails []struct{ Kind, Email, Token string }
	_ = json.Unmarshal(ob.body, &mails)
	token := ""
	for _, m := range mails {
		if m.Kind == "reset" && m.Email == u.email {
			token = m.Token
		}
	}
	if token == "" {
		w.record("password-reset", a, outClient, "node")
		return
	}
	np := newPassword()
	a = w.do(ctx, "POST", w.node+"/api/auth/reset-password", u.ip, "", "", map[string]string{"newPassword": np, "token": token})
	if a.status == 200 {
		u.password, u.pending, u.changed = np, nil, true
		u.cookie, u.unsure = "", false // sign in again afterwards
		w.record("password-reset", a, outOK, "node")
		return
	}
	if a.err != nil || a.status >= 500 {
		u.pending, u.changed = append(u.pending, np), true
	}
	w.record("password-reset", a, generic(a), "node")
}

// probeSignedOut presents a cookie that sign-out answered 200 for: it must never be accepted again.
func (w *workload) probeSignedOut(ctx context.Context) {
	w.mu.Lock()
	if len(w.revoked) == 0 {
		w.mu.Unlock()
		return
	}
	c := w.revoked[rand.IntN(len(w.revoked))]
	w.mu.Unlock()
	kind := "false-accept"
	if c.by == "node" {
		// Better Auth's sign-out answers 200 even when deleting the session failed (sign-out.ts catches
		// the error and only logs it): counted apart, as the Node server's behaviour.
		kind = "false-accept-node"
	}
	ip := "10.254.0." + fmt.Sprint(rand.IntN(250)+1)
	target, url := "lb", w.lb+"/api/auth/get-session"
	if rand.IntN(2) == 0 {
		target, url = "api", w.api+"/api/me"
	}
	a := w.do(ctx, "GET", url, ip, c.cookie, "", nil)
	w.judgeProbe("probe-signed-out", target, a, kind, "signed out by "+c.by+"; ")
}

// judgeProbe classifies an answer to a credential that must be refused.
func (w *workload) judgeProbe(name, target string, a answer, kind, detail string) {
	accepted := a.status == 200 && !bytes.Equal(bytes.TrimSpace(a.body), []byte("null"))
	switch {
	case accepted:
		w.record(name, a, outFalseAcc, target)
		w.violation(kind, name, a, detail+"accepted: "+strings.TrimSpace(string(a.body)))
	case a.status == 401 || a.status == 200:
		w.record(name, a, outOK, target)
	default:
		w.record(name, a, generic(a), target)
	}
}

// probeForged presents forged credentials: a JWT with a flipped signature byte, a JWT whose payload names
// another subject under the original signature, an unsigned (alg none) JWT, and a made-up session cookie.
func (w *workload) probeForged(ctx context.Context) {
	w.mu.Lock()
	var jwt string
	for _, j := range w.jwtsBy {
		jwt = j
		break
	}
	w.mu.Unlock()
	ip := "10.253.0." + fmt.Sprint(rand.IntN(250)+1)
	parts := strings.Split(jwt, ".")
	kind := rand.IntN(4)
	if len(parts) != 3 {
		kind = 3
	}
	switch kind {
	case 0: // signature tampered
		sig := []byte(parts[2])
		i := rand.IntN(len(sig) - 1)
		if sig[i] == 'A' {
			sig[i] = 'B'
		} else {
			sig[i] = 'A'
		}
		w.judgeProbe("probe-forged", "api", w.do(ctx, "GET", w.api+"/api/me", ip, "", parts[0]+"."+parts[1]+"."+string(sig), nil), "false-accept", "signature tampered; ")
	case 1: // payload swapped
		p := b64(`{"sub":"admin","email":"admin@example.com","exp":4102444800,"iat":1700000000}`)
		w.judgeProbe("probe-forged", "api", w.do(ctx, "GET", w.api+"/api/me", ip, "", parts[0]+"."+p+"."+parts[2], nil), "false-accept", "payload swapped; ")
	case 2: // alg none
		h := b64(`{"alg":"none","typ":"JWT"}`)
		p := b64(`{"sub":"admin","exp":4102444800}`)
		w.judgeProbe("probe-forged", "api", w.do(ctx, "GET", w.api+"/api/me", ip, "", h+"."+p+".", nil), "false-accept", "alg none; ")
	default: // a made-up session cookie
		c := "better-auth.session_token=" + randomHex(16) + "." + b64(randomHex(16))
		w.judgeProbe("probe-forged", "lb", w.do(ctx, "GET", w.lb+"/api/auth/get-session", ip, c, "", nil), "false-accept", "made-up cookie; ")
	}
}

// abuse signs in with a wrong password from one address, over and over: rate limits must answer 429 (or
// 401, when under the limit: Better Auth's rule for /sign-in is 3 per 10 s per address, counted by each
// instance on its own unless they share a rate-limit store).
func (w *workload) abuse(ctx context.Context) {
	const ip = "10.250.0.1"
	a := w.do(ctx, "POST", w.lb+"/api/auth/sign-in/email", ip, "", "",
		map[string]string{"email": "nobody-" + ip + "@example.com", "password": "wrong-password"})
	switch a.status {
	case 401:
		w.record("abuse-sign-in", a, outOK, "lb")
	case 200:
		w.record("abuse-sign-in", a, outFalseAcc, "lb")
		w.violation("false-accept", "abuse-sign-in", a, "a wrong password signed in")
	default:
		w.record("abuse-sign-in", a, generic(a), "lb")
	}
}

// run sends operations at rate per second until ctx is done, at most maxInflight at once (beyond that an
// arrival is counted as shed, as an open-model load generator must).
func (w *workload) run(ctx context.Context, rate float64, maxInflight int) (shed int64) {
	interval := time.Duration(float64(time.Second) / rate)
	t := time.NewTicker(interval)
	defer t.Stop()
	sem := make(chan struct{}, maxInflight)
	var wg sync.WaitGroup
	for {
		select {
		case <-ctx.Done():
			wg.Wait()
			return shed
		case <-t.C:
		}
		select {
		case sem <- struct{}{}:
		default:
			shed++
			continue
		}
		o := pickOp()
		wg.Go(func() {
			defer func() { <-sem }()
			rctx, cancel := context.WithTimeout(context.Background(), 12*time.Second)
			defer cancel()
			o.run(w, rctx)
		})
	}
}

// verifyWrites checks, after the load, that every write a 200 confirmed is there: each user exists in the
// database and signs in (through the balancer) with the last confirmed password, or with a later one whose
// outcome was unknown. It returns the lost writes.
func (w *workload) verifyWrites(ctx context.Context, db *database, signInSample int) (checked, lost int, details []string) {
	w.mu.Lock()
	users := append([]*user(nil), w.users...)
	w.mu.Unlock()
	emails := map[string]bool{}
	rows, err := db.db.QueryContext(ctx, `SELECT email FROM "user"`)
	if err != nil {
		return 0, 0, []string{"reading users: " + err.Error()}
	}
	for rows.Next() {
		var e string
		if rows.Scan(&e) == nil {
			emails[e] = true
		}
	}
	rows.Close()
	var toSignIn []*user
	for _, u := range users {
		checked++
		if !emails[u.email] {
			lost++
			details = append(details, "sign-up answered 200 but the user is missing: "+u.email)
			continue
		}
		toSignIn = append(toSignIn, u)
	}
	// Sign-ins cost a password hash each: every user whose password changed, and a sample of the others.
	rand.Shuffle(len(toSignIn), func(i, j int) { toSignIn[i], toSignIn[j] = toSignIn[j], toSignIn[i] })
	var mu sync.Mutex
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	n := 0
	for _, u := range toSignIn {
		if n >= signInSample && !u.changed {
			continue
		}
		n++
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			ok := false
			var last answer
			for _, pw := range append([]string{u.password}, u.pending...) {
				for try := range 3 {
					last = w.do(ctx, "POST", w.lb+"/api/auth/sign-in/email", "10.251."+fmt.Sprint(rand.IntN(250))+"."+fmt.Sprint(try+1), "", "",
						map[string]string{"email": u.email, "password": pw})
					if last.status != 503 && last.status != 429 && last.err == nil && last.status < 500 {
						break
					}
					time.Sleep(500 * time.Millisecond)
				}
				if last.status == 200 {
					ok = true
					break
				}
			}
			if !ok && last.status == 401 {
				mu.Lock()
				lost++
				details = append(details, fmt.Sprintf("%s: the last password a 200 confirmed does not sign in (status %d)", u.email, last.status))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return checked, lost, details
}

// crossVerify presents one JWT issued through each backend to the verify-only API: each must be accepted.
func (w *workload) crossVerify(ctx context.Context) (ok, bad int, details []string) {
	w.mu.Lock()
	by := make(map[string]string, len(w.jwtsBy))
	for k, v := range w.jwtsBy {
		by[k] = v
	}
	w.mu.Unlock()
	for be, j := range by {
		a := w.do(ctx, "GET", w.api+"/api/me", "10.252.0.1", "", j, nil)
		if a.status == 200 {
			ok++
		} else {
			bad++
			details = append(details, fmt.Sprintf("a JWT from %s: %d %s", be, a.status, strings.TrimSpace(string(a.body))))
		}
	}
	return ok, bad, details
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
