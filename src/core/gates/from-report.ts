// Maps the ephemeral test's report (src/core/evidence/report.ts) onto the evidence the gates
// decide on. Trust (did the PR change the workflow that produced it?) is the caller's call.
import type { EvidenceReport } from "../evidence/report.js";
import type { GateEvidence } from "./evidence.js";

export interface EvidenceOrigin {
  /** Link to the workflow run or artifact. */
  url?: string;
  trusted?: boolean;
  untrustedReason?: string;
  /** Why the report may only fail gates (the run that uploaded it did not succeed). */
  failuresOnly?: string;
}

export function gateEvidenceFromReport(report: EvidenceReport, origin: EvidenceOrigin = {}): GateEvidence {
  const forwardFailure = report.migrations.find((m) => !m.forward.ok);
  const environmentProblem = report.environment.problems[0];
  const rb = report.rollback;
  const seeded = report.environment.seeded.reduce((n, s) => n + s.rows, 0);
  const rowErrors = report.validation.reduce((n, c) => n + (c.ok ? 0 : (c.rows ?? 0)), 0);
  const dirtyPartialFailures = report.migrations.filter((m) => m.partialFailure?.transactional && !m.partialFailure.clean && m.partialFailure.method !== "skipped");
  const flaggedSlowdowns = report.probe.slowdowns.filter((s) => s.flagged).map((s) => s.slowdownPercent);
  const engine = `${report.engine.kind === "pglite" ? "PGlite" : report.engine.kind === "mariadb" ? "MariaDB" : "PostgreSQL"} ${report.engine.serverVersion}`;
  return {
    url: origin.url,
    engine,
    headSha: report.headSha,
    trusted: origin.trusted ?? true,
    untrustedReason: origin.untrustedReason,
    failuresOnly: origin.failuresOnly,
    testedMigrations: report.migrations.map((m) => m.id),
    forward: {
      ok: !forwardFailure && !environmentProblem,
      error: forwardFailure?.forward.error
        ? `${forwardFailure.forward.error.where ? `${forwardFailure.forward.error.where}: ` : ""}${forwardFailure.forward.error.message}`
        : environmentProblem
          ? `environment: ${environmentProblem.message}`
          : undefined,
    },
    statements: report.migrations.flatMap((m) =>
      m.forward.statements.map((s) => ({
        migrationId: m.id,
        file: s.file,
        line: s.line,
        durationMs: s.durationMs,
        lockWaitMs: s.probe ? (s.probe.extrapolatedMs ?? s.probe.longestWaitMs) : undefined,
        rowsAffected: s.rowsAffected,
      })),
    ),
    validation: {
      ok: report.validation.every((c) => c.ok) && dirtyPartialFailures.length === 0,
      failures: [
        ...report.validation.filter((c) => !c.ok).map((c) => `${c.name}${c.detail ? ` (${c.detail})` : ""}`),
        ...dirtyPartialFailures.map((m) => `${m.up} interrupted mid-way did not return to the pre-change state`),
      ],
    },
    rows: { checked: seeded, failed: rowErrors },
    rollback: {
      ran: rb.ran,
      ok: report.migrations.every((m) => !m.rollback || m.rollback.ok) && rb.missingDowns.length === 0,
      schemaDiffEmpty: rb.schemaDiff.length === 0,
      diff: rb.schemaDiff.map((d) => `${d.change} ${d.objectType} ${d.name}`),
      lossy: rb.lossy,
      lossyTables: rb.checksums.filter((c) => !c.matches).map((c) => c.table),
      forwardAgainOk: report.migrations.every((m) => !m.forwardAgain || m.forwardAgain.ok),
    },
    slowdownPercent: flaggedSlowdowns.length ? Math.max(...flaggedSlowdowns) : undefined,
    criticalErrors: 0,
    corruptions: report.validation.filter((c) => !c.ok && c.indicator === "corruption").length + dirtyPartialFailures.length,
  };
}
