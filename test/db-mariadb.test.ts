// `migration-guard test` against MariaDB on 127.0.0.1:3306: forward, validate, rollback and
// schema diff, each run in a scratch database it creates and drops.
import mysql from "mysql2/promise";
import { describe, expect, it } from "vitest";
import { MARIADB_URL, runFixture } from "./evidence-helpers.js";

const config = { dialect: "mariadb" as const, mysql_version: "10.11" };

async function databaseExists(name: string): Promise<boolean> {
  const conn = await mysql.createConnection({ host: "127.0.0.1", port: 3306, user: "root" });
  try {
    const [rows] = await conn.query("SHOW DATABASES LIKE ?", [name]);
    return (rows as unknown[]).length > 0;
  } finally {
    await conn.end();
  }
}

describe("migration-guard test on MariaDB", () => {
  it("seeds a one-row table with one row and composite foreign keys from the wider key, with row numbers MySQL 8 also accepts", async () => {
    const { report } = await runFixture("mariadb-seeded", { url: MARIADB_URL, last: 1, config, folder: "migrations" });
    expect(report.environment.seeded).toEqual([
      { table: "tenants", rows: 500 },
      { table: "projects", rows: 500 },
      { table: "settings", rows: 1, problem: "a CHECK constraint allows one row" },
      { table: "tasks", rows: 500 },
    ]);
    // The partial run applied the UPDATE, which MariaDB cannot undo: the forward resumes after it instead of updating twice.
    expect(report.migrations[0]!.partialFailure!.note).toContain("the forward resumes from statement 2");
    // Only the UPDATE ran before the interruption: no schema leftovers (the second snapshot is the first), but changed rows.
    expect(report.migrations[0]!.partialFailure).toMatchObject({ leftovers: [], clean: false, manualCleanup: [expect.stringContaining("rows changed in settings")] });
    expect(report.migrations[0]!.forward.note).toContain("the forward ran from statement 2");
    expect(report.migrations[0]!.forward.statements.map((s) => s.sql)).toEqual(["ALTER TABLE tasks ADD COLUMN done BOOLEAN NOT NULL DEFAULT FALSE"]);
    expect(report.verdict.failures).toEqual([]);
  }, 180_000);

  it("applies 6 migrations forward, validates, rolls back to an identical schema and applies them again", async () => {
    const { report, scratch } = await runFixture("mariadb-shop", { url: MARIADB_URL, last: 6, config, folder: "migrations" });
    expect(report.engine).toMatchObject({ kind: "mariadb", majorVersion: 10 });
    expect(report.verdict.failures).toEqual([]);
    expect(report.environment.seeded.map((s) => [s.table, s.rows])).toEqual([
      ["customers", 500],
      ["orders", 500],
      ["products", 500],
      ["order_items", 500],
    ]);
    expect(report.rollback).toMatchObject({ ran: true, schemaDiff: [], lossy: false });
    expect(report.migrations.every((m) => m.forward.ok && m.rollback?.ok && m.forwardAgain?.ok)).toBe(true);
    const backfill = report.migrations.flatMap((m) => m.forward.statements).find((s) => s.sql.startsWith("UPDATE orders"))!;
    expect(backfill.rowsAffected).toBe(500);
    // DDL commits implicitly on MariaDB: an interrupted multi-statement migration leaves objects behind, with cleanup SQL.
    const audit = report.migrations.find((m) => m.up.endsWith("008_audit_trigger.sql"))!.partialFailure!;
    expect(audit).toMatchObject({ transactional: false, clean: false, cleanupSql: ["DROP TABLE IF EXISTS `audit_log`;"] });
    expect(audit.note).toContain("restored the pre-migration schema");
    expect(await databaseExists(scratch.name)).toBe(false);
  }, 180_000);

  it("marks a rollback lossy when a dropped column comes back empty", async () => {
    const { report } = await runFixture("mariadb-shop", { url: MARIADB_URL, last: 1, config, folder: "migrations" });
    expect(report.migrations.map((m) => m.id)).toEqual(["migrations/012_drop_products_description.sql"]);
    expect(report.rollback.schemaDiff).toEqual([]);
    expect(report.rollback.lossy).toBe(true);
    expect(report.rollback.checksums.find((c) => c.table === "products")).toMatchObject({ rowsBefore: 500, lostRows: 500, matches: false });
    expect(report.verdict.warnings).toContain("rollback is lossy: pre-existing rows did not come back in products");
  }, 180_000);
});
