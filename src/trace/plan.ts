// From a traced migrate command to the ephemeral test's input and the rule catalog's findings:
// the base phase's statements build the pre-change schema, the change phase's statements are the
// one migration under test and the down command's are its rollback. Each runs exactly as the
// tool sent it (its own BEGIN/COMMIT, one statement at a time).
import { analyzeChange } from "../core/analyze/engine.js";
import { AS_WRITTEN } from "../core/analyze/transaction.js";
import type { Config } from "../core/config/schema.js";
import type { Problem, TraceReport } from "../core/evidence/report.js";
import { shortSql } from "../core/evidence/plan.js";
import type { Migration, SourceFile, SqlSource } from "../core/model.js";
import { allFindings } from "../core/report.js";
import type { Rule } from "../core/analyze/rule.js";
import type { PlannedTest } from "../evidence/change.js";
import type { TracedPhase, TraceResult } from "./trace.js";

/** File names the captured scripts carry in the report (they exist only there). */
export const TRACE_FILES = { base: "traced/0-base.sql", change: "traced/1-change.sql", rollback: "traced/1-change.down.sql" } as const;

const source = (file: string, text: string): SqlSource => ({ file, text, baseOffset: 0, baseLine: 1, dialect: "postgres" });

export function tracedTest(result: TraceResult, command: string): PlannedTest {
  const base = result.base;
  const environment: PlannedTest["environment"] = base?.script.sql.trim()
    ? { source: "migrations", scripts: [{ id: `${command} (base commit)`, source: source(TRACE_FILES.base, base.script.sql), runsAs: AS_WRITTEN }] }
    : { source: "empty", scripts: [] };
  const change = result.change;
  if (!change || !change.script.sql.trim()) return { environment, change: [], notes: [], problems: [] };
  const migration: Migration = {
    id: command,
    version: "1",
    name: command,
    layout: "plain",
    up: { path: TRACE_FILES.change },
    ...(result.rollback ? { down: { path: TRACE_FILES.rollback } } : {}),
    repeatable: false,
    rollbackExpected: result.rollback !== undefined,
    transaction: "none",
    delivery: "per-statement",
    status: "added",
  };
  const down = result.rollback?.script.sql.trim() ? source(TRACE_FILES.rollback, result.rollback.script.sql) : undefined;
  return { environment, change: [{ migration, up: source(TRACE_FILES.change, change.script.sql), ...(down ? { down } : {}) }], notes: [], problems: [] };
}

/** The rule catalog on the captured SQL, with the base phase's statements as the schema's history. */
export function traceFindings(result: TraceResult, config: Config, rules: Rule[]): TraceReport["findings"] {
  if (!result.change?.script.sql.trim()) return [];
  const file = (path: string, text: string): SourceFile => ({ path, content: text });
  const baseFiles = result.base?.script.sql.trim() ? [file(TRACE_FILES.base, result.base.script.sql)] : [];
  const head = [...baseFiles, file(TRACE_FILES.change, result.change.script.sql)];
  if (result.rollback?.script.sql.trim()) head.push(file(TRACE_FILES.rollback, result.rollback.script.sql));
  const analysisConfig: Config = { ...config, layout: "plain", paths: [], exclude: [], overrides: [], dialect: "postgres" };
  const report = analyzeChange({ head, base: baseFiles }, analysisConfig, rules);
  const lines = new Map(head.map((f) => [f.path, String(f.content).split("\n")]));
  return allFindings(report)
    .filter((f) => f.span.file !== TRACE_FILES.base)
    .map((f) => ({
      ruleId: f.ruleId,
      severity: f.severity,
      message: f.message,
      ...(f.help ? { help: f.help } : {}),
      file: f.span.file,
      line: f.span.startLine,
      statement: shortSql((lines.get(f.span.file) ?? []).slice(f.span.startLine - 1, f.span.endLine).join("\n"), 200),
    }));
}

/** What the report says about each traced command, and the failures they add to the verdict. */
export function traceSummary(result: TraceResult, findings: TraceReport["findings"]): { trace: TraceReport; failures: string[]; problems: Problem[] } {
  const phases = [result.base, result.change, result.rollback].filter((p): p is TracedPhase => p !== undefined);
  const failures: string[] = [];
  const problems: Problem[] = [];
  for (const { run } of phases) {
    if (run.exitCode === 0) continue;
    const how = run.stopped ?? (run.exitCode === null ? "could not start" : `exited with code ${run.exitCode}`);
    const where = run.phase === "base" ? "on the base commit (the pre-change schema could not be built)" : run.phase === "change" ? "applying the change" : "rolling the change back";
    const tail = run.outputTail.trim().split("\n").slice(-8).join("\n");
    failures.push(`\`${run.command}\` ${how} ${where}`);
    problems.push({ where: run.phase === "base" ? "the base commit" : run.command, message: `\`${run.command}\` ${how} ${where}${tail ? `; its last output:\n${tail}` : ""}`, ...(run.phase === "base" ? { cause: "environment" as const } : {}) });
  }
  return {
    trace: {
      commands: phases.map(({ run, script }) => ({ ...run, statements: { sent: script.sent, ...script.left }, sql: script.sql })),
      findings,
    },
    failures,
    problems,
  };
}
