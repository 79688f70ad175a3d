// The ephemeral test runs pull-request SQL: each attack below ran (or left the test passing) before
// the scratch database became a sandbox. Real PostgreSQL 15 and MariaDB; nothing is mocked.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import mysql from "mysql2/promise";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../src/cli/main.js";
import { EvidenceReport } from "../src/core/evidence/report.js";
import { createScratchDatabase } from "../src/db/index.js";
import { MARIADB_URL, PG_URL } from "./evidence-helpers.js";

const BASE_PG = "CREATE TABLE accounts (id bigserial PRIMARY KEY, name text NOT NULL);";
const BASE_MYSQL = "CREATE TABLE accounts (id bigint AUTO_INCREMENT PRIMARY KEY, name varchar(100) NOT NULL);";

interface ChangeRun {
  code: number;
  report: EvidenceReport;
  text: string;
  ms: number;
}

/** Runs `migration-guard test` on a two-migration golang-migrate history whose second file is `up`. */
async function testChange(up: string, options: { mysql?: boolean; pglite?: boolean; timeouts?: string; partialFailure?: boolean } = {}): Promise<ChangeRun> {
  const dir = mkdtempSync(join(tmpdir(), "mg-sandbox-"));
  writeFileSync(join(dir, "000001_base.up.sql"), options.mysql ? BASE_MYSQL : BASE_PG);
  writeFileSync(join(dir, "000001_base.down.sql"), "DROP TABLE accounts;");
  writeFileSync(join(dir, "000002_change.up.sql"), up);
  writeFileSync(join(dir, "000002_change.down.sql"), "SELECT 1;");
  const config = [options.mysql ? 'dialect: mariadb\nmysql_version: "10.11"' : "", options.timeouts ? `test:\n  timeouts: ${options.timeouts}` : ""].join("\n");
  writeFileSync(join(dir, "mg.yml"), `${config}\n`);
  const args = ["test", ".", "--config", "mg.yml", "--last", "1", "--seed-rows", "5", "--no-probe"];
  if (!options.pglite) args.push("--database-url", options.mysql ? MARIADB_URL : PG_URL, "--allow-existing");
  if (!options.partialFailure) args.push("--no-partial-failure");
  args.push("--output", "report.json");
  const t0 = Date.now();
  const code = await main(args, { cwd: dir, stdout: () => undefined, stderr: () => undefined, isTTY: false, env: {} });
  const text = readFileSync(join(dir, "report.json"), "utf8");
  return { code, report: EvidenceReport.parse(JSON.parse(text)), text, ms: Date.now() - t0 };
}

function forwardError(run: ChangeRun): string {
  return run.report.migrations[0]?.forward.error?.message ?? "";
}

describe("sandbox on PostgreSQL 15", () => {
  const sentinel = `mg_sentinel_${process.pid}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  const sentinelUrl = PG_URL.replace(/\/test$/, `/${sentinel}`);
  const sentinelRows = async () => {
    const c = new pg.Client({ connectionString: sentinelUrl });
    await c.connect();
    try {
      return Number((await c.query("SELECT count(*) AS n FROM keep")).rows[0].n);
    } finally {
      await c.end();
    }
  };
  beforeAll(async () => {
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${sentinel} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${sentinel}`);
    const c = new pg.Client({ connectionString: sentinelUrl });
    await c.connect();
    await c.query("CREATE TABLE keep (id int); INSERT INTO keep VALUES (1)");
    await c.end();
  });
  afterAll(async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${sentinel} WITH (FORCE)`);
    await admin.query("DROP ROLE IF EXISTS mg_evil");
    await admin.end();
  });

  it("refuses DROP DATABASE of another database, CREATE ROLE … SUPERUSER and ALTER SYSTEM, and fails the test", async () => {
    for (const [sql, message] of [
      [`DROP DATABASE ${sentinel};`, "must be owner of database"],
      ["CREATE ROLE mg_evil SUPERUSER LOGIN;", "must be superuser to create superusers"],
      ["ALTER SYSTEM SET work_mem = '1GB';", "permission denied"],
      ["CREATE TABLESPACE evil LOCATION '/tmp';", "permission denied"],
    ] as const) {
      const run = await testChange(sql);
      expect(run.code, sql).toBe(1);
      expect(forwardError(run), sql).toContain(message);
      expect(forwardError(run)).toContain("owns only the scratch database");
      expect(run.report.engine.sandbox).toContain("role created for this run");
    }
    expect(await sentinelRows()).toBe(1);
    expect((await admin.query("SELECT 1 FROM pg_roles WHERE rolname = 'mg_evil'")).rowCount).toBe(0);
  }, 120_000);

  it("runs no OS command (COPY … TO PROGRAM), reaches no other database (dblink) and reads no server file into the report", async () => {
    const marker = join(tmpdir(), `mg-pwned-${process.pid}`);
    const program = await testChange(`COPY (SELECT 1) TO PROGRAM 'touch ${marker}';`);
    expect(program.code).toBe(1);
    expect(forwardError(program)).toMatch(/permission denied|must be superuser/);
    expect(existsSync(marker)).toBe(false);

    const dblink = await testChange(`CREATE EXTENSION dblink;\nSELECT dblink_exec('dbname=${sentinel}', 'INSERT INTO keep VALUES (2)');`);
    expect(dblink.code).toBe(1);
    expect(forwardError(dblink)).toMatch(/permission denied to create extension "dblink"/);
    expect(await sentinelRows()).toBe(1);

    const read = await testChange("SELECT pg_read_file('/etc/passwd')::int;\nCOPY accounts FROM '/etc/passwd';");
    expect(read.code).toBe(1);
    expect(forwardError(read)).toContain("permission denied for function pg_read_file");
    expect(read.text).not.toContain("root:");
  }, 120_000);

  it("lets the database owner create trusted extensions (pgcrypto, uuid-ossp)", async () => {
    const run = await testChange(
      'CREATE EXTENSION IF NOT EXISTS pgcrypto;\nCREATE EXTENSION IF NOT EXISTS "uuid-ossp";\nALTER TABLE accounts ADD COLUMN token text DEFAULT encode(gen_random_bytes(8), \'hex\'), ADD COLUMN ref uuid DEFAULT uuid_generate_v4();',
    );
    expect(run.report.migrations[0]!.forward).toMatchObject({ ok: true });
  }, 60_000);

  it("stops pg_sleep, an endless DO loop and a statement that lifts its own timeout, naming the statement", async () => {
    const timeouts = "{ statement_ms: 1500 }";
    for (const sql of [
      "SELECT pg_sleep(100000);",
      "DO $$ BEGIN LOOP PERFORM 1; END LOOP; END $$;",
      "SET statement_timeout = 0;\nSELECT pg_sleep(100000);",
    ]) {
      const run = await testChange(sql, { timeouts });
      expect(run.code, sql).toBe(1);
      const failed = run.report.migrations[0]!.forward.statements.find((s) => !s.ok)!;
      expect(failed.sql, sql).toMatch(/pg_sleep|LOOP/);
      expect(failed.error, sql).toContain("statement time limit of 1500 ms (test.timeouts.statement_ms)");
      expect(failed.error, sql).toMatch(/; it was (waiting on Timeout\/PgSleep|running, not waiting on a lock)/);
      expect(run.report.migrations[0]!.forward.error, sql).toMatchObject({ cause: "time-limit", timeLimit: "statement" });
      expect(run.report.verdict.failures[0]).toMatch(/^forward failed: 000002_change\.up\.sql:\d: /);
      expect(run.ms, sql).toBeLessThan(60_000);
    }
  }, 240_000);

  it("ends the whole test when its time budget runs out, with the statement it stopped", async () => {
    const run = await testChange("SELECT pg_sleep(100000);", { timeouts: "{ statement_ms: 600000, total_ms: 4000 }" });
    expect(run.code).toBe(1);
    expect(forwardError(run)).toContain("time budget of 4000 ms (test.timeouts.total_ms)");
    expect(run.report.migrations[0]!.forward.error).toMatchObject({ cause: "time-limit", timeLimit: "total" });
    expect(run.ms).toBeLessThan(60_000);
  }, 60_000);

  it("at start, drops the scratch database of a dead earlier run and ends its still-running backend; keeps live and young ones", async () => {
    const deadPid = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" }).stdout;
    const host = (await import("node:os")).hostname();
    const old = (Date.now() - 3_600_000).toString(36);
    const dead = `mg_test_${old}_dead1`;
    const live = `mg_test_${old}_live1`;
    const young = `mg_test_${Date.now().toString(36)}_young`;
    for (const [name, pid] of [[dead, deadPid], [live, String(process.pid)], [young, deadPid]] as const) {
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.query(`COMMENT ON DATABASE ${name} IS 'migration-guard test on ${host} pid ${pid}'`);
    }
    // The dead run's backend still sleeps, as after a SIGKILL of its client.
    const orphan = new pg.Client({ connectionString: PG_URL.replace(/\/test$/, `/${dead}`) });
    await orphan.connect();
    orphan.on("error", () => undefined);
    const sleeping = orphan.query("SELECT pg_sleep(100000)").catch((e) => String(e));
    const scratch = await createScratchDatabase(PG_URL, { allowExisting: true });
    await scratch.drop();
    expect(await sleeping).toMatch(/terminat/);
    const left = (await admin.query("SELECT datname FROM pg_database WHERE datname = ANY($1) ORDER BY 1", [[dead, live, young]])).rows.map((r) => r.datname);
    expect(left).toEqual([live, young].sort());
    for (const name of left) await admin.query(`DROP DATABASE ${name}`);
  }, 60_000);
});

describe("sandbox on MariaDB", () => {
  const sentinel = `mg_sentinel_${process.pid}`;
  let admin: mysql.Connection;
  const sentinelTables = async () => (await admin.query("SELECT table_name FROM information_schema.tables WHERE table_schema = ? ORDER BY 1", [sentinel]))[0] as unknown[];
  beforeAll(async () => {
    admin = await mysql.createConnection({ host: "127.0.0.1", port: 3306, user: "root" });
    await admin.query(`DROP DATABASE IF EXISTS ${sentinel}`);
    await admin.query(`CREATE DATABASE ${sentinel}`);
    await admin.query(`CREATE TABLE ${sentinel}.keep (id int)`);
    await admin.query(`CREATE TABLE ${sentinel}.also_keep (id int)`);
  });
  afterAll(async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${sentinel}`);
    await admin.end();
  });

  it("never snapshots or cleans up another database after `USE other_db` (it used to drop every table there)", async () => {
    const run = await testChange(`USE ${sentinel};\nCREATE TABLE t1 (id int);\nCREATE TABLE t2 (id int);\nCREATE TABLE t3 (id int);`, { mysql: true, partialFailure: true });
    expect(run.code).toBe(1);
    expect(run.report.migrations[0]!.partialFailure?.cleanupSql ?? []).not.toContainEqual(expect.stringContaining("keep"));
    expect(forwardError(run)).toContain("Access denied");
    expect((await sentinelTables()).length).toBe(2);
  }, 120_000);

  it("moves a session that left the scratch database back before reading it", async () => {
    const scratch = await createScratchDatabase(MARIADB_URL, { allowExisting: true });
    try {
      const session = await scratch.connect();
      await session.query("USE information_schema");
      await session.reset!();
      expect((await session.query("SELECT DATABASE() AS db")).rows[0]!.db).toBe(scratch.name);
      await session.close();
    } finally {
      await scratch.drop();
    }
  }, 60_000);

  it("refuses INTO OUTFILE, SET GLOBAL, CREATE USER and DROP DATABASE of another database", async () => {
    for (const [sql, message] of [
      ["SELECT 1 INTO OUTFILE '/tmp/mg-outfile-test';", "Access denied"],
      ["SET GLOBAL max_connections = 5;", "Access denied"],
      ["CREATE USER 'mg_evil'@'%';", "Access denied"],
      [`DROP DATABASE ${sentinel};`, "Access denied"],
    ] as const) {
      const run = await testChange(sql, { mysql: true });
      expect(run.code, sql).toBe(1);
      expect(forwardError(run), sql).toContain(message);
    }
    expect((await sentinelTables()).length).toBe(2);
    expect(((await admin.query("SELECT 1 FROM mysql.user WHERE user = 'mg_evil'"))[0] as unknown[]).length).toBe(0);
  }, 180_000);

  it("leaves no scratch database or run user behind when the change drops its own database", async () => {
    const before = ((await admin.query("SHOW DATABASES LIKE 'mg\\_test\\_%'"))[0] as unknown[]).length;
    const run = await testChange("SET @s = CONCAT('DROP DATABASE `', DATABASE(), '`');\nPREPARE s FROM @s;\nEXECUTE s;", { mysql: true });
    expect(run.code).toBe(1);
    expect(((await admin.query("SHOW DATABASES LIKE 'mg\\_test\\_%'"))[0] as unknown[]).length).toBe(before);
    expect(((await admin.query("SELECT user FROM mysql.user WHERE user LIKE 'mg\\_test\\_%'"))[0] as unknown[]).length).toBe(0);
  }, 60_000);

  it("stops SLEEP and a statement that lifts its own max_statement_time", async () => {
    for (const sql of ["SELECT SLEEP(100000);", "SET SESSION max_statement_time = 0;\nSELECT SLEEP(100000);"]) {
      const run = await testChange(sql, { mysql: true, timeouts: "{ statement_ms: 1500 }" });
      expect(run.code, sql).toBe(1);
      const failed = run.report.migrations[0]!.forward.statements.find((s) => !s.ok)!;
      expect(failed.sql, sql).toBe("SELECT SLEEP(100000)");
      expect(failed.error, sql).toContain("statement time limit of 1500 ms (test.timeouts.statement_ms)");
      expect(run.ms, sql).toBeLessThan(60_000);
    }
  }, 120_000);
});

describe("sandbox on PGlite", () => {
  it("stops pg_sleep and an endless DO loop although PGlite ignores statement_timeout, and says what the boundary is", async () => {
    for (const sql of ["SELECT pg_sleep(100000);", "DO $$ BEGIN LOOP PERFORM 1; END LOOP; END $$;"]) {
      const run = await testChange(sql, { pglite: true, timeouts: "{ statement_ms: 1500 }" });
      expect(run.code, sql).toBe(1);
      const failed = run.report.migrations[0]!.forward.statements.find((s) => !s.ok)!;
      expect(failed.sql, sql).toMatch(/pg_sleep|LOOP/);
      expect(failed.error, sql).toContain("statement time limit of 1500 ms (test.timeouts.statement_ms)");
      expect(run.report.engine.sandbox).toContain("only, superuser, role");
      expect(run.ms, sql).toBeLessThan(60_000);
    }
  }, 120_000);
});
