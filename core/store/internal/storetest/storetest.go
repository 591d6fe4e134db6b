// Package storetest holds what the store tests share: where the test services are, the skip-or-fail rule
// for a service that does not answer, a TCP proxy that can be taken down to inject faults, and Better
// Auth's captured get-session bodies.
package storetest

import (
	"crypto/rand"
	"embed"
	"encoding/hex"
	"os"
	"sort"
	"strings"
	"testing"
	"time"
)

// Environment variables naming the test services, and their defaults.
const (
	EnvPostgres     = "GOBETTERAUTH_TEST_POSTGRES_URL"
	EnvMySQL        = "GOBETTERAUTH_TEST_MYSQL_DSN"
	EnvRedis        = "GOBETTERAUTH_TEST_REDIS_URL"
	DefaultPostgres = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	DefaultMySQL    = "root@tcp(127.0.0.1:3306)/test"
	DefaultRedis    = "redis://127.0.0.1:6379/0"
)

// PostgresURL returns the PostgreSQL URL for tests.
func PostgresURL() string { return env(EnvPostgres, DefaultPostgres) }

// MySQLDSN returns the MySQL/MariaDB DSN (go-sql-driver form) for tests.
func MySQLDSN() string { return env(EnvMySQL, DefaultMySQL) }

// RedisURL returns the Redis URL for tests.
func RedisURL() string { return env(EnvRedis, DefaultRedis) }

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// Require skips the test when a service did not answer (err != nil), or fails it when the environment
// variable CI is "true": in CI every service must be there.
func Require(t testing.TB, service, envName string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s not reachable (CI=true, so this fails instead of skipping): %v", service, err)
	}
	t.Skipf("%s not reachable, skipping (set %s to point at one): %v", service, envName, err)
}

// Name returns prefix followed by 12 random hex digits: a name for a database, schema or key prefix of
// one test.
func Name(prefix string) string {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return prefix + hex.EncodeToString(b[:])
}

// IST is UTC+05:30 without daylight saving time, a zone in which timezone bugs show.
var IST = time.FixedZone("IST", 5*3600+1800)

// UseNonUTCLocal sets time.Local to IST. Call it from TestMain before m.Run, when no other goroutine
// runs yet, so that the race detector has nothing to report and every test sees the same zone.
func UseNonUTCLocal() { time.Local = IST }

//go:embed testdata/*.body
var bodies embed.FS

// GetSessionBodies returns Better Auth's captured get-session bodies ({"session":…,"user":…}), by strategy
// name, sorted.
func GetSessionBodies() (names []string, body map[string][]byte) {
	ents, err := bodies.ReadDir("testdata")
	if err != nil {
		panic(err)
	}
	body = map[string][]byte{}
	for _, e := range ents {
		b, err := bodies.ReadFile("testdata/" + e.Name())
		if err != nil {
			panic(err)
		}
		n := strings.TrimSuffix(e.Name(), ".get-session-nocache.body")
		names = append(names, n)
		body[n] = b
	}
	sort.Strings(names)
	return names, body
}
