package storeurl_test

import (
	"context"
	"fmt"

	"github.com/gobetterauth/gobetterauth/core/store/storeurl"
)

func ExampleOpen() {
	// In production: the DATABASE_URL the Better Auth server uses (sqlite:, postgres://, mysql://,
	// redis://, or the server's own https:// base URL).
	sessions, closer, err := storeurl.Open(context.Background(), "sqlite::memory:")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer closer.Close()
	fmt.Printf("%T\n", sessions)
	// Output: *sqlstore.Store
}
