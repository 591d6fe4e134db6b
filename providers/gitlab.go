package providers

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/authserver"
)

// GitLabURL is gitlab.com, the default [GitLabConfig].Issuer.
const GitLabURL = "https://gitlab.com"

// GitLabConfig configures [GitLab].
type GitLabConfig struct {
	// ClientID and ClientSecret are the application's id and secret. ClientID is required.
	ClientID     string
	ClientSecret auth.Secret
	// Issuer is the GitLab instance's base URL, https://gitlab.com when empty (for self-hosted GitLab, and
	// for tests). The endpoints are <Issuer>/oauth/authorize, <Issuer>/oauth/token and <Issuer>/api/v4/user.
	Issuer string
	// Scopes are requested in addition to the default, "read_user".
	Scopes []string
	// DisableDefaultScopes drops the default scope.
	DisableDefaultScopes bool
	// HTTPClient makes every call to GitLab; see [OpenIDConfig].HTTPClient.
	HTTPClient *http.Client
}

var doubleSlashes = regexp.MustCompile(`/{2,}`)

// gitlabEndpoint joins base and path and collapses repeated slashes after the scheme, as Better Auth does.
func gitlabEndpoint(base, path string) string {
	parts := strings.Split(base+path, "://")
	for i, p := range parts {
		parts[i] = doubleSlashes.ReplaceAllString(p, "/")
	}
	return strings.Join(parts, "://")
}

// GitLab returns the GitLab provider, id "gitlab", as Better Auth's: plain OAuth 2.0 (not OpenID Connect),
// scope "read_user", PKCE, and the user from GET /api/v4/user: the numeric id as subject, email, name (or
// the username), avatar_url, and email_verified, which that API does not send, so it is false. A user
// whose state is not "active", or who is locked, is refused with [ErrUserInfo]. VerifyIDToken returns
// [authserver.ErrIDTokenNotSupported]; a nonce given to AuthCodeURL or Exchange is ignored.
func GitLab(cfg GitLabConfig) (authserver.Provider, error) {
	if cfg.ClientID == "" {
		return nil, configError("gitlab: ClientID is required")
	}
	base := or(cfg.Issuer, GitLabURL)
	var scopes []string
	if !cfg.DisableDefaultScopes {
		scopes = []string{"read_user"}
	}
	userURL := gitlabEndpoint(base, "/api/v4/user")
	p := &provider{
		id: "gitlab",
		conf: oauth2.Config{ClientID: cfg.ClientID, ClientSecret: string(cfg.ClientSecret), Endpoint: oauth2.Endpoint{
			AuthURL: gitlabEndpoint(base, "/oauth/authorize"), TokenURL: gitlabEndpoint(base, "/oauth/token"),
			AuthStyle: oauth2.AuthStyleInParams}},
		scopes: joinScopes(scopes, cfg.Scopes),
		client: boundedClient(cfg.HTTPClient),
		now:    orNow(nil),
	}
	p.user = func(ctx context.Context, tok *oauth2.Token, _ *oidc.IDToken, _ *idClaims) (*authserver.ProviderUser, error) {
		var prof struct {
			ID            json.Number `json:"id"`
			Username      *string     `json:"username"`
			Name          *string     `json:"name"`
			Email         string      `json:"email"`
			AvatarURL     string      `json:"avatar_url"`
			State         string      `json:"state"`
			Locked        bool        `json:"locked"`
			EmailVerified flexBool    `json:"email_verified"`
		}
		if err := getJSON(ctx, "gitlab", userURL, tok.AccessToken, nil, &prof); err != nil {
			return nil, err
		}
		if prof.State != "active" || prof.Locked {
			return nil, fmt.Errorf("%w: gitlab: the account is not active (state %q, locked %v)", ErrUserInfo, prof.State, prof.Locked)
		}
		if prof.ID.String() == "" {
			return nil, fmt.Errorf("%w: gitlab: the user has no id", ErrUserInfo)
		}
		u := &authserver.ProviderUser{Subject: prof.ID.String(), Email: prof.Email, Image: prof.AvatarURL,
			EmailVerified: prof.Email != "" && prof.EmailVerified.Value}
		switch {
		case prof.Name != nil:
			u.Name = *prof.Name
		case prof.Username != nil:
			u.Name = *prof.Username
		}
		return u, nil
	}
	return p, nil
}
