package auth

import "log/slog"

// Secret is a secret string, such as BETTER_AUTH_SECRET. It prints and logs as "[REDACTED]", so a Config
// that is logged or formatted does not leak it.
type Secret string

const redacted = "[REDACTED]"

// String returns "[REDACTED]".
func (Secret) String() string { return redacted }

// GoString returns "[REDACTED]", so %#v does not leak the secret either.
func (Secret) GoString() string { return redacted }

// LogValue implements [slog.LogValuer]; it returns "[REDACTED]".
func (Secret) LogValue() slog.Value { return slog.StringValue(redacted) }
