package passkey

// Listing, renaming and deleting passkeys (src/routes.ts: listPasskeys, updatePasskey, deletePasskey, with
// better-auth's requireResourceOwnership), and the passkey row as Better Auth's adapter returns it.

import (
	"encoding/hex"
	"errors"
	"strings"

	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
	"github.com/gobetterauth/gobetterauth/core/store"
)

// list is GET /passkey/list-user-passkeys: the user's passkeys.
func (pl *plugin) list(x *authserver.Context) (any, error) {
	res, err := x.Session()
	if err != nil {
		return nil, err
	}
	pks, err := db(x).PasskeysByUser(x.Context(), res.User.ID)
	if err != nil {
		return nil, err
	}
	b := []byte{'['}
	for i, p := range pks {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, passkeyJSON(p)...)
	}
	return rawJSON(append(b, ']')), nil
}

// owned is requireResourceOwnership: the session's user must own the passkey named by the body's id.
func (pl *plugin) owned(x *authserver.Context, forbidden error) (*store.Passkey, error) {
	res, err := x.Session()
	if err != nil {
		return nil, err
	}
	id := x.String("id")
	if id == "" {
		return nil, &authserver.APIError{Status: 400, Message: "Missing required parameter: id"}
	}
	pk, err := db(x).PasskeyByID(x.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, pl.err(404, "PASSKEY_NOT_FOUND")
	}
	if err != nil {
		return nil, err
	}
	if pk.UserID != res.User.ID {
		return nil, forbidden
	}
	return pk, nil
}

// delete is POST /passkey/delete-passkey {id}.
func (pl *plugin) delete(x *authserver.Context) (any, error) {
	if err := x.Validate(authserver.BodyField{Name: "id", Kind: authserver.FieldString, Required: true}); err != nil {
		return nil, err
	}
	pk, err := pl.owned(x, &authserver.APIError{Status: 401, Code: "UNAUTHORIZED", Message: "Unauthorized"})
	if err != nil {
		return nil, err
	}
	if err := db(x).DeletePasskey(x.Context(), pk.ID); err != nil {
		return nil, err
	}
	return map[string]bool{"status": true}, nil
}

// update is POST /passkey/update-passkey {id, name}: renames a passkey.
func (pl *plugin) update(x *authserver.Context) (any, error) {
	if err := x.Validate(authserver.BodyField{Name: "id", Kind: authserver.FieldString, Required: true},
		authserver.BodyField{Name: "name", Kind: authserver.FieldString, Required: true}); err != nil {
		return nil, err
	}
	name := strings.TrimSpace(x.String("name"))
	if name == "" {
		return nil, &authserver.APIError{Status: 400, Code: "VALIDATION_ERROR",
			Message: "[body.name] Too small: expected string to have >=1 characters"}
	}
	pk, err := pl.owned(x, pl.err(401, "YOU_ARE_NOT_ALLOWED_TO_REGISTER_THIS_PASSKEY"))
	if err != nil {
		return nil, err
	}
	if err := db(x).UpdatePasskey(x.Context(), pk.ID, map[string]any{"name": name}); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, pl.err(500, "FAILED_TO_UPDATE_PASSKEY")
		}
		return nil, err
	}
	pk.Name = name
	return rawJSON(append(append([]byte(`{"passkey":`), passkeyJSON(*pk)...), '}')), nil
}

// rawJSON is JSON sent as it is.
type rawJSON []byte

// MarshalJSON returns r.
func (r rawJSON) MarshalJSON() ([]byte, error) { return r, nil }

// passkeyJSON is a passkey row as Better Auth's adapter outputs it: the schema's fields in order, then id;
// NULL columns as null.
func passkeyJSON(p store.Passkey) rawJSON {
	str := func(b []byte, s string) []byte {
		if s == "" {
			return append(b, "null"...)
		}
		return betterauth.AppendJSString(b, s)
	}
	b := []byte(`{"name":`)
	b = str(b, p.Name)
	b = append(b, `,"publicKey":`...)
	b = betterauth.AppendJSString(b, p.PublicKey)
	b = append(b, `,"userId":`...)
	b = betterauth.AppendJSString(b, p.UserID)
	b = append(b, `,"credentialID":`...)
	b = betterauth.AppendJSString(b, p.CredentialID)
	b = append(b, `,"counter":`...)
	b = betterauth.AppendNumber(b, float64(p.Counter))
	b = append(b, `,"deviceType":`...)
	b = betterauth.AppendJSString(b, p.DeviceType)
	b = append(b, `,"backedUp":`...)
	if p.BackedUp {
		b = append(b, "true"...)
	} else {
		b = append(b, "false"...)
	}
	b = append(b, `,"transports":`...)
	b = betterauth.AppendJSString(b, p.Transports)
	b = append(b, `,"createdAt":`...)
	if p.CreatedAt == nil {
		b = append(b, "null"...)
	} else {
		b = betterauth.AppendJSString(b, p.CreatedAt.UTC().Format("2006-01-02T15:04:05.000Z"))
	}
	b = append(b, `,"aaguid":`...)
	b = str(b, p.AAGUID)
	b = append(b, `,"id":`...)
	b = betterauth.AppendJSString(b, p.ID)
	return rawJSON(append(b, '}'))
}

// withSession is {…passkey, "session": …, "user": …} (or {"session","user"} when passkey is nil).
func withSession(passkey rawJSON, res *store.Result) rawJSON {
	b := []byte{'{'}
	if passkey != nil {
		b = append(b, passkey[1:len(passkey)-1]...)
		b = append(b, ',')
	}
	b = append(b, `"session":`...)
	b = append(b, betterauth.SessionJSON(res.Session)...)
	b = append(b, `,"user":`...)
	b = append(b, betterauth.UserJSON(res.User)...)
	return rawJSON(append(b, '}'))
}

// aaguidString formats an AAGUID as simplewebauthn's convertAAGUIDToString does; "" when absent.
func aaguidString(b []byte) string {
	if len(b) != 16 {
		return ""
	}
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
