// Better Auth's own migrator on the interop server's configuration (auth.mjs: the jwt() and bearer()
// plugins, the database of DATABASE / DB_FILE; see README.md). Usage:
//
//   node migrate.mjs plan   prints {"toBeCreated":[tables],"toBeAdded":[{"table","fields"}],"sql":"…"} as JSON
//   node migrate.mjs run    runs the migrations, then prints the same JSON for what was left (nothing)
//
// The Go interop tests (core/internal/interop/migrate_test.go) compare it with gobetterauth's Migrate. It
// never starts a server. Exit status: 0 done, 1 failure, 2 bad usage or settings.
for (const name of ["NODE_ENV", "TEST", "BETTER_AUTH_SECRETS", "BETTER_AUTH_TRUSTED_ORIGINS", "BETTER_AUTH_URL", "AUTH_SECRET"]) {
  delete process.env[name];
}
const out = process.stdout.write.bind(process.stdout);
// stdout carries only the JSON; Better Auth's logs go to stderr.
console.log = console.info = console.debug = console.warn = console.error;

const mode = process.argv[2];
if (mode !== "plan" && mode !== "run") {
  console.error("usage: node migrate.mjs plan|run");
  process.exit(2);
}
const { settingsFromEnv, createAuth, openDatabase } = await import("./auth.mjs");
const { getMigrations } = await import("better-auth/db/migration");

let settings;
try {
  settings = settingsFromEnv(process.env, 0);
} catch (err) {
  console.error(`migrate: ${err.message}`);
  process.exit(2);
}
if (settings.database.kind === "sqlite" && settings.database.file === undefined) {
  console.error("migrate: set DB_FILE or DATABASE (a temporary database would be thrown away)");
  process.exit(2);
}
const db = openDatabase(settings, () => undefined);
let code = 0;
try {
  const auth = createAuth(settings, db, null);
  if (mode === "run") await (await getMigrations(auth.options)).runMigrations();
  const m = await getMigrations(auth.options);
  const sql = m.toBeCreated.length || m.toBeAdded.length ? await m.compileMigrations() : "";
  out(JSON.stringify({
    toBeCreated: m.toBeCreated.map((t) => t.table),
    toBeAdded: m.toBeAdded.map((t) => ({ table: t.table, fields: Object.keys(t.fields) })),
    sql,
  }) + "\n");
} catch (err) {
  console.error(`migrate: ${err?.stack ?? err}`);
  code = 1;
} finally {
  await db.close();
}
process.exit(code);
