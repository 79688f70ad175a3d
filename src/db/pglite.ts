// Embedded PGlite (PostgreSQL compiled to WASM, in-process): the default engine when no URL is
// given. The whole instance is the scratch database; it has exactly one connection.
import { PGlite, type Extension } from "@electric-sql/pglite";
import type { ScratchDatabase, Session } from "./session.js";

/**
 * The contrib extensions the installed PGlite ships as `@electric-sql/pglite/contrib/<module>`,
 * by the name `CREATE EXTENSION` uses. An extension must be passed to `PGlite.create`, so the
 * instance is (re)built with the ones a history names before its session is handed out.
 */
export const PGLITE_CONTRIB_EXTENSIONS: Record<string, string> = Object.fromEntries(
  [
    "amcheck", "auto_explain", "bloom", "btree_gin", "btree_gist", "citext", "cube", "dict_int", "dict_xsyn", "earthdistance",
    "file_fdw", "fuzzystrmatch", "hstore", "intarray", "isn", "lo", "ltree", "moddatetime", "pageinspect", "pg_buffercache",
    "pg_freespacemap", "pg_stat_statements", "pg_surgery", "pg_trgm", "pg_visibility", "pg_walinspect", "pgcrypto", "seg", "tablefunc", "tcn",
    "tsm_system_rows", "tsm_system_time", "unaccent", "uuid_ossp",
  ].map((module) => [module === "uuid_ossp" ? "uuid-ossp" : module, module]),
);

/** Extensions `CREATE EXTENSION … CASCADE` also installs. */
const REQUIRES: Record<string, string[]> = { earthdistance: ["cube"] };

/** Extension names a script creates (`CREATE EXTENSION [IF NOT EXISTS] name`), lower-cased, unquoted. */
export function extensionsCreatedIn(sql: string): string[] {
  const names = new Set<string>();
  for (const m of sql.matchAll(/\bcreate\s+extension\s+(?:if\s+not\s+exists\s+)?("(?:[^"]|"")+"|[\w$-]+)/gi)) {
    const raw = m[1]!;
    names.add(raw.startsWith('"') ? raw.slice(1, -1).replace(/""/g, '"') : raw.toLowerCase());
  }
  return [...names];
}

async function loadContrib(names: Iterable<string>): Promise<Record<string, Extension>> {
  const out: Record<string, Extension> = {};
  const wanted = new Set<string>();
  for (const n of names) for (const m of [n, ...(REQUIRES[n] ?? [])]) if (PGLITE_CONTRIB_EXTENSIONS[m]) wanted.add(PGLITE_CONTRIB_EXTENSIONS[m]);
  for (const module of wanted) {
    const mod = (await import(`@electric-sql/pglite/contrib/${module}`)) as Record<string, Extension>;
    out[module] = mod[module]!;
  }
  return out;
}

export interface PgliteScratch extends ScratchDatabase {
  /**
   * Makes the named extensions installable (those PGlite ships; others stay unavailable and fail
   * `CREATE EXTENSION` as on a server without them). Only before the session is handed out.
   */
  useExtensions(names: string[]): Promise<void>;
}

export async function createPgliteScratch(extensions: string[] = []): Promise<PgliteScratch> {
  let loaded = new Set(extensions.filter((e) => PGLITE_CONTRIB_EXTENSIONS[e]));
  let db = await PGlite.create({ extensions: await loadContrib(loaded) });
  const version = String((await db.query<{ server_version: string }>("SHOW server_version")).rows[0]!.server_version);
  let handedOut = false;
  let closing: Promise<void> | undefined;
  const pid = async () => Number((await db.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid);
  const session: Session & { pid: number } = {
    pid: await pid(),
    async query(sql, params) {
      if (params?.length) {
        const r = await db.query<Record<string, unknown>>(sql, params);
        return { rows: r.rows, rowCount: r.affectedRows };
      }
      // exec uses the simple protocol, which accepts every statement (no parameters).
      const results = await db.exec(sql);
      const last = results[results.length - 1];
      return { rows: (last?.rows ?? []) as Record<string, unknown>[], rowCount: last?.affectedRows };
    },
    async close() {
      // The instance lives until drop(): closing the session closes nothing.
    },
  };
  return {
    kind: "pglite",
    dialect: "postgres",
    serverVersion: version.split(" ")[0]!,
    majorVersion: Number(version.split(".")[0]),
    name: "pglite (in memory)",
    multiSession: false,
    async useExtensions(names) {
      const missing = names.filter((n) => PGLITE_CONTRIB_EXTENSIONS[n] && !loaded.has(n));
      if (!missing.length) return;
      if (handedOut) throw new Error("PGlite extensions must be chosen before the session is handed out");
      loaded = new Set([...loaded, ...missing]);
      await db.close();
      db = await PGlite.create({ extensions: await loadContrib(loaded) });
      session.pid = await pid();
    },
    async connect() {
      if (handedOut) throw new Error("PGlite has a single connection; a second session is not available");
      handedOut = true;
      return session;
    },
    drop() {
      closing ??= db.close();
      return closing;
    },
  };
}
