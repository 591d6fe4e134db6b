module github.com/gobetterauth/gobetterauth/adapters/authhttp

go 1.26

require github.com/gobetterauth/gobetterauth/core v0.0.0

require github.com/go-jose/go-jose/v4 v4.1.9 // indirect

replace github.com/gobetterauth/gobetterauth/core => ../../core
