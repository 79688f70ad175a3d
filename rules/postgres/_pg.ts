// Shared helpers for the PostgreSQL rules: table statistics → severity, mechanical fixes as
// text edits, volatility of expressions, and small AST readers.
/* eslint-disable @typescript-eslint/no-explicit-any */
import { blockedBy, blocksTraffic, statementLocks } from "../../src/core/analyze/pg-locks.js";
import { alterCommands, calledFunctions, names, relationName, stripPublic, walk } from "../../src/core/analyze/pg-ast.js";
import { indexTableOf, isCreatedInChange, type AnalysisState } from "../../src/core/analyze/state.js";
import type { RuleContext } from "../../src/core/analyze/rule.js";
import { addingStatementChangesHowItRuns, runsOutsideAfterRewrite, toolName } from "../../src/core/analyze/transaction.js";
import type { Config } from "../../src/core/config/schema.js";
import type { Fix, LockFact, LockMode, Severity, TextEdit } from "../../src/core/model.js";
import type { ParsedScript, Statement } from "../../src/core/parse/index.js";
import { formatBytes } from "../../src/core/risk/estimate.js";
import { parseBytes } from "../../src/core/stats/index.js";
import { NON_VOLATILE_BUILTINS, VOLATILE_BUILTINS } from "./_pg-functions.js";

/** Tables below this many rows are "tiny": a rewrite or scan takes milliseconds. */
export const TINY_TABLE_ROWS = 10_000;

/** The paragraph every data-aware rule appends to its `why`. */
export const SIZE_NOTE =
  "Severity follows the table's size when `tables:` statistics (config or stats file) know it: below 10,000 rows the finding is `info` (the work takes milliseconds); at or above `thresholds.large_table_rows` (default 1,000,000) it is `error`; otherwise, or without statistics, the rule's default.";

export function isExisting(state: AnalysisState, relation: string): boolean {
  return relation !== "" && !isCreatedInChange(state, relation);
}

export interface TableSize {
  rows?: number;
  bytes?: number;
}

/** Rules ask for sizes on every statement; most configurations name no table at all. */
function hasTables(config: Config): boolean {
  for (const _ in config.tables) return true;
  return false;
}

/** Statistics for a table from `config.tables`, keyed with or without the `public.` schema. */
export function tableSize(config: Config, table: string): TableSize | undefined {
  if (!hasTables(config)) return undefined;
  const bare = stripPublic(table);
  const stats = config.tables[table] ?? config.tables[bare] ?? config.tables[`public.${bare}`];
  if (!stats) return undefined;
  return { rows: stats.rows, bytes: stats.bytes === undefined ? undefined : parseBytes(stats.bytes) };
}

/** The rule's severity, lowered for tiny tables and raised for large ones (see SIZE_NOTE). */
export function sizedSeverity(config: Config, table: string, base: Severity): Severity | undefined {
  const size = tableSize(config, table);
  if (!size) return undefined;
  const large = config.thresholds.large_table_rows;
  if (size.rows !== undefined && size.rows >= large) return "error";
  // Roughly 100 bytes per row when only the size is known.
  if (size.rows === undefined && size.bytes !== undefined && size.bytes >= large * 100) return "error";
  if (size.rows !== undefined && size.rows < TINY_TABLE_ROWS) return "info";
  if (size.rows === undefined && size.bytes !== undefined && size.bytes < TINY_TABLE_ROWS * 100) return "info";
  return base;
}

/** A short "(80,000,000 rows)" for messages, when statistics know the table. */
export function sizeHint(config: Config, table: string): string {
  const size = tableSize(config, table);
  if (size?.rows !== undefined) return ` (${size.rows.toLocaleString("en-US")} rows)`;
  if (size?.bytes !== undefined) return ` (${formatBytes(size.bytes)})`;
  return "";
}

/** Tables a message names before it counts the rest: a long transaction can hold hundreds. */
export const LISTED_TABLES = 5;

/** "`a`, `b`, `c`, `d`, `e` and 7 more" */
export function listTables(tables: string[]): string {
  const named = tables.slice(0, LISTED_TABLES).map((t) => `\`${t}\``).join(", ");
  return tables.length > LISTED_TABLES ? `${named} and ${tables.length - LISTED_TABLES} more` : named;
}

export function lock(relation: string, mode: LockMode): LockFact {
  return { relation, mode, blocks: blockedBy(mode) };
}

/** Inserts `text` right after the statement's SQL (before its `;`). */
export function appendToStatement(statement: Statement, text: string): TextEdit {
  return { file: statement.span.file, startOffset: statement.span.endOffset, endOffset: statement.span.endOffset, replacement: text };
}

/** Inserts `text` (e.g. `SET lock_timeout = '2s';\n`) at the start of the statement's line. */
export function insertBeforeStatement(statement: Statement, script: ParsedScript, text: string): TextEdit {
  const local = statement.span.startOffset - script.baseOffset;
  const lineStart = script.text.lastIndexOf("\n", local - 1) + 1;
  const before = script.text.slice(lineStart, local);
  // Keep the statement's indentation; only insert at line start when nothing else precedes it.
  const at = /^[ \t]*$/.test(before) ? lineStart : local;
  const indent = at === lineStart ? before : "";
  const offset = at + script.baseOffset;
  return { file: statement.span.file, startOffset: offset, endOffset: offset, replacement: at === lineStart ? `${indent}${text}` : text };
}

/** Inserts `text` on a new line after the statement's terminating `;` (or its end). */
export function insertAfterStatement(statement: Statement, script: ParsedScript, text: string): TextEdit {
  const local = statement.span.endOffset - script.baseOffset;
  const semicolon = /^\s*;/.exec(script.text.slice(local));
  const offset = script.baseOffset + local + (semicolon ? semicolon[0].length : 0);
  return { file: statement.span.file, startOffset: offset, endOffset: offset, replacement: `${semicolon ? "" : ";"}\n${text}` };
}

/** Replaces the first match of `pattern` in the statement text. */
export function replaceInStatement(statement: Statement, pattern: RegExp, replacement: string): TextEdit | undefined {
  const m = pattern.exec(statement.text);
  if (!m) return undefined;
  const start = statement.span.startOffset + m.index;
  return { file: statement.span.file, startOffset: start, endOffset: start + m[0].length, replacement };
}

/** Inserts `text` after the first match of `pattern` in the statement text. */
export function insertAfterMatch(statement: Statement, pattern: RegExp, text: string): TextEdit | undefined {
  const m = pattern.exec(statement.text);
  if (!m) return undefined;
  const at = statement.span.startOffset + m.index + m[0].length;
  return { file: statement.span.file, startOffset: at, endOffset: at, replacement: text };
}

/** An identifier as SQL: quoted only when it needs to be. */
export function ident(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

/** `schema.table` as SQL. */
export function qualified(name: string): string {
  return name.split(".").map(ident).join(".");
}

export interface Volatility {
  volatile: boolean;
  /** The first function that makes it volatile (or is unknown). */
  culprit?: string;
  /** The culprit is not a built-in: we cannot know, so it counts as volatile. */
  unknown?: boolean;
}

/** Whether a default expression is volatile: built-ins by the catalog list, others unknown. */
export function volatility(expr: any): Volatility {
  for (const fn of calledFunctions(expr)) {
    if (/^SVFOP_/.test(fn)) continue; // CURRENT_TIMESTAMP, CURRENT_USER…: stable
    const bare = fn.replace(/^pg_catalog\./, "");
    if (VOLATILE_BUILTINS.has(bare)) return { volatile: true, culprit: bare };
    if (!NON_VOLATILE_BUILTINS.has(bare)) return { volatile: true, culprit: fn, unknown: true };
  }
  let sublink = false;
  walk(expr, (n) => {
    if (n?.SubLink) sublink = true;
  });
  return sublink ? { volatile: true, culprit: "a subquery" } : { volatile: false };
}

/** `ALTER TABLE … ADD COLUMN` on a table that exists before the change: the table and each column's definition. */
export function columnsAddedToExistingTable(statement: Statement, state: AnalysisState): { table: string; defs: any[] } | undefined {
  const table = existingAlteredTable(statement, state);
  if (!table) return undefined;
  const defs = alterCommands(statement.ast)
    .filter((cmd) => cmd.subtype === "AT_AddColumn" && cmd.def?.ColumnDef)
    .map((cmd) => cmd.def.ColumnDef);
  return { table, defs };
}

/** The table an ALTER TABLE targets, or undefined for other statements (ALTER INDEX, VIEW…). */
export function alteredTable(statement: Statement): string | undefined {
  if (statement.kind !== "AlterTableStmt") return undefined;
  const objtype = statement.ast.objtype;
  if (objtype !== undefined && objtype !== "OBJECT_TABLE") return undefined;
  return relationName(statement.ast.relation);
}

/** The table an ALTER TABLE targets when it exists before the change (most ALTER rules warn only then). */
export function existingAlteredTable(statement: Statement, state: AnalysisState): string | undefined {
  const table = alteredTable(statement);
  return table && isExisting(state, table) ? table : undefined;
}

/** The type name of a column definition without `pg_catalog.`, e.g. `int4`, `varchar`. */
/** serial, smallserial, bigserial and their serial2/4/8 spellings: columns that fill themselves. */
export function isSerialType(typeName: string): boolean {
  return /^(small|big)?serial[248]?$/.test(typeName);
}

export function baseTypeName(typeNameNode: any): string {
  const parts = names(typeNameNode?.names);
  return parts[parts.length - 1] ?? "";
}

/** Integer type modifiers, e.g. `[20]` for varchar(20), `[10, 2]` for numeric(10,2). */
export function typeMods(typeNameNode: any): number[] {
  return (typeNameNode?.typmods ?? []).map((m: any) => {
    const ival = m?.A_Const?.ival;
    return typeof ival?.ival === "number" ? ival.ival : ival && Object.keys(ival).length === 0 ? 0 : Number.NaN;
  });
}

/** `table.column` is known NOT NULL-safe: a validated CHECK (col IS NOT NULL) lets PostgreSQL 12+ skip the scan. */
export function notNullProven(state: AnalysisState, table: string, column: string): boolean {
  return state.postgresVersion >= 12 && state.notNullChecked.has(`${stripPublic(table)}.${column}`);
}

/** Locks the statement takes that block reads or writes, on relations that exist before the change. */
export function blockingLocksOnExisting(statement: Statement, state: AnalysisState): LockFact[] {
  return statementLocks(statement, indexTableOf(state))
    .filter((l) => blocksTraffic(l.mode) && isExisting(state, l.relation))
    .map((l) => lock(l.relation, l.mode));
}

/** The timeout rules' fix: `SET <setting> = '<value>';` on its own line before the statement. */
export function setBeforeFix(statement: Statement, script: ParsedScript, setting: string, value: string): Fix {
  return {
    description: `Set a ${setting} before the first blocking statement`,
    edits: [insertBeforeStatement(statement, script, `SET ${setting} = '${value}';\n`)],
  };
}

/**
 * The timeout rules' remedy: the SET fix, unless adding a statement to this file would make the
 * tool run it differently and fail (a lone CONCURRENTLY statement in a file sent as one query;
 * Flyway's mixed check). Then a note that sets the timeout outside the file instead.
 */
export function timeoutRemedy(statement: Statement, context: RuleContext, setting: "lock_timeout" | "statement_timeout", value: string): { fix?: Fix; note?: string } {
  const { transaction, script, state } = context;
  if (!addingStatementChangesHowItRuns(transaction, script.statements, state.postgresVersion)) return { fix: setBeforeFix(statement, script, setting, value) };
  return {
    note: `Not fixed in the file: ${
      transaction.semantics.nonTransactionalDetection === "flyway"
        ? "Flyway runs a script without its transaction only when all its statements are non-transactional; with a SET added it would refuse the CONCURRENTLY form (a script mixing both kinds)."
        : `${toolName(transaction.semantics.layout)} sends this file as one query, which runs outside a transaction block only while it holds a single statement; with a SET added, the CONCURRENTLY form would fail.`
    } Set ${setting} outside the file: on the role the migrations run as (\`ALTER ROLE <migration role> SET ${setting} = '${value}';\`) or in the connection string (\`options=-c ${setting}=${value}\`).`,
  };
}

/**
 * Would this statement, rewritten with CONCURRENTLY, run outside any transaction block the way
 * the tool runs this file? (A lone statement in a file sent as one query does; Flyway runs a
 * script of only non-transactional statements without its transaction.)
 */
export function concurrentRewriteRuns(statement: Statement, context: RuleContext): boolean {
  return runsOutsideAfterRewrite(context.transaction, context.script.statements, statement.index, context.state.postgresVersion);
}

/** Why the CONCURRENTLY rewrite is not offered here, and what to do instead. */
export function concurrentRewriteHelp(context: RuleContext): string {
  return `This file runs in a transaction block (${context.transaction.how}), where CONCURRENTLY is not allowed: to run it outside one, ${context.transaction.outsideTransaction}.`;
}

/**
 * The script's CREATE INDEX and ALTER TABLE statements by the relation they name (without
 * `public.`), in order. Built once per script: rules that look at a table's other changes
 * scanned the whole script per statement, which made a file of 2,000 such statements quadratic.
 */
const onRelation = new WeakMap<ParsedScript, Map<string, Statement[]>>();

export function statementsOnRelation(script: ParsedScript, bareRelation: string): Statement[] {
  let index = onRelation.get(script);
  if (!index) {
    index = new Map();
    for (const s of script.statements) {
      if (s.kind !== "IndexStmt" && s.kind !== "AlterTableStmt") continue;
      const key = stripPublic(relationName(s.ast.relation));
      const list = index.get(key);
      if (list) list.push(s);
      else index.set(key, [s]);
    }
    onRelation.set(script, index);
  }
  return index.get(bareRelation) ?? [];
}

/** The name a constraint gets when written without one is unknown to us: fixes need a name. */
export function constraintName(constraint: any): string | undefined {
  return constraint?.conname || undefined;
}

const ENDS_TRANSACTION = new Set(["TRANS_STMT_COMMIT", "TRANS_STMT_ROLLBACK", "TRANS_STMT_PREPARE", "TRANS_STMT_COMMIT_PREPARED", "TRANS_STMT_ROLLBACK_PREPARED"]);
const STARTS_TRANSACTION = new Set(["TRANS_STMT_BEGIN", "TRANS_STMT_START"]);

/** Where `statement` is in its script: its own index, unless the list is another one. */
function positionOf(statement: Statement, statements: Statement[]): number {
  return statements[statement.index] === statement ? statement.index : statements.indexOf(statement);
}

/** The statements after `statement` that run in its transaction block (none when it runs in autocommit). */
export function laterInTransaction(statement: Statement, statements: Statement[], state: AnalysisState): Statement[] {
  if (!state.inTransaction) return [];
  const later: Statement[] = [];
  for (const next of statements.slice(positionOf(statement, statements) + 1)) {
    if (next.kind === "TransactionStmt" && ENDS_TRANSACTION.has(String(next.ast.kind))) break;
    later.push(next);
  }
  return later;
}

/** The statements before `statement` that run in its transaction block (none when it runs in autocommit). */
export function earlierInTransaction(statement: Statement, statements: Statement[], state: AnalysisState): Statement[] {
  if (!state.inTransaction) return [];
  const earlier: Statement[] = [];
  for (const previous of statements.slice(0, positionOf(statement, statements)).reverse()) {
    const kind = previous.kind === "TransactionStmt" ? String(previous.ast.kind) : "";
    if (ENDS_TRANSACTION.has(kind) || STARTS_TRANSACTION.has(kind)) break;
    earlier.push(previous);
  }
  return earlier;
}
