package twofactor

// Mirrors better-auth src/plugins/two-factor/backup-codes/index.ts: ten codes "xxxxx-xxxxx" of [a-zA-Z0-9],
// stored as the JSON array, encrypted with the secret by default; a code is spent by a compare-and-set of
// the stored value.

import (
	"encoding/json"

	"github.com/gobetterauth/gobetterauth/core/authserver"
)

// newBackupCodes makes the codes and their stored form.
func (pl *plugin) newBackupCodes(x *authserver.Context) ([]string, string, error) {
	n := pl.cfg.BackupCodes.Length
	codes := make([]string, pl.cfg.BackupCodes.Amount)
	for i := range codes {
		c := randomString(alphaNum, n)
		codes[i] = c[:5] + "-" + c[5:]
	}
	stored, err := pl.encodeCodes(x, codes)
	return codes, stored, err
}

// encodeCodes is encodeBackupCodes: JSON.stringify, then symmetricEncrypt unless Plain.
func (pl *plugin) encodeCodes(x *authserver.Context, codes []string) (string, error) {
	b, err := json.Marshal(codes)
	if err != nil {
		return "", err
	}
	if pl.cfg.BackupCodes.Plain {
		return string(b), nil
	}
	return x.Server().Encrypt(string(b))
}

// decodeCodes is getBackupCodes; nil when the value is not a JSON array of strings.
func (pl *plugin) decodeCodes(x *authserver.Context, stored string) ([]string, error) {
	s := stored
	if !pl.cfg.BackupCodes.Plain {
		var err error
		if s, err = x.Server().Decrypt(stored); err != nil {
			return nil, err
		}
	}
	var codes []string
	if json.Unmarshal([]byte(s), &codes) != nil {
		return nil, nil
	}
	return codes, nil
}

// generateBackupCodes is POST /two-factor/generate-backup-codes {password}.
func (pl *plugin) generateBackupCodes(x *authserver.Context) (any, error) {
	if err := x.Validate(pl.passwordField()); err != nil {
		return nil, err
	}
	res, err := x.Session()
	if err != nil {
		return nil, err
	}
	if !enabled(res.User) {
		return nil, pl.err(400, "TWO_FACTOR_NOT_ENABLED")
	}
	if err := pl.checkPassword(x, res.User.ID); err != nil {
		return nil, err
	}
	r, err := row(x, res.User.ID)
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, pl.err(400, "TWO_FACTOR_NOT_ENABLED")
	}
	codes, stored, err := pl.newBackupCodes(x)
	if err != nil {
		return nil, err
	}
	if err := db(x).UpdateTwoFactor(x.Context(), r.ID, map[string]any{"backupCodes": stored}); err != nil {
		return nil, err
	}
	return map[string]any{"status": true, "backupCodes": codes}, nil
}

// verifyBackupCode is POST /two-factor/verify-backup-code {code, disableSession?, trustDevice?}.
func (pl *plugin) verifyBackupCode(x *authserver.Context) (any, error) {
	if err := x.Validate(authserver.BodyField{Name: "code", Kind: authserver.FieldString, Required: true},
		authserver.BodyField{Name: "disableSession", Kind: authserver.FieldBool},
		authserver.BodyField{Name: "trustDevice", Kind: authserver.FieldBool}); err != nil {
		return nil, err
	}
	f, err := pl.resolve(x)
	if err != nil {
		return nil, err
	}
	r, err := row(x, f.user.ID)
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, pl.err(400, "BACKUP_CODES_NOT_ENABLED")
	}
	if f.signIn() {
		if err := pl.assertNotLocked(x, r); err != nil {
			return nil, err
		}
	}
	at, err := f.begin(x)
	if err != nil {
		return nil, err
	}
	codes, err := pl.decodeCodes(x, r.BackupCodes)
	if err != nil {
		at.restore()
		return nil, err
	}
	input := x.String("code")
	found := false
	var rest []string
	for _, c := range codes {
		if c == input {
			found = true
		} else {
			rest = append(rest, c)
		}
	}
	if !found || codes == nil {
		at.failed()
		if f.signIn() {
			if err := pl.recordFailure(x, r); err != nil {
				return nil, err
			}
		}
		return nil, pl.err(401, "INVALID_BACKUP_CODE")
	}
	if rest == nil {
		rest = []string{}
	}
	next, err := pl.encodeCodes(x, rest)
	if err != nil {
		return nil, err
	}
	swapped, err := db(x).SwapBackupCodes(x.Context(), r.ID, r.BackupCodes, next)
	if err != nil {
		return nil, err
	}
	if !swapped {
		return nil, &authserver.APIError{Status: 409, Code: "CONFLICT", Message: "Failed to verify backup code. Please try again."}
	}
	if f.signIn() {
		if err := pl.resetFailures(x, r); err != nil {
			return nil, err
		}
	}
	if ds, _ := x.Body()["disableSession"].(bool); !ds {
		return f.valid(x)
	}
	out := map[string]any{"user": userJSON(f.user)}
	if f.session != nil {
		out["token"] = f.session.Session.Token
	}
	return out, nil
}
