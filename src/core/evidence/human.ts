// The test report for a terminal: plain lines, aligned columns, no Markdown. Pure: report in,
// text out (the CLI's default; `--format markdown` prints the job-summary form instead).
import { engineName, formatMs, leftOut } from "./markdown.js";
import type { EvidenceReport, MigrationEvidence, ScriptRun, StatementTrace, TraceReport } from "./report.js";

const MARK = { passed: "✔", failed: "✖", skipped: "–" } as const;

export function renderEvidenceHuman(report: EvidenceReport, { maxStatements = 20 } = {}): string {
  const e = report.engine;
  const out: string[] = [];
  out.push(`migration test ${report.verdict.passed ? "passed ✔" : "failed ✖"} on ${engineName(e.kind)} ${e.serverVersion}, seed ${report.settings.seedRows} rows per table, blocking probe ${report.settings.probe ? "on" : "off"}`);
  if (e.versionWarning) out.push(`  ⚠ ${e.versionWarning}`);
  out.push("", "steps:");
  const width = Math.max(...report.steps.map((s) => s.name.length));
  for (const s of report.steps) {
    // A step that did not run has no time worth showing.
    // The probe watches the forward step from a second session: its time is the forward's.
    const time = s.status === "skipped" ? "" : s.name === "probe" ? "in forward" : formatMs(s.durationMs);
    out.push(`  ${MARK[s.status]} ${s.name.padEnd(width)}  ${time.padStart(10)}  ${oneLine(s.summary)}`);
  }
  for (const p of report.environment.problems) out.push(`  environment: ${p.where ? `${p.where}: ` : ""}${p.message}`);
  for (const s of report.environment.seeded.filter((x) => x.problem)) out.push(`  seeding ${s.table} (${s.rows} rows): ${s.problem}`);
  if (report.trace) out.push("", ...traced(report.trace));
  for (const m of report.migrations) out.push("", ...migration(m, maxStatements));
  const failedChecks = report.validation.filter((c) => !c.ok);
  if (failedChecks.length) out.push("", "validation:", ...failedChecks.map((c) => `  ${c.indicator === "warning" ? "⚠" : "✖"} ${c.name}${c.detail ? `: ${c.detail}` : ""}`));
  const rb = report.rollback;
  if (rb.ran && rb.schemaDiff.length) out.push("", `schema after rollback differs (${rb.schemaDiff.length}):`, ...rb.schemaDiff.map((d) => `  ${d.change} ${d.objectType} ${d.name}`));
  const lost = rb.checksums.filter((c) => !c.matches);
  if (lost.length) out.push("", `lossy rollback: ${lost.map((c) => `${c.table} (${c.lostRows} of ${c.rowsBefore} rows)`).join(", ")}`);
  if (rb.missingDowns.length) out.push("", `no rollback script for: ${rb.missingDowns.join(", ")}`);
  for (const s of report.probe.slowdowns.filter((x) => x.flagged)) out.push(`  slower query on ${s.table}: ${formatMs(s.beforeMs)} → ${formatMs(s.afterMs)} (+${s.slowdownPercent}%)`);
  for (const p of report.problems) out.push(`note: ${p.where ? `${p.where}: ` : ""}${p.message}`);
  if (report.verdict.failures.length) out.push("", ...report.verdict.failures.map((f) => `✖ ${f}`));
  for (const w of report.verdict.warnings) out.push(`⚠ ${w}`);
  return `${out.join("\n")}\n`;
}

const SEVERITY_MARK = { error: "✖", warning: "⚠", info: "ℹ" } as const;

function traced(trace: TraceReport): string[] {
  const out = ["traced commands:"];
  for (const c of trace.commands) {
    const left = leftOut(c.statements);
    out.push(`  ${c.exitCode === 0 ? "✔" : "✖"} ${c.phase.padEnd(8)} ${formatMs(c.durationMs).padStart(9)}  ${c.command}  (${c.statements.sent} statement(s) sent${left ? `; replayed without ${left}` : ""})`);
  }
  if (trace.findings.length) {
    out.push("", `findings on the traced SQL (${trace.findings.length}):`);
    for (const f of trace.findings) {
      const rollback = f.file.endsWith(".down.sql") ? " (in the rollback)" : "";
      out.push(`  ${SEVERITY_MARK[f.severity]} ${f.ruleId}${rollback}: ${f.message}`, `      ${f.statement.length > 100 ? `${f.statement.slice(0, 99)}…` : f.statement}`);
    }
  } else if (trace.commands.some((c) => c.phase !== "base" && c.sql.trim())) out.push("", "findings on the traced SQL: none");
  return out;
}

function migration(m: MigrationEvidence, maxStatements: number): string[] {
  const runs: [string, ScriptRun | undefined][] = [
    ["forward", m.forward],
    ["rollback", m.rollback],
    ["forward again", m.forwardAgain],
  ];
  const ok = runs.every(([, r]) => !r || r.ok);
  const summary = runs.filter(([, r]) => r).map(([label, r]) => `${label} ${r!.ok ? "✔" : "✖"} ${formatMs(r!.durationMs)}`);
  const out = [`${ok ? "✔" : "✖"} ${m.id}  ${summary.join(" · ")}${m.forward.note ? `  (${m.forward.note})` : ""}`];
  for (const [label, run] of runs) {
    if (run?.error) out.push(`    ${run.error.cause === "environment" ? "environment problem" : `${label} failed`} at ${run.error.where ?? run.file}: ${run.error.message}`);
  }
  if (m.generatedData?.passedWithout) out.push(`    ⚠ fails only with generated data${m.generatedData.where ? ` at ${m.generatedData.where}` : ""}: ${m.generatedData.message}`);
  const statements = m.forward.statements;
  const lineWidth = Math.max(0, ...statements.map((s) => String(s.line).length));
  for (const s of statements.slice(0, maxStatements)) out.push(`    ${String(s.line).padStart(lineWidth)}  ${formatMs(s.durationMs).padStart(9)}  ${statementText(s)}`);
  if (statements.length > maxStatements) out.push(`    … ${statements.length - maxStatements} more statement(s) in the JSON report (--output)`);
  return out;
}

/** Locks that make others wait beyond plain reads and writes (the rest are in the JSON report). */
const NOTABLE = new Set(["SHARE UPDATE EXCLUSIVE", "SHARE", "SHARE ROW EXCLUSIVE", "EXCLUSIVE", "ACCESS EXCLUSIVE"]);
const MAX_LOCKS = 3;

function statementText(s: StatementTrace): string {
  const notable = s.locks.filter((l) => NOTABLE.has(l.mode));
  const locks = notable.slice(0, MAX_LOCKS).map((l) => `${l.mode} on ${l.relation.replace(/^public\./, "")}`);
  if (notable.length > MAX_LOCKS) locks.push(`${notable.length - MAX_LOCKS} more lock(s)`);
  const facts = [
    ...locks,
    ...s.rewritten.map((r) => `rewrote ${r.replace(/^public\./, "")}`),
    ...(s.probe?.flagged ? [`app waited ${formatMs(s.probe.longestWaitMs)}`] : []),
  ];
  const sql = oneLine(s.sql);
  return `${s.ok ? "" : "✖ "}${sql.length > 72 ? `${sql.slice(0, 71)}…` : sql}${facts.length ? `  [${facts.join("; ")}]` : ""}`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}
