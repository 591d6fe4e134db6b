package interop_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
	"github.com/gobetterauth/gobetterauth/core/internal/interop"
	"github.com/gobetterauth/gobetterauth/core/store"
)

// The cookie-writing tests check Go's writers (core/internal/betterauth: SessionJSON, UserJSON, the cache
// encoders, SetCookie, Chunk) against the real server: Better Auth must accept what Go writes, and Go must
// write what Better Auth writes.

func init() {
	// Long bios make session_data longer than 4050 bytes, so Better Auth chunks it; with and without Secure
	// (which changes the chunk size).
	for name, base := range map[string]string{"write-plain": "", "write-secure": "https://127.0.0.1:{port}"} {
		env := map[string]string{"COOKIE_CACHE": "compact", "BIO_FIELD": "1", "INSECURE_FAST_PASSWORD_HASH": "1"}
		if base != "" {
			env["BASE_URL"] = base
		}
		define(name, false, env)
	}
}

// records reads the session and user objects of a /get-session answer back into records.
func records(t *testing.T, r *interop.SessionResponse) (store.Session, store.User) {
	t.Helper()
	var sm, um map[string]any
	if err := json.Unmarshal(r.Session, &sm); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(r.UserJSON, &um); err != nil {
		t.Fatal(err)
	}
	s, ok1 := betterauth.SessionFromMap(sm)
	u, ok2 := betterauth.UserFromMap(um)
	if !ok1 || !ok2 {
		t.Fatalf("records from %s %s", r.Session, r.UserJSON)
	}
	return s, u
}

// sameJSON reports whether a and b hold the same JSON value, whatever their key order.
func sameJSON(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

// cookieValue returns the value of name in a Cookie header.
func cookieValue(header, name string) string {
	for p := range strings.SplitSeq(header, "; ") {
		if v, ok := strings.CutPrefix(p, name+"="); ok {
			return v
		}
	}
	return ""
}

// TestGoWrittenCacheAccepted: a session_data cookie Go writes (compact, jwt, jwe; whole and in chunks) for
// a session the Node server created is what Node's /get-session answers from after the session's row is
// gone, so Node accepted it without its database, and it answers with what Go wrote. SessionJSON and
// UserJSON are byte for byte the objects Node's database path answers with. A cache written with another
// secret gives null.
func TestGoWrittenCacheAccepted(t *testing.T) {
	t.Parallel()
	for _, strategy := range []auth.CacheStrategy{auth.CacheCompact, auth.CacheJWT, auth.CacheJWE} {
		t.Run(string(strategy), func(t *testing.T) {
			t.Parallel()
			s := server(t, cacheServer[strategy])
			ctx := t.Context()
			cookie := signUp(t, s, awkwardName)
			token := cookieValue(cookie, "better-auth.session_token")
			fromDB, err := s.LookupSession(ctx, cookie, "", true)
			if err != nil || fromDB == nil {
				t.Fatalf("/get-session?disableCookieCache: %v %v", fromDB, err)
			}
			sess, user := records(t, fromDB)
			// Go writes the objects as Node's database read path returns them.
			if got := betterauth.SessionJSON(sess); string(got) != string(fromDB.Session) {
				t.Errorf("SessionJSON\n got  %s\n want %s", got, fromDB.Session)
			}
			if got := betterauth.UserJSON(user); string(got) != string(fromDB.UserJSON) {
				t.Errorf("UserJSON\n got  %s\n want %s", got, fromDB.UserJSON)
			}

			// A marker only Go's cache holds, and a user long enough to be chunked.
			user.Name = "Written by Go </script> \u2028"
			long := user
			long.Additional = map[string]any{"bio": strings.Repeat("Go bio ", 900)}
			for k, v := range user.Additional {
				long.Additional[k] = v
			}
			encode := func(secret string, u store.User) string {
				in := betterauth.CacheInput{Session: betterauth.SessionJSON(sess), User: betterauth.UserJSON(u), MaxAge: 300 * time.Second}
				switch strategy {
				case auth.CacheCompact:
					return betterauth.NewSigner(secret).EncodeCompact(in)
				case auth.CacheJWT:
					v, err := betterauth.NewSigner(secret).EncodeJWTCache(in)
					if err != nil {
						t.Fatal(err)
					}
					return v
				default:
					k, err := betterauth.NewJWEKeys([]string{secret})
					if err != nil {
						t.Fatal(err)
					}
					v, err := k.EncryptCache(in)
					if err != nil {
						t.Fatal(err)
					}
					return v
				}
			}
			const data = "better-auth.session_data"
			attrs := betterauth.DefaultAttrs(false, "")
			attrs.MaxAge = new(300)
			withCache := func(value string) string {
				set, _ := betterauth.Chunk(data, value, attrs, nil)
				pairs := []string{"better-auth.session_token=" + token}
				for _, p := range set {
					pairs = append(pairs, p.Name+"="+p.Value)
				}
				return strings.Join(pairs, "; ")
			}
			good, chunked, wrong := withCache(encode(s.Secret, user)), withCache(encode(s.Secret, long)), withCache(encode(s.Secret+"x", user))
			if !strings.Contains(chunked, data+".1=") {
				t.Fatalf("the long cache is not chunked: %.200s", chunked)
			}

			// The session's row goes; the token cookie alone no longer works.
			if _, err := s.Post(ctx, "/sign-out", cookie, nil); err != nil {
				t.Fatal(err)
			}
			if r, err := s.LookupSession(ctx, "better-auth.session_token="+token, "", false); err != nil || r != nil {
				t.Fatalf("after sign-out, the token alone: %v %v", r, err)
			}
			for _, tc := range []struct {
				name, cookie string
				u            store.User
			}{{"whole", good, user}, {"chunked", chunked, long}} {
				r, err := s.LookupSession(ctx, tc.cookie, "", false)
				if err != nil || r == nil {
					t.Fatalf("%s: Node refused Go's %s cache: %v %v", tc.name, strategy, r, err)
				}
				if r.User.Name != user.Name {
					t.Errorf("%s: name %q: not answered from Go's cache", tc.name, r.User.Name)
				}
				// Node answers from a cache in its zod schema's key order (id first), so compare values.
				if !sameJSON(r.Session, betterauth.SessionJSON(sess)) || !sameJSON(r.UserJSON, betterauth.UserJSON(tc.u)) {
					t.Errorf("%s: Node answered\n %s\n %.300s\nfrom Go's cache", tc.name, r.Session, r.UserJSON)
				}
			}
			if r, err := s.LookupSession(ctx, wrong, "", false); err != nil || r != nil {
				t.Errorf("a cache written with another secret: %v %v", r, err)
			}
		})
	}
}

// TestGoWritesNodeSetCookies: every Set-Cookie header of a sign-up whose cache Better Auth chunks is what
// SetCookie renders, and Chunk splits the joined cache at the same places, with and without Secure.
func TestGoWritesNodeSetCookies(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		server, prefix string
		secure         bool
	}{{"write-plain", "better-auth.", false}, {"write-secure", "__Secure-better-auth.", true}} {
		t.Run(tc.server, func(t *testing.T) {
			t.Parallel()
			s := server(t, tc.server)
			body := map[string]any{"email": fmt.Sprintf("writer%d-%d@example.com", userSeq.Add(1), time.Now().UnixNano()),
				"password": password, "name": awkwardName, "bio": strings.Repeat("A long bio, ", 700)}
			l, err := s.Post(t.Context(), "/sign-up/email", "", body)
			if err != nil {
				t.Fatal(err)
			}
			signer := betterauth.NewSigner(s.Secret)
			var data strings.Builder
			var chunks []betterauth.CookiePair
			for _, c := range l.Cookies {
				a := betterauth.DefaultAttrs(tc.secure, "")
				if c.MaxAge > 0 {
					a.MaxAge = new(c.MaxAge)
				}
				if got := betterauth.SetCookie(c.Name, c.Value, a); got != c.Raw {
					t.Errorf("SetCookie\n got  %s\n want %s", got, c.Raw)
				}
				switch {
				case c.Name == tc.prefix+"session_token":
					tok, ok := signer.Verify(c.Value)
					if !ok || signer.Sign(tok) != c.Value {
						t.Errorf("session_token %q is not Sign(%q)", c.Value, tok)
					}
				case strings.HasPrefix(c.Name, tc.prefix+"session_data."):
					data.WriteString(c.Value)
					chunks = append(chunks, betterauth.CookiePair{Name: c.Name, Value: c.Value})
				}
			}
			if len(chunks) < 2 {
				t.Fatalf("Better Auth wrote %d chunks", len(chunks))
			}
			a := betterauth.DefaultAttrs(tc.secure, "")
			a.MaxAge = new(300)
			set, clear := betterauth.Chunk(tc.prefix+"session_data", data.String(), a, nil)
			if len(clear) != 0 || fmt.Sprint(set) != fmt.Sprint(chunks) {
				t.Errorf("Chunk gives %d chunks (%d bytes first), Better Auth wrote %d (%d bytes first)",
					len(set), len(set[0].Value), len(chunks), len(chunks[0].Value))
			}
			// The chunks joined are a cache Go re-encodes byte for byte.
			p, exp, err := signer.DecodeCompact(data.String())
			if err != nil {
				t.Fatal(err)
			}
			in := betterauth.CacheInput{Session: betterauth.SessionJSON(p.Session), User: betterauth.UserJSON(p.User),
				UpdatedAt: time.UnixMilli(p.UpdatedAt), Version: p.Version, MaxAge: 300 * time.Second, Now: exp.Add(-300 * time.Second)}
			if got := signer.EncodeCompact(in); got != data.String() {
				t.Errorf("EncodeCompact of Better Auth's chunked cache differs")
			}
		})
	}
}
