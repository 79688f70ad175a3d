// The recipe's Rollback Decision Matrix applied to the evidence: which results fail the run
// (exit code 1), which only warn, and which quality gates the evidence ticks.
import type { EvidenceReport, GateId } from "./report.js";

export type UnjudgedReport = Omit<EvidenceReport, "verdict" | "gates">;

export function judge(report: UnjudgedReport): Pick<EvidenceReport, "verdict" | "gates"> {
  const t = report.settings.thresholds;
  const failures: string[] = [];
  const warnings: string[] = [];
  const fail = (condition: boolean, message: string) => (condition ? failures : warnings).push(message);

  for (const s of report.steps) if (s.error) failures.push(`${s.name}: ${s.error}`);
  for (const p of report.environment.problems) failures.push(`environment: ${p.where ? `${p.where}: ` : ""}${p.message}`);
  const runs = report.migrations.flatMap((m) =>
    [
      ["forward", m.forward],
      ["rollback", m.rollback],
      ["forward again", m.forwardAgain],
    ] as const,
  );
  for (const [step, run] of runs) {
    if (run && !run.ok && run.error) failures.push(`${run.error.cause === "environment" ? "environment" : `${step} failed`}: ${run.error.where ? `${run.error.where}: ` : ""}${run.error.message}`);
  }
  for (const m of report.migrations) {
    const g = m.generatedData;
    if (g?.passedWithout) {
      warnings.push(
        `fails only with generated data: ${g.where ? `${g.where}: ` : ""}${g.message}${g.values.length ? ` (generated rows: ${g.values.join("; ")})` : ""}; ` +
          "it passes on the same schema without generated rows, so the test went on without them",
      );
    }
  }

  const seeded = report.environment.seeded.reduce((n, s) => n + s.rows, 0);
  const rowErrors = report.validation.reduce((n, c) => n + (c.ok ? 0 : (c.rows ?? 0)), 0);
  for (const c of report.validation.filter((c) => !c.ok)) {
    const message = `validation: ${c.name}${c.detail ? ` (${c.detail})` : ""}`;
    if (c.indicator === "corruption") fail(t.fail_on_corruption, `data corruption: ${message}`);
    else if (c.indicator === "warning") warnings.push(message);
    else if (c.indicator !== "errors") failures.push(message);
  }
  if (rowErrors > 0) {
    const percent = seeded > 0 ? (100 * rowErrors) / seeded : 100;
    fail(
      percent > t.max_error_rate_percent,
      `migration errors: ${rowErrors} of ${seeded} seeded rows (${round(percent)}%, threshold ${t.max_error_rate_percent}%)`,
    );
  }

  for (const m of report.migrations) {
    for (const s of m.forward.statements) {
      if (s.probe?.flagged) {
        failures.push(
          `blocking: ${s.file}:${s.line} made application queries wait ${round(s.probe.longestWaitMs)} ms (threshold ${t.max_blocking_ms} ms)` +
            (s.probe.extrapolatedMs !== undefined ? `, about ${round(s.probe.extrapolatedMs)} ms at production volume` : ""),
        );
      }
    }
    const pf = m.partialFailure;
    if (pf && !pf.clean && pf.method !== "skipped") {
      if (pf.transactional) fail(t.fail_on_corruption, `data corruption: ${m.up} interrupted mid-way did not leave the database at its pre-change state`);
      else warnings.push(`${m.up} interrupted mid-way leaves ${pf.leftovers.length} object(s) behind; cleanup SQL is in the report`);
    }
  }
  for (const s of report.probe.slowdowns.filter((s) => s.flagged)) {
    failures.push(`performance degradation: ${s.query} on ${s.table} is ${round(s.slowdownPercent)}% slower (threshold ${t.max_slowdown_percent}%)`);
  }

  const rb = report.rollback;
  for (const id of rb.missingDowns) warnings.push(`no rollback script for ${id}`);
  if (rb.ran && rb.schemaDiff.length) fail(t.fail_on_schema_drift, `rollback leaves the schema different from before the change (${rb.schemaDiff.length} difference(s))`);
  if (rb.lossy) {
    const tables = rb.checksums.filter((c) => !c.matches).map((c) => c.table);
    fail(t.fail_on_lossy_rollback, `rollback is lossy: pre-existing rows did not come back in ${tables.join(", ")}`);
  }

  const forwardOk = report.migrations.every((m) => m.forward.ok);
  const againOk = report.migrations.every((m) => !m.forwardAgain || m.forwardAgain.ok);
  const validationOk = report.validation.every((c) => c.ok || c.indicator === "warning");
  const rollbackOk = rb.ran && report.migrations.every((m) => !m.rollback || m.rollback.ok) && rb.schemaDiff.length === 0 && rb.missingDowns.length === 0;
  const partialOk = report.migrations.every((m) => !m.partialFailure?.transactional || m.partialFailure.clean || m.partialFailure.method === "skipped");
  const gates: Partial<Record<GateId, boolean>> = {
    tested: report.environment.problems.length === 0 && forwardOk && againOk && validationOk,
    "rollback-validated": rollbackOk,
    "data-integrity": forwardOk && validationOk && partialOk,
    "zero-data-loss": rb.ran && !rb.lossy && !report.validation.some((c) => !c.ok && c.indicator === "errors"),
  };
  if (report.probe.enabled) gates["performance-acceptable"] = !failures.some((f) => /^(blocking|performance)/.test(f));
  // A report that applied no migration proves nothing: it ticks no gate (`[].every(…)` is true).
  if (report.migrations.length === 0) {
    if (report.environment.problems.length === 0) warnings.push("no migration to test");
    for (const id of Object.keys(gates) as GateId[]) gates[id] = false;
  }
  return { verdict: { passed: failures.length === 0, failures, warnings }, gates };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
