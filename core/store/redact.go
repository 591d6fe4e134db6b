package store

import (
	"fmt"
	"log/slog"
)

// The records that hold credentials format and log with those fields redacted. Each method formats a copy
// of the record as a type without methods (so the verbs and flags behave as for any struct) with the
// credential fields replaced; the fields themselves stay plain strings, and JSON is unchanged.

const redacted = "[REDACTED]"

func redact(s string) string {
	if s == "" {
		return ""
	}
	return redacted
}

type (
	sessionFields      Session
	accountFields      Account
	verificationFields Verification
	jwkFields          JWK
	apiKeyFields       APIKey
)

func (s Session) redacted() sessionFields {
	c := sessionFields(s)
	c.Token = redact(c.Token)
	return c
}

// Format implements [fmt.Formatter]: the session prints with its Token redacted.
func (s Session) Format(f fmt.State, verb rune) {
	fmt.Fprintf(f, fmt.FormatString(f, verb), s.redacted())
}

// LogValue implements [slog.LogValuer]: the session logs with its Token redacted.
func (s Session) LogValue() slog.Value { return slog.AnyValue(s.redacted()) }

func (a Account) redacted() accountFields {
	c := accountFields(a)
	c.AccessToken, c.RefreshToken, c.IDToken = redact(c.AccessToken), redact(c.RefreshToken), redact(c.IDToken)
	c.Password = redact(c.Password)
	return c
}

// Format implements [fmt.Formatter]: the account prints with its tokens and password hash redacted.
func (a Account) Format(f fmt.State, verb rune) {
	fmt.Fprintf(f, fmt.FormatString(f, verb), a.redacted())
}

// LogValue implements [slog.LogValuer]: the account logs with its tokens and password hash redacted.
func (a Account) LogValue() slog.Value { return slog.AnyValue(a.redacted()) }

func (v Verification) redacted() verificationFields {
	c := verificationFields(v)
	c.Value = redact(c.Value)
	return c
}

// Format implements [fmt.Formatter]: the verification prints with its Value redacted.
func (v Verification) Format(f fmt.State, verb rune) {
	fmt.Fprintf(f, fmt.FormatString(f, verb), v.redacted())
}

// LogValue implements [slog.LogValuer]: the verification logs with its Value redacted.
func (v Verification) LogValue() slog.Value { return slog.AnyValue(v.redacted()) }

func (k JWK) redacted() jwkFields {
	c := jwkFields(k)
	c.PrivateKey = redact(c.PrivateKey)
	return c
}

// Format implements [fmt.Formatter]: the key prints with its PrivateKey redacted.
func (k JWK) Format(f fmt.State, verb rune) { fmt.Fprintf(f, fmt.FormatString(f, verb), k.redacted()) }

// LogValue implements [slog.LogValuer]: the key logs with its PrivateKey redacted.
func (k JWK) LogValue() slog.Value { return slog.AnyValue(k.redacted()) }

func (k APIKey) redacted() apiKeyFields {
	c := apiKeyFields(k)
	c.Key, c.Metadata = redact(c.Key), redact(c.Metadata)
	return c
}

// Format implements [fmt.Formatter]: the key prints with its stored key and its metadata redacted.
func (k APIKey) Format(f fmt.State, verb rune) {
	fmt.Fprintf(f, fmt.FormatString(f, verb), k.redacted())
}
