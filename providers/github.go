package providers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/authserver"
)

// GitHub's endpoints.
const (
	GitHubAuthURL  = "https://github.com/login/oauth/authorize"
	GitHubTokenURL = "https://github.com/login/oauth/access_token"
	GitHubAPIURL   = "https://api.github.com"
)

// GitHubConfig configures [GitHub].
type GitHubConfig struct {
	// ClientID and ClientSecret are the OAuth app's credentials. ClientID is required.
	ClientID     string
	ClientSecret auth.Secret
	// Scopes are requested in addition to the defaults, "read:user user:email".
	Scopes []string
	// DisableDefaultScopes drops the default scopes.
	DisableDefaultScopes bool
	// Prompt is sent as prompt when not empty ("select_account").
	Prompt string
	// AuthURL, TokenURL and APIURL replace GitHub's (for tests, or GitHub Enterprise Server, whose API is
	// at https://<host>/api/v3). Empty means github.com's.
	AuthURL, TokenURL, APIURL string
	// HTTPClient makes every call to GitHub; see [OpenIDConfig].HTTPClient.
	HTTPClient *http.Client
}

// GitHub returns the GitHub provider, id "github", as Better Auth's: plain OAuth 2.0, scopes "read:user
// user:email", PKCE, and the user from the REST API: GET /user gives the numeric id (the subject), name
// (or the login), avatar_url and the public email; GET /user/emails gives the addresses. When the profile
// has no public email the primary address is used (the first one when none is marked primary), and
// email_verified is the "verified" flag of the chosen address in /user/emails (false when it is not
// listed, or that call failed). VerifyIDToken returns [authserver.ErrIDTokenNotSupported]; a nonce given to
// AuthCodeURL or Exchange is ignored.
func GitHub(cfg GitHubConfig) (authserver.Provider, error) {
	if cfg.ClientID == "" {
		return nil, configError("github: ClientID is required")
	}
	api := strings.TrimRight(or(cfg.APIURL, GitHubAPIURL), "/")
	var scopes []string
	if !cfg.DisableDefaultScopes {
		scopes = []string{"read:user", "user:email"}
	}
	var params [][2]string
	if cfg.Prompt != "" {
		params = append(params, [2]string{"prompt", cfg.Prompt})
	}
	p := &provider{
		id: "github",
		conf: oauth2.Config{ClientID: cfg.ClientID, ClientSecret: string(cfg.ClientSecret), Endpoint: oauth2.Endpoint{
			AuthURL: or(cfg.AuthURL, GitHubAuthURL), TokenURL: or(cfg.TokenURL, GitHubTokenURL),
			AuthStyle: oauth2.AuthStyleInParams}},
		scopes: joinScopes(scopes, cfg.Scopes),
		params: params,
		client: boundedClient(cfg.HTTPClient),
		now:    orNow(nil),
	}
	hdr := http.Header{"User-Agent": {"gobetterauth"}}
	p.user = func(ctx context.Context, tok *oauth2.Token, _ *oidc.IDToken, _ *idClaims) (*authserver.ProviderUser, error) {
		var prof struct {
			ID        json.Number `json:"id"`
			Login     string      `json:"login"`
			Name      string      `json:"name"`
			Email     string      `json:"email"`
			AvatarURL string      `json:"avatar_url"`
		}
		if err := getJSON(ctx, "github", api+"/user", tok.AccessToken, hdr, &prof); err != nil {
			return nil, err
		}
		if prof.ID.String() == "" {
			return nil, fmt.Errorf("%w: github: the user has no id", ErrUserInfo)
		}
		var emails []struct {
			Email    string `json:"email"`
			Primary  bool   `json:"primary"`
			Verified bool   `json:"verified"`
		}
		if err := getJSON(ctx, "github", api+"/user/emails", tok.AccessToken, hdr, &emails); err != nil {
			// Better Auth carries on without the list (the token may lack user:email), but an outage
			// is not a reason to sign the user in with less.
			if errors.Is(err, auth.ErrUnavailable) {
				return nil, err
			}
			emails = nil
		}
		email := prof.Email
		if email == "" && len(emails) > 0 {
			email = emails[0].Email
			for _, e := range emails {
				if e.Primary {
					email = e.Email
					break
				}
			}
		}
		u := &authserver.ProviderUser{Subject: prof.ID.String(), Email: email, Name: prof.Name, Image: prof.AvatarURL}
		if u.Name == "" {
			u.Name = prof.Login
		}
		for _, e := range emails {
			if email != "" && e.Email == email {
				u.EmailVerified = e.Verified
				break
			}
		}
		return u, nil
	}
	return p, nil
}
