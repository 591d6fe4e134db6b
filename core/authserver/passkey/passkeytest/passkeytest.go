// Package passkeytest is a software WebAuthn authenticator for tests: it answers the options a server's
// passkey endpoints give (the JSON @simplewebauthn/browser passes to navigator.credentials) with the JSON
// the browser sends back, attestation "none" and ES256 keys, so tests drive a Go or a Node Better Auth
// server without a browser.
package passkeytest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"sync"

	"github.com/fxamacker/cbor/v2"
)

// Flags of authenticator data (WebAuthn §6.1).
const (
	FlagUP byte = 0x01 // user present
	FlagUV byte = 0x04 // user verified
	FlagBE byte = 0x08 // backup eligible
	FlagBS byte = 0x10 // backed up
	FlagAT byte = 0x40 // attested credential data included
)

// Credential is a key the authenticator holds.
type Credential struct {
	ID      []byte
	Key     *ecdsa.PrivateKey
	RPID    string
	Counter uint32
}

// Authenticator is a software authenticator. Its zero value is ready: it sets UP and UV, counts
// signatures from 1, and reports transports ["internal"]. Change its fields between ceremonies to make
// responses a server must refuse. Safe for concurrent use.
type Authenticator struct {
	// Flags replaces UP|UV when not 0 (FlagAT is added on registration).
	Flags byte
	// Origin replaces the origin the caller passes, in the client data, when not "".
	Origin string
	// RPID replaces the options' RP ID in the rpIdHash, when not "".
	RPID string
	// AAGUID is the authenticator model reported at registration (zeros by default).
	AAGUID [16]byte

	mu    sync.Mutex
	creds map[string]*Credential
}

// Credential returns the credential with the base64url id, or nil.
func (a *Authenticator) Credential(id string) *Credential {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.creds[id]
}

// Credentials returns the ids (base64url) of every credential the authenticator holds.
func (a *Authenticator) Credentials() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []string
	for id := range a.creds {
		out = append(out, id)
	}
	return out
}

func (a *Authenticator) flags(extra byte) byte {
	f := a.Flags
	if f == 0 {
		f = FlagUP | FlagUV
	}
	return f | extra
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func (a *Authenticator) clientData(typ, challenge, origin string) []byte {
	if a.Origin != "" {
		origin = a.Origin
	}
	b, _ := json.Marshal(struct {
		Type        string `json:"type"`
		Challenge   string `json:"challenge"`
		Origin      string `json:"origin"`
		CrossOrigin bool   `json:"crossOrigin"`
	}{typ, challenge, origin, false})
	return b
}

// Create answers registration options (generate-register-options' JSON) as navigator.credentials.create
// would from origin, and returns the response JSON the passkey client posts as body.response.
func (a *Authenticator) Create(optionsJSON []byte, origin string) (json.RawMessage, error) {
	var opts struct {
		Challenge string `json:"challenge"`
		RP        struct {
			ID string `json:"id"`
		} `json:"rp"`
	}
	if err := json.Unmarshal(optionsJSON, &opts); err != nil || opts.Challenge == "" {
		return nil, errors.New("passkeytest: not registration options")
	}
	rpID := opts.RP.ID
	if a.RPID != "" {
		rpID = a.RPID
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	id := make([]byte, 16)
	_, _ = rand.Read(id)
	pub, err := key.PublicKey.ECDH()
	if err != nil {
		return nil, err
	}
	raw := pub.Bytes() // 0x04 | X | Y
	cose, err := cbor.Marshal(map[int]any{1: 2, 3: -7, -1: 1, -2: raw[1:33], -3: raw[33:65]})
	if err != nil {
		return nil, err
	}
	rpHash := sha256.Sum256([]byte(rpID))
	auth := append([]byte{}, rpHash[:]...)
	auth = append(auth, a.flags(FlagAT))
	auth = binary.BigEndian.AppendUint32(auth, 0)
	auth = append(auth, a.AAGUID[:]...)
	auth = binary.BigEndian.AppendUint16(auth, uint16(len(id)))
	auth = append(auth, id...)
	auth = append(auth, cose...)
	att, err := cbor.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": auth})
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	if a.creds == nil {
		a.creds = map[string]*Credential{}
	}
	a.creds[b64(id)] = &Credential{ID: id, Key: key, RPID: rpID}
	a.mu.Unlock()
	return json.Marshal(map[string]any{
		"id": b64(id), "rawId": b64(id), "type": "public-key", "authenticatorAttachment": "platform",
		"response": map[string]any{
			"clientDataJSON":     b64(a.clientData("webauthn.create", opts.Challenge, origin)),
			"attestationObject":  b64(att),
			"transports":         []string{"internal"},
			"publicKeyAlgorithm": -7,
			"authenticatorData":  b64(auth),
		},
	})
}

// Get answers authentication options (generate-authenticate-options' JSON) with the credential id (base64url;
// "" means the only credential held, or the first allowed one) as navigator.credentials.get would from
// origin. The credential's counter grows by one first.
func (a *Authenticator) Get(optionsJSON []byte, origin, id string) (json.RawMessage, error) {
	var opts struct {
		Challenge string `json:"challenge"`
		RPID      string `json:"rpId"`
		Allow     []struct {
			ID string `json:"id"`
		} `json:"allowCredentials"`
	}
	if err := json.Unmarshal(optionsJSON, &opts); err != nil || opts.Challenge == "" {
		return nil, errors.New("passkeytest: not authentication options")
	}
	a.mu.Lock()
	if id == "" && len(opts.Allow) > 0 {
		id = opts.Allow[0].ID
	}
	if id == "" && len(a.creds) == 1 {
		for k := range a.creds {
			id = k
		}
	}
	c := a.creds[id]
	if c == nil {
		a.mu.Unlock()
		return nil, errors.New("passkeytest: no such credential")
	}
	c.Counter++
	counter := c.Counter
	a.mu.Unlock()
	return a.Assert(c, opts.Challenge, opts.RPID, origin, counter)
}

// Assert signs an assertion by c over challenge with the given counter: what Get does, for tests that need
// to choose the counter.
func (a *Authenticator) Assert(c *Credential, challenge, rpID, origin string, counter uint32) (json.RawMessage, error) {
	if a.RPID != "" {
		rpID = a.RPID
	}
	rpHash := sha256.Sum256([]byte(rpID))
	auth := append([]byte{}, rpHash[:]...)
	auth = append(auth, a.flags(0))
	auth = binary.BigEndian.AppendUint32(auth, counter)
	cd := a.clientData("webauthn.get", challenge, origin)
	cdHash := sha256.Sum256(cd)
	digest := sha256.Sum256(append(append([]byte{}, auth...), cdHash[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, c.Key, digest[:])
	if err != nil {
		return nil, err
	}
	return json.Marshal(map[string]any{
		"id": b64(c.ID), "rawId": b64(c.ID), "type": "public-key", "authenticatorAttachment": "platform",
		"response": map[string]any{
			"clientDataJSON":    b64(cd),
			"authenticatorData": b64(auth),
			"signature":         b64(sig),
			"userHandle":        "",
		},
	})
}
