package auth

import "log/slog"

// Secret is a secret string, such as BETTER_AUTH_SECRET. It prints, logs and encodes to JSON as
// "[REDACTED]", so a Config that is logged (with a text or a JSON handler) or formatted does not leak it.
// Convert it to a string (string(s)) where the secret itself is needed.
type Secret string

const redacted = "[REDACTED]"

// String returns "[REDACTED]".
func (Secret) String() string { return redacted }

// GoString returns "[REDACTED]", so %#v does not leak the secret either.
func (Secret) GoString() string { return redacted }

// LogValue implements [slog.LogValuer]; it returns "[REDACTED]".
func (Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalJSON returns "[REDACTED]" as a JSON string, so slog's JSON handler and encoding/json do not leak
// the secret of a struct that holds one.
func (Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }
