package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/x509"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
	"github.com/go-webauthn/webauthn/protocol/webauthncose"

	"github.com/gobetterauth/gobetterauth/adapters/authhttp"
	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/authserver/passkey"
	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
	"github.com/gobetterauth/gobetterauth/core/store/storeurl"
)

// passkeyNodeModules is the interop harness's npm tree (better-auth and @better-auth/passkey at the
// versions the Go code mirrors), served to the browser as plain ES modules.
const passkeyNodeModules = "../../interop/node_modules"

// passkeyImportMap maps the bare specifiers of better-auth/client and @better-auth/passkey/client (and
// everything they import) to their files, as Node resolves them: the browser loads Better Auth's own client
// without a bundler.
var passkeyImportMap = map[string]string{
	"better-auth/client":                  "better-auth/dist/client/index.mjs",
	"@better-auth/passkey/client":         "@better-auth/passkey/dist/client.mjs",
	"@better-auth/core/utils/string":      "@better-auth/core/dist/utils/string.mjs",
	"@better-auth/core/utils/url":         "@better-auth/core/dist/utils/url.mjs",
	"@better-auth/core/utils/error-codes": "@better-auth/core/dist/utils/error-codes.mjs",
	"@better-auth/core/env":               "@better-auth/core/dist/env/index.mjs",
	"@better-auth/core/error":             "@better-auth/core/dist/error/index.mjs",
	"@better-fetch/fetch":                 "@better-fetch/fetch/dist/index.js",
	"better-call/error":                   "better-call/dist/error.mjs",
	"defu":                                "defu/dist/defu.mjs",
	"nanostores":                          "nanostores/index.js",
	"@simplewebauthn/browser":             "@simplewebauthn/browser/esm/index.js",
}

// passkeyPage is the test page: Better Auth's client with passkeyClient(), as an app would create it, on
// window.client once window.ready resolves. The one thing a bundler would add is process.env.NODE_ENV.
func passkeyPage() string {
	imports := map[string]string{}
	for spec, file := range passkeyImportMap {
		imports[spec] = "/node_modules/" + file
	}
	m, _ := json.Marshal(map[string]any{"imports": imports})
	return `<!doctype html><meta charset="utf-8"><title>passkey</title>
<script type="importmap">` + string(m) + `</script>
<script>
// What a bundler's define does: nanostores reads process.env.NODE_ENV.
window.process = { env: { NODE_ENV: "production" } };
window.ready = (async () => {
  const [{ createAuthClient }, { passkeyClient }] = await Promise.all([
    import("better-auth/client"), import("@better-auth/passkey/client")]);
  window.client = createAuthClient({ baseURL: location.origin, plugins: [passkeyClient()] });
  return true;
})();
</script>`
}

// clientResult is what a Better Auth client call resolves to: {data, error}.
type clientResult struct {
	Data  json.RawMessage `json:"data"`
	Error *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Status  int    `json:"status"`
	} `json:"error"`
}

// TestBrowserPasskey is issue 19's browser proof on the Go server: in headless Chromium with a CDP virtual
// authenticator (a platform one on "internal" and a roaming one on "usb", both CTAP2 with resident keys
// and user verification), the page runs Better Auth's own client (better-auth/client with
// @better-auth/passkey/client, the npm files served as ES modules) against authserver with passkey.New: sign
// up, add a passkey, check the stored row against the key the authenticator holds (credential id base64url,
// publicKey the padded-base64 COSE key of that key pair, transports, flags), sign in again with it while
// signed in (allowCredentials listed), sign out, sign in with the discoverable credential and no email (an
// empty allowCredentials), see the user in get-session and the counter advanced, rename it, delete it, and
// see the deleted passkey refused.
func TestBrowserPasskey(t *testing.T) {
	chrome := requireChrome(t)
	if _, err := os.Stat(filepath.Join(passkeyNodeModules, passkeyImportMap["@better-auth/passkey/client"])); err != nil {
		msg := "no @better-auth/passkey in %s (run npm ci in interop): %v"
		if os.Getenv("CI") == "true" {
			t.Fatalf(msg, passkeyNodeModules, err)
		}
		t.Skipf(msg, passkeyNodeModules, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()

	// WebAuthn needs a secure context and a domain for the RP ID: http://localhost is both.
	ts := httptest.NewUnstartedServer(nil)
	base := "http://localhost:" + strconv.Itoa(ts.Listener.Addr().(*net.TCPAddr).Port)
	dbURL := "sqlite:" + filepath.Join(t.TempDir(), "auth.db")
	db, dialect, err := storeurl.OpenDB(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	plugins := []authserver.Plugin{passkey.New(passkey.Config{RPName: "Passkey test"})}
	if err := authserver.Migrate(ctx, db, string(dialect), plugins...); err != nil {
		t.Fatal(err)
	}
	st, err := sqlstore.New(db, dialect, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := authserver.New(authserver.Config{
		Auth:     auth.Config{BaseURL: base, Secret: auth.Secret("browser-passkey-test-secret-0123456789"), DisableJWKS: true},
		Database: st,
		Plugins:  plugins,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	mux := http.NewServeMux()
	authhttp.Mount(mux, srv)
	mux.Handle("GET /node_modules/", http.StripPrefix("/node_modules/", http.FileServer(http.Dir(passkeyNodeModules))))
	page := passkeyPage()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(page))
	})
	ts.Config.Handler = mux
	ts.Start()
	defer ts.Close()

	browser := startChrome(t, ctx, chrome)
	tests := []struct {
		name       string
		transport  webauthn.AuthenticatorTransport
		attachment string // the authenticatorAttachment the page asks for
	}{
		{"platform", webauthn.AuthenticatorTransportInternal, "platform"},
		{"roaming usb", webauthn.AuthenticatorTransportUsb, "cross-platform"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab, cancelTab := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
			defer cancelTab()
			tabCtx, cancelStep := context.WithTimeout(tab, 60*time.Second)
			defer cancelStep()
			var authID webauthn.AuthenticatorID
			err := chromedp.Do(tabCtx, func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
				if _, err := cdp.Call(ctx, tg, webauthn.Enable, webauthn.EnableParams{}); err != nil {
					return chromedp.Void{}, err
				}
				r, err := cdp.Call(ctx, tg, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{
					Options: &webauthn.VirtualAuthenticatorOptions{
						Protocol: webauthn.AuthenticatorProtocolCtap2, Ctap2version: webauthn.Ctap2versionCtap21,
						Transport: tt.transport, HasResidentKey: true, HasUserVerification: true, IsUserVerified: true,
						AutomaticPresenceSimulation: true,
					}})
				authID = r.AuthenticatorID
				return chromedp.Void{}, err
			}, chromedp.Navigate(base+"/"))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := chromedp.Run(tabCtx, chromedp.Evaluate[bool](`window.ready`, chromedp.EvalAwaitPromise)); err != nil {
				t.Fatalf("loading Better Auth's client from node_modules: %v", err)
			}
			// run calls the client in the page: expr is the body of an async function returning a client
			// call's promise.
			run := func(step, expr string) clientResult {
				t.Helper()
				res, err := chromedp.Run(tabCtx, chromedp.Evaluate[clientResult](
					`(async () => { const r = await (async () => { `+expr+` })(); return { data: r.data ?? null, error: r.error ?? null }; })()`,
					chromedp.EvalAwaitPromise))
				if err != nil {
					t.Fatalf("%s: %v", step, err)
				}
				return res
			}
			ok := func(step, expr string) json.RawMessage {
				t.Helper()
				res := run(step, expr)
				if res.Error != nil {
					t.Fatalf("%s: error %+v", step, *res.Error)
				}
				return res.Data
			}
			sessionEmail := func(step string) string {
				t.Helper()
				var s struct{ User struct{ Email string } }
				if d := ok(step, `return client.getSession();`); string(d) != "null" {
					if err := json.Unmarshal(d, &s); err != nil {
						t.Fatalf("%s: get-session %s: %v", step, d, err)
					}
				}
				return s.User.Email
			}

			email := fmt.Sprintf("passkey%d@example.com", i)
			ok("sign up", `return client.signUp.email({ email: "`+email+`", password: "correct horse battery", name: "Pat" });`)
			var added struct{ ID, Name, CredentialID string }
			if err := json.Unmarshal(ok("add a passkey",
				`return client.passkey.addPasskey({ name: "my key", authenticatorAttachment: "`+tt.attachment+`" });`), &added); err != nil {
				t.Fatal(err)
			}

			// The stored row is the authenticator's credential, encoded as Better Auth stores it.
			creds, err := chromedp.Run(tabCtx, func(ctx context.Context, tg *chromedp.Target) ([]*webauthn.Credential, error) {
				r, err := cdp.Call(ctx, tg, webauthn.GetCredentials, webauthn.GetCredentialsParams{AuthenticatorID: authID})
				return r.Credentials, err
			})
			if err != nil || len(creds) != 1 {
				t.Fatalf("the authenticator holds %d credentials (%v), want 1", len(creds), err)
			}
			cred := creds[0]
			if !cred.IsResidentCredential {
				t.Errorf("the credential is not resident (discoverable)")
			}
			row := readPasskeyRow(t, ctx, db, added.ID)
			if want := base64.RawURLEncoding.EncodeToString(cred.CredentialID); row.credentialID != want || added.CredentialID != want {
				t.Errorf("credentialID stored %q, answered %q; the authenticator's is %q", row.credentialID, added.CredentialID, want)
			}
			checkStoredKey(t, row.publicKey, cred.PrivateKey)
			if row.transports != string(tt.transport) || row.name != "my key" || row.deviceType != "singleDevice" || row.backedUp {
				t.Errorf("row %+v: want transports %q, name \"my key\", singleDevice, not backed up", row, tt.transport)
			}
			counter := row.counter

			// Signed in, the options list the user's credential; the passkey signs in again.
			if got := ok("passkey sign-in while signed in", `return client.signIn.passkey();`); !strings.Contains(string(got), email) {
				t.Fatalf("passkey sign-in while signed in answered %s", got)
			}
			ok("sign out", `return client.signOut();`)
			if got := sessionEmail("after sign-out"); got != "" {
				t.Fatalf("still signed in as %s after sign-out", got)
			}

			// Signed out: no email, no allowCredentials; the authenticator offers its discoverable credential.
			ok("passkey sign-in, discoverable", `return client.signIn.passkey();`)
			if got := sessionEmail("after the passkey sign-in"); got != email {
				t.Fatalf("get-session after the passkey sign-in shows %q, want %s", got, email)
			}
			if r := readPasskeyRow(t, ctx, db, added.ID); r.counter <= counter {
				t.Errorf("counter %d after two sign-ins, was %d at registration", r.counter, counter)
			}

			// Rename and delete it; a deleted passkey no longer signs in.
			ok("rename", `return client.passkey.updatePasskey({ id: "`+added.ID+`", name: "renamed" });`)
			var list []struct{ ID, Name string }
			if err := json.Unmarshal(ok("list", `return client.passkey.listUserPasskeys();`), &list); err != nil || len(list) != 1 || list[0].Name != "renamed" {
				t.Fatalf("list after the rename: %+v (%v)", list, err)
			}
			ok("delete", `return client.passkey.deletePasskey({ id: "`+added.ID+`" });`)
			ok("sign out again", `return client.signOut();`)
			res := run("sign-in with the deleted passkey", `return client.signIn.passkey();`)
			if res.Error == nil || res.Error.Code != "PASSKEY_NOT_FOUND" {
				t.Errorf("sign-in with the deleted passkey: %s %+v, want error PASSKEY_NOT_FOUND", res.Data, res.Error)
			}
			if got := sessionEmail("after the refused sign-in"); got != "" {
				t.Errorf("signed in as %s with a deleted passkey", got)
			}
		})
	}
}

// storedPasskey is a passkey row as the database holds it.
type storedPasskey struct {
	name, credentialID, publicKey, deviceType, transports string
	counter                                               int64
	backedUp                                              bool
}

func readPasskeyRow(t *testing.T, ctx context.Context, db *sql.DB, id string) storedPasskey {
	t.Helper()
	var r storedPasskey
	err := db.QueryRowContext(ctx, `SELECT "name", "credentialID", "publicKey", "deviceType", "transports", "counter", "backedUp"
		FROM "passkey" WHERE "id" = ?`, id).Scan(&r.name, &r.credentialID, &r.publicKey, &r.deviceType, &r.transports, &r.counter, &r.backedUp)
	if err != nil {
		t.Fatalf("passkey row %s: %v", id, err)
	}
	return r
}

// checkStoredKey checks that stored, the publicKey column, is what Better Auth stores (padded standard
// base64 of the credential's COSE public key, as @simplewebauthn/server returns it) for the key pair whose
// private half (PKCS#8) the virtual authenticator holds.
func checkStoredKey(t *testing.T, stored string, pkcs8 []byte) {
	t.Helper()
	cose, err := base64.StdEncoding.DecodeString(stored)
	if err != nil {
		t.Fatalf("publicKey %q is not padded standard base64: %v", stored, err)
	}
	parsed, err := webauthncose.ParsePublicKey(cose)
	if err != nil {
		t.Fatalf("publicKey is not a COSE key: %v", err)
	}
	priv, err := x509.ParsePKCS8PrivateKey(pkcs8)
	if err != nil {
		t.Fatal(err)
	}
	// Chromium's virtual authenticator takes the first algorithm the options offer that it supports:
	// Ed25519 (-8) in @simplewebauthn/server's default order, ES256 otherwise.
	switch k := parsed.(type) {
	case webauthncose.OKPPublicKeyData:
		pub := priv.(ed25519.PrivateKey).Public().(ed25519.PublicKey)
		if string(k.XCoord) != string(pub) || webauthncose.COSEAlgorithmIdentifier(k.Algorithm) != webauthncose.AlgEdDSA {
			t.Errorf("publicKey is not the authenticator's Ed25519 key: x %x alg %d, want %x", k.XCoord, k.Algorithm, []byte(pub))
		}
	case webauthncose.EC2PublicKeyData:
		pub, err := priv.(*ecdsa.PrivateKey).PublicKey.Bytes() // 0x04 || X || Y
		if err != nil {
			t.Fatal(err)
		}
		if string(k.XCoord) != string(pub[1:33]) || string(k.YCoord) != string(pub[33:]) ||
			webauthncose.COSEAlgorithmIdentifier(k.Algorithm) != webauthncose.AlgES256 {
			t.Errorf("publicKey is not the authenticator's ES256 key: x %x y %x alg %d, want %x", k.XCoord, k.YCoord, k.Algorithm, pub[1:])
		}
	default:
		t.Fatalf("publicKey is a %T, want an OKP or EC2 COSE key", parsed)
	}
}
