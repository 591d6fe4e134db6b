// Generates access_vectors.json from the real better-auth 1.7.25 (role().authorize, safeJSONParse, the
// organization plugin's parseRoleList): run `node core/internal/betterauth/testdata/access_vectors.mjs` from
// the repository root with interop/node_modules installed. The Go tests read the JSON; never edit it by hand.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
const require = createRequire(path.resolve("interop/package.json"));
const { role } = await import(require.resolve("better-auth/plugins/access"));
const { safeJSONParse } = await import(require.resolve("@better-auth/core/utils/json"));
const { parseRoleList } = await import(path.resolve("interop/node_modules/better-auth/dist/plugins/organization/roles.mjs"));

const stored = [
  '{"files":["read"]}', '{"files":["read","write"],"posts":["read"]}', '{"files":"read,write"}', '{"files":""}',
  '{"files":null}', '{"files":0}', '{"files":1}', '{"files":true}', '{"files":{"read":true}}', '{"files":[1,"read",null]}',
  '{"files":["2024-01-01T00:00:00Z","read"]}', '{"files":"2024-01-01T00:00:00.000Z"}', '{"files":"2024-13-01T00:00:00Z"}',
  '{"files":[]}', '{}', "[]", '"files"', "null", "0", "false", '""', "not json", "", '{"files":["read"],"files":["write"]}',
  '{"__proto__":["read"]}', '{"toString":["read"]}', '{"files":["read "]}', '{"files":"readwrite"}', "1e400",
];
const requests = [
  { files: ["read"] }, { files: ["write"] }, { files: ["read", "write"] }, { files: [] }, { posts: ["read"] },
  { files: ["read"], posts: ["read"] }, {}, { files: ["ead"] }, { files: [""] }, { toString: ["read"] },
  { constructor: ["x"] }, { __proto__x: ["read"] }, { files: ["2024-01-01T00:00:00Z"] },
];
const vectors = [];
for (const s of stored) {
  const parsed = safeJSONParse(s);
  for (const req of requests) {
    let out;
    if (!parsed) out = "nothing";
    else {
      try {
        out = role(parsed).authorize(req).success ? "allow" : "deny";
      } catch {
        out = "throws";
      }
    }
    vectors.push({ stored: s, request: req, want: out });
  }
}
const roleLists = ["admin", "admin,member", "admin, member", " admin ,, member ,", "", ",", "a\u00a0,\ufeffb", "a\u0085,b", "owner,owner"];
fs.writeFileSync(
  path.resolve("core/internal/betterauth/testdata/access_vectors.json"),
  JSON.stringify({ authorize: vectors, parseRoleList: roleLists.map((r) => ({ roles: r, want: parseRoleList(r) })) }, null, 1) + "\n",
);
