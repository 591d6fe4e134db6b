package authserver

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/gobetterauth/gobetterauth/core/auth"
)

// DevSecret returns the development secret kept in the file at path, creating the file (0600, 32 random
// bytes as base64url) when it does not exist, and logs a warning each time. It is for a zero-configuration
// development server only: production MUST set BETTER_AUTH_SECRET (or auth.Config.Secret) instead, shared by every
// server that reads the same sessions. A file with a secret shorter than auth.MinSecretBytes is an error.
func DevSecret(path string, log *slog.Logger) (auth.Secret, error) {
	if log == nil {
		log = slog.Default()
	}
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		s := strings.TrimSpace(string(b))
		if len(s) < auth.MinSecretBytes {
			return "", fmt.Errorf("auth: the development secret in %s is %d bytes; at least %d are required", path, len(s), auth.MinSecretBytes)
		}
		log.Warn("auth: DEVELOPMENT SECRET in use (set BETTER_AUTH_SECRET in production)", "file", path)
		return auth.Secret(s), nil
	case !errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("auth: reading the development secret: %w", err)
	}
	raw := make([]byte, 32)
	rand.Read(raw)
	s := base64.RawURLEncoding.EncodeToString(raw)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", fmt.Errorf("auth: storing the development secret: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrExist) { // another process made it first
			return DevSecret(path, log)
		}
		return "", fmt.Errorf("auth: storing the development secret: %w", err)
	}
	if _, err := f.WriteString(s + "\n"); err != nil {
		f.Close()
		return "", fmt.Errorf("auth: storing the development secret: %w", err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("auth: storing the development secret: %w", err)
	}
	log.Warn("auth: GENERATED A DEVELOPMENT SECRET and stored it; sessions survive restarts but this MUST NOT be used in production (set BETTER_AUTH_SECRET)", "file", path)
	return auth.Secret(s), nil
}
