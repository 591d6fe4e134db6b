package authserver

// The built-in plugins: Better Auth's jwt() (src/plugins/jwt/index.ts; the issuer is jwt.go) and
// bearer() (src/plugins/bearer/index.ts), on the plugin seam.

import (
	"net/http"

	"github.com/gobetterauth/gobetterauth/core/auth"

	"github.com/gobetterauth/gobetterauth/core/store/sqlstore"
)

// JWT returns Better Auth's JWT plugin (jwt()): GET /token, GET /jwks, the set-auth-jwt header of
// /get-session, and its jwks table, whose keys a Node server sharing the database uses too. It needs a
// Database that is a store.KeyStore (sqlstore is).
func JWT(cfg JWTConfig) Plugin {
	return Plugin{
		ID: "jwt",
		Init: func(s *Server) (err error) {
			s.jwt, err = newJWTIssuer(cfg, &s.s, &s.cfg, s.s.server.db)
			return err
		},
		Endpoints: []Endpoint{
			{Method: http.MethodGet, Path: "/token", Handler: func(x *Context) (any, error) { return x.c.token() },
				OperationID: "getJSONWebToken"},
			{Method: http.MethodGet, Path: "/jwks", Handler: func(x *Context) (any, error) { return x.c.jwks() },
				OperationID: "getJSONWebKeySet"},
		},
		After: []Hook{{Match: PathIs("/get-session"), Run: func(x *Context) error {
			if x.c.sessDone && x.c.sess != nil {
				x.c.setAuthJWT(x.c.sess)
			}
			return nil
		}}},
		Schema: []sqlstore.Table{JWKSTable},
	}
}

// JWKSTable is the JWT plugin's schema: the jwks table, as its schema.ts declares it.
var JWKSTable = sqlstore.Table{Name: "jwks", Fields: []sqlstore.Field{
	{Name: "publicKey", Type: sqlstore.FieldString, Required: true},
	{Name: "privateKey", Type: sqlstore.FieldString, Required: true},
	{Name: "createdAt", Type: sqlstore.FieldDate, Required: true},
	{Name: "expiresAt", Type: sqlstore.FieldDate},
	{Name: "alg", Type: sqlstore.FieldString},
	{Name: "crv", Type: sqlstore.FieldString},
}}

// BearerConfig is the bearer plugin's options (Better Auth's bearer({...})).
type BearerConfig struct {
	// RequireSignature is requireSignature: only signed tokens (token.signature) are taken in the
	// Authorization header. Off means Better Auth's default: a raw session token is taken too, at the
	// server's endpoints and by the server's Verifier (as auth.Config.AcceptRawSessionTokens).
	RequireSignature bool
}

// Bearer returns Better Auth's bearer plugin (bearer()): an "Authorization: Bearer <token>" header stands
// for the session cookie on the server's endpoints (a signed token must verify; a raw one is taken unless
// cfg.RequireSignature), and every answer that sets the session cookie carries a set-auth-token header
// with the signed session token (and Access-Control-Expose-Headers naming it).
func Bearer(cfg BearerConfig) Plugin {
	return Plugin{
		ID: "bearer",
		Before: []Hook{{Run: func(x *Context) error {
			x.c.bearerTok = x.c.bearerToken(cfg.RequireSignature)
			return nil
		}}},
		After: []Hook{{Run: func(x *Context) error {
			if res := x.c.newSession; res != nil {
				x.c.hdr().Set("Set-Auth-Token", x.c.a.signer.SignRaw(res.Session.Token))
				exposeHeader(x.c.hdr(), "set-auth-token")
			}
			return nil
		}}},
		verifier: func(c *auth.Config) {
			if !cfg.RequireSignature {
				c.AcceptRawSessionTokens = true
			}
		},
	}
}
