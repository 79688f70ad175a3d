// `migration-guard test` against the real PostgreSQL 15 on 127.0.0.1:5432: each run creates
// its own scratch database and drops it.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EvidenceReport } from "../src/core/evidence/report.js";
import { createScratchDatabase, TargetNotEmptyError } from "../src/db/index.js";
import { PG_URL, runFixture, type FixtureRun } from "./evidence-helpers.js";

async function databaseExists(name: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    return (await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name])).rowCount === 1;
  } finally {
    await client.end();
  }
}

describe("migration-guard test on PostgreSQL 15: the shop history (last 10 of 30 migrations)", () => {
  let run: FixtureRun;
  beforeAll(async () => {
    run = await runFixture("shop", { url: PG_URL, last: 10 });
  }, 120_000);

  it("passes every step and says which engine ran it, without a version warning", () => {
    const { report } = run;
    expect(EvidenceReport.parse(report)).toBeTruthy();
    // Probe waits depend on machine load, so only the timing-free verdicts are asserted.
    expect(report.verdict.failures.filter((f) => !f.startsWith("blocking:"))).toEqual([]);
    expect(report.engine).toMatchObject({ kind: "postgres", majorVersion: 15, configuredVersion: "15" });
    expect(report.engine.versionWarning).toBeUndefined();
    expect(report.steps.filter((s) => s.name !== "probe").map((s) => [s.name, s.status])).toEqual([
      ["environment", "passed"],
      ["forward", "passed"],
      ["validate", "passed"],
      ["rollback", "passed"],
      ["forward-again", "passed"],
      ["partial-failure", "passed"],
    ]);
    expect(report.environment.baseMigrations).toHaveLength(20);
    expect(report.environment.seeded.find((s) => s.table === "public.events")?.rows).toBe(500);
    expect(report.gates).toMatchObject({ tested: true, "rollback-validated": true, "data-integrity": true, "zero-data-loss": true });
    expect(report.probe.enabled).toBe(true);
  });

  it("traces the locks each statement takes, from the transaction and, for CONCURRENTLY, from a second connection", () => {
    const statements = run.report.migrations.flatMap((m) => m.forward.statements);
    const addNote = statements.find((s) => s.sql.startsWith("ALTER TABLE orders ADD COLUMN note"))!;
    expect(addNote.locks).toContainEqual({ relation: "public.orders", mode: "ACCESS EXCLUSIVE", observedBy: "transaction" });
    // golang-migrate opens no transaction and sends this one-statement file on its own.
    expect(addNote.mode).toBe("own-transaction");
    const concurrent = statements.find((s) => s.sql.startsWith("CREATE INDEX CONCURRENTLY"))!;
    expect(concurrent.mode).toBe("no-transaction");
    expect(concurrent.indexesBuilt).toEqual(["public.orders_customer_placed_idx"]);
    expect(concurrent.locks.every((l) => l.observedBy === "observer")).toBe(true);
    expect(concurrent.locks.map((l) => l.mode)).not.toContain("ACCESS EXCLUSIVE");
    const backfill = statements.find((s) => s.sql.startsWith("UPDATE orders SET note"))!;
    expect(backfill.rowsAffected).toBe(500);
    expect(backfill.probe?.tables).toEqual(["public.orders"]);
  });

  it("interrupts each transactional migration mid-way and finds the database exactly as before; an interrupted CONCURRENTLY build leaves an invalid index and cleanup SQL", () => {
    const pf = run.report.migrations.map((m) => m.partialFailure!);
    expect(pf.filter((p) => p.transactional).every((p) => p.method === "terminated" && p.clean)).toBe(true);
    const cic = run.report.migrations.find((m) => m.up.includes("orders_customer_placed_index"))!.partialFailure!;
    expect(cic).toMatchObject({ method: "cancelled", transactional: false, clean: false });
    expect(cic.leftovers).toEqual([
      expect.objectContaining({ change: "added", objectType: "index", name: "public.orders.orders_customer_placed_idx", after: expect.stringContaining("(INVALID)") }),
    ]);
    expect(cic.cleanupSql).toEqual(['DROP INDEX CONCURRENTLY IF EXISTS "public"."orders_customer_placed_idx";']);
    expect(cic.note).toContain("restored the pre-migration schema");
  });

  it("rolls back to a schema identical to before the change, keeps every pre-existing row, and applies forward again", () => {
    expect(run.report.rollback).toMatchObject({ ran: true, schemaDiff: [], lossy: false, missingDowns: [] });
    expect(run.report.rollback.checksums.length).toBeGreaterThan(5);
    expect(run.report.migrations.every((m) => m.rollback?.ok && m.forwardAgain?.ok)).toBe(true);
  });

  it("drops its scratch database", async () => {
    expect(run.scratch.name).toMatch(/^mg_test_/);
    expect(await databaseExists(run.scratch.name)).toBe(false);
  });
});

describe("migration-guard test on PostgreSQL 15: risky changes", () => {
  it("reports a lossy rollback (a dropped column comes back empty), schema drift (a down that forgets an index) and a failing forward-again", async () => {
    const { report } = await runFixture("risky", { url: PG_URL, last: 2 });
    expect(report.rollback.lossy).toBe(true);
    expect(report.rollback.checksums.find((c) => c.table === "public.accounts")).toMatchObject({ rowsBefore: 500, lostRows: 500, matches: false });
    expect(report.rollback.schemaDiff).toEqual([
      { change: "added", objectType: "index", name: "public.ledger.ledger_booked_at_idx", after: "CREATE INDEX ledger_booked_at_idx ON public.ledger USING btree (booked_at)" },
    ]);
    expect(report.migrations[1]!.forwardAgain).toMatchObject({ ok: false, error: { where: "000004_index_ledger_booked_at.up.sql:1", message: 'relation "ledger_booked_at_idx" already exists' } });
    expect(report.verdict.passed).toBe(false);
    expect(report.verdict.failures).toEqual([
      'forward again failed: 000004_index_ledger_booked_at.up.sql:1: relation "ledger_booked_at_idx" already exists',
      "rollback leaves the schema different from before the change (1 difference(s))",
    ]);
    expect(report.verdict.warnings).toEqual(["rollback is lossy: pre-existing rows did not come back in public.accounts"]);
    expect(report.gates["rollback-validated"]).toBe(false);
    expect(report.gates["zero-data-loss"]).toBe(false);
  }, 120_000);

  it("flags a statement that makes application queries wait beyond the threshold, and a forward that existing data rejects, naming file and line", async () => {
    const { report } = await runFixture("violating", { url: PG_URL, last: 2 });
    const hold = report.migrations[0]!.forward.statements[0]!;
    expect(hold.locks).toContainEqual({ relation: "public.users", mode: "ACCESS EXCLUSIVE", observedBy: "transaction" });
    expect(hold.probe?.flagged).toBe(true);
    expect(hold.probe!.longestWaitMs).toBeGreaterThan(200);
    expect(report.migrations[1]!.forward).toMatchObject({ ok: false, error: { where: "000003_email_must_have_at.up.sql:1" } });
    expect(report.migrations[1]!.forward.error!.message).toContain('violated by some row');
    // The base's own row is the culprit: run again without generated rows, it fails too.
    expect(report.migrations[1]!.generatedData).toMatchObject({ passedWithout: false });
    expect(report.steps.find((s) => s.name === "rollback")).toMatchObject({ status: "skipped", summary: "forward failed" });
    expect(report.verdict.failures[0]).toMatch(/^forward failed: 000003_email_must_have_at\.up\.sql:1: check constraint "users_email_has_at"/);
    expect(report.verdict.failures.some((f) => f.startsWith("blocking: 000002_hold_lock.up.sql:1 made application queries wait"))).toBe(true);
  }, 120_000);
});

describe("scratch database safety", () => {
  const target = `mg_target_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  beforeAll(async () => {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${target}`);
    const c = new pg.Client({ connectionString: PG_URL.replace(/\/test$/, `/${target}`) });
    await c.connect();
    await c.query("CREATE TABLE customers (id int)");
    await c.end();
  });
  afterAll(async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${target} WITH (FORCE)`);
    await admin.end();
  });

  it("refuses a target that holds user tables unless told --allow-existing", async () => {
    const url = PG_URL.replace(/\/test$/, `/${target}`);
    await expect(createScratchDatabase(url, { allowExisting: false })).rejects.toThrow(TargetNotEmptyError);
    await expect(createScratchDatabase(url, { allowExisting: false })).rejects.toThrow(/holds 1 user table\(s\) or view\(s\) \(public\.customers\)/);
    const scratch = await createScratchDatabase(url, { allowExisting: true });
    await scratch.drop();
    const left = await admin.query("SELECT datname FROM pg_database WHERE datname = $1", [scratch.name]);
    expect(left.rowCount).toBe(0);
  });
});

describe("Ctrl-C", () => {
  it.each(["SIGINT", "SIGHUP"] as const)("drops the scratch database when interrupted mid-statement (%s) and exits 130", async (signal) => {
    const { main } = await import("../src/cli/main.js");
    const { HISTORIES } = await import("./evidence-helpers.js");
    const err: string[] = [];
    const run = main(["test", ".", "--last", "1", "--seed-rows", "10", "--database-url", PG_URL, "--allow-existing", "--no-partial-failure"], {
      cwd: `${HISTORIES}/slow`,
      stdout: () => undefined,
      stderr: (t) => err.push(t),
      isTTY: false,
      env: {},
    });
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    let scratch: string | undefined;
    // Wait until the 60-second backfill is running in the scratch database, then interrupt.
    for (let i = 0; i < 600 && !scratch; i++) {
      const r = await client.query("SELECT datname FROM pg_stat_activity WHERE datname LIKE 'mg_test_%' AND query LIKE 'UPDATE jobs%' AND state = 'active'");
      scratch = r.rows[0]?.datname;
      if (!scratch) await new Promise((r) => setTimeout(r, 50));
    }
    expect(scratch).toMatch(/^mg_test_/);
    process.emit(signal);
    expect(await run).toBe(130);
    expect(err.join("")).toContain(`interrupted; scratch database ${scratch} dropped`);
    const left = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [scratch]);
    await client.end();
    expect(left.rowCount).toBe(0);
  }, 120_000);
});
