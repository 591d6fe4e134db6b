package providers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"

	"github.com/gobetterauth/gobetterauth/core/authserver"
	"github.com/gobetterauth/gobetterauth/providers"
)

// The authorization URL carries the state, the PKCE S256 challenge of the verifier and Google's default
// scopes. The server stores the state and the verifier (Better Auth keeps them in its verification table)
// and redirects the browser to the URL.
func ExampleGoogle() {
	google, err := providers.Google(providers.GoogleConfig{ClientID: "123.apps.googleusercontent.com", ClientSecret: "secret"})
	if err != nil {
		panic(err)
	}
	raw, err := google.AuthCodeURL(context.Background(), authserver.AuthCodeParams{
		State:        "Xk3vQ0c1mB7pZrT2yW9dLh4sJ6nF8gEa",
		CodeVerifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
		RedirectURI:  "https://app.example.com/api/auth/callback/google",
	})
	if err != nil {
		panic(err)
	}
	u, _ := url.Parse(raw)
	q := u.Query()
	fmt.Println(u.Host + u.Path)
	for _, k := range []string{"scope", "code_challenge_method", "code_challenge", "include_granted_scopes"} {
		fmt.Printf("%s=%s\n", k, q.Get(k))
	}
	// Output:
	// accounts.google.com/o/oauth2/v2/auth
	// scope=email profile openid
	// code_challenge_method=S256
	// code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM
	// include_granted_scopes=true
}

// On the callback, Exchange redeems the code with the stored verifier and returns the tokens and the
// user. Here a fake GitHub stands in for github.com.
func ExampleGitHub() {
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/login/oauth/access_token":
			fmt.Fprint(w, `{"access_token":"gho_example","token_type":"bearer","scope":"read:user,user:email"}`)
		case "/user":
			fmt.Fprint(w, `{"id":583231,"login":"octocat","name":"The Octocat","email":null}`)
		case "/user/emails":
			fmt.Fprint(w, `[{"email":"octocat@github.com","primary":true,"verified":true}]`)
		}
	}))
	defer fake.Close()

	github, err := providers.GitHub(providers.GitHubConfig{ClientID: "Iv1.example", ClientSecret: "secret",
		TokenURL: fake.URL + "/login/oauth/access_token", APIURL: fake.URL})
	if err != nil {
		panic(err)
	}
	tokens, user, err := github.Exchange(context.Background(), authserver.ExchangeParams{
		Code:         "code-from-the-callback",
		CodeVerifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
		RedirectURI:  "https://app.example.com/api/auth/callback/github",
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(user.Subject, user.Email, user.EmailVerified, user.Name)
	fmt.Println(tokens.Scopes)
	// Output:
	// 583231 octocat@github.com true The Octocat
	// [read:user user:email]
}
