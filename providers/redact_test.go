package providers_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/gobetterauth/gobetterauth/providers"
)

// TestConfigsRedactClientSecret checks that no provider config shows its client secret when printed with
// %v, %+v or %#v or logged with slog.
func TestConfigsRedactClientSecret(t *testing.T) {
	const secret = "SECRET-client-secret"
	tests := []struct {
		name string
		cfg  any
	}{
		{name: "google", cfg: providers.GoogleConfig{ClientID: "client-id", ClientSecret: secret}},
		{name: "microsoft", cfg: providers.MicrosoftConfig{ClientID: "client-id", ClientSecret: secret}},
		{name: "apple", cfg: providers.AppleConfig{ClientID: "client-id", ClientSecret: secret}},
		{name: "gitlab", cfg: providers.GitLabConfig{ClientID: "client-id", ClientSecret: secret}},
		{name: "github", cfg: providers.GitHubConfig{ClientID: "client-id", ClientSecret: secret}},
		{name: "openid", cfg: providers.OpenIDConfig{ClientID: "client-id", ClientSecret: secret}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			outs := map[string]string{}
			for _, verb := range []string{"%v", "%+v", "%#v"} {
				outs[verb] = fmt.Sprintf(verb, tt.cfg)
			}
			var text, js bytes.Buffer
			slog.New(slog.NewTextHandler(&text, nil)).Info("provider", "config", tt.cfg)
			slog.New(slog.NewJSONHandler(&js, nil)).Info("provider", "config", tt.cfg)
			outs["slog text"], outs["slog json"] = text.String(), js.String()
			for how, out := range outs {
				if strings.Contains(out, secret) {
					t.Errorf("%s leaks the client secret: %s", how, out)
				}
				if how != "slog json" && !strings.Contains(out, "client-id") { // a config with func fields has no JSON form
					t.Errorf("%s lost ClientID: %s", how, out)
				}
			}
		})
	}
}
