package betterauth

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"
)

// The hash Better Auth 1.7.25 stored for "correct-horse-battery" (shared/vectors/strategies/compact.verify.json).
const betterAuthHash = "268c06d8d794be351b71b80d53681bd3:0d887a77e2b19145e72b55ce69ac4c705af9092aa36ccfdb5b93cfa92d5ab7c502bcaf302bedd8791a194b5f08ed085d0609b9f07f753838e4bddfd5b496d182"

func TestVerifyPasswordVector(t *testing.T) {
	ok, err := VerifyPassword(betterAuthHash, "correct-horse-battery")
	if err != nil || !ok {
		t.Fatalf("Better Auth's hash refused: %v %v", ok, err)
	}
	if ok, _ := VerifyPassword(betterAuthHash, "correct-horse-batterz"); ok {
		t.Fatal("wrong password accepted")
	}
}

func TestHashPasswordRoundTripAndNFKC(t *testing.T) {
	h, err := HashPassword("ｐａｓｓｗｏｒｄ１２３") // fullwidth: NFKC maps it to "password123"
	if err != nil {
		t.Fatal(err)
	}
	salt, key, _ := strings.Cut(h, ":")
	if len(salt) != 32 || len(key) != 128 || strings.ToLower(h) != h {
		t.Fatalf("format %q", h)
	}
	for pw, want := range map[string]bool{"password123": true, "ｐａｓｓｗｏｒｄ１２３": true, "password124": false} {
		if ok, err := VerifyPassword(h, pw); err != nil || ok != want {
			t.Errorf("%q: %v %v", pw, ok, err)
		}
	}
}

func TestVerifyPasswordMalformed(t *testing.T) {
	for _, h := range []string{"", "abc", "zz" + betterAuthHash[2:], betterAuthHash[:40], strings.Replace(betterAuthHash, ":", "", 1), betterAuthHash + "00"} {
		if _, err := VerifyPassword(h, "x"); err == nil {
			t.Errorf("%q accepted as a hash", h)
		}
	}
	if ok, err := VerifyPassword(DummyHash, "anything"); ok || err != nil {
		t.Errorf("DummyHash: %v %v", ok, err)
	}
}

func TestHasherBoundsConcurrency(t *testing.T) {
	h := NewHasher(2)
	var running, peak atomic.Int32
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() {
			_ = h.acquire(context.Background())
			n := running.Add(1)
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
			time.Sleep(5 * time.Millisecond)
			running.Add(-1)
			h.release()
		})
	}
	wg.Wait()
	if peak.Load() > 2 {
		t.Fatalf("peak %d > 2", peak.Load())
	}
	h.slots <- struct{}{}
	h.slots <- struct{}{}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, err := h.Verify(ctx, betterAuthHash, "x"); err == nil {
		t.Fatal("waited past the context")
	}
}

func FuzzVerifyPassword(f *testing.F) {
	f.Add(betterAuthHash, "correct-horse-battery")
	f.Add("00:00", "")
	f.Fuzz(func(t *testing.T, hash, pw string) {
		if len(hash) != 161 { // only well-formed lengths reach scrypt; keep the fuzzer fast
			if _, err := VerifyPassword(hash, pw); err == nil {
				t.Fatalf("malformed hash %q accepted", hash)
			}
			return
		}
		ok, err := VerifyPassword(hash, pw)
		if ok && (hash != betterAuthHash || norm.NFKC.String(pw) != "correct-horse-battery") && err == nil {
			// a collision would be a scrypt break; any other accept is a bug
			t.Fatalf("accepted %q for %q", pw, hash)
		}
	})
}
