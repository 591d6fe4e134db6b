package betterauth

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/gobetterauth/gobetterauth/core/internal/strictjson"
)

// decryptSplit is JWEKeys.Decrypt as it was before it decoded into one buffer with pooled MACs: a split,
// one decode per part, a fresh HMAC and cipher per key. The new code must answer every token as it did.
func decryptSplit(k *JWEKeys, token string) ([]byte, error) {
	if strings.Count(token, ".") != 4 || len(token) > MaxCacheBytes {
		return nil, ErrCache
	}
	parts := strings.SplitN(token, ".", 5)
	h64, ek, iv64, ct64, tag64 := parts[0], parts[1], parts[2], parts[3], parts[4]
	if ek != "" {
		return nil, ErrCache
	}
	hdr, err := rawURL.DecodeString(h64)
	if err != nil {
		return nil, ErrCache
	}
	var alg, enc, kid string
	var hasKid bool
	err = strictjson.Walk(hdr, func(m strictjson.Member) error {
		val := string(hdr[m.Start:m.End])
		switch string(m.Key) {
		case "alg":
			alg = val
		case "enc":
			enc = val
		case "kid":
			if m.Kind != strictjson.String {
				return ErrCache
			}
			kid, hasKid = val, true
		case "zip", "crit":
			return ErrCache
		}
		return nil
	})
	if err != nil || alg != "dir" || enc != "A256CBC-HS512" {
		return nil, ErrCache
	}
	iv, err1 := rawURL.DecodeString(iv64)
	ct, err2 := rawURL.DecodeString(ct64)
	tag, err3 := rawURL.DecodeString(tag64)
	if err1 != nil || err2 != nil || err3 != nil || len(iv) != aes.BlockSize || len(tag) != 32 ||
		len(ct) == 0 || len(ct)%aes.BlockSize != 0 {
		return nil, ErrCache
	}
	for i := range k.keys {
		key := &k.keys[i]
		if hasKid && subtle.ConstantTimeCompare([]byte(kid), []byte(key.kid)) != 1 {
			continue
		}
		if pt, ok := openSplit(key.key[:], []byte(h64), iv, ct, tag); ok {
			return pt, nil
		}
		if hasKid {
			break
		}
	}
	return nil, ErrCache
}

func openSplit(key, aad, iv, ct, tag []byte) ([]byte, bool) {
	m := hmac.New(sha512.New, key[:32])
	m.Write(aad)
	m.Write(iv)
	m.Write(ct)
	var al [8]byte
	binary.BigEndian.PutUint64(al[:], uint64(len(aad))*8)
	m.Write(al[:])
	if !hmac.Equal(m.Sum(nil)[:32], tag) {
		return nil, false
	}
	block, _ := aes.NewCipher(key[32:])
	pt := make([]byte, len(ct))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(pt, ct)
	pad := int(pt[len(pt)-1])
	if pad == 0 || pad > aes.BlockSize || pad > len(pt) {
		return nil, false
	}
	for _, b := range pt[len(pt)-pad:] {
		if int(b) != pad {
			return nil, false
		}
	}
	return pt[:len(pt)-pad], true
}

// sealedJWE builds a compact JWE with key as Better Auth's encoder does, but with any header text and any
// plaintext, padded (PKCS#7) or not, so the fuzzer reaches the paths past the tag check.
func sealedJWE(key *jweKey, hdr string, iv, pt []byte, pad bool) string {
	if pad {
		n := aes.BlockSize - len(pt)%aes.BlockSize
		pt = append(bytes.Clone(pt), bytes.Repeat([]byte{byte(n)}, n)...)
	} else if len(pt)%aes.BlockSize != 0 {
		pt = append(bytes.Clone(pt), make([]byte, aes.BlockSize-len(pt)%aes.BlockSize)...)
	}
	h64 := rawURL.EncodeToString([]byte(hdr))
	ct := make([]byte, len(pt))
	cipher.NewCBCEncrypter(key.block, iv).CryptBlocks(ct, pt)
	m := hmac.New(sha512.New, key.key[:32])
	m.Write([]byte(h64))
	m.Write(iv)
	m.Write(ct)
	var al [8]byte
	binary.BigEndian.PutUint64(al[:], uint64(len(h64))*8)
	m.Write(al[:])
	return h64 + ".." + rawURL.EncodeToString(iv) + "." + rawURL.EncodeToString(ct) + "." +
		rawURL.EncodeToString(m.Sum(nil)[:32])
}

// FuzzJWEDecryptAsBefore: Decrypt opens or refuses every token as decryptSplit did, and opens it to the
// same plaintext: tokens sealed with either of two keys (fuzzed header, plaintext and padding), the same
// cut short or with bytes appended, and raw fuzzed text.
func FuzzJWEDecryptAsBefore(f *testing.F) {
	v, get := loadVectors(f)
	k, err := NewJWEKeys([]string{"older-secret-0123456789012345678901234567", v.Secret})
	if err != nil {
		f.Fatal(err)
	}
	real := get("jwe", "better-auth.session_data")
	f.Add(`{"alg":"dir","enc":"A256CBC-HS512","kid":"`+k.keys[0].kid+`"}`, []byte(`{"a":1}`), true, uint8(0), real, uint8(0))
	f.Add(`{"alg":"dir","enc":"A256CBC-HS512"}`, []byte(`{"session":{}}`), true, uint8(1), ".x", uint8(3))
	f.Add(`{"alg":"dir","enc":"A256CBC-HS512","kid":"`+k.keys[1].kid+`"}`, []byte("0123456789abcdef"), false, uint8(1), "", uint8(0))
	f.Add(`{"alg":"di\u0072","enc":"A256CBC-HS512"}`, []byte(`{}`), true, uint8(0), "a.b.c.d.e", uint8(0))
	f.Add(`{"alg":"dir","enc":"A256CBC-HS512","zip":"DEF"}`, []byte(`{}`), true, uint8(0), "", uint8(0))
	f.Add(`{"alg":"dir","enc":"A256CBC-HS512","kid":7}`, []byte(`{}`), true, uint8(0), "", uint8(0))
	f.Fuzz(func(t *testing.T, hdr string, pt []byte, pad bool, which uint8, raw string, cut uint8) {
		iv := make([]byte, aes.BlockSize)
		copy(iv, pt)
		tok := sealedJWE(&k.keys[int(which)%len(k.keys)], hdr, iv, pt, pad)
		for _, tok := range []string{tok, raw, tok + raw, tok[:len(tok)-int(cut)%(len(tok)+1)]} {
			got, gerr := k.Decrypt(tok)
			want, werr := decryptSplit(k, tok)
			if (gerr == nil) != (werr == nil) || !bytes.Equal(got, want) {
				t.Fatalf("Decrypt(%q) = %q, %v; before: %q, %v", tok, got, gerr, want, werr)
			}
		}
	})
}
