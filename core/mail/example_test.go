package mail_test

import (
	"context"
	"fmt"

	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/core/mail"
)

// An Outbox keeps what the server would have sent; a development server can show the links.
func ExampleOutbox() {
	var box mail.Outbox
	_ = box.SendEmail(context.Background(), authserver.Email{Kind: authserver.EmailVerify, To: "ann@example.com",
		URL: "http://localhost:3000/api/auth/verify-email?token=…&callbackURL=%2F"})
	e, _ := box.Last("ann@example.com", authserver.EmailVerify)
	fmt.Println(e.URL)
	// Output: http://localhost:3000/api/auth/verify-email?token=…&callbackURL=%2F
}
