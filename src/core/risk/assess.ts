// Risk assessment per migration: a level with reasons, the strongest lock per table,
// the objects affected and how hard the change is to roll back.
import type { Config } from "../config/schema.js";
import type { LockMode, RiskLevel } from "../model.js";
import type { ParsedScript } from "../parse/index.js";
import { blockedBy, blocksTraffic, statementLocks, strongest } from "../analyze/pg-locks.js";
import type { MigrationReport, RiskAssessment, RollbackComplexity } from "../report.js";

const LEVELS: RiskLevel[] = ["low", "medium", "high", "critical"];

export function assessRisk(
  report: MigrationReport,
  up: ParsedScript | undefined,
  down: ParsedScript | undefined,
  _config: Config,
): RiskAssessment {
  const reasons: string[] = [];
  let level: RiskLevel = "low";
  const raise = (to: RiskLevel, why: string) => {
    if (LEVELS.indexOf(to) > LEVELS.indexOf(level)) level = to;
    reasons.push(why);
  };
  const live = report.findings.filter((f) => !f.suppressed);
  const errors = live.filter((f) => f.severity === "error");
  const warnings = live.filter((f) => f.severity === "warning");
  if (errors.length) raise("high", `${errors.length} error finding${errors.length > 1 ? "s" : ""} (${unique(errors.map((f) => f.ruleId)).join(", ")})`);
  if (warnings.length) raise("medium", `${warnings.length} warning${warnings.length > 1 ? "s" : ""} (${unique(warnings.map((f) => f.ruleId)).join(", ")})`);

  const strongestByTable = new Map<string, LockMode>();
  for (const statement of up?.statements ?? []) {
    for (const lock of statementLocks(statement)) {
      strongestByTable.set(lock.relation, strongest(strongestByTable.get(lock.relation), lock.mode));
    }
  }
  const locks = [...strongestByTable].map(([relation, mode]) => ({ relation, mode, blocks: blockedBy(mode) }));
  const blocking = locks.filter((l) => blocksTraffic(l.mode));
  if (blocking.length && level === "low") raise("medium", `blocks traffic on ${blocking.map((l) => l.relation).join(", ")}`);

  const rollback = rollbackComplexity(report, down);
  return {
    level,
    reasons,
    locks,
    affected: { tables: [...strongestByTable.keys()], indexes: [], constraints: [], triggers: [], views: [], functions: [] },
    rollback: rollback.complexity,
    rollbackReasons: rollback.reasons,
  };
}

function rollbackComplexity(report: MigrationReport, down: ParsedScript | undefined): { complexity: RollbackComplexity; reasons: string[] } {
  if (!report.migration.rollbackExpected) return { complexity: "not-expected", reasons: [`${report.migration.layout} has no down migrations`] };
  if (!report.migration.down || !down || down.statements.length === 0) return { complexity: "missing", reasons: ["no rollback script"] };
  return { complexity: "reversible", reasons: [] };
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}
