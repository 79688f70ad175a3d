// What the wire relay records and how a recorded session becomes the replayed script: parameters
// inlined, rolled-back and failed work left out, read-only introspection and the tool's own
// history tables left out, sessions kept apart. The relay runs against the real PostgreSQL 15.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import pg from "pg";
import { beforeAll, describe, expect, it } from "vitest";
import { capturedScript, type WireEvent } from "../src/core/trace/capture.js";
import { loadParsers } from "../src/core/parse/index.js";
import { WireRecorder } from "../src/trace/wire-recorder.js";

beforeAll(loadParsers);

const event = (sql: string, txAfter: WireEvent["txAfter"] = "I", extra: Partial<WireEvent> = {}): WireEvent => ({ session: 1, sql, ok: true, txAfter, ...extra });

describe("the captured script", () => {
  it("keeps committed work in order, drops a transaction the tool rolled back, and inlines bound parameters as literals", () => {
    const script = capturedScript([
      event("BEGIN", "T"),
      event("CREATE TABLE a (id int)", "T"),
      event("COMMIT"),
      event("BEGIN", "T"),
      event("CREATE TABLE b (id int)", "T"),
      event("ROLLBACK"),
      event("INSERT INTO a VALUES ($1), ($2), ($3)", "I", { params: ["1", null, "it's"] }),
    ]);
    expect(script.sql).toBe("BEGIN\n;\n\nCREATE TABLE a (id int)\n;\n\nCOMMIT\n;\n\nINSERT INTO a VALUES ('1'), (NULL), ('it''s')\n;\n");
    expect(script.left.rolledBack).toBe(1);
  });

  it("leaves out catalog reads, advisory locks and the tool's history table, but keeps a SELECT that changes something", () => {
    const script = capturedScript([
      event("SELECT pg_advisory_lock(7243)"),
      event("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"),
      event("INSERT INTO pgmigrations (name, run_on) VALUES ('1_init', now())"),
      event("SELECT setval('a_id_seq', 10)"),
      event("SELECT * INTO c FROM a"),
      event("SHOW server_version"),
    ]);
    expect(script.sql).toBe("SELECT setval('a_id_seq', 10)\n;\n\nSELECT * INTO c FROM a\n;\n");
    expect(script.left).toMatchObject({ readOnly: 3, bookkeeping: 1 });
  });

  it("keeps the sessions of a pool apart: one session's open transaction does not swallow another's statements", () => {
    const script = capturedScript([
      event("BEGIN", "T", { session: 1 }),
      event("CREATE TABLE a (id int)", "T", { session: 1 }),
      event("CREATE TABLE other (id int)", "I", { session: 2 }),
      event("COMMIT", "I", { session: 1 }),
    ]);
    expect(script.sql.split("\n;\n\n").map((s) => s.replace(/\n;\n$/, ""))).toEqual(["CREATE TABLE other (id int)", "BEGIN", "CREATE TABLE a (id int)", "COMMIT"]);
  });

  it("a failed statement is left out; when the command failed, its transaction up to the failing statement is kept so the replay fails the same way", () => {
    const events = [
      event("CREATE TABLE a (id int)"),
      event("BEGIN", "T"),
      event("ALTER TABLE a ADD b int", "T"),
      event("ALTER TABLE a ALTER b SET NOT NULL", "E", { ok: false, error: "column contains null values" }),
      event("ROLLBACK"),
    ];
    expect(capturedScript(events).sql).toBe("CREATE TABLE a (id int)\n;\n");
    expect(capturedScript(events).left).toMatchObject({ failed: 1, rolledBack: 1 });
    expect(capturedScript(events, { failed: true }).sql).toBe("CREATE TABLE a (id int)\n;\n\nBEGIN\n;\n\nALTER TABLE a ADD b int\n;\n\nALTER TABLE a ALTER b SET NOT NULL\n;\n\nROLLBACK\n;\n");
  });
});

describe("the wire relay on PostgreSQL 15", () => {
  it("records simple and extended queries with their parameters and the server's answer, and lets psql through after declining its SSL request", async () => {
    const recorder = new WireRecorder({ host: "127.0.0.1", port: 5432 });
    const port = await recorder.start();
    try {
      const client = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/test` });
      await client.connect();
      await client.query("CREATE TEMP TABLE t (id int, name text)");
      await client.query("INSERT INTO t VALUES ($1, $2)", [1, "o'hara"]);
      await client.query("SELECT nope FROM t").catch(() => undefined);
      await client.query("BEGIN");
      await client.query("INSERT INTO t VALUES (2, 'x')");
      await client.end();
      // psql asks for SSL first (sslmode=prefer): the relay declines, psql goes on in the clear.
      // (Asynchronously: the relay runs in this process.)
      const { stdout } = await promisify(execFile)("psql", ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-d", "test", "-Atc", "SELECT 40 + 2"], { encoding: "utf8" });
      expect(stdout.trim()).toBe("42");
      await new Promise((r) => setTimeout(r, 50));
      const own = recorder.events.filter((e) => /\bt\b|40 \+ 2|^BEGIN/.test(e.sql));
      expect(own.map((e) => [e.sql, e.params ?? null, e.ok, e.txAfter])).toEqual([
        ["CREATE TEMP TABLE t (id int, name text)", null, true, "I"],
        ["INSERT INTO t VALUES ($1, $2)", ["1", "o'hara"], true, "I"],
        ["SELECT nope FROM t", null, false, "I"],
        ["BEGIN", null, true, "T"],
        ["INSERT INTO t VALUES (2, 'x')", null, true, "T"],
        ["SELECT 40 + 2", null, true, "I"],
      ]);
      expect(own[2]!.error).toMatch(/column "nope" does not exist \(SQLSTATE 42703\)/);
      expect(new Set(own.map((e) => e.session)).size).toBe(2);
    } finally {
      await recorder.stop();
    }
  });
});
