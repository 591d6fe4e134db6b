module github.com/gobetterauth/gobetterauth/providers

go 1.26.0

require (
	github.com/coreos/go-oidc/v3 v3.21.0
	github.com/gobetterauth/gobetterauth/core v0.0.0
	golang.org/x/oauth2 v0.38.0
)

require (
	github.com/go-jose/go-jose/v4 v4.1.9 // indirect
	golang.org/x/crypto v0.59.0 // indirect
	golang.org/x/sys v0.50.0 // indirect
	golang.org/x/text v0.44.0 // indirect
)

replace github.com/gobetterauth/gobetterauth/core => ../core
