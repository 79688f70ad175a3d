// The test report as Markdown: the job summary in GitHub Actions, the CLI's default output,
// and the section the App merges into its review. Pure: report in, text out.
import { cell, code as inlineCode, shortCode } from "../render/markdown-escape.js";
import { SEVERITY_ICON } from "../render/common.js";
import type { EvidenceReport, MigrationEvidence, StatementTrace, TraceReport } from "./report.js";

const STATUS_ICON = { passed: "✅", failed: "❌", skipped: "⏭️" } as const;

export function renderEvidenceMarkdown(report: EvidenceReport, { maxStatements = 50 } = {}): string {
  const out: string[] = [];
  const e = report.engine;
  out.push(`## Migration test: ${report.verdict.passed ? "passed ✅" : "failed ❌"}`);
  out.push("");
  out.push(`Engine: **${engineName(e.kind)} ${e.serverVersion}** · seed ${report.settings.seedRows} rows per table · blocking probe ${report.settings.probe ? "on" : "off"}${report.headSha ? ` · commit \`${report.headSha.slice(0, 7)}\`` : ""}`);
  if (e.versionWarning) out.push("", `> ⚠️ ${e.versionWarning}`);
  if (report.verdict.failures.length) out.push("", "**Failures**", "", ...report.verdict.failures.map((f) => `- ${f}`));
  if (report.verdict.warnings.length) out.push("", "**Warnings**", "", ...report.verdict.warnings.map((w) => `- ${w}`));
  out.push("", "| Step | Result | Time | Summary |", "|---|---|---:|---|");
  for (const s of report.steps) out.push(`| ${s.name} | ${STATUS_ICON[s.status]} ${s.status} | ${formatMs(s.durationMs)} | ${cell(s.summary)} |`);
  const env = report.environment;
  if (env.problems.length) out.push("", "**Environment problems**", "", ...env.problems.map((p) => `- ${p.where ? `\`${p.where}\`: ` : ""}${p.message}`));
  const seedProblems = env.seeded.filter((s) => s.problem);
  if (seedProblems.length) out.push("", "**Seeding**", "", ...seedProblems.map((s) => `- \`${s.table}\` (${s.rows} rows): ${s.problem}`));
  if (report.trace) out.push("", ...renderTrace(report.trace));
  for (const m of report.migrations) out.push("", ...renderMigration(m, maxStatements));
  if (report.validation.length) {
    out.push("", "### Validation", "");
    for (const c of report.validation) out.push(`- ${c.ok ? "✅" : c.indicator === "warning" ? "⚠️" : "❌"} ${c.name}${c.detail ? `: ${c.detail}` : ""}`);
  }
  const rb = report.rollback;
  if (rb.ran) {
    out.push("", "### Rollback", "");
    if (rb.schemaDiff.length === 0) out.push("Schema after rollback is identical to the schema before the change.");
    else {
      out.push(`Schema after rollback differs from before the change (${rb.schemaDiff.length}):`, "", "| Change | Object | Before | After |", "|---|---|---|---|");
      for (const d of rb.schemaDiff) out.push(`| ${d.change} | ${cell(`${d.objectType} ${inlineCode(d.name)}`)} | ${cell(shortCode(d.before))} | ${cell(shortCode(d.after))} |`);
    }
    const lost = rb.checksums.filter((c) => !c.matches);
    out.push("", lost.length ? `Pre-existing rows did not come back (lossy rollback) in: ${lost.map((c) => `\`${c.table}\` (${c.lostRows} of ${c.rowsBefore} rows)`).join(", ")}.` : `Pre-existing rows of ${rb.checksums.length} table(s) came back unchanged (row digests match).`);
  }
  if (rb.missingDowns.length) out.push("", `No rollback script for: ${rb.missingDowns.map((d) => `\`${d}\``).join(", ")}.`);
  const slow = report.probe.slowdowns.filter((s) => s.flagged);
  if (slow.length) {
    out.push("", "### Query slow-downs", "", "| Table | Query | Before | After | Change |", "|---|---|---:|---:|---:|");
    for (const s of slow) out.push(`| ${cell(inlineCode(s.table))} | ${cell(shortCode(s.query))} | ${formatMs(s.beforeMs)} | ${formatMs(s.afterMs)} | +${s.slowdownPercent}% |`);
  }
  if (!report.probe.enabled && report.probe.reason) out.push("", `Blocking probe not run: ${report.probe.reason}.`);
  if (report.problems.length) out.push("", "**Notes**", "", ...report.problems.map((p) => `- ${p.where ? `\`${p.where}\`: ` : ""}${p.message}`));
  return `${out.join("\n")}\n`;
}

function renderTrace(trace: TraceReport): string[] {
  const out = ["### Traced migrate commands", "", "| Phase | Command | Result | Time | Statements |", "|---|---|---|---:|---|"];
  for (const c of trace.commands) {
    const left = leftOut(c.statements);
    const result = c.exitCode === 0 ? "✅ exit 0" : `❌ ${c.stopped ?? (c.exitCode === null ? "did not start" : `exit ${c.exitCode}`)}`;
    out.push(`| ${c.phase} | ${cell(inlineCode(c.command))} | ${result} | ${formatMs(c.durationMs)} | ${c.statements.sent} sent${left ? `; replayed without ${cell(left)}` : ""} |`);
  }
  if (trace.findings.length) {
    out.push("", `**Findings on the traced SQL** (${trace.findings.length})`, "");
    for (const f of trace.findings) out.push(`- ${SEVERITY_ICON[f.severity]} **${f.ruleId}**${f.file.endsWith(".down.sql") ? " (in the rollback)" : ""}: ${f.message} — ${inlineCode(f.statement)}`);
  }
  for (const c of trace.commands.filter((x) => x.phase !== "base" && x.sql.trim())) {
    out.push("", `<details><summary>SQL ${c.phase === "change" ? "applied" : "rolled back"} by <code>${escapeHtml(c.command)}</code></summary>`, "", "```sql", c.sql.trim(), "```", "", "</details>");
  }
  return out;
}

/** What the replayed script leaves out of what the command sent, in words. */
export function leftOut(s: TraceReport["commands"][number]["statements"]): string {
  const parts: string[] = [];
  if (s.readOnly) parts.push(`${s.readOnly} read-only quer${s.readOnly === 1 ? "y" : "ies"}`);
  if (s.bookkeeping) parts.push(`${s.bookkeeping} on the tool's own history table`);
  if (s.rolledBack) parts.push(`${s.rolledBack} rolled back`);
  if (s.failed) parts.push(`${s.failed} failed`);
  if (s.copy) parts.push(`${s.copy} COPY FROM STDIN (its data is not captured)`);
  return parts.join(", ");
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** How the test applied the file (the way its migration tool runs it). */
const EXECUTION_TEXT: Record<MigrationEvidence["forward"]["execution"], string> = {
  "file-transaction": "one transaction",
  "per-statement": "statement by statement",
  skipped: "not run (the migration tool refuses it)",
};

function renderMigration(m: MigrationEvidence, maxStatements: number): string[] {
  const out: string[] = [];
  const status = [m.forward, m.rollback, m.forwardAgain].every((r) => !r || r.ok) ? "✅" : "❌";
  out.push(`### ${status} \`${m.id}\``, "");
  const runs = [`forward ${runText(m.forward)}`];
  if (m.rollback) runs.push(`rollback ${runText(m.rollback)}`);
  if (m.forwardAgain) runs.push(`forward again ${runText(m.forwardAgain)}`);
  out.push(`${runs.join(" · ")} · ${EXECUTION_TEXT[m.forward.execution]}${m.forward.note ? ` (${m.forward.note})` : ""}`);
  for (const [label, run] of [
    ["forward", m.forward],
    ["rollback", m.rollback],
    ["forward again", m.forwardAgain],
  ] as const) {
    if (run?.error) out.push("", `**${run.error.cause === "environment" ? "environment problem" : `${label} failed`}** at \`${run.error.where ?? run.file}\`: ${run.error.message}`);
  }
  const g = m.generatedData;
  if (g) {
    const where = g.where ? ` at \`${g.where}\`` : "";
    out.push(
      "",
      g.passedWithout
        ? `⚠️ **Fails only with generated data**${where}: ${g.message}. Run again on the same schema without generated rows, it passed; the test went on without them.`
        : `The failure is not caused by generated data: run again on the same schema without generated rows, it failed too.`,
    );
    if (g.values.length) out.push("", ...g.values.map((v) => `- generated row of ${shortCode(v)}`));
  }
  const statements = m.forward.statements;
  if (statements.length) {
    out.push("", "| Line | Statement | Time | Locks | Rewrote | Longest app wait |", "|---:|---|---:|---|---|---:|");
    for (const s of statements.slice(0, maxStatements)) out.push(statementRow(s));
    if (statements.length > maxStatements) out.push(`| | … ${statements.length - maxStatements} more statement(s) in the JSON report | | | | |`);
  }
  const pf = m.partialFailure;
  if (pf && pf.method !== "skipped") {
    const how = { terminated: "backend terminated", cancelled: "statement cancelled", "rolled-back": "rolled back", skipped: "skipped" }[pf.method];
    out.push("", `Partial failure (${how} after ${pf.interruptedAfter} statement(s)): ${pf.clean ? "database left exactly at its pre-change state ✅" : `${pf.leftovers.length} object(s) left behind ${pf.transactional ? "❌" : "⚠️"}`}${pf.note ? ` — ${pf.note}` : ""}`);
    if (pf.leftovers.length) out.push("", ...pf.leftovers.map((l) => `- ${l.change} ${l.objectType} \`${l.name}\`${l.after ? `: ${shortCode(l.after)}` : ""}`));
    if (pf.cleanupSql.length) out.push("", "Cleanup SQL:", "", "```sql", ...pf.cleanupSql, "```");
    if (pf.manualCleanup.length) out.push("", ...pf.manualCleanup.map((c) => `- ${c}`));
  }
  return out;
}

function statementRow(s: StatementTrace): string {
  const locks = s.locks.length ? s.locks.map((l) => `${l.mode} on \`${l.relation}\``).join("<br>") : "—";
  const rewrote = s.rewritten.length ? s.rewritten.map((r) => `\`${r}\``).join(", ") : "—";
  const wait = s.probe
    ? `${s.probe.flagged ? "⚠️ " : ""}${formatMs(s.probe.longestWaitMs)}${s.probe.extrapolatedMs !== undefined ? ` (≈${formatMs(s.probe.extrapolatedMs)} in prod)` : ""}`
    : "—";
  const rows = s.rowsAffected !== undefined ? ` (${s.rowsAffected} rows)` : "";
  return `| ${s.line} | ${cell(shortCode(s.sql))}${s.ok ? "" : " ❌"}${rows} | ${formatMs(s.durationMs)} | ${locks} | ${rewrote} | ${wait} |`;
}

function runText(run: { ok: boolean; durationMs: number }): string {
  return `${run.ok ? "✅" : "❌"} ${formatMs(run.durationMs)}`;
}

export function formatMs(ms: number): string {
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

export function engineName(kind: EvidenceReport["engine"]["kind"]): string {
  return { postgres: "PostgreSQL", pglite: "PGlite (PostgreSQL)", mariadb: "MariaDB/MySQL" }[kind];
}
