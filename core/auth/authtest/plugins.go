package authtest

import (
	"context"
	"crypto/rand"
	"errors"
	"time"

	"github.com/gobetterauth/gobetterauth/core/internal/betterauth"
	"github.com/gobetterauth/gobetterauth/core/store"
)

// The conformance suite's in-memory api-key and organization plugin tables (memStore's other half).

// projectRoles are the roles the organization cases use: Better Auth's defaults with the statement
// project: create, read, delete added (owner all, admin create and read, member read), as docs/plugins.md
// configures the Node server.
func projectRoles() map[string]map[string][]string {
	roles := betterauth.DefaultOrgRoles()
	roles["owner"]["project"] = []string{"create", "read", "delete"}
	roles["admin"]["project"] = []string{"create", "read"}
	roles["member"]["project"] = []string{"read"}
	return roles
}

// betterauthKey returns a random key shaped like the plugin's default keys (64 letters).
func betterauthKey() string {
	const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	b := make([]byte, 64)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = letters[int(b[i])%len(letters)]
	}
	return string(b)
}

func hashKey(key string) string { return betterauth.HashAPIKey(key) }

var errDown = errors.New("authtest: the store is down")

// APIKey implements store.APIKeyStore.
func (ms *memStore) APIKey(_ context.Context, key string) (*store.APIKey, error) {
	if ms.down.Load() {
		return nil, errDown
	}
	ms.mu.Lock()
	defer ms.mu.Unlock()
	k, ok := ms.keys[key]
	if !ok {
		return nil, store.ErrNotFound
	}
	cp := *k
	return &cp, nil
}

// UpdateAPIKey implements store.APIKeyStore.
func (ms *memStore) UpdateAPIKey(_ context.Context, id string, cond store.APIKeyCond, set store.APIKeySet) (*store.APIKey, bool, error) {
	if ms.down.Load() {
		return nil, false, errDown
	}
	ms.mu.Lock()
	defer ms.mu.Unlock()
	var k *store.APIKey
	for _, v := range ms.keys {
		if v.ID == id {
			k = v
		}
	}
	if k == nil {
		return nil, false, store.ErrNotFound
	}
	timeIs := func(a, b *time.Time) bool { return a == nil && b == nil || a != nil && b != nil && a.Equal(*b) }
	ok := (!cond.LastRefillAtIs || timeIs(k.LastRefillAt, cond.LastRefillAt)) &&
		(!cond.RemainingPositive || k.Remaining != nil && *k.Remaining > 0) &&
		(cond.LastRequestAfter == nil || k.LastRequest != nil && k.LastRequest.After(*cond.LastRequestAfter)) &&
		(cond.LastRequestNotAfter == nil || k.LastRequest != nil && !k.LastRequest.After(*cond.LastRequestNotAfter)) &&
		(!cond.LastRequestNull || k.LastRequest == nil) &&
		(cond.RequestCountBelow == nil || k.RequestCount < *cond.RequestCountBelow)
	if ok {
		switch {
		case set.DecrementRemaining:
			n := *k.Remaining - 1
			k.Remaining = &n
		case set.Remaining != nil:
			n := *set.Remaining
			k.Remaining = &n
		}
		switch {
		case set.IncrementRequestCount:
			k.RequestCount++
		case set.RequestCount != nil:
			k.RequestCount = *set.RequestCount
		}
		if set.LastRefillAt != nil {
			t := *set.LastRefillAt
			k.LastRefillAt = &t
		}
		if set.LastRequest != nil {
			t := *set.LastRequest
			k.LastRequest = &t
		}
		k.UpdatedAt = set.UpdatedAt
	}
	cp := *k
	return &cp, ok, nil
}

// UserByID implements store.APIKeyStore: the owner of the suite's keys is k1.
func (ms *memStore) UserByID(_ context.Context, id string) (*store.User, error) {
	if id != "k1" {
		return nil, store.ErrNotFound
	}
	return &store.User{ID: "k1", Email: "k1@example.com", Name: "Key Owner"}, nil
}

// Member implements store.OrganizationStore.
func (ms *memStore) Member(_ context.Context, org, user string) (*store.Member, error) {
	if ms.down.Load() {
		return nil, errDown
	}
	ms.mu.Lock()
	defer ms.mu.Unlock()
	m, ok := ms.members[[2]string{org, user}]
	if !ok {
		return nil, store.ErrNotFound
	}
	cp := *m
	return &cp, nil
}

// OrganizationRoles implements store.OrganizationStore: the suite has no dynamic roles.
func (ms *memStore) OrganizationRoles(context.Context, string) ([]store.OrganizationRole, error) {
	return nil, nil
}
