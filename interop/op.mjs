// op.mjs: a local OpenID Provider for tests, built on panva's oidc-provider (an OpenID Certified OP
// implementation). Go tests start it through core/auth/authtest/oidcop; it is never imported by Go code.
//
//   PORT=0 node op.mjs    # prints one line "READY http://127.0.0.1:<port>" (the issuer) on stdout
//
// Everything else goes to stderr. It exits on SIGTERM, SIGINT, and when its stdin (a pipe held by the
// parent) closes, so a test that dies cannot leave it running.
//
// Environment (all optional):
//   PORT                   listen port on 127.0.0.1; 0 (the default) picks a free one
//   OP_CLIENTS             JSON array of oidc-provider client metadata (client_id, client_secret,
//                          redirect_uris, token_endpoint_auth_method, ...)
//   OP_ACCOUNTS            JSON object: login (account id) -> claims ({email, email_verified, name, picture})
//   OP_AUTO_CONSENT        "1": skip the consent screen (grant everything requested)
//   OP_ID_TOKEN_ALL_CLAIMS "1" (default): scope claims (email, name, ...) go into the ID token, as Google and
//                          Entra ID do; "0": oidc-provider's strict default, scope claims only via userinfo
//
// The only test-specific parts are oidc-provider's documented extension points: findAccount (the claims
// above; unknown logins are bare subjects), devInteractions (plain HTML login and consent forms that a test
// can submit with net/http), loadExistingGrant (auto-consent) and issueRefreshToken. None of them bypasses
// protocol validation: redirect_uri matching, client authentication, PKCE, nonce echo stay oidc-provider's.
import fs from "node:fs";
import { createServer } from "node:http";
import Provider from "oidc-provider";

const port = Number(process.env.PORT ?? 0);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT=${JSON.stringify(process.env.PORT)}: want 0..65535`);
  process.exit(2);
}

const defaultRedirects = ["http://127.0.0.1:3000/api/auth/callback/local", "http://localhost:3000/api/auth/callback/local"];
const clients = process.env.OP_CLIENTS ? JSON.parse(process.env.OP_CLIENTS) : [
  {
    client_id: "test-client",
    client_secret: "test-secret",
    redirect_uris: defaultRedirects,
    grant_types: ["authorization_code", "refresh_token"],
    response_types: ["code"],
    token_endpoint_auth_method: "client_secret_basic",
  },
  {
    client_id: "test-client-post",
    client_secret: "test-secret",
    redirect_uris: defaultRedirects,
    grant_types: ["authorization_code", "refresh_token"],
    response_types: ["code"],
    token_endpoint_auth_method: "client_secret_post",
  },
];

const accounts = process.env.OP_ACCOUNTS ? JSON.parse(process.env.OP_ACCOUNTS) : {
  alice: { email: "alice@example.com", email_verified: true, name: "Alice Example", picture: "https://example.com/a.png" },
  bob: { email: "bob@example.com", email_verified: false, name: "Bob Unverified" },
};

const allInIdToken = (process.env.OP_ID_TOKEN_ALL_CLAIMS || "1") === "1";

const configuration = {
  clients,
  cookies: { keys: ["test-only-cookie-key-not-secret"] },
  claims: {
    openid: ["sub"],
    email: ["email", "email_verified"],
    profile: ["name", "picture", "given_name", "family_name"],
  },
  scopes: ["openid", "email", "profile", "offline_access"],
  conformIdTokenClaims: !allInIdToken,
  features: {
    devInteractions: { enabled: true },
  },
  // The relying party decides whether to use PKCE; whenever it sends a code_challenge, S256 is verified.
  pkce: { required: () => false },
  async findAccount(ctx, sub) {
    const c = accounts[sub] ?? {};
    return {
      accountId: sub,
      async claims() {
        return { sub, ...c };
      },
    };
  },
  // offline_access normally needs prompt=consent; issue refresh tokens whenever the client may use them.
  issueRefreshToken: async (ctx, client) => client.grantTypeAllowed("refresh_token"),
  ttl: { AccessToken: 3600, IdToken: 3600, AuthorizationCode: 60, Interaction: 600, Session: 3600, Grant: 3600 },
};

if (process.env.OP_AUTO_CONSENT === "1") {
  configuration.loadExistingGrant = async (ctx) => {
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope(ctx.oidc.params.scope ?? "openid");
    if (ctx.oidc.params.claims) grant.addOIDCClaims(Object.keys(JSON.parse(ctx.oidc.params.claims).id_token ?? {}));
    await grant.save();
    return grant;
  };
}

// oidc-provider logs through console.info/console.log in places; stdout must carry only the READY line.
console.log = console.info = (...args) => console.error(...args);

const server = createServer();
let stopping = false;
function stop(code) {
  if (stopping) return;
  stopping = true;
  server.close();
  server.closeAllConnections?.();
  process.exit(code);
}
process.on("SIGTERM", () => stop(0));
process.on("SIGINT", () => stop(0));

// Watch stdin only when it is a pipe or socket held by a parent process.
const stdinStat = fs.fstatSync(0, { throwIfNoEntry: false });
if (stdinStat && (stdinStat.isFIFO() || stdinStat.isSocket())) {
  process.stdin.on("end", () => stop(0));
  process.stdin.on("close", () => stop(0));
  process.stdin.on("error", () => stop(0));
  process.stdin.resume();
}

server.on("error", (err) => {
  console.error(`op: ${err.message}`);
  stop(1);
});

// Bind first so PORT=0 works and the issuer names the real port.
server.listen(port, "127.0.0.1", () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  let provider;
  try {
    provider = new Provider(issuer, configuration);
  } catch (err) {
    console.error(`op: ${err?.stack ?? err}`);
    return stop(2);
  }
  provider.on("server_error", (ctx, err) => console.error("op: server_error", err));
  server.on("request", provider.callback());
  process.stdout.write(`READY ${issuer}\n`);
});
