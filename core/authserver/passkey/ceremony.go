package passkey

// The two ceremonies (src/routes.ts: generatePasskeyRegistrationOptions, verifyPasskeyRegistration,
// generatePasskeyAuthenticationOptions, verifyPasskeyAuthentication) and their challenge: a random token in
// a signed cookie naming a verification row that holds the expected challenge, consumed on first use.

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/protocol/webauthncose"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
	"github.com/gobetterauth/gobetterauth/core/store"
)

// credParams are the algorithms a registration may use: @simplewebauthn/server's
// supportedCOSEAlgorithmIdentifiers, which verifyRegistrationResponse accepts by default.
var credParams = func() []protocol.CredentialParameter {
	var out []protocol.CredentialParameter
	for _, alg := range []int64{-8, -7, -36, -37, -38, -39, -257, -258, -259, -65535} {
		out = append(out, protocol.CredentialParameter{Type: protocol.PublicKeyCredentialType, Algorithm: webauthncose.COSEAlgorithmIdentifier(alg)})
	}
	return out
}()

// offeredAlgs are the algorithms the registration options offer (generateRegistrationOptions' default).
var offeredAlgs = []int64{-8, -7, -257}

// challengeData is the verification row's value, exactly as Better Auth writes it (JSON.stringify order).
type challengeData struct {
	Type              string   `json:"type"`
	ExpectedChallenge string   `json:"expectedChallenge"`
	UserData          userData `json:"userData"`
	Context           *string  `json:"context,omitempty"`
}

type userData struct {
	ID          string  `json:"id"`
	Name        *string `json:"name,omitempty"`
	DisplayName *string `json:"displayName,omitempty"`
}

// registrationOptions is @simplewebauthn/server's PublicKeyCredentialCreationOptionsJSON, in its order.
type registrationOptions struct {
	Challenge              string             `json:"challenge"`
	RP                     rpEntity           `json:"rp"`
	User                   userEntity         `json:"user"`
	PubKeyCredParams       []credParam        `json:"pubKeyCredParams"`
	Timeout                int                `json:"timeout"`
	Attestation            string             `json:"attestation"`
	ExcludeCredentials     []credDescriptor   `json:"excludeCredentials"`
	AuthenticatorSelection selectionCriterion `json:"authenticatorSelection"`
	Extensions             map[string]bool    `json:"extensions"`
	Hints                  []string           `json:"hints"`
}

type rpEntity struct {
	Name string `json:"name"`
	ID   string `json:"id"`
}

type userEntity struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	DisplayName string `json:"displayName"`
}

type credParam struct {
	Alg  int64  `json:"alg"`
	Type string `json:"type"`
}

type credDescriptor struct {
	ID         string   `json:"id"`
	Transports []string `json:"transports,omitempty"`
	Type       string   `json:"type"`
}

type selectionCriterion struct {
	ResidentKey             string `json:"residentKey"`
	UserVerification        string `json:"userVerification"`
	AuthenticatorAttachment string `json:"authenticatorAttachment,omitempty"`
	RequireResidentKey      bool   `json:"requireResidentKey"`
}

// authenticationOptions is @simplewebauthn/server's PublicKeyCredentialRequestOptionsJSON, in its order.
type authenticationOptions struct {
	RPID             string           `json:"rpId"`
	Challenge        string           `json:"challenge"`
	AllowCredentials []credDescriptor `json:"allowCredentials,omitempty"`
	Timeout          int              `json:"timeout"`
	UserVerification string           `json:"userVerification"`
}

// newChallenge is generateChallenge: 32 random bytes, base64url.
func newChallenge() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// lowerAlnum returns n characters of a-z0-9 (generateRandomString(n, "a-z", "0-9")).
func lowerAlnum(n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	out := make([]byte, 0, n)
	limit := 256 - 256%len(alphabet)
	var buf [64]byte
	for len(out) < n {
		_, _ = rand.Read(buf[:])
		for _, b := range buf {
			if int(b) < limit && len(out) < n {
				out = append(out, alphabet[int(b)%len(alphabet)])
			}
		}
	}
	return string(out)
}

// descriptors lists passkeys as excludeCredentials / allowCredentials.
func descriptors(pks []store.Passkey) []credDescriptor {
	out := make([]credDescriptor, 0, len(pks))
	for _, p := range pks {
		d := credDescriptor{ID: strings.TrimRight(p.CredentialID, "="), Type: "public-key"}
		if p.Transports != "" {
			d.Transports = strings.Split(p.Transports, ",")
		}
		out = append(out, d)
	}
	return out
}

// saveChallenge stores a ceremony's challenge: the verification row and the signed cookie naming it.
func (pl *plugin) saveChallenge(x *authserver.Context, data challengeData) error {
	token := betterauth.RandomString(32)
	value, err := json.Marshal(data)
	if err != nil {
		return err
	}
	now := x.Now()
	if err := x.Database().CreateVerification(x.Context(), &store.Verification{ID: betterauth.NewID(), Identifier: token,
		Value: string(value), ExpiresAt: now.Add(ChallengeMaxAge), CreatedAt: now, UpdatedAt: now}); err != nil {
		return err
	}
	x.SetSignedCookie(x.CookieName(pl.cfg.ChallengeCookie), token, ChallengeMaxAge)
	return nil
}

// takeChallenge consumes the request's challenge of the given ceremony: the row is deleted whether or not
// the ceremony then succeeds, so a challenge is used once, also by requests racing with it. A missing
// cookie, row or expired row, one another request consumed first, or one of the other ceremony, is 400
// CHALLENGE_NOT_FOUND.
func (pl *plugin) takeChallenge(x *authserver.Context, ceremony string) (*challengeData, error) {
	token, ok := x.SignedCookie(x.CookieName(pl.cfg.ChallengeCookie))
	if !ok {
		return nil, pl.err(400, "CHALLENGE_NOT_FOUND")
	}
	v, err := x.Database().Verification(x.Context(), token)
	if errors.Is(err, store.ErrNotFound) {
		return nil, pl.err(400, "CHALLENGE_NOT_FOUND")
	}
	if err != nil {
		return nil, err
	}
	// Spent first: of two requests racing with one challenge, only the one whose delete finds the row goes on.
	if err := x.Database().DeleteVerification(x.Context(), v.ID); errors.Is(err, store.ErrNotFound) {
		return nil, pl.err(400, "CHALLENGE_NOT_FOUND")
	} else if err != nil {
		return nil, err
	}
	var data challengeData
	if !v.ExpiresAt.After(x.Now()) || json.Unmarshal([]byte(v.Value), &data) != nil || data.Type != ceremony ||
		data.ExpectedChallenge == "" {
		return nil, pl.err(400, "CHALLENGE_NOT_FOUND")
	}
	return &data, nil
}

// registerOptions is GET /passkey/generate-register-options: needs a recent session.
func (pl *plugin) registerOptions(x *authserver.Context) (any, error) {
	att := x.Query().Get("authenticatorAttachment")
	if x.Query().Has("authenticatorAttachment") && att != "platform" && att != "cross-platform" {
		return nil, &authserver.APIError{Status: 400, Code: "VALIDATION_ERROR",
			Message: `[query.authenticatorAttachment] Invalid option: expected one of "platform"|"cross-platform"`}
	}
	res, err := x.RecentSession()
	if err != nil {
		return nil, err
	}
	u := res.User
	name := u.Email
	if name == "" {
		name = u.ID
	}
	pks, err := db(x).PasskeysByUser(x.Context(), u.ID)
	if err != nil {
		return nil, err
	}
	sel := selectionCriterion{ResidentKey: pl.cfg.AuthenticatorSelection.ResidentKey,
		UserVerification:        pl.cfg.AuthenticatorSelection.UserVerification,
		AuthenticatorAttachment: pl.cfg.AuthenticatorSelection.AuthenticatorAttachment}
	if att != "" {
		sel.AuthenticatorAttachment = att
	}
	sel.RequireResidentKey = sel.ResidentKey == "required"
	userName := name
	if q := x.Query().Get("name"); q != "" {
		userName = q
	}
	opts := registrationOptions{
		Challenge:              newChallenge(),
		RP:                     rpEntity{Name: pl.cfg.RPName, ID: pl.rpID},
		User:                   userEntity{ID: base64.RawURLEncoding.EncodeToString([]byte(lowerAlnum(32))), Name: userName, DisplayName: name},
		Timeout:                60000,
		Attestation:            "none",
		ExcludeCredentials:     descriptors(pks),
		AuthenticatorSelection: sel,
		Extensions:             map[string]bool{"credProps": true},
		Hints:                  []string{},
	}
	for _, alg := range offeredAlgs {
		opts.PubKeyCredParams = append(opts.PubKeyCredParams, credParam{Alg: alg, Type: "public-key"})
	}
	var ctx *string
	if x.Query().Has("context") {
		c := x.Query().Get("context")
		ctx = &c
	}
	data := challengeData{Type: "registration", ExpectedChallenge: opts.Challenge,
		UserData: userData{ID: u.ID, Name: &name, DisplayName: &name}, Context: ctx}
	if err := pl.saveChallenge(x, data); err != nil {
		return nil, err
	}
	return opts, nil
}

// authenticateOptions is GET /passkey/generate-authenticate-options: a signed-in user's passkeys are
// listed in allowCredentials; without a session the list is left out (discoverable credentials and
// conditional UI).
func (pl *plugin) authenticateOptions(x *authserver.Context) (any, error) {
	res, err := x.Session()
	var ae *authserver.APIError
	if err != nil && !(errors.As(err, &ae) && ae.Status == 401) {
		return nil, err
	}
	opts := authenticationOptions{RPID: pl.rpID, Challenge: newChallenge(), Timeout: 60000, UserVerification: "preferred"}
	uid := ""
	if res != nil {
		uid = res.User.ID
		pks, err := db(x).PasskeysByUser(x.Context(), uid)
		if err != nil {
			return nil, err
		}
		opts.AllowCredentials = descriptors(pks)
	}
	if err := pl.saveChallenge(x, challengeData{Type: "authentication", ExpectedChallenge: opts.Challenge,
		UserData: userData{ID: uid}}); err != nil {
		return nil, err
	}
	return opts, nil
}

// responseBytes returns the body's response field as JSON, or nil when it is not an object.
func responseBytes(x *authserver.Context) []byte {
	m, ok := x.Body()["response"].(map[string]any)
	if !ok {
		return nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil
	}
	return b
}

// verifyRegistration is POST /passkey/verify-registration {response, name?, createSession?}: needs a recent
// session. A response that does not verify is 500 FAILED_TO_VERIFY_REGISTRATION, as Better Auth answers.
func (pl *plugin) verifyRegistration(x *authserver.Context) (any, error) {
	if err := x.Validate(authserver.BodyField{Name: "name", Kind: authserver.FieldString},
		authserver.BodyField{Name: "createSession", Kind: authserver.FieldBool}); err != nil {
		return nil, err
	}
	res, err := x.RecentSession()
	if err != nil {
		return nil, err
	}
	ch, err := pl.takeChallenge(x, "registration")
	if err != nil {
		return nil, err
	}
	if ch.UserData.ID != res.User.ID {
		return nil, pl.err(401, "YOU_ARE_NOT_ALLOWED_TO_REGISTER_THIS_PASSKEY")
	}
	failed := func(why error) error {
		x.Logger().Warn("auth: passkey: registration did not verify", "err", why)
		return pl.err(500, "FAILED_TO_VERIFY_REGISTRATION")
	}
	raw := responseBytes(x)
	if raw == nil {
		return nil, failed(errors.New("response is not an object"))
	}
	pcc, err := protocol.ParseCredentialCreationResponseBytes(raw)
	if err != nil {
		return nil, failed(err)
	}
	if _, err := pcc.Verify(ch.ExpectedChallenge, pl.rpID, pl.origins, nil, nil, protocol.TopOriginExplicitVerificationMode,
		false, pl.cfg.RequireUserVerification, true, nil, credParams, protocol.AttestationPolicy{}, protocol.SignaturePolicy{}); err != nil {
		return nil, failed(err)
	}
	cred, err := webauthn.NewCredential(nil, pcc)
	if err != nil {
		return nil, failed(err)
	}
	credID := base64.RawURLEncoding.EncodeToString(cred.ID)
	if _, err := db(x).PasskeyByCredentialID(x.Context(), credID); err == nil {
		return nil, failed(errors.New("the credential id is already registered"))
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	var transports []string
	if r, ok := x.Body()["response"].(map[string]any)["response"].(map[string]any); ok {
		if ts, ok := r["transports"].([]any); ok {
			for _, t := range ts {
				if s, ok := t.(string); ok {
					transports = append(transports, s)
				}
			}
		}
	}
	flags := pcc.Response.AttestationObject.AuthData.Flags
	deviceType := "singleDevice"
	if flags.HasBackupEligible() {
		deviceType = "multiDevice"
	}
	now := x.Now()
	pk := &store.Passkey{ID: betterauth.NewID(), Name: strings.TrimSpace(x.String("name")), UserID: res.User.ID,
		CredentialID: credID, PublicKey: base64.StdEncoding.EncodeToString(cred.PublicKey),
		Counter: int64(cred.Authenticator.SignCount), DeviceType: deviceType, BackedUp: flags.HasBackupState(),
		Transports: strings.Join(transports, ","), CreatedAt: &now, AAGUID: aaguidString(cred.Authenticator.AAGUID)}
	createSession, _ := x.Body()["createSession"].(bool)
	if err := db(x).CreatePasskey(x.Context(), pk); err != nil {
		return nil, err
	}
	if !createSession {
		return passkeyJSON(*pk), nil
	}
	u, err := x.Database().UserByID(x.Context(), res.User.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, pl.err(500, "USER_NOT_FOUND")
	}
	if err != nil {
		return nil, err
	}
	s, err := x.CreateSession(*u, false)
	if err != nil {
		return nil, err
	}
	return withSession(passkeyJSON(*pk), s), nil
}

// verifyAuthentication is POST /passkey/verify-authentication {response}: signs in the passkey's user
// with a new session (through the session gate). An assertion that does not verify, and a signature
// counter that did not grow (simplewebauthn's clone check), are 400 AUTHENTICATION_FAILED; an unknown
// credential is 401 PASSKEY_NOT_FOUND. The stored counter changes only after a successful check.
func (pl *plugin) verifyAuthentication(x *authserver.Context) (any, error) {
	raw := responseBytes(x)
	if raw == nil {
		got := "undefined"
		if v, ok := x.Body()["response"]; ok {
			got = jsType(v)
		}
		return nil, &authserver.APIError{Status: 400, Code: "VALIDATION_ERROR",
			Message: "[body.response] Invalid input: expected record, received " + got}
	}
	ch, err := pl.takeChallenge(x, "authentication")
	if err != nil {
		return nil, err
	}
	id, _ := x.Body()["response"].(map[string]any)["id"].(string)
	if id == "" {
		return nil, pl.err(401, "PASSKEY_NOT_FOUND")
	}
	pk, err := db(x).PasskeyByCredentialID(x.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, pl.err(401, "PASSKEY_NOT_FOUND")
	}
	if err != nil {
		return nil, err
	}
	failed := func(why error) error {
		x.Logger().Warn("auth: passkey: sign-in did not verify", "err", why, "passkey", pk.ID)
		return pl.err(400, "AUTHENTICATION_FAILED")
	}
	par, err := protocol.ParseCredentialRequestResponseBytes(raw)
	if err != nil {
		return nil, failed(err)
	}
	key, err := base64.StdEncoding.DecodeString(pk.PublicKey)
	if err != nil {
		return nil, failed(err)
	}
	if err := par.Verify(ch.ExpectedChallenge, pl.rpID, "", pl.origins, nil, nil, protocol.TopOriginExplicitVerificationMode,
		false, pl.cfg.RequireUserVerification, true, key, protocol.SignaturePolicy{}); err != nil {
		return nil, failed(err)
	}
	counter := int64(par.Response.AuthenticatorData.Counter)
	if (counter > 0 || pk.Counter > 0) && counter <= pk.Counter {
		return nil, failed(errors.New("the signature counter did not grow: a cloned authenticator?"))
	}
	if err := db(x).UpdatePasskey(x.Context(), pk.ID, map[string]any{"counter": counter}); err != nil {
		return nil, err
	}
	u, err := x.Database().UserByID(x.Context(), pk.UserID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, &authserver.APIError{Status: 500, Message: "User not found"}
	}
	if err != nil {
		return nil, err
	}
	s, err := x.CreateSession(*u, false)
	if err != nil {
		return nil, err
	}
	return withSession(nil, s), nil
}

// jsType names v's type as zod does.
func jsType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case json.Number, float64:
		return "number"
	case []any:
		return "array"
	}
	return "object"
}
