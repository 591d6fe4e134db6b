package redisstore_test

import (
	"context"
	"errors"
	"log"

	"github.com/redis/go-redis/v9"

	"github.com/gobetterauth/gobetterauth/core/store"
	"github.com/gobetterauth/gobetterauth/core/store/redisstore"
)

func ExampleNew() {
	client := redis.NewClient(&redis.Options{Addr: "cache:6379", ContextTimeoutEnabled: true})
	defer client.Close()
	// KeyPrefix as your secondaryStorage adapter writes keys: "" for Better Auth's documented example,
	// "better-auth:" for @better-auth/redis-storage.
	sessions, err := redisstore.New(client, &redisstore.Options{KeyPrefix: "better-auth:"})
	if err != nil {
		log.Fatal(err)
	}
	res, err := sessions.Lookup(context.Background(), "sqYbbU8rNWpIAU33u5KpylpiAn7vsxIq")
	switch {
	case errors.Is(err, store.ErrNotFound):
		// signed out, revoked or never issued: 401
	case err != nil:
		// Redis could not answer: 503
	default:
		log.Println(res.User.Email)
	}
}
