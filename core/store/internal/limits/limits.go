// Package limits holds the checks every store applies before it does I/O: a token shape check and a
// per-call deadline.
package limits

import (
	"context"
	"time"
	"unicode/utf8"
)

// MaxTokenBytes is the longest token a store looks up. Better Auth's session tokens are 32 characters.
const MaxTokenBytes = 256

// Bound gives ctx a deadline at most d away.
func Bound(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= d {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, d)
}

// ValidToken reports whether token could be a Better Auth session token: 1 to MaxTokenBytes bytes of valid
// UTF-8 without control characters or spaces.
func ValidToken(token string) bool {
	if token == "" || len(token) > MaxTokenBytes || !utf8.ValidString(token) {
		return false
	}
	for i := 0; i < len(token); i++ {
		if c := token[i]; c <= ' ' || c == 0x7f {
			return false
		}
	}
	return true
}
