package providers

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/gobetterauth/gobetterauth/core/auth"
	"github.com/gobetterauth/gobetterauth/core/authserver"
)

// Microsoft Entra ID defaults.
const (
	MicrosoftAuthority = "https://login.microsoftonline.com"
	MicrosoftGraphURL  = "https://graph.microsoft.com"
	// MicrosoftConsumerTenant is the tenant id (tid) of every personal Microsoft account.
	MicrosoftConsumerTenant = "9188040d-6c67-4c5b-b112-36a304b66dad"
)

// MicrosoftConfig configures [Microsoft].
type MicrosoftConfig struct {
	// ClientID is the application (client) id. Required. ClientSecret is its secret ("" for a public
	// client).
	ClientID     string
	ClientSecret auth.Secret
	// Tenant is "common" (the default when empty: work, school and personal accounts), "organizations",
	// "consumers", or a tenant id, which then must be the ID token's tenant.
	Tenant string
	// Authority is the login host, "https://login.microsoftonline.com" when empty. The endpoints are
	// <Authority>/<Tenant>/oauth2/v2.0/authorize and /token, the keys <Authority>/<Tenant>/discovery/v2.0/keys.
	Authority string
	// Scopes are requested in addition to the defaults, "openid profile email User.Read offline_access".
	Scopes []string
	// DisableDefaultScopes drops the default scopes.
	DisableDefaultScopes bool
	// Audiences are additional client ids accepted as an ID token's aud and azp. ClientID always is.
	Audiences []string
	// Prompt is sent as prompt when not empty.
	Prompt string
	// DisableProfilePhoto skips reading the user's photo from Microsoft Graph after the code exchange.
	DisableProfilePhoto bool
	// ProfilePhotoSize is the photo's size in pixels, 48 when zero.
	ProfilePhotoSize int
	// GraphURL replaces https://graph.microsoft.com (for tests).
	GraphURL string
	// HTTPClient makes every call to Microsoft; see [OpenIDConfig].HTTPClient.
	HTTPClient *http.Client
	// Now is the clock for ID token checks. Nil means time.Now.
	Now func() time.Time
}

// Microsoft returns the Microsoft Entra ID provider, id "microsoft", as Better Auth's: scopes "openid
// profile email User.Read offline_access", PKCE, identity from the ID token (RS256, at most an hour old).
// For a tenant id the issuer must be <Authority>/<tenant>/v2.0; for the multi-tenant "common",
// "organizations" and "consumers" the issuer must name the token's own tid, "organizations" refuses
// personal accounts and "consumers" accepts only them. The subject is the oid claim (required), the issuer
// the token's iss. email_verified is false unless the email_verified claim says true, or, without that
// claim, the email is listed in verified_primary_email or verified_secondary_email. After a code exchange
// the user's photo is read from Microsoft Graph as a data: URL, as Better Auth does. Sign-in with an ID
// token is supported.
func Microsoft(cfg MicrosoftConfig) (authserver.Provider, error) {
	if cfg.ClientID == "" {
		return nil, configError("microsoft: ClientID is required")
	}
	tenant := or(cfg.Tenant, "common")
	if strings.ContainsAny(tenant, "/?#") {
		return nil, configError("microsoft: Tenant %q", tenant)
	}
	authority := strings.TrimRight(or(cfg.Authority, MicrosoftAuthority), "/")
	graph := strings.TrimRight(or(cfg.GraphURL, MicrosoftGraphURL), "/")
	size := cfg.ProfilePhotoSize
	if size <= 0 {
		size = 48
	}
	client, now := boundedClient(cfg.HTTPClient), orNow(cfg.Now)
	var scopes []string
	if !cfg.DisableDefaultScopes {
		scopes = []string{"openid", "profile", "email", "User.Read", "offline_access"}
	}
	var params [][2]string
	if cfg.Prompt != "" {
		params = append(params, [2]string{"prompt", cfg.Prompt})
	}
	multi := tenant == "common" || tenant == "organizations" || tenant == "consumers"
	issuer := ""
	if !multi {
		issuer = authority + "/" + tenant + "/v2.0"
	}
	check := func(c *idClaims) error {
		if c.TID == "" || c.Iss != authority+"/"+c.TID+"/v2.0" {
			return errors.New("iss does not name the token's tenant")
		}
		if tenant == "organizations" && c.TID == MicrosoftConsumerTenant {
			return errors.New("personal account on the organizations endpoint")
		}
		if tenant == "consumers" && c.TID != MicrosoftConsumerTenant {
			return errors.New("work or school account on the consumers endpoint")
		}
		return nil
	}
	p := &provider{
		id: "microsoft",
		conf: oauth2.Config{ClientID: cfg.ClientID, ClientSecret: string(cfg.ClientSecret), Endpoint: oauth2.Endpoint{
			AuthURL:   authority + "/" + tenant + "/oauth2/v2.0/authorize",
			TokenURL:  authority + "/" + tenant + "/oauth2/v2.0/token",
			AuthStyle: oauth2.AuthStyleInParams}},
		scopes: joinScopes(scopes, cfg.Scopes),
		params: params,
		client: client,
		now:    now,
		ids: newIDTokenVerifier("microsoft", client, now, idTokenOptions{
			issuer:    issuer,
			jwksURL:   authority + "/" + tenant + "/discovery/v2.0/keys",
			algs:      []string{oidc.RS256},
			audiences: append([]string{cfg.ClientID}, cfg.Audiences...),
			maxAge:    idTokenMaxAge,
			check:     check,
		}),
	}
	p.user = func(ctx context.Context, tok *oauth2.Token, _ *oidc.IDToken, c *idClaims) (*authserver.ProviderUser, error) {
		if strings.TrimSpace(c.OID) == "" {
			return nil, fmt.Errorf("%w: microsoft: the id_token has no oid claim", ErrUserInfo)
		}
		u := &authserver.ProviderUser{Subject: c.OID, Issuer: c.Iss, Email: c.Email, Name: c.Name, Image: c.Picture}
		if c.EmailVerified.Set {
			u.EmailVerified = c.EmailVerified.Value
		} else if c.Email != "" {
			u.EmailVerified = slices.Contains(c.VerifiedPrimaryEmail, c.Email) ||
				slices.Contains(c.VerifiedSecondaryEmail, c.Email)
		}
		u.EmailVerified = u.EmailVerified && c.Email != ""
		if !cfg.DisableProfilePhoto && tok != nil && tok.AccessToken != "" {
			n := strconv.Itoa(size)
			if img, ok := microsoftPhoto(ctx, graph+"/v1.0/me/photos/"+n+"x"+n+"/$value", tok.AccessToken); ok {
				u.Image = img
			}
		}
		return u, nil
	}
	return p, nil
}

// microsoftPhoto reads the user's photo from Microsoft Graph as Better Auth stores it: a data: URL
// ("data:image/jpeg;base64, <base64>", with Better Auth's space). Any failure means no photo.
func microsoftPhoto(ctx context.Context, u, accessToken string) (string, bool) {
	client, _ := ctx.Value(oauth2.HTTPClient).(*http.Client)
	if client == nil {
		return "", false
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", false
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	req.Header.Set("Accept", "*/*")
	resp, err := client.Do(req)
	if err != nil {
		return "", false
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return "", false
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", false
	}
	return "data:image/jpeg;base64, " + base64.StdEncoding.EncodeToString(b), true
}
