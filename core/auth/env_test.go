package auth_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/gobetterauth/gobetterauth/core/auth"
)

// TestFromEnvRefusesStore: package auth links no store driver, so a DATABASE_URL or REDIS_URL it cannot
// open is an error that names the variable and storeurl, never a verifier that silently accepts JWTs only.
func TestFromEnvRefusesStore(t *testing.T) {
	for _, tt := range []struct {
		name, variable, value string
	}{
		{name: "database", variable: auth.EnvDatabaseURL, value: "postgres://db.example.com/app"},
		{name: "redis", variable: auth.EnvRedisURL, value: "redis://cache.example.com:6379"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(auth.EnvBaseURL, "https://app.example.com")
			t.Setenv(auth.EnvSecret, strings.Repeat("x", 32))
			t.Setenv(auth.EnvDatabaseURL, "")
			t.Setenv(auth.EnvRedisURL, "")
			t.Setenv(tt.variable, tt.value)
			c, err := auth.ConfigFromEnv()
			if !errors.Is(err, auth.ErrStoreInEnv) {
				t.Fatalf("ConfigFromEnv: %v, want ErrStoreInEnv", err)
			}
			if c.Store != nil || c.BaseURL != "https://app.example.com" {
				t.Errorf("config %+v: want what was read, without a store", c)
			}
			a, err := auth.FromEnv()
			if a != nil {
				t.Error("FromEnv returned an Auth")
			}
			if !errors.Is(err, auth.ErrStoreInEnv) {
				t.Errorf("FromEnv: %v, want ErrStoreInEnv", err)
			}
			if !errors.Is(err, auth.ErrInvalidConfig) {
				t.Errorf("FromEnv: %v, want ErrInvalidConfig", err)
			}
			for _, want := range []string{tt.variable, "storeurl.FromEnv"} {
				if err != nil && !strings.Contains(err.Error(), want) {
					t.Errorf("FromEnv error %q does not name %s", err, want)
				}
			}
		})
	}
}
