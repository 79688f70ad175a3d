// Embedded PGlite (PostgreSQL compiled to WASM): the default engine when no URL is given. The
// whole instance is the scratch database; it has exactly one connection.
//
// PGlite runs on a worker thread: WASM runs on the thread that calls it and PGlite ignores
// statement_timeout, so on the main thread `SELECT pg_sleep(100000)` or an endless DO loop could
// never be stopped. From here the watchdog ends the worker when a statement overruns its limit.
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { DEFAULT_LIMITS, guarded, Watchdog, type ScratchDatabase, type Session, type TimeLimits } from "./session.js";

export interface PgliteOptions {
  limits?: TimeLimits;
  /** Contrib extensions to load, by their module name under `@electric-sql/pglite/contrib/` (e.g. `pgcrypto`, `uuid_ossp`). */
  extensions?: string[];
}

export const PGLITE_SANDBOX =
  "PGlite ran in this process (on a worker thread) as its only, superuser, role: nothing separates the change's SQL from the in-memory instance, which holds only the scratch database and is discarded after the run; it has no server files, other databases, roles or programs to reach. The statement time limit and the time budget are enforced by ending the worker.";

/** The worker's code (CommonJS, so it runs from a string in the bundled CLI as in the sources). */
const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
(async () => {
  const { PGlite } = await import(workerData.pglite);
  const extensions = {};
  for (const [name, url] of Object.entries(workerData.extensions)) {
    const m = await import(url);
    extensions[name] = m[name] ?? m.default;
  }
  const db = await PGlite.create({ extensions });
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

export async function createPgliteScratch(options: PgliteOptions = {}): Promise<ScratchDatabase> {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const require = createRequire(import.meta.url);
  const url = (specifier: string) => pathToFileURL(require.resolve(specifier)).href;
  const extensions = Object.fromEntries((options.extensions ?? []).map((name) => [name, url(`@electric-sql/pglite/contrib/${name}`)]));
  const worker = new Worker(WORKER, { eval: true, workerData: { pglite: url("@electric-sql/pglite"), extensions } });
  const pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  let stopped: string | undefined;
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
    stopped ??= "PGlite stopped";
    for (const p of pending.values()) p.reject(new Error(stopped));
    pending.clear();
  });
  const call = async (message: { sql?: string; params?: unknown[]; close?: boolean }): Promise<Reply> => {
    if (stopped) throw new Error(stopped);
    const id = nextId++;
    const reply = await new Promise<Reply>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, ...message });
    });
    if (!reply.ok) throw Object.assign(new Error(reply.message), reply.code ? { code: reply.code } : {});
    return reply;
  };
  try {
    await ready;
  } catch (error) {
    await worker.terminate();
    throw error;
  }
  const query = async (sql: string, params?: unknown[]) => {
    const r = await call({ sql, params });
    return { rows: r.rows ?? [], rowCount: r.rowCount };
  };
  const version = String((await query("SHOW server_version")).rows[0]!.server_version);
  const pid = Number((await query("SELECT pg_backend_pid() AS pid")).rows[0]!.pid);
  const watchdog = new Watchdog(limits, async () => {
    stopped = "PGlite was stopped because a statement ran out of time; nothing more can run in it";
    await worker.terminate();
  });
  const session = guarded({ pid, query, close: async () => undefined }, watchdog);
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
    async connect(): Promise<Session> {
      if (handedOut) throw new Error("PGlite has a single connection; a second session is not available");
      handedOut = true;
      return session;
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
