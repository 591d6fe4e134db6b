module github.com/gobetterauth/gobetterauth/bench

go 1.26

replace github.com/gobetterauth/gobetterauth/adapters/authhttp => ../adapters/authhttp

replace github.com/gobetterauth/gobetterauth/core => ../core
