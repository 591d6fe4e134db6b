// Creates Better Auth's tables on DATABASE_PATH with Better Auth's own migrator (getMigrations), for the
// options the app runs with (lib/auth-options.mjs). `npm start` runs it first; it only adds what is
// missing. In the mirror setup (AUTH_SERVER_URL set) the Go server owns the database and this does nothing.
import { getMigrations } from "better-auth/db/migration";
import { authOptions } from "../lib/auth-options.mjs";
import { settings } from "../lib/settings.mjs";

const s = settings();
if (s.authServerURL) {
  console.log(`migrate: AUTH_SERVER_URL is set (${s.authServerURL}): the Go server migrates its own database`);
  process.exit(0);
}
let options;
try {
  options = authOptions(s);
} catch (err) {
  console.error(`migrate: ${err?.message ?? err}`);
  process.exit(2);
}
try {
  const { toBeCreated, toBeAdded, runMigrations } = await getMigrations(options);
  if (toBeCreated.length === 0 && toBeAdded.length === 0) {
    console.log(`migrate: ${s.databasePath} is up to date`);
  } else {
    await runMigrations();
    console.log(`migrate: ${s.databasePath}: created ${toBeCreated.map((t) => t.table).join(", ") || "no table"}` +
      (toBeAdded.length ? `, added columns to ${toBeAdded.map((t) => t.table).join(", ")}` : ""));
  }
} catch (err) {
  console.error(`migrate: ${s.databasePath}: ${err?.message ?? err}`);
  process.exitCode = 1;
} finally {
  options.database.close();
}
