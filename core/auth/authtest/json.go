package authtest

import (
	"bytes"
	"encoding/json"
	"slices"

	"github.com/go-jose/go-jose/v4"
)

type member struct {
	name  string
	value any
}

// marshalOrdered writes a JSON object with members in the given order, without HTML escaping (like JS
// JSON.stringify).
func marshalOrdered(members []member) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, m := range members {
		if i > 0 {
			buf.WriteByte(',')
		}
		if err := encode(&buf, m.name); err != nil {
			return nil, err
		}
		buf.WriteByte(':')
		if err := encode(&buf, m.value); err != nil {
			return nil, err
		}
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

func encode(buf *bytes.Buffer, v any) error {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	buf.Truncate(buf.Len() - 1) // Encode appends a newline
	return nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// SignHS256 signs payload as an HS256 token with secret, header {"alg":"HS256"} (what Better Auth's own
// HS256 signer emits). It uses go-jose, not gobetterauth code.
func SignHS256(secret string, payload []byte) (string, error) {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: []byte(secret)}, nil)
	if err != nil {
		return "", err
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}
