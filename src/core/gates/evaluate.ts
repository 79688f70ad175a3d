// Deciding the gates. Automatic gates from the analysis report and the ephemeral test evidence
// (never from people); manual gates from the recorded sign-offs. Pure.
import picomatch from "picomatch";
import { blocksTraffic } from "../analyze/pg-locks.js";
import { SEVERITY_ORDER, type Finding, type Severity } from "../model.js";
import type { AnalysisReport } from "../report.js";
import { formatElapsed } from "../risk/estimate.js";
import type { GatesConfig } from "./config.js";
import type { ResolvedThresholds } from "./thresholds.js";
import type { ConfiguredGate } from "./definitions.js";
import type { GateEvidence } from "./evidence.js";
import { signoffsFor, type AutoGateRecord, type GateState, type GateStatus, type SignoffRecord } from "./state.js";

export interface AutoGateInput {
  report: AnalysisReport;
  evidence?: GateEvidence;
  config: GatesConfig;
  thresholds: ResolvedThresholds;
  /** Head SHA under review; evidence for another SHA does not count. */
  headSha?: string;
  /** PR description, where an expand–contract plan may be written down. */
  prBody?: string;
}

type Verdict = Omit<AutoGateRecord, "gate">;
const pass = (detail: string, evidenceUrl?: string): Verdict => ({ status: "passed", detail, evidenceUrl });
const fail = (detail: string, evidenceUrl?: string): Verdict => ({ status: "failed", detail, evidenceUrl });
const pending = (detail: string): Verdict => ({ status: "pending", detail });

export function evaluateAutoGates(input: AutoGateInput): AutoGateRecord[] {
  const { report } = input;
  const checks: Record<string, (i: AutoGateInput, e: UsableEvidence) => Verdict> = {
    "scripts-reviewed": scriptsReviewed,
    "rollback-validated": rollbackValidated,
    "performance-acceptable": performanceAcceptable,
    "data-integrity": dataIntegrity,
    "zero-data-loss": zeroDataLoss,
    "app-compatibility": appCompatibility,
  };
  const evidence = usableEvidence(input);
  return Object.entries(checks).map(([gate, check]) => {
    if (report.migrations.length === 0) return { gate, ...pass("no migration in this change") };
    const verdict = check(input, evidence);
    // Evidence from a run that did not succeed can fail a gate, never pass one.
    if (verdict.status === "passed" && evidence.ok && evidence.evidence.failuresOnly) return { gate, ...check(input, { ok: false, why: evidence.evidence.failuresOnly }) };
    return { gate, ...verdict };
  });
}

type UsableEvidence = { ok: true; evidence: GateEvidence } | { ok: false; why: string };

function usableEvidence({ evidence, headSha, report }: AutoGateInput): UsableEvidence {
  if (!evidence) return { ok: false, why: "waiting for the migration test (`migration-guard test` in CI)" };
  if (!evidence.trusted) return { ok: false, why: `the test report is not trusted: ${evidence.untrustedReason ?? "its origin could not be verified"}` };
  if (headSha && evidence.headSha && evidence.headSha !== headSha) {
    return { ok: false, why: `the test report is for ${evidence.headSha.slice(0, 7)}, not the head ${headSha.slice(0, 7)}: waiting for a new run` };
  }
  const uncovered = untestedMigrations(report, evidence);
  if (uncovered?.length === 0) return { ok: false, why: "the test report applied no migration, so it proves nothing about this change" };
  if (uncovered) return { ok: false, why: `the test report does not cover ${listIds(uncovered)}: waiting for a run that tests them` };
  return { ok: true, evidence };
}

/**
 * Added migrations the report did not apply (the test applies every added one); an empty list when
 * the report applied none at all; undefined when the report does not say what it applied.
 */
function untestedMigrations(report: AnalysisReport, evidence: GateEvidence): string[] | undefined {
  const tested = evidence.testedMigrations;
  if (!tested) return undefined;
  if (tested.length === 0) return [];
  // The test names files relative to where it ran (the repository root, or a folder of it).
  const covers = (id: string) => tested.some((t) => id === t || id.endsWith(`/${t}`));
  const missing = report.migrations.filter((m) => m.migration.status === "added" && !covers(m.migration.id)).map((m) => m.migration.id);
  return missing.length ? missing : undefined;
}

const listIds = (ids: string[], max = 3) => ids.slice(0, max).map((id) => `\`${id}\``).join(", ") + (ids.length > max ? ` and ${ids.length - max} more` : "");

const where = (f: Finding) => `${f.span.file}:${f.span.startLine}`;
const live = (report: AnalysisReport) => [...report.migrations.flatMap((m) => m.findings), ...report.otherFindings].filter((f) => !f.suppressed);
/** Findings in forward migrations: a down/undo script removing what its up created is the rollback, not a loss. */
const forward = (report: AnalysisReport) => {
  const downs = new Set(report.migrations.flatMap((m) => (m.migration.down && m.migration.down.path !== m.migration.up.path ? [m.migration.down.path] : [])));
  return live(report).filter((f) => !downs.has(f.span.file));
};

function listFindings(findings: Finding[], max = 3): string {
  const shown = findings.slice(0, max).map((f) => `\`${f.ruleId}\` at ${where(f)}`);
  return shown.join(", ") + (findings.length > max ? ` and ${findings.length - max} more` : "");
}

function scriptsReviewed({ report }: AutoGateInput, e: UsableEvidence): Verdict {
  const failLevel: Severity = report.settings.failLevel;
  const blocking = live(report).filter((f) => SEVERITY_ORDER[f.severity] >= SEVERITY_ORDER[failLevel]);
  if (blocking.length) return fail(`${blocking.length} finding${blocking.length === 1 ? "" : "s"} at the fail level (${failLevel}): ${listFindings(blocking)}`);
  if (!e.ok) return pending(`no finding at the fail level; ${e.why}`);
  if (!e.evidence.forward.ok) return fail(`the forward migration failed in the ephemeral test: ${e.evidence.forward.error ?? "see the report"}`, e.evidence.url);
  return pass(`no finding at the fail level; every migration applied${e.evidence.engine ? ` on ${e.evidence.engine}` : ""}`, e.evidence.url);
}

function rollbackValidated({ report }: AutoGateInput, e: UsableEvidence): Verdict {
  // A repeatable migration is undone by re-applying its previous version: it has no down script to validate.
  const withoutRollback = report.migrations.filter(
    (m) => m.migration.status !== "deleted" && !(m.migration.repeatable && m.risk?.rollback === "not-expected") && ["missing", "irreversible", "not-expected"].includes(m.risk?.rollback ?? ""),
  );
  if (withoutRollback.length) {
    const names = withoutRollback.map((m) => `\`${m.migration.id}\` (${m.risk!.rollback === "not-expected" ? `${m.migration.layout} has no down migrations` : m.risk!.rollback})`);
    return fail(`no usable rollback for ${names.join(", ")}`);
  }
  if (!e.ok) return pending(e.why);
  const rollback = e.evidence.rollback;
  if (!rollback?.ran) return fail("the ephemeral test did not run the rollback", e.evidence.url);
  if (!rollback.ok) return fail("the rollback failed in the ephemeral test", e.evidence.url);
  if (!rollback.schemaDiffEmpty) {
    const diff = rollback.diff.slice(0, 3).join("; ");
    return fail(`the schema after rollback differs from the schema before${diff ? `: ${diff}` : ""}${rollback.diff.length > 3 ? " …" : ""}`, e.evidence.url);
  }
  if (rollback.forwardAgainOk === false) return fail("applying the migrations again after the rollback failed (up → down → up)", e.evidence.url);
  return pass("rollback ran and the schema diff against the pre-change schema is empty", e.evidence.url);
}

function performanceAcceptable({ report, thresholds: t }: AutoGateInput, e: UsableEvidence): Verdict {
  const problems: string[] = [];
  const unknown: string[] = [];
  for (const m of report.migrations) {
    for (const lock of m.risk?.locks ?? []) {
      if (!blocksTraffic(lock.mode)) continue;
      if (lock.estimatedSeconds === undefined) unknown.push(`${lock.mode} on ${lock.relation}`);
      else if (lock.estimatedSeconds > t.max_lock_hold_seconds) {
        problems.push(`\`${m.migration.id}\` holds ${lock.mode} on ${lock.relation} for an estimated ${formatElapsed(lock.estimatedSeconds)} (limit ${formatElapsed(t.max_lock_hold_seconds)})`);
      }
    }
  }
  // Never "under the limit" for a hold nobody could estimate.
  const holds = unknown.length
    ? `how long ${[...new Set(unknown)].slice(0, 2).join(" and ")} ${unknown.length === 1 ? "is" : "are"} held is unknown (no table size in \`tables:\` or \`stats_file\`)`
    : `estimated lock holds are under ${formatElapsed(t.max_lock_hold_seconds)}`;
  if (!e.ok) return problems.length ? fail(problems.join("; ")) : pending(`${holds}; ${e.why}`);
  const ev = e.evidence;
  for (const s of ev.statements) {
    const at = s.file ? `${s.file}${s.line ? `:${s.line}` : ""}` : s.migrationId;
    if (s.lockWaitMs !== undefined && s.lockWaitMs > t.max_lock_wait_ms) problems.push(`application queries waited ${Math.round(s.lockWaitMs)} ms behind ${at} (limit ${t.max_lock_wait_ms} ms)`);
    if (s.durationMs > t.max_statement_seconds * 1000) problems.push(`${at} ran ${formatElapsed(s.durationMs / 1000)} (limit ${formatElapsed(t.max_statement_seconds)})`);
  }
  if (ev.slowdownPercent !== undefined && ev.slowdownPercent > t.max_slowdown_percent) {
    problems.push(`queries were ${Math.round(ev.slowdownPercent)}% slower during the migration (limit ${t.max_slowdown_percent}%)`);
  }
  if (problems.length) return fail(problems.slice(0, 4).join("; ") + (problems.length > 4 ? ` and ${problems.length - 4} more` : ""), ev.url);
  const longestWait = Math.max(0, ...ev.statements.map((s) => s.lockWaitMs ?? 0));
  return pass(`${holds}; longest measured lock wait ${Math.round(longestWait)} ms (limit ${t.max_lock_wait_ms} ms)`, ev.url);
}

function dataIntegrity({ thresholds: t }: AutoGateInput, e: UsableEvidence): Verdict {
  if (!e.ok) return pending(e.why);
  const ev = e.evidence;
  const problems: string[] = [];
  if (!ev.validation) return pending("the test report has no validation results");
  if (!ev.validation.ok) problems.push(`validation failed: ${ev.validation.failures.slice(0, 3).join("; ") || "see the report"}`);
  const failed = ev.rows?.failed ?? ev.statements.reduce((n, s) => n + (s.rowsFailed ?? 0), 0);
  const touched = ev.rows?.checked ?? ev.statements.reduce((n, s) => n + (s.rowsAffected ?? 0), 0) + failed;
  const errorRate = touched ? (failed / touched) * 100 : 0;
  if (errorRate > t.max_error_rate_percent) problems.push(`${failed} of ${touched} rows failed to migrate (${errorRate.toFixed(2)}%, limit ${t.max_error_rate_percent}%)`);
  if (ev.corruptions > t.max_corruptions) problems.push(`${ev.corruptions} data corruption${ev.corruptions === 1 ? "" : "s"} detected`);
  if (ev.criticalErrors > t.max_critical_errors) problems.push(`${ev.criticalErrors} critical error${ev.criticalErrors === 1 ? "" : "s"}`);
  if (problems.length) return fail(problems.join("; "), ev.url);
  return pass(`constraints and indexes valid, validations passed${touched ? `, ${failed} of ${touched} rows failed (limit ${t.max_error_rate_percent}%)` : ""}`, ev.url);
}

function zeroDataLoss({ report, config }: AutoGateInput, e: UsableEvidence): Verdict {
  const isLossy = picomatch(config.data_loss_rules);
  const lossy = forward(report).filter((f) => isLossy(f.ruleId));
  if (lossy.length) return fail(`destructive change${lossy.length === 1 ? "" : "s"} not suppressed with a reason: ${listFindings(lossy)}`);
  if (!e.ok) return pending(`no destructive change found; ${e.why} (row checksums after rollback)`);
  const rollback = e.evidence.rollback;
  if (rollback?.lossy) return fail(`rows did not come back after the rollback${rollback.lossyTables.length ? ` in ${rollback.lossyTables.join(", ")}` : ""}`, e.evidence.url);
  return pass(rollback?.ran ? "no destructive change; pre-existing rows identical after rollback" : "no destructive change", e.evidence.url);
}

const EXPAND_CONTRACT_PLAN = /^#{1,6}\s*expand[\s–-]*(?:and[\s–-]*)?contract(?:\s+plan)?\b/im;

function appCompatibility({ report, config, prBody }: AutoGateInput): Verdict {
  const breaks = picomatch(config.incompatible_rules);
  const incompatible = forward(report).filter((f) => breaks(f.ruleId));
  if (!incompatible.length) return pass("no backward-incompatible change");
  if (prBody && EXPAND_CONTRACT_PLAN.test(prBody)) return pass(`${incompatible.length} backward-incompatible change${incompatible.length === 1 ? "" : "s"}, covered by the expand–contract plan in the PR description`);
  return fail(`backward-incompatible change${incompatible.length === 1 ? "" : "s"}: ${listFindings(incompatible)}; add an "Expand–contract plan" section to the PR description or suppress with a reason`);
}

// ── all gates together ────────────────────────────────────────────────────────────────────

export interface GateResult {
  id: string;
  title: string;
  kind: ConfiguredGate["kind"];
  required: boolean;
  status: GateStatus;
  detail: string;
  evidenceUrl?: string;
  signoffs: SignoffRecord[];
  /** Sign-offs needed (manual gates). */
  needed?: number;
}

export type GatesConclusion = "success" | "failure" | "pending";

export interface GatesSummary {
  gates: GateResult[];
  conclusion: GatesConclusion;
  requiredPassed: number;
  required: number;
  /** Commit format counted in the conclusion (when enforced). */
  commitFormat?: { ok: boolean; problems: number };
}

export function evaluateGates(gates: ConfiguredGate[], state: GateState | undefined, headSha?: string): GatesSummary {
  const autoFresh = state?.auto && (!headSha || state.auto.headSha === headSha) ? state.auto.gates : undefined;
  const results = gates.map((gate): GateResult => {
    const base = { id: gate.id, title: gate.title, kind: gate.kind, required: gate.required };
    if (gate.kind === "automatic") {
      const record = autoFresh?.find((r) => r.gate === gate.id);
      if (!record) return { ...base, status: "pending", detail: "waiting for the analysis of the head commit", signoffs: [] };
      return { ...base, status: record.status, detail: record.detail, evidenceUrl: record.evidenceUrl, signoffs: [] };
    }
    const signoffs = state ? signoffsFor(state, gate.id) : [];
    const needed = gate.signoff!.count;
    const status: GateStatus = signoffs.length >= needed ? "passed" : "pending";
    const detail = `${signoffs.length} of ${needed} sign-off${needed === 1 ? "" : "s"}`;
    return { ...base, status, detail, signoffs, needed };
  });
  const required = results.filter((r) => r.required);
  const commitFormat = state?.commitFormat && (!headSha || state.commitFormat.headSha === headSha) && state.commitFormat.enforced ? state.commitFormat : undefined;
  let conclusion: GatesConclusion = "success";
  if (required.some((r) => r.status === "pending")) conclusion = "pending";
  if (required.some((r) => r.status === "failed") || (commitFormat && !commitFormat.ok)) conclusion = "failure";
  return {
    gates: results,
    conclusion,
    requiredPassed: required.filter((r) => r.status === "passed").length,
    required: required.length,
    commitFormat: commitFormat ? { ok: commitFormat.ok, problems: commitFormat.problems } : undefined,
  };
}
