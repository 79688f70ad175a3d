// Scale: a folder of 5,000 migrations and a 10 MB migration file go through the CLI without a
// crash. Generated into a temporary folder; no timing is asserted.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import type { AnalysisReport } from "../src/core/report.js";

const root = mkdtempSync(join(tmpdir(), "mg-scale-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function checkJson(path: string): Promise<{ code: number; report: AnalysisReport; stderr: string }> {
  const { code, stdout, stderr } = await runCli(root, ["check", path, "--format", "json"]);
  return { code, report: JSON.parse(stdout) as AnalysisReport, stderr };
}

describe("scale", () => {
  it("analyzes a folder of 5,000 golang-migrate migrations", async () => {
    const dir = join(root, "many");
    mkdirSync(dir);
    for (let i = 1; i <= 5000; i++) {
      const v = String(i).padStart(6, "0");
      writeFileSync(join(dir, `${v}_add_column_${i}.up.sql`), `ALTER TABLE events ADD COLUMN c${i} text;\n`);
      if (i % 2 === 0) writeFileSync(join(dir, `${v}_add_column_${i}.down.sql`), `ALTER TABLE events DROP COLUMN c${i};\n`);
    }
    const { code, report, stderr } = await checkJson("many");
    expect(stderr).toBe("");
    expect(code).toBeLessThan(2);
    expect(report.summary.migrations).toBe(5000);
    expect(report.migrations[4999]!.migration.version).toBe("5000");
    const missing = report.migrations.flatMap((m) => m.findings).filter((f) => f.ruleId === "missing-rollback");
    expect(missing).toHaveLength(2500);
  }, 600_000);

  it("analyzes a 10 MB migration file", async () => {
    const dir = join(root, "big");
    mkdirSync(dir);
    const statement = "INSERT INTO audit_log (id, actor, action, payload) VALUES (1, 'system', 'seed', '{\"note\": \"bulk data\"}');\n";
    const count = Math.ceil((10 * 1024 * 1024) / statement.length);
    writeFileSync(join(dir, "V1__seed_audit_log.sql"), `CREATE TABLE audit_log (id bigint, actor text, action text, payload jsonb);\n${statement.repeat(count)}`);
    writeFileSync(join(dir, "U1__seed_audit_log.sql"), "DROP TABLE audit_log;\n");
    const { code, report, stderr } = await checkJson("big");
    expect(stderr).toBe("");
    expect(code).toBeLessThan(2);
    expect(report.migrations).toHaveLength(1);
    expect(report.migrations[0]!.statements.up).toBe(count + 1);
  }, 600_000);
});
