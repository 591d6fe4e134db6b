module github.com/gobetterauth/gobetterauth/bench

go 1.26

replace github.com/gobetterauth/gobetterauth/adapters/authhttp => ../adapters/authhttp

replace github.com/gobetterauth/gobetterauth/core => ../core

require (
	github.com/MicahParks/keyfunc/v3 v3.9.2
	github.com/gobetterauth/gobetterauth/adapters/authhttp v0.0.0
	github.com/gobetterauth/gobetterauth/core v0.0.0
	github.com/golang-jwt/jwt/v5 v5.3.1
)

require (
	github.com/MicahParks/jwkset v0.11.4 // indirect
	github.com/go-jose/go-jose/v4 v4.1.9 // indirect
	golang.org/x/time v0.15.0 // indirect
)
