// Embedded PGlite (PostgreSQL compiled to WASM, in-process): the default engine when no URL is
// given. The whole instance is the scratch database; it has exactly one connection.
import { PGlite } from "@electric-sql/pglite";
import type { ScratchDatabase, Session } from "./session.js";

export async function createPgliteScratch(): Promise<ScratchDatabase> {
  const db = await PGlite.create();
  const version = String((await db.query<{ server_version: string }>("SHOW server_version")).rows[0]!.server_version);
  const pid = Number((await db.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid);
  let handedOut = false;
  let closing: Promise<void> | undefined;
  const session: Session = {
    pid,
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
