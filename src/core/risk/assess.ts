// Risk assessment per migration: a level with reasons, the strongest lock per table with its
// estimated hold time, the objects affected and how hard the change is to roll back. Pure:
// findings, parsed scripts, configuration and table statistics in; a RiskAssessment out.
import { fileSemantics, transactionContext, type StatementPlace } from "../analyze/transaction.js";
import type { Config } from "../config/schema.js";
import { RiskLevel, type Finding, type LockFact, type LockMode } from "../model.js";
import type { ParsedScript, Statement } from "../parse/index.js";
import { blockedBy, lockRank, statementLocks, strongest, type IndexTable } from "../analyze/pg-locks.js";
import type { MigrationReport, RiskAssessment, RiskOperation, TableLock } from "../report.js";
import { buildCatalog, lookupTable, statsKey, type StatsCatalog } from "../stats/index.js";
import { estimateWork, formatCount, formatDuration, throughput, type EstimateResult, type Throughput } from "./estimate.js";
import { HoldLedger, listReasons, type HoldTiming, type LedgerMark } from "./hold-ledger.js";
import { ObjectCollector, type AffectedObjects } from "./objects.js";
import { rollbackComplexity } from "./rollback.js";
import { createdTable, fromRuleWork, heavier, isSizeDependent, statementWork, type StatementWork, type Work } from "./work.js";

export interface RiskContext {
  /** Table statistics (config `tables:` merged with the statistics file); default: config only. */
  stats?: StatsCatalog;
  /** A rule's `docs.work`, by rule id: what the statement it flags does to the table. */
  ruleWork?: (ruleId: string) => string | undefined;
  /** Rules that judge the whole migration (missing rollback, edited after merge…). */
  migrationRule?: (ruleId: string) => boolean;
  /** The configured throughputs, read once per run; default: read from the config per call. */
  rates?: Throughput;
  /** The table behind an index the analyzed migrations created (DROP INDEX locks that table). */
  indexTable?: IndexTable;
}

const rank = (level: RiskLevel) => RiskLevel.options.indexOf(level);

/** A lock taken by one statement, held until the statement ends or its transaction commits. */
interface Hold extends HoldTiming {
  relation: string;
  mode: LockMode;
  line: number;
  work: Work;
  /** An UPDATE/DELETE of every row: row locks on the whole table until commit. */
  rowsLocked: boolean;
  untilCommit: boolean;
  rows?: number;
  bytes?: number;
  newTable: boolean;
  /** Where the hold began in the ledger; its timing is read from there when it closes. */
  from: LedgerMark;
}

export function assessRisk(
  report: MigrationReport,
  up: ParsedScript | undefined,
  down: ParsedScript | undefined,
  config: Config,
  context: RiskContext = {},
): RiskAssessment {
  const catalog = context.stats ?? buildCatalog(config);
  const statements = up?.statements ?? [];
  // Where each statement runs (tool transaction, one multi-statement query, on its own): locks are held until its block ends.
  const places = transactionContext(fileSemantics(report.migration, config), statements, config.postgres_version).places;
  const upFindings = report.findings.filter((f) => up && f.span.file === up.file);
  const walk = walkScript(statements, upFindings, places, config, catalog, context);

  const contributions: { level: RiskLevel; reason: string }[] = [];
  const contribute = (level: RiskLevel, reason: string) => contributions.push({ level, reason });
  for (const hold of walk.holds) weighHold(hold, config, contribute);
  weighFindings(report.findings, walk, context, contribute, down);

  const rollback = rollbackComplexity(report.migration, up, down);
  if (rollback.complexity === "lossy") contribute("medium", `rollback is lossy: ${rollback.reasons[0]}`);
  if (rollback.complexity === "irreversible") contribute("medium", `rollback is irreversible: ${rollback.reasons[0]}`);
  for (const implied of walk.objects.implied) contribute("low", implied);

  const level = contributions.reduce<RiskLevel>((max, c) => (rank(c.level) > rank(max) ? c.level : max), "low");
  const reasons = [...contributions].sort((a, b) => rank(b.level) - rank(a.level)).map((c) => c.reason);
  return {
    level,
    reasons: [...new Set(reasons)],
    locks: strongestPerTable(walk.holds),
    affected: walk.affected,
    rollback: rollback.complexity,
    rollbackReasons: rollback.reasons,
    estimatedSeconds: walk.estimatedSeconds === undefined ? undefined : round(walk.estimatedSeconds),
    operations: walk.operations,
    statistics: walk.statistics,
  };
}

interface ScriptWalk {
  holds: Hold[];
  operations: RiskOperation[];
  /** Sum of the statements' known estimates; undefined when none is known. */
  estimatedSeconds?: number;
  objects: ObjectCollector;
  affected: AffectedObjects;
  /** Per statement index: its estimate (for weighing the findings on it). */
  estimates: Map<number, EstimateResult>;
  works: Map<number, StatementWork>;
  statementOf: (finding: Finding) => Statement | undefined;
  statistics: { known: string[]; missing: string[] };
}

function walkScript(
  statements: Statement[],
  findings: Finding[],
  places: StatementPlace[],
  config: Config,
  catalog: StatsCatalog,
  context: RiskContext,
): ScriptWalk {
  const rates = context.rates ?? throughput(config);
  const created = new Set<string>();
  const createdInChange = (t: string) => created.has(statsKey(t));
  const statementOf = statementLocator(statements);
  const findingsOn = new Map<number, Finding[]>();
  for (const f of findings) {
    const s = statementOf(f);
    if (!s) continue;
    const list = findingsOn.get(s.index);
    if (list) list.push(f);
    else findingsOn.set(s.index, [f]);
  }

  const holds: Hold[] = [];
  const operations: RiskOperation[] = [];
  const estimates = new Map<number, EstimateResult>();
  const works = new Map<number, StatementWork>();
  const objects = new ObjectCollector();
  const known = new Set<string>();
  const missing = new Set<string>();
  const ledger = new HoldLedger();
  let open: Hold[] = [];
  /** Strongest mode held per relation among the open holds. */
  let openRank = new Map<string, number>();
  const release = () => {
    ledger.close(open.map((h) => h.from)).forEach((timing, i) => Object.assign(open[i]!, timing));
    open = [];
    openRank = new Map();
  };
  let inTransaction = false;
  let estimatedSeconds: number | undefined;

  for (const statement of statements) {
    const control = transactionControl(statement);
    if (control === "begin") continue;
    if (control === "end") {
      release();
      continue;
    }
    inTransaction = places[statement.index] !== undefined ? places[statement.index] !== "autocommit" : inTransaction;
    const on = findingsOn.get(statement.index) ?? [];
    const work = effectiveWork(statement, on, config, context);
    works.set(statement.index, work);
    const estimate = estimateWork(work, catalog, rates, createdInChange);
    estimates.set(statement.index, estimate);
    if (estimate.known) estimatedSeconds = (estimatedSeconds ?? 0) + round(estimate.estimate.seconds);
    objects.addStatement(statement);
    objects.addImplied(statement, work, catalog);

    const line = statement.span.startLine;
    // Only work that grows with the table is worth a line: 20,000 metadata-only statements
    // made the JSON report 2 MB longer and told nothing.
    const sizeDependent = isSizeDependent(work.work);
    if (sizeDependent || (estimate.known && estimate.estimate.seconds > 0)) {
      operations.push({
        line,
        kind: statement.kind,
        relation: work.relation ?? work.index,
        work: work.work,
        estimatedSeconds: estimate.known ? round(estimate.estimate.seconds) : undefined,
        basis: estimate.known ? describe(estimate.estimate.basis, work) : sizeDependent ? estimate.why : work.note,
      });
    }

    const from = ledger.mark();
    for (const lock of locksOf(statement, on, context.indexTable)) {
      if ((openRank.get(lock.relation) ?? -1) >= lockRank(lock.mode)) continue;
      const stats = lookupTable(catalog, lock.relation);
      const hold: Hold = {
        relation: lock.relation,
        mode: lock.mode,
        line,
        work: work.work,
        seconds: 0,
        unknown: [],
        unknownCount: 0,
        heavy: false,
        rowsLocked: work.work === "data change" && Boolean(work.wholeTable) && statsKey(work.relation ?? "") === statsKey(lock.relation),
        untilCommit: inTransaction,
        rows: stats?.rows,
        bytes: stats?.bytes,
        newTable: createdInChange(lock.relation),
        from,
      };
      holds.push(hold);
      open.push(hold);
      openRank.set(lock.relation, lockRank(lock.mode));
    }
    // Every lock still held runs as long as this statement does.
    ledger.record({
      seconds: estimate.known ? estimate.estimate.seconds : undefined,
      basis: estimate.known && estimate.estimate.seconds > 0 ? describe(estimate.estimate.basis, work) : undefined,
      unknown: !estimate.known && sizeDependent ? estimate.why : undefined,
      heavy: sizeDependent,
    });
    if (!inTransaction) release();
    const newTable = createdTable(statement);
    if (newTable) created.add(statsKey(newTable));
  }
  release();
  // Once per script, not per statement: sorting the collected objects each time was quadratic.
  const affected = objects.result();
  for (const table of affected.tables) {
    if (createdInChange(table)) continue;
    (lookupTable(catalog, table) ? known : missing).add(table);
  }
  return { holds, operations, estimatedSeconds, objects, affected, estimates, works, statementOf, statistics: { known: [...known].sort(), missing: [...missing].sort() } };
}

/** Finds the statement a finding points into, by binary search over the script's spans. */
function statementLocator(statements: Statement[]): (finding: Finding) => Statement | undefined {
  const ordered = [...statements].sort((a, b) => a.span.startOffset - b.span.startOffset);
  return (finding) => {
    const at = finding.span.startOffset;
    let lo = 0;
    let hi = ordered.length - 1;
    let candidate: Statement | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (ordered[mid]!.span.startOffset <= at) {
        candidate = ordered[mid];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return candidate && candidate.span.file === finding.span.file && at <= candidate.span.endOffset ? candidate : undefined;
  };
}

function transactionControl(statement: Statement): "begin" | "end" | undefined {
  if (statement.dialect === "postgres") {
    if (statement.kind !== "TransactionStmt") return undefined;
    const kind = String(statement.ast.kind);
    if (kind === "TRANS_STMT_BEGIN" || kind === "TRANS_STMT_START") return "begin";
    if (kind === "TRANS_STMT_COMMIT" || kind === "TRANS_STMT_ROLLBACK") return "end";
    return undefined;
  }
  if (/^\s*(BEGIN|START\s+TRANSACTION)\b/i.test(statement.text)) return "begin";
  if (/^\s*(COMMIT|ROLLBACK)\b/i.test(statement.text)) return "end";
  return undefined;
}

/**
 * The work of a statement: from its AST for PostgreSQL; where the AST cannot tell (a type
 * change that may be binary-coercible) or for MySQL, from the rules that flagged it.
 */
function effectiveWork(statement: Statement, on: Finding[], config: Config, context: RiskContext): StatementWork {
  const fromAst = statementWork(statement, config.postgres_version);
  if (statement.dialect === "postgres" && !fromAst.uncertain) return fromAst;
  const flagged = on
    .filter((f) => f.severity !== "info")
    .map((f) => ({ work: fromRuleWork(context.ruleWork?.(f.ruleId)), finding: f }))
    .filter((r): r is { work: Work; finding: Finding } => r.work !== undefined && isSizeDependent(r.work));
  let result = fromAst;
  for (const { work, finding } of flagged) {
    result = heavier(result, { work, relation: fromAst.relation ?? finding.locks[0]?.relation ?? tableInText(statement), note: `${finding.ruleId}` });
  }
  return result;
}

/** MySQL statements: the table after ALTER/UPDATE/DELETE/… (for sizing rule-declared work). */
function tableInText(statement: Statement): string | undefined {
  return /^\s*(?:ALTER\s+TABLE|UPDATE|DELETE\s+FROM|OPTIMIZE\s+TABLE|CREATE\s+(?:UNIQUE\s+|FULLTEXT\s+|SPATIAL\s+)?INDEX\s+\S+\s+ON)\s+`?([\w.]+)`?/i.exec(statement.text)?.[1];
}

/** The statement's table locks: PostgreSQL's lock table, plus what the rules that flagged it declare. */
function locksOf(statement: Statement, on: Finding[], indexTable?: IndexTable): LockFact[] {
  const byRelation = new Map<string, LockMode>();
  const add = (l: LockFact) => l.relation && byRelation.set(l.relation, strongest(byRelation.get(l.relation), l.mode));
  statementLocks(statement, indexTable).forEach(add);
  // Meta rules (lock_timeout, statements after ACCESS EXCLUSIVE) repeat locks of earlier
  // statements; the walk ignores locks already held, so adding them here is harmless.
  for (const f of on) f.locks.forEach(add);
  return [...byRelation].map(([relation, mode]) => ({ relation, mode }));
}

function describe(basis: string, work: StatementWork): string {
  return work.note && !basis.includes(work.note) ? `${basis} (${work.note})` : basis;
}

function blocksWrites(hold: Hold): boolean {
  return hold.rowsLocked || lockRank(hold.mode) >= lockRank("SHARE");
}

function weighHold(hold: Hold, config: Config, contribute: (level: RiskLevel, reason: string) => void): void {
  if (hold.newTable) return;
  const { max_blocking_seconds: maxBlocking, critical_blocking_seconds: critical } = config.thresholds;
  const what = hold.rowsLocked ? "row locks on every row" : hold.mode;
  const blocked = hold.rowsLocked ? "writes to those rows" : blockedBy(hold.mode);
  const size = hold.rows !== undefined ? ` (${formatCount(hold.rows)} rows)` : "";
  if (hold.unknownCount) {
    if (blocksWrites(hold) && hold.heavy) {
      contribute("high", `${hold.relation}: ${what} held while work of unknown length runs (${listReasons(hold)}); add \`tables:\` or a statistics file to estimate it — blocks ${blocked}`);
    }
    return;
  }
  const held = `${hold.relation}${size}: ${what} held ~${formatDuration(hold.seconds)}${hold.untilCommit ? " (until commit)" : ""}`;
  if (!blocksWrites(hold)) {
    if (hold.seconds > critical) contribute("medium", `${held}; reads and writes continue, but the work is long and heavy on I/O`);
    return;
  }
  if (hold.seconds > critical) contribute("critical", `${held} — blocks ${blocked}, over ${critical} s`);
  else if (hold.seconds > maxBlocking) contribute("high", `${held} — blocks ${blocked}, over the ${maxBlocking} s budget`);
  else if (hold.seconds >= 1) contribute("medium", `${held} — blocks ${blocked}`);
  else if (hold.heavy) contribute("low", `${held} — the table is small`);
}

/**
 * Findings about work that grows with the table (rewrites, scans, index builds) are weighed by
 * the estimate when the statistics know the table; every other finding counts by severity.
 */
function weighFindings(
  findings: Finding[],
  walk: ScriptWalk,
  context: RiskContext,
  contribute: (level: RiskLevel, reason: string) => void,
  down: ParsedScript | undefined,
): void {
  const groups = new Map<string, Finding[]>();
  const inDown = down ? statementLocator(down.statements) : () => undefined;
  for (const f of findings) {
    if (f.suppressed || f.severity === "info") continue;
    // The rollback script only runs when something went wrong: its findings count, but less.
    const aboutRollback = down && inDown(f) && !walk.statementOf(f) && !context.migrationRule?.(f.ruleId);
    const group = aboutRollback ? `rollback ${f.severity}` : f.severity;
    const statement = walk.statementOf(f);
    const ruleWork = fromRuleWork(context.ruleWork?.(f.ruleId));
    const estimate = statement ? walk.estimates.get(statement.index) : undefined;
    // The hold estimate already speaks for findings about work that grows with the table.
    if (ruleWork && isSizeDependent(ruleWork) && estimate?.known) continue;
    const list = groups.get(group);
    if (list) list.push(f);
    else groups.set(group, [f]);
  }
  for (const [group, list] of groups) {
    const ids = unique(list.map((f) => f.ruleId));
    // Only the up script sets the level; the rollback's own findings are listed for the reader.
    const level: RiskLevel = group === "error" ? "high" : group.startsWith("rollback") ? "low" : "medium";
    const severity = group.replace(/^rollback /, "");
    const noun = severity === "error" ? `error finding${list.length > 1 ? "s" : ""}` : `${severity}${list.length > 1 ? "s" : ""}`;
    const label = group.startsWith("rollback") ? `${noun} in the rollback script` : noun;
    contribute(level, `${list.length} ${label} (${ids.join(", ")})`);
  }
}

function strongestPerTable(holds: Hold[]): TableLock[] {
  const best = new Map<string, Hold>();
  for (const hold of holds) {
    const current = best.get(hold.relation);
    if (!current || lockRank(hold.mode) > lockRank(current.mode) || (hold.mode === current.mode && hold.seconds > current.seconds)) {
      best.set(hold.relation, hold);
    }
  }
  return [...best.values()].map((h) => ({
    relation: h.relation,
    mode: h.mode,
    blocks: h.rowsLocked ? `${blockedBy(h.mode)}; row locks on every row block their updates and deletes` : blockedBy(h.mode),
    estimatedSeconds: h.unknownCount ? undefined : round(h.seconds),
    work: h.work,
    basis: h.unknownCount ? listReasons(h) : h.newTable ? `${h.relation} is created in this change` : h.basis,
    line: h.line,
    untilCommit: h.untilCommit || undefined,
    rows: h.rows,
    bytes: h.bytes,
  }));
}

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}

