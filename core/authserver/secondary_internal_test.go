package authserver

import (
	"testing"
	"time"
)

// FuzzParseStored: values read from secondary storage (written by any server sharing it) never panic the
// parser, and what it accepts survives being written back as Better Auth writes it.
func FuzzParseStored(f *testing.F) {
	// Written by Better Auth 1.7.25 (the interop server, storeSessionInDatabase on).
	f.Add(`{"session":{"expiresAt":"2026-12-14T17:09:34.183Z","token":"QzP3cfiyltyPIdsBM5kilHiek5mcdYmf","createdAt":"2026-12-07T17:09:34.183Z","updatedAt":"2026-12-07T17:09:34.183Z","ipAddress":"","userAgent":"Go-http-client/1.1","userId":"SOilauRZ7UqM3Ab2TxN1oNdnRs5VOj62","id":"4u9FuVplIsvBCSKGUlWCGn8HD7tQ4ndl"},"user":{"name":"Redis node","email":"node-storesessionindatabase@example.com","emailVerified":false,"image":null,"createdAt":"2026-12-07T17:09:34.138Z","updatedAt":"2026-12-07T17:09:34.138Z","id":"SOilauRZ7UqM3Ab2TxN1oNdnRs5VOj62"}}`)
	f.Add(`{"session":{"id":"a","token":"t","userId":"u","expiresAt":1e300,"theme":1.5e-7},"user":{"id":"u","banned":null}}`)
	f.Add(`[]`)
	f.Add(`{"session":null,"user":{}}`)
	f.Fuzz(func(t *testing.T, raw string) {
		res, ok := parseStored(raw)
		if !ok {
			return
		}
		again, ok := parseStored(sessionValue(res.Session, res.User))
		if !ok || again.Session.Token != res.Session.Token || again.User.ID != res.User.ID || again.Session.UserID != res.Session.UserID {
			t.Fatalf("%q: written back it reads %+v, %v", raw, again, ok)
		}
		if !res.Session.ExpiresAt.Truncate(time.Millisecond).Equal(again.Session.ExpiresAt) && res.Session.ExpiresAt.Year() < 10000 && res.Session.ExpiresAt.Year() > 0 {
			t.Fatalf("%q: expiresAt %v became %v", raw, res.Session.ExpiresAt, again.Session.ExpiresAt)
		}
	})
}

// FuzzParseVerification: verification values never panic the parser.
func FuzzParseVerification(f *testing.F) {
	f.Add(`{"createdAt":"2026-12-07T17:09:34.138Z","updatedAt":"2026-12-07T17:09:34.138Z","value":"u1","identifier":"reset-password:abc","expiresAt":"2026-12-07T18:09:34.138Z"}`)
	f.Add(`{"expiresAt":1.8e12}`)
	f.Fuzz(func(t *testing.T, raw string) {
		if v, ok := parseVerification(raw); ok && v.ExpiresAt.IsZero() && raw == "" {
			t.Fatal("empty input accepted")
		}
	})
}
