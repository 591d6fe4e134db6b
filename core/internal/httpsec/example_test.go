package httpsec_test

import (
	"fmt"
	"net/http"

	"github.com/gobetterauth/gobetterauth/core/internal/httpsec"
)

func ExampleOrigins_ValidCallback() {
	o, err := httpsec.NewOrigins("https://app.example.com", []string{"https://*.preview.example.com", "myapp://"})
	if err != nil {
		panic(err)
	}
	for _, target := range []string{"/dashboard?tab=1", "https://pr-7.preview.example.com/cb", "myapp://done",
		"//evil.com", `/\evil.com`, "https:evil.com", "https://app.example.com@evil.com", "javascript:alert(1)"} {
		fmt.Println(o.ValidCallback(target), target)
	}
	// Output:
	// true /dashboard?tab=1
	// true https://pr-7.preview.example.com/cb
	// true myapp://done
	// false //evil.com
	// false /\evil.com
	// false https:evil.com
	// false https://app.example.com@evil.com
	// false javascript:alert(1)
}

func ExampleOrigins_CheckRequest() {
	o, _ := httpsec.NewOrigins("https://app.example.com", nil)
	h := http.Header{"Cookie": {"better-auth.session_token=…"}, "Origin": {"https://evil.com"}}
	if e := o.CheckRequest(http.MethodPost, h, nil, nil); e != nil {
		fmt.Println(e.Status, e.Code, e.Message)
	}
	// Output: 403 INVALID_ORIGIN Invalid origin
}

func ExampleRateLimiter_Allow() {
	l := httpsec.NewRateLimiter(httpsec.RateLimitConfig{})
	key := httpsec.RateLimitKey("203.0.113.7")
	for _, p := range []string{"/sign-in/email", "/sign-in/email/", "/SIGN-IN/email", "//sign-in/email"} {
		ok, retryAfter := l.Allow(key, p)
		fmt.Println(p, ok, retryAfter)
	}
	// Output:
	// /sign-in/email true 0
	// /sign-in/email/ true 0
	// /SIGN-IN/email true 0
	// //sign-in/email false 10
}
