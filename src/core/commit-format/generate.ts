// A ready-to-use commit message in the recipe's format, filled from the analysis: the schema
// changes the migrations make, the measured (or estimated) performance impact and the rollback
// status. What the analysis cannot know (ticket, deployment window) is left as a clear blank.
import { findTicket } from "./config.js";
import { blocksTraffic } from "../analyze/pg-locks.js";
import type { GateEvidence } from "../gates/evidence.js";
import type { AnalysisReport } from "../report.js";
import type { MigrationChanges } from "../runbook/changes.js";
import type { CommitFormatConfig } from "./config.js";

export interface GenerateOptions {
  changes: MigrationChanges[];
  evidence?: GateEvidence;
  /** A ticket id found in the branch name or PR title, if any. */
  ticket?: string;
}

export function generateCommitMessage(report: AnalysisReport, config: CommitFormatConfig, options: GenerateOptions): string {
  const migrations = report.migrations.filter((m) => m.migration.status !== "deleted");
  const all = options.changes.flatMap((m) => m.changes);
  const schema = all.filter((c) => !["setting", "other", "data"].includes(c.category)).map((c) => c.text);
  const data = all.filter((c) => c.category === "data").map((c) => c.text);
  const type = config.types.includes("feat") ? "feat" : config.types[0]!;
  const description = migrations.length === 1 ? humanize(migrations[0]!.migration.name) : `${migrations.length} database migrations`;
  const lines = [
    `${type}(${options.ticket ?? "TICKET-ID"}): ${description}`,
    "",
    `Migration: ${migrations.map((m) => m.migration.version).join(", ") || "none"}`,
    `- Schema changes:${list(schema)}`,
    `- Data transformations:${list(data)}`,
    `- Performance impact: ${performance(report, options.evidence)}`,
    `- Rollback tested: ${rollbackStatus(report, options.evidence)}`,
    "",
    `Deployment window: ${deploymentWindow(report)}`,
  ];
  return lines.join("\n") + "\n";
}

function list(items: string[]): string {
  if (!items.length) return " none";
  if (items.length === 1) return ` ${items[0]}`;
  return "\n" + items.map((i) => `  - ${i}`).join("\n");
}

function humanize(name: string): string {
  return name.replace(/^[\d_.-]+/, "").replace(/[_-]+/g, " ").trim() || name;
}

function performance(report: AnalysisReport, evidence: GateEvidence | undefined): string {
  const parts: string[] = [];
  if (evidence?.trusted && evidence.statements.length) {
    const total = evidence.statements.reduce((n, s) => n + s.durationMs, 0);
    const wait = Math.max(0, ...evidence.statements.map((s) => s.lockWaitMs ?? 0));
    parts.push(`measured ${Math.round(total)} ms in total, longest lock wait ${Math.round(wait)} ms${evidence.engine ? ` (${evidence.engine}, seed data)` : ""}`);
  }
  const blocking = report.migrations.flatMap((m) => (m.risk?.locks ?? []).filter((l) => blocksTraffic(l.mode)));
  if (blocking.length) {
    parts.push(
      blocking
        .map((l) => `${l.mode} lock on ${l.relation}${l.estimatedSeconds !== undefined ? ` for ~${l.estimatedSeconds < 1 ? `${Math.round(l.estimatedSeconds * 1000)} ms` : `${Number(l.estimatedSeconds.toFixed(1))} s`}` : ""}`)
        .join(", "),
    );
  } else parts.push("no lock that blocks reads or writes");
  return parts.join("; ");
}

function rollbackStatus(report: AnalysisReport, evidence: GateEvidence | undefined): string {
  const r = evidence?.rollback;
  if (evidence?.trusted && r?.ran && r.ok && r.schemaDiffEmpty) return "Yes";
  const missing = report.migrations.filter((m) => ["missing", "not-expected", "irreversible"].includes(m.risk?.rollback ?? ""));
  if (missing.length) return `No (no usable rollback for ${missing.map((m) => m.migration.id).join(", ")})`;
  if (!evidence) return "No (run `migration-guard test` to test it)";
  return "No (the rollback test did not pass)";
}

function deploymentWindow(report: AnalysisReport): string {
  const blocking = report.migrations.some((m) => (m.risk?.locks ?? []).some((l) => blocksTraffic(l.mode)));
  if (blocking) return "[planned low-traffic window: this change blocks traffic]";
  return "[planned time; any time is fine for low-risk changes]";
}

/** The first ticket id the author wrote (title, then commit messages, then description, then branch). */
export function firstTicket(texts: (string | undefined)[], pattern: string): string | undefined {
  for (const text of texts) {
    const found = text ? findTicket(pattern, text) : undefined;
    if (found) return found;
  }
  return undefined;
}
