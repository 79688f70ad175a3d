// Shared by the MySQL/MariaDB rules: find the ALTER TABLE operations of an existing table,
// point findings at the exact clause, and phrase the server-specific facts.
/* eslint-disable @typescript-eslint/no-explicit-any */
import {
  alterOf,
  columnChanges,
  describeInnodb,
  displayName,
  explicitClauses,
  isNewTable,
  knownColumnBefore,
  planAlter,
  refusedBy,
  serverOf,
  type ColumnChange,
  type OpPlan,
  type ServerVersion,
  type StatementPlan,
} from "../../src/core/analyze/mysql-ast.js";
import type { Rule, RuleContext, RuleHit } from "../../src/core/analyze/rule.js";
import type { Span } from "../../src/core/model.js";
import type { AlterOp, AlterTable } from "../../src/core/parse/mysql.js";
import type { Statement } from "../../src/core/parse/script.js";
import { spanOf } from "../../src/core/parse/text.js";

export interface AlterSite {
  statement: Statement;
  context: RuleContext;
  alter: AlterTable;
  table: string;
  plan: StatementPlan;
  server: ServerVersion;
  /** ALGORITHM / LOCK as written in the statement. */
  clauses: { algorithm?: string; lock?: string };
}

/** The ALTER TABLE of a table that existed before this change, planned; undefined otherwise. */
export function existingTableAlter(statement: Statement, context: RuleContext): AlterSite | undefined {
  const alter = alterOf(statement);
  if (!alter || isNewTable(alter.table, statement, context)) return undefined;
  return {
    statement,
    context,
    alter,
    table: displayName(alter.table),
    plan: planAlter(alter, statement, context),
    server: serverOf(context.config),
    clauses: explicitClauses(statement) ?? {},
  };
}

/** Ops of `kind` in the statement, each with its plan. */
export function opsOf<K extends AlterOp["kind"]>(site: AlterSite, kind: K): { op: Extract<AlterOp, { kind: K }>; plan: OpPlan }[] {
  return site.plan.ops.filter((o): o is { op: Extract<AlterOp, { kind: K }>; plan: OpPlan } => o.op.kind === kind);
}

/**
 * One finding per operation of `kind` that `describe` reports, pointed at that operation's
 * clause: the loop every ALTER TABLE rule would otherwise write out.
 */
export function opHits<K extends AlterOp["kind"]>(
  site: AlterSite,
  kind: K,
  describe: (op: Extract<AlterOp, { kind: K }>, plan: OpPlan) => Omit<RuleHit, "span"> | undefined,
): RuleHit[] {
  const hits: RuleHit[] = [];
  for (const { op, plan } of opsOf(site, kind)) {
    const hit = describe(op, plan);
    if (hit) hits.push({ ...hit, span: opSpan(site.statement, op, site.context) });
  }
  return hits;
}

/** What a MODIFY/CHANGE changes, compared with the definition earlier statements gave the column. */
export function columnChangesOf(site: AlterSite, op: Extract<AlterOp, { kind: "modify-column" }>): Set<ColumnChange> {
  return columnChanges(op, knownColumnBefore(site.alter.table, op.column, site.statement, site.context.script));
}

/** CREATE INDEX / DROP INDEX on a table that existed before this change (they take ALGORITHM and LOCK too). */
export function existingTableIndexStatement(statement: Statement, context: RuleContext): { table: string; type: string; ast: any } | undefined {
  const ast = statement.ast;
  if (!((statement.kind === "create" || statement.kind === "drop") && ast?.keyword === "index")) return undefined;
  const table = String(ast.table?.table ?? "");
  if (!table || isNewTable(table, statement, context)) return undefined;
  return { table, type: String(ast.index_type ?? "").toLowerCase(), ast };
}

/** The span of one ALTER specification inside the file. */
export function opSpan(statement: Statement, op: { start: number; end: number }, context: RuleContext): Span {
  const base = statement.span.startOffset - context.script.baseOffset;
  return spanOf(context.script.lines, statement.span.file, base + op.start, base + op.end, context.script);
}

/**
 * When the statement already carries an ALGORITHM/LOCK that makes the server refuse the
 * expensive path, the server fails fast instead of copying or locking: nothing to warn about.
 */
export function failsFast(site: AlterSite, planned: OpPlan): boolean {
  return refusedBy(site.clauses, planned) !== undefined;
}

/** "copies the table (ALGORITHM=COPY) and blocks writes (LOCK=SHARED) on MySQL 8.0" */
export function describePlan(planned: OpPlan, server: ServerVersion): string {
  const what =
    planned.algorithm === "COPY"
      ? "copies the table (ALGORITHM=COPY)"
      : planned.algorithm === "INPLACE"
        ? planned.rebuild
          ? "rebuilds the table in place (ALGORITHM=INPLACE)"
          : "runs in place (ALGORITHM=INPLACE)"
        : "is instant (ALGORITHM=INSTANT)";
  const lock = planned.lock === "NONE" ? "" : planned.lock === "SHARED" ? " and blocks writes for its whole duration (LOCK=SHARED)" : " and blocks reads and writes (LOCK=EXCLUSIVE)";
  return `${what}${lock} on ${server.label}`;
}

/**
 * Puts the rule's InnoDB rows at the head of its version notes, so every docs page and
 * `explain` show the algorithm, lock and rebuild per server without a renderer of their own.
 */
export function withInnodbSummary(rule: Rule): Rule {
  const rows = rule.docs.innodb;
  if (!rows?.length) return rule;
  const summary = `InnoDB: ${describeInnodb(rows)}.`;
  return { ...rule, docs: { ...rule.docs, versions: rule.docs.versions ? `${summary} ${rule.docs.versions}` : summary } };
}
