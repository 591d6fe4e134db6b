package jwtissue

import (
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"testing"
)

const (
	secretV1 = "secret-version-1-0123456789abcdefghijklmnopqrs"
	secretV3 = "secret-version-3-0123456789abcdefghijklmnopqrs"
	legacy   = "legacy-secret-0123456789abcdefghijklmnopqrstuv"
)

var rotated = Secrets{Versions: []Versioned{{3, secretV3}, {1, secretV1}}, Legacy: legacy}

func TestEncryptDecrypt(t *testing.T) {
	// Envelopes under each secret, to splice into odd forms below.
	v1, err := Encrypt(Secrets{Versions: []Versioned{{1, secretV1}}}, "one")
	if err != nil {
		t.Fatal(err)
	}
	hex1 := strings.TrimPrefix(v1, "$ba$1$")
	bare, err := Encrypt(Secrets{Current: legacy}, "bare")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		secrets Secrets
		data    string
		want    string
		err     error
	}{
		{name: "version 1", secrets: rotated, data: v1, want: "one"},
		{name: "parseInt: leading space", secrets: rotated, data: "$ba$ 1$" + hex1, want: "one"},
		{name: "parseInt: leading no-break space", secrets: rotated, data: "$ba$\u00a01$" + hex1, want: "one"},
		{name: "parseInt: plus sign", secrets: rotated, data: "$ba$+1$" + hex1, want: "one"},
		{name: "parseInt: trailing letters", secrets: rotated, data: "$ba$1x$" + hex1, want: "one"},
		{name: "parseInt: leading zeros", secrets: rotated, data: "$ba$001$" + hex1, want: "one"},
		{name: "upper-case hex", secrets: rotated, data: "$ba$1$" + strings.ToUpper(hex1), want: "one"},
		{name: "-0 is version 0", secrets: Secrets{Versions: []Versioned{{0, secretV1}}}, data: "$ba$-0$" + hex1, want: "one"},
		{name: "negative version is legacy bare hex", secrets: rotated, data: "$ba$-1$" + hex1, err: ErrDecrypt},
		{name: "no version is legacy bare hex", secrets: rotated, data: "$ba$$" + hex1, err: ErrDecrypt},
		{name: "no third $ is legacy bare hex", secrets: rotated, data: "$ba$1" + hex1, err: ErrDecrypt},
		{name: "retired version", secrets: Secrets{Versions: []Versioned{{3, secretV3}}, Legacy: legacy}, data: v1, err: ErrSecretVersion},
		{name: "huge version", secrets: rotated, data: "$ba$99999999999999999999$" + hex1, err: ErrSecretVersion},
		{name: "wrong secret for the version", secrets: Secrets{Versions: []Versioned{{1, secretV3}}}, data: v1, err: ErrDecrypt},
		{name: "bare hex with legacy", secrets: rotated, data: bare, want: "bare"},
		{name: "bare hex without legacy", secrets: Secrets{Versions: rotated.Versions}, data: bare, err: ErrNoLegacySecret},
		{name: "default secret is no legacy", secrets: Secrets{Versions: rotated.Versions, Legacy: baDefaultSecret}, data: bare, err: ErrNoLegacySecret},
		{name: "single secret: bare hex", secrets: Secrets{Current: legacy}, data: bare, want: "bare"},
		{name: "single secret: envelope is not hex", secrets: Secrets{Current: secretV1}, data: v1, err: ErrDecrypt},
		{name: "odd hex", secrets: Secrets{Current: legacy}, data: bare[1:], err: ErrDecrypt},
		{name: "short", secrets: Secrets{Current: legacy}, data: bare[:78], err: ErrDecrypt},
		{name: "empty", secrets: Secrets{Current: legacy}, data: "", err: ErrDecrypt},
		{name: "tampered", secrets: Secrets{Current: legacy}, data: bare[:60] + flip(bare[60]) + bare[61:], err: ErrDecrypt},
		{name: "no secret", data: bare, err: ErrSecrets},
		{name: "duplicate version", secrets: Secrets{Versions: []Versioned{{1, "a"}, {1, "b"}}}, data: bare, err: ErrSecrets},
		{name: "negative version", secrets: Secrets{Versions: []Versioned{{-1, "a"}}}, data: bare, err: ErrSecrets},
		{name: "empty value", secrets: Secrets{Versions: []Versioned{{1, ""}}}, data: bare, err: ErrSecrets},
		{name: "Current is not the first version", secrets: Secrets{Current: "x", Versions: []Versioned{{1, "a"}}}, data: bare, err: ErrSecrets},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decrypt(tt.secrets, tt.data)
			if !errors.Is(err, tt.err) {
				t.Fatalf("Decrypt: %v, want %v", err, tt.err)
			}
			if got != tt.want {
				t.Errorf("Decrypt = %q, want %q", got, tt.want)
			}
		})
	}
}

func flip(c byte) string {
	if c == '0' {
		return "1"
	}
	return "0"
}

func TestEncryptForm(t *testing.T) {
	tests := []struct {
		name    string
		secrets Secrets
		prefix  string
	}{
		{name: "single", secrets: Secrets{Current: legacy}},
		{name: "single from Legacy", secrets: Secrets{Legacy: legacy}},
		{name: "rotated", secrets: rotated, prefix: "$ba$3$"},
		{name: "rotated, Current given", secrets: Secrets{Current: secretV3, Versions: rotated.Versions}, prefix: "$ba$3$"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, pt := range []string{"", "x", `{"kty":"OKP"}`, "ünïcødé ✓ 🚀"} {
				env, err := Encrypt(tt.secrets, pt)
				if err != nil {
					t.Fatal(err)
				}
				h, ok := strings.CutPrefix(env, tt.prefix)
				if !ok || len(h) != 2*(24+len(pt)+16) || strings.ToLower(h) != h || strings.Contains(h, "$") {
					t.Errorf("Encrypt = %q", env)
				}
				if got, err := Decrypt(tt.secrets, env); err != nil || got != pt {
					t.Errorf("Decrypt = %q, %v", got, err)
				}
			}
		})
	}
}

// TestDecodeUTF8 checks the WHATWG decoder's output (what Node's TextDecoder gave for these bytes).
func TestDecodeUTF8(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{name: "valid", in: "ok ✓", want: "ok ✓"},
		{name: "truncated 3-byte", in: "\xE2\x82A", want: "\uFFFDA"},
		{name: "truncated 4-byte at end", in: "\xF0\x9F\x98", want: "\uFFFD"},
		{name: "surrogate", in: "\xED\xA0\x80", want: "\uFFFD\uFFFD\uFFFD"},
		{name: "BOM dropped", in: "\xEF\xBB\xBFhi", want: "hi"},
		{name: "only the first BOM", in: "\xEF\xBB\xBF\xEF\xBB\xBF", want: "\uFEFF"},
		{name: "overlong", in: "\xC0\xAF", want: "\uFFFD\uFFFD"},
		{name: "above U+10FFFF", in: "\xF4\x90\x80\x80", want: "\uFFFD\uFFFD\uFFFD\uFFFD"},
		{name: "E0 then low", in: "\xE0\x80A", want: "\uFFFD\uFFFDA"},
		{name: "mixed", in: "A\xF1\x80\x80\xE1\x80\xC2", want: "A\uFFFD\uFFFD\uFFFD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := decodeUTF8([]byte(tt.in)); got != tt.want {
				t.Errorf("decodeUTF8(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseSecretsEnv(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []Versioned
		err  bool
	}{
		{name: "empty", in: ""},
		{name: "two", in: "2:new-secret, 1:old-secret", want: []Versioned{{2, "new-secret"}, {1, "old-secret"}}},
		{name: "colon in value", in: "1: a:b ", want: []Versioned{{1, "a:b"}}},
		{name: "parseInt version", in: "1x:v", want: []Versioned{{1, "v"}}},
		{name: "no colon", in: "1-v", err: true},
		{name: "negative", in: "-1:v", err: true},
		{name: "not a number", in: "x:v", err: true},
		{name: "empty value", in: "1: ", err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSecretsEnv(tt.in)
			if (err != nil) != tt.err || (err != nil && !errors.Is(err, ErrSecrets)) {
				t.Fatalf("err %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSecretsRedacted(t *testing.T) {
	var sb strings.Builder
	slog.New(slog.NewTextHandler(&sb, nil)).Info("x", "secrets", rotated)
	slog.New(slog.NewTextHandler(&sb, nil)).Info("x", "versions", rotated.Versions, "one", rotated.Versions[0])
	for _, s := range []string{fmt.Sprint(rotated), fmt.Sprintf("%v %+v %#v %s", rotated, rotated, rotated, rotated),
		fmt.Sprintf("%v %+v %#v", rotated.Versions, rotated.Versions, rotated.Versions), sb.String()} {
		if strings.Contains(s, "secret-version") || strings.Contains(s, "legacy-secret") {
			t.Errorf("leaked: %s", s)
		}
	}
}
