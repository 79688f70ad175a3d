// Fixes compose: for every rule's bad examples, applying every mechanical fix the tool offers
// (what `check --fix` and the suggestion blocks do) and checking again finds no new error, and
// where the example ran on PostgreSQL 15 the way its migration tool runs it, the fixed files
// still run (a SET added above a lone CONCURRENTLY statement in a golang-migrate file would not).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fileSemantics } from "../src/core/analyze/transaction.js";
import { validateConfig } from "../src/core/config/load.js";
import { scriptSource } from "../src/core/discover/sections.js";
import { applyFixes } from "../src/core/fix/apply.js";
import type { AnalysisReport } from "../src/core/report.js";
import { createScratchDatabase, type ScratchDatabase, type Session } from "../src/db/index.js";
import { runScript, type ExecutionContext } from "../src/evidence/executor.js";
import { opsFor } from "../src/evidence/ops.js";
import { executableScript } from "../src/evidence/statements.js";
import { loadRules } from "../rules/index.js";
import { analyzeFiles } from "./helpers/engine.js";
import { baseFor, configFor, filesFor, setupFor } from "./helpers/examples.js";
import { PG_URL } from "./evidence-helpers.js";

const rules = await loadRules();
let scratch: ScratchDatabase;
let session: Session;
/** Examples whose fixed files were run on PostgreSQL: the suite must not pass by running none. */
let ranOnPostgres = 0;

beforeAll(async () => {
  scratch = await createScratchDatabase(PG_URL, { allowExisting: true });
  session = await scratch.connect();
});

afterAll(async () => {
  expect(ranOnPostgres).toBeGreaterThan(20);
  await session?.close();
  await scratch?.drop();
});

function errorCounts(report: AnalysisReport): Map<string, number> {
  const counts = new Map<string, number>();
  for (const f of report.migrations.flatMap((m) => m.findings).concat(report.otherFindings)) {
    if (f.severity === "error" && !f.suppressed) counts.set(f.ruleId, (counts.get(f.ruleId) ?? 0) + 1);
  }
  return counts;
}

/** Applies the report's migrations to a fresh `public` schema as their tool would; the first failure, if any. */
async function runOnPostgres(report: AnalysisReport, files: Record<string, string>, setup: string | undefined, config: ReturnType<typeof validateConfig>): Promise<string | undefined> {
  if (!config.ok) throw new Error("bad config");
  await session.query("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public; RESET ALL");
  if (setup) await session.query(setup);
  const ctx: ExecutionContext = { main: session, ops: opsFor("postgres", scratch.majorVersion), postgresVersion: scratch.majorVersion };
  for (const { migration } of report.migrations) {
    const text = files[migration.up.path];
    if (text === undefined) continue;
    const run = await runScript(ctx, executableScript(scriptSource(migration.up, text, "postgres")), { runsAs: fileSemantics(migration, config.config), trace: false });
    if (!run.ok) {
      await session.query("ROLLBACK").catch(() => undefined);
      return `${migration.up.path}: ${run.error?.message}`;
    }
  }
  return undefined;
}

describe.each(rules.filter((r) => r.examples.bad.length).map((r) => [r.id, r] as const))("fixes for %s", (_id, rule) => {
  for (const [i, example] of rule.examples.bad.entries()) {
    it(`compose on bad example ${i + 1}`, async () => {
      const files = filesFor(rule, example);
      const options = { config: configFor(rule, example), base: baseFor(example) };
      const before = await analyzeFiles(files, options);
      const findings = before.migrations.flatMap((m) => m.findings).concat(before.otherFindings);
      const fixed = applyFixes(findings, new Map(Object.entries(files)));
      if (fixed.files.size === 0) return;
      const fixedFiles = { ...files, ...Object.fromEntries(fixed.files) };
      const after = await analyzeFiles(fixedFiles, options);
      const was = errorCounts(before);
      const added = [...errorCounts(after)].filter(([id, n]) => n > (was.get(id) ?? 0));
      const newErrors = after.migrations.flatMap((m) => m.findings).filter((f) => added.some(([id]) => id === f.ruleId));
      expect(newErrors.map((f) => `${f.ruleId}: ${f.message}`), `fixed files:\n${[...fixed.files.values()].join("\n---\n")}`).toEqual([]);

      // On PostgreSQL: a file set that ran before the fixes still runs after them.
      if (rule.dialects[0] !== "postgres" || options.base || !before.migrations.length) return;
      const config = validateConfig(options.config);
      const original = await runOnPostgres(before, files, setupFor(rule, example), config);
      if (original !== undefined) return;
      ranOnPostgres++;
      expect(await runOnPostgres(after, fixedFiles, setupFor(rule, example), config), `fixed files:\n${[...fixed.files.values()].join("\n---\n")}`).toBeUndefined();
    });
  }
});
