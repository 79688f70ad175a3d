// The CLI side of the evidence path: `init` writes the workflow, `test` validates its arguments,
// prints the report schema, and runs end to end on PGlite with a JSON artifact.
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, cpSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main, type CliIo } from "../src/cli/main.js";
import { EvidenceReport, evidenceJsonSchema } from "../src/core/evidence/report.js";
import { HISTORIES } from "./evidence-helpers.js";
import { TOOL_VERSION } from "../src/core/analyze/engine.js";

function io(cwd: string): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { cwd, out, err, stdout: (t) => out.push(t), stderr: (t) => err.push(t), isTTY: false, env: {} };
}

describe("migration-guard init", () => {
  it("writes the test workflow with a service of the configured PostgreSQL version, pinned to this version's action, and refuses to overwrite it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mg-init-"));
    mkdirSync(join(dir, ".github"));
    writeFileSync(join(dir, ".github/migration-guard.yml"), "postgres_version: 16\npaths: [db/migrations/**]\n");
    mkdirSync(join(dir, ".git"));
    const first = io(dir);
    expect(await main(["init"], first)).toBe(0);
    expect(first.out.join("")).toContain("wrote .github/workflows/migration-guard-test.yml (postgres:16 service)");
    const workflow = readFileSync(join(dir, ".github/workflows/migration-guard-test.yml"), "utf8");
    expect(workflow).toContain(`uses: migration-guard/migration-guard@v${TOOL_VERSION}\n`);
    expect(workflow).not.toMatch(/ref: main|npm ci/);
    expect(workflow).toMatchSnapshot();
    const again = io(dir);
    expect(await main(["init"], again)).toBe(2);
    expect(again.err.join("")).toBe("migration-guard init: .github/workflows/migration-guard-test.yml already exists; pass --force to overwrite it\n");
  });

  it("with --action also writes the review workflow, at another path, for every event the gates need", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mg-init-"));
    const run = io(dir);
    expect(await main(["init", "--action"], run)).toBe(0);
    const review = readFileSync(join(dir, ".github/workflows/migration-guard-review.yml"), "utf8");
    for (const event of ["pull_request:", "issue_comment:", "workflow_run:", "check_run:"]) expect(review).toContain(`  ${event}\n`);
    expect(review).toContain("    workflows: [migration-guard test]\n");
    expect(readFileSync(join(dir, ".github/workflows/migration-guard-test.yml"), "utf8")).toMatch(/^name: migration-guard test$/m);
    expect(review).toMatchSnapshot();
  });

  it("uses a MariaDB service of a MariaDB release, with a TCP health check", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mg-init-"));
    writeFileSync(join(dir, "mg.yml"), 'dialect: mariadb\nmysql_version: "10.11"\n');
    const run = io(dir);
    expect(await main(["init", "--config", "mg.yml", "--stdout"], run)).toBe(0);
    expect(run.out.join("")).toContain("        image: mariadb:10.11\n");
    expect(run.out.join("")).toContain("          database-url: mysql://root:root@127.0.0.1:3306/\n");
    expect(run.out.join("")).toContain('--health-cmd "mariadb-admin ping -h 127.0.0.1 -P 3306 -uroot -proot"');
  });

  it("never writes an image that does not exist: a MySQL version under dialect mariadb becomes MariaDB's LTS, said on stderr", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mg-init-"));
    writeFileSync(join(dir, "mg.yml"), "dialect: mariadb\n"); // mysql_version defaults to 8.0
    const run = io(dir);
    expect(await main(["init", "--config", "mg.yml"], run)).toBe(0);
    expect(readFileSync(join(dir, ".github/workflows/migration-guard-test.yml"), "utf8")).toContain("        image: mariadb:11.4\n");
    expect(run.err.join("")).toContain("mysql_version 8.0 is not a MariaDB release; the workflow uses mariadb:11.4");
    const mysql = io(dir);
    writeFileSync(join(dir, "my.yml"), 'dialect: mysql\nmysql_version: "8.4"\n');
    expect(await main(["init", "--config", "my.yml", "--stdout"], mysql)).toBe(0);
    expect(mysql.out.join("")).toContain("        image: mysql:8.4\n");
    expect(mysql.out.join("")).toContain('--health-cmd "mysqladmin ping -h 127.0.0.1 -P 3306 -uroot -proot"');
  });

  it("with --command runs the project's own installation on Node 24 instead of the action", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mg-init-"));
    const run = io(dir);
    expect(await main(["init", "--command", "npx migration-guard", "--stdout"], run)).toBe(0);
    const text = run.out.join("");
    expect(text).toContain("          node-version: 24\n");
    expect(text).toContain("          npx migration-guard test\n");
    expect(text).not.toContain("uses: migration-guard/migration-guard@");
  });
});

describe("migration-guard test", () => {
  it("prints the report's JSON Schema", async () => {
    const run = io(process.cwd());
    expect(await main(["test", "--print-schema"], run)).toBe(0);
    expect(JSON.parse(run.out.join(""))).toEqual(evidenceJsonSchema());
  });

  it("rejects bad arguments with exit code 2 and a clear message", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mg-test-"));
    writeFileSync(join(dir, "mg.yml"), "dialect: mysql\n");
    const a = io(dir);
    expect(await main(["test", "--config", "mg.yml"], a)).toBe(2);
    expect(a.err.join("")).toBe("migration-guard test: dialect mysql needs --database-url mysql://… (there is no embedded MySQL)\n");
    const b = io(dir);
    expect(await main(["test", "--last", "two"], b)).toBe(2);
    expect(b.err.join("")).toBe("migration-guard test: --last must be a non-negative whole number, got `two`\n");
    const c = io(dir);
    expect(await main(["test", "--database-url", "redis://127.0.0.1:6379"], c)).toBe(2);
    expect(c.err.join("")).toBe("migration-guard test: unsupported database URL scheme `redis:` (expected postgres://, postgresql://, mysql:// or mariadb://)\n");
  });

  it("never leaves a committed report standing: every early exit overwrites --output with a failed report that ticks no gate", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mg-test-"));
    writeFileSync(join(dir, "mg.yml"), "dialect: mysql\n");
    writeFileSync(join(dir, "bad.yml"), "test: { seed: { rows: -1 } }\n");
    const forged = JSON.stringify({ kind: "migration-guard-test-report", verdict: { passed: true }, gates: { tested: true } });
    for (const args of [
      ["--config", "mg.yml"],
      ["--last", "two"],
      ["--no-such-flag"],
      ["--format", "xml"],
      ["--config", "bad.yml"],
      ["--database-url", "redis://127.0.0.1:6379"],
      ["--database-url", "postgres://postgres@127.0.0.1:1/test"],
    ]) {
      writeFileSync(join(dir, "migration-guard-test-report.json"), forged);
      const run = io(dir);
      expect(await main(["test", ...args, "--output", "migration-guard-test-report.json", "--head-sha", "b".repeat(40)], run), args.join(" ")).toBe(2);
      const report = EvidenceReport.parse(JSON.parse(readFileSync(join(dir, "migration-guard-test-report.json"), "utf8")));
      expect(report.verdict.passed, args.join(" ")).toBe(false);
      expect(report.verdict.failures[0]).toMatch(/^the test did not run: /);
      expect(Object.values(report.gates).some(Boolean)).toBe(false);
      expect(report.headSha).toBe("b".repeat(40));
    }
    // --help writes no report, and leaves none behind either.
    writeFileSync(join(dir, "r.json"), forged);
    expect(await main(["test", "--help", "--output=r.json"], io(dir))).toBe(0);
    expect(existsSync(join(dir, "r.json"))).toBe(false);
  });

  it("a run with no migration to test proves nothing: it ticks no gate", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mg-test-"));
    writeFileSync(join(dir, "README.md"), "no migrations here\n");
    const run = io(dir);
    await main(["test", ".", "--output", "r.json"], run);
    const report = EvidenceReport.parse(JSON.parse(readFileSync(join(dir, "r.json"), "utf8")));
    expect(report.migrations).toEqual([]);
    expect(Object.values(report.gates).some(Boolean)).toBe(false);
  }, 60_000);

  it("tests the migrations added compared with the base (--base-dir), building the environment from the base's", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mg-test-"));
    cpSync(join(HISTORIES, "shop"), join(dir, "db"), { recursive: true });
    cpSync(join(HISTORIES, "shop"), join(dir, "base"), { recursive: true, filter: (src) => !/00002[89]|000030/.test(src) });
    const run = io(dir);
    const code = await main(["test", "db", "--base-dir", "base", "--seed-rows", "50", "--database-url", "postgres://postgres@127.0.0.1:5432/test", "--allow-existing", "--format", "json"], run);
    expect(run.err.join("")).toBe("");
    const report = EvidenceReport.parse(JSON.parse(run.out.join("")));
    expect(report.environment.baseMigrations).toHaveLength(27);
    expect(report.migrations.map((m) => m.id)).toEqual([
      "db/000028_backfill_orders_note.up.sql",
      "db/000029_customer_order_count_function.up.sql",
      "db/000030_order_totals_view_last_order.up.sql",
    ]);
    expect(report.rollback).toMatchObject({ ran: true, schemaDiff: [], lossy: false });
    expect(code === 0 || report.verdict.failures.every((f) => f.startsWith("blocking:"))).toBe(true);
  }, 180_000);

  it("runs a 2-migration change on PGlite, writes the JSON artifact and exits 0", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mg-test-"));
    cpSync(join(HISTORIES, "shop"), join(dir, "db"), { recursive: true });
    const run = io(dir);
    const code = await main(["test", "db", "--last", "2", "--seed-rows", "50", "--output", "report.json", "--head-sha", "a".repeat(40)], run);
    expect(run.err.join("")).toBe("");
    expect(code).toBe(0);
    expect(existsSync(join(dir, "report.json"))).toBe(true);
    const report = EvidenceReport.parse(JSON.parse(readFileSync(join(dir, "report.json"), "utf8")));
    expect(report.headSha).toBe("a".repeat(40));
    expect(report.migrations.map((m) => m.id)).toEqual(["db/000029_customer_order_count_function.up.sql", "db/000030_order_totals_view_last_order.up.sql"]);
    // A terminal gets plain lines; the Markdown form is the job summary's (--markdown / --format markdown).
    const printed = run.out.join("");
    expect(printed).toMatch(/^migration test passed ✔ on PGlite \(PostgreSQL\) 18\.[\d.]+, seed 50 rows per table, blocking probe off\n/);
    expect(printed).toMatch(/\nsteps:\n  ✔ environment +[\d.]+ m?s  28 base migration\(s\)/);
    // A step that did not run shows no time.
    expect(printed).toMatch(/\n  – probe +blocking probe not run/);
    expect(printed).not.toContain("0.00 ms");
    expect(printed).toMatch(/\n✔ db\/000029_customer_order_count_function\.up\.sql  forward ✔ [\d.]+ m?s · rollback ✔ /);
    expect(printed).not.toMatch(/[|*`#]/);
    const markdown = mkdtempSync(join(tmpdir(), "mg-test-md-"));
    cpSync(join(HISTORIES, "shop"), join(markdown, "db"), { recursive: true });
    const md = io(markdown);
    expect(await main(["test", "db", "--last", "1", "--seed-rows", "10", "--no-probe", "--no-partial-failure", "--format", "markdown"], md)).toBe(0);
    expect(md.out.join("")).toMatch(/^## Migration test: passed ✅\n\nEngine: \*\*PGlite \(PostgreSQL\) 18\./);
  }, 180_000);
});
