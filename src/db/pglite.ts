// Embedded PGlite (PostgreSQL compiled to WASM): the default engine when no URL is given. The
// whole instance is the scratch database; it has exactly one connection.
//
// PGlite runs on a worker thread: WASM runs on the thread that calls it and PGlite ignores
// statement_timeout, so on the main thread `SELECT pg_sleep(100000)` or an endless DO loop could
// never be stopped. From here the watchdog ends the worker when a statement overruns its limit.
import { readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { DEFAULT_LIMITS, guarded, Watchdog, type ScratchDatabase, type Session, type TimeLimits } from "./session.js";

export interface PgliteOptions {
  limits?: TimeLimits;
  /** Extensions to make installable from the start, by the name `CREATE EXTENSION` uses (e.g. `pgcrypto`, `uuid-ossp`). */
  extensions?: string[];
}

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

export const PGLITE_SANDBOX =
  "PGlite ran in this process (on a worker thread) as its only, superuser, role: nothing separates the change's SQL from the in-memory instance, which holds only the scratch database and is discarded after the run; it has no server files, other databases, roles or programs to reach. The statement time limit and the time budget are enforced by ending the worker.";

/** The worker's code (CommonJS, so it runs from a string in the bundled CLI as in the sources). */
const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const fs = require("node:fs");
const path = require("node:path");
(async () => {
  const { PGlite } = await import(workerData.pglite);
  const extensions = {};
  for (const [name, url] of Object.entries(workerData.extensions)) {
    const m = await import(url);
    extensions[name] = m[name] ?? m.default;
  }
  // An initialized cluster from the cache (see pgliteCache) skips initdb; a cache that cannot be
  // read or loaded is replaced by a fresh cluster, dumped right after initdb.
  const cache = workerData.cache;
  let db;
  if (cache && cache.read) {
    let data;
    try {
      data = fs.readFileSync(cache.file);
    } catch {}
    if (data) {
      try {
        db = await PGlite.create({ extensions, loadDataDir: new Blob([data]) });
        await db.query("SELECT 1");
      } catch {
        try { if (db) await db.close(); } catch {}
        db = undefined;
      }
    }
  }
  if (!db) {
    db = await PGlite.create({ extensions });
    if (cache) {
      try {
        const dump = Buffer.from(await (await db.dumpDataDir("gzip")).arrayBuffer());
        fs.mkdirSync(path.dirname(cache.file), { recursive: true });
        const partial = cache.file + "." + process.pid + "." + Date.now() + ".partial";
        fs.writeFileSync(partial, dump);
        fs.renameSync(partial, cache.file);
      } catch {}
    }
  }
  parentPort.on("message", async (m) => {
    try {
      if (m.close) {
        await db.close();
        parentPort.postMessage({ id: m.id, ok: true, rows: [] });
        return;
      }
      if (m.params && m.params.length) {
        const r = await db.query(m.sql, m.params);
        parentPort.postMessage({ id: m.id, ok: true, rows: r.rows, rowCount: r.affectedRows });
      } else {
        // exec uses the simple protocol, which accepts every statement (no parameters).
        const results = await db.exec(m.sql);
        const last = results[results.length - 1];
        parentPort.postMessage({ id: m.id, ok: true, rows: last ? last.rows : [], rowCount: last ? last.affectedRows : undefined });
      }
    } catch (e) {
      parentPort.postMessage({ id: m.id, ok: false, message: e && e.message ? e.message : String(e), code: e && e.code });
    }
  });
  parentPort.postMessage({ ready: true });
})().catch((e) => parentPort.postMessage({ ready: false, message: String(e && e.message ? e.message : e) }));
`;

interface Reply {
  id?: number;
  ready?: boolean;
  ok?: boolean;
  rows?: Record<string, unknown>[];
  rowCount?: number;
  message?: string;
  code?: string;
}

/** The contrib modules to load for these extension names (and what they require), e.g. `uuid-ossp` → `uuid_ossp`. */
function contribModules(names: Iterable<string>): string[] {
  const wanted = new Set<string>();
  for (const n of names) for (const m of [n, ...(REQUIRES[n] ?? [])]) if (PGLITE_CONTRIB_EXTENSIONS[m]) wanted.add(PGLITE_CONTRIB_EXTENSIONS[m]);
  return [...wanted];
}

export interface PgliteScratch extends ScratchDatabase {
  /**
   * Makes the named extensions installable (those PGlite ships; others stay unavailable and fail
   * `CREATE EXTENSION` as on a server without them). Only before the session is handed out: the
   * instance is rebuilt, since PGlite takes its extensions when it is created.
   */
  useExtensions(names: string[]): Promise<void>;
}

interface PgliteWorker {
  call(message: { sql?: string; params?: unknown[]; close?: boolean }): Promise<Reply>;
  terminate(): Promise<void>;
}

/**
 * Where an initialized PGlite cluster (after initdb, before anything ran in it) is kept between
 * runs, for this PGlite version and these extensions: `$XDG_CACHE_HOME/migration-guard` or
 * `~/.cache/migration-guard`. Undefined when `MIGRATION_GUARD_PGLITE_CACHE=off`. Restoring it
 * takes a fraction of initdb's time.
 */
export function pgliteCacheFile(modules: string[], env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (/^(off|0|false|no)$/i.test(env.MIGRATION_GUARD_PGLITE_CACHE ?? "")) return undefined;
  const home = homedir();
  const root = env.XDG_CACHE_HOME || (home ? join(home, ".cache") : undefined);
  if (!root) return undefined;
  const names = [...modules].sort().join("+") || "none";
  return join(root, "migration-guard", `pglite-${pgliteVersion()}-${names}.tgz`);
}

let version: string | undefined;
/** The installed PGlite's version (its package.json is not exported: found beside its entry). */
function pgliteVersion(): string {
  if (version) return version;
  const require = createRequire(import.meta.url);
  let dir = dirname(require.resolve("@electric-sql/pglite"));
  for (let i = 0; i < 5; i++, dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "@electric-sql/pglite" && pkg.version) return (version = pkg.version);
    } catch {
      // not the package's folder
    }
  }
  return (version = "unknown");
}

function startWorker(modules: string[], onExit: () => void, cache?: { file: string; read: boolean }): Promise<PgliteWorker> {
  const require = createRequire(import.meta.url);
  const url = (specifier: string) => pathToFileURL(require.resolve(specifier)).href;
  const extensions = Object.fromEntries(modules.map((name) => [name, url(`@electric-sql/pglite/contrib/${name}`)]));
  const worker = new Worker(WORKER, { eval: true, workerData: { pglite: url("@electric-sql/pglite"), extensions, ...(cache ? { cache } : {}) } });
  const pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  let exited = false;
  const ready = new Promise<void>((resolve, reject) => {
    worker.once("message", (m: Reply) => (m.ready ? resolve() : reject(new Error(`PGlite could not start: ${m.message ?? "?"}`))));
    worker.once("error", reject);
  });
  worker.on("message", (m: Reply) => {
    if (m.id === undefined) return;
    pending.get(m.id)?.resolve(m);
    pending.delete(m.id);
  });
  worker.on("exit", () => {
    exited = true;
    onExit();
    for (const p of pending.values()) p.reject(new Error("PGlite stopped"));
    pending.clear();
  });
  const handle: PgliteWorker = {
    async call(message) {
      if (exited) throw new Error("PGlite stopped");
      const id = nextId++;
      const reply = await new Promise<Reply>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, ...message });
      });
      if (!reply.ok) throw Object.assign(new Error(reply.message), reply.code ? { code: reply.code } : {});
      return reply;
    },
    terminate: async () => void (await worker.terminate()),
  };
  return ready.then(
    () => handle,
    async (error) => {
      await worker.terminate();
      throw error;
    },
  );
}

export async function createPgliteScratch(options: PgliteOptions = {}): Promise<PgliteScratch> {
  const limits = options.limits ?? DEFAULT_LIMITS;
  let stopped: string | undefined;
  let loaded = new Set((options.extensions ?? []).filter((e) => PGLITE_CONTRIB_EXTENSIONS[e]));
  // A worker replaced by useExtensions() exits on purpose: only the current one's exit stops the run.
  let generation = 0;
  const spawn = async (mine: number) => {
    const modules = contribModules(loaded);
    const onExit = () => {
      if (mine === generation) stopped ??= "PGlite stopped";
    };
    const file = pgliteCacheFile(modules);
    if (!file) return startWorker(modules, onExit);
    // A cache that makes the worker itself fail (not only PGlite's load of it) is set aside: a
    // fresh cluster replaces it.
    return startWorker(modules, onExit, { file, read: true }).catch(() => {
      try {
        rmSync(file, { force: true });
      } catch {
        // a cache that cannot be removed is not read again in this run
      }
      return startWorker(modules, onExit, { file, read: false });
    });
  };
  let worker = await spawn(generation);
  const call = (message: Parameters<PgliteWorker["call"]>[0]) => {
    if (stopped) return Promise.reject(new Error(stopped));
    return worker.call(message);
  };
  const query = async (sql: string, params?: unknown[]) => {
    const r = await call({ sql, params });
    return { rows: r.rows ?? [], rowCount: r.rowCount };
  };
  const version = String((await query("SHOW server_version")).rows[0]!.server_version);
  const backendPid = async () => Number((await query("SELECT pg_backend_pid() AS pid")).rows[0]!.pid);
  const watchdog = new Watchdog(limits, async () => {
    stopped = "PGlite was stopped because a statement ran out of time; nothing more can run in it";
    await worker.terminate();
  });
  let pid = await backendPid();
  let handedOut = false;
  let closing: Promise<void> | undefined;
  return {
    kind: "pglite",
    dialect: "postgres",
    serverVersion: version.split(" ")[0]!,
    majorVersion: Number(version.split(".")[0]),
    name: "pglite (in memory)",
    multiSession: false,
    sandbox: PGLITE_SANDBOX,
    async useExtensions(names) {
      const missing = names.filter((n) => PGLITE_CONTRIB_EXTENSIONS[n] && !loaded.has(n));
      if (!missing.length) return;
      if (handedOut) throw new Error("PGlite extensions must be chosen before the session is handed out");
      loaded = new Set([...loaded, ...missing]);
      const old = worker;
      generation++;
      await old.call({ close: true }).catch(() => undefined);
      await old.terminate();
      worker = await spawn(generation);
      pid = await backendPid();
    },
    async connect(): Promise<Session> {
      if (handedOut) throw new Error("PGlite has a single connection; a second session is not available");
      handedOut = true;
      return guarded({ pid, query, close: async () => undefined }, watchdog);
    },
    outOfTime: () => watchdog.outOfTime() ?? (stopped && stopped !== "PGlite stopped" ? stopped : undefined),
    drop() {
      closing ??= (async () => {
        if (!stopped) await call({ close: true }).catch(() => undefined);
        await worker.terminate();
      })();
      return closing;
    },
  };
}
