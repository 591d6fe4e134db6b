// Prints the DDL that better-auth's getMigrations produces for an empty database of the given dialect
// (postgres | mysql | sqlite), optionally with plugins (any of "admin", "jwt", "apiKey", in any order, e.g.
// `node ddl.mjs sqlite jwt`), without connecting anywhere: Kysely's DummyDriver answers every introspection
// query with no rows.
import { Kysely, DummyDriver, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, MysqlAdapter,
  MysqlIntrospector, MysqlQueryCompiler, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler } from "kysely";
import { getMigrations } from "better-auth/db/migration";
import { admin, jwt } from "better-auth/plugins";
import { apiKey } from "@better-auth/api-key";

const [kind, ...names] = process.argv.slice(2);
const known = { admin, jwt, apiKey };
const plugins = names.map((n) => {
  if (!Object.hasOwn(known, n)) throw new Error(`unknown plugin ${JSON.stringify(n)}: want admin, jwt or apiKey`);
  return known[n]();
});
const parts = {
  postgres: [PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler],
  mysql: [MysqlAdapter, MysqlIntrospector, MysqlQueryCompiler],
  sqlite: [SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler],
}[kind];
const [Adapter, Introspector, Compiler] = parts;
const db = new Kysely({ dialect: {
  createAdapter: () => new Adapter(), createDriver: () => new DummyDriver(),
  createIntrospector: (k) => new Introspector(k), createQueryCompiler: () => new Compiler(),
} });
const m = await getMigrations({
  database: { db, type: kind }, secret: "x".repeat(40), baseURL: "http://localhost",
  plugins, logger: { disabled: true },
});
console.log(await m.compileMigrations());
