// How the migration tool runs one file on PostgreSQL, decided once from the layout's facts and
// the file's parsed statements: the analysis (which statements run inside a transaction block),
// the rules' fixes and the ephemeral test (how to apply the file) all read this one answer.
//
// PostgreSQL facts it rests on (verified on PostgreSQL 15):
// - one simple query holding a single statement runs outside any transaction block;
// - a simple query holding several statements runs as one implicit transaction block (CREATE
//   INDEX CONCURRENTLY fails in it, whatever its position; an error rolls all of it back); an
//   explicit COMMIT inside ends that block and the statements after it form a new one;
// - a tool that BEGINs around the file puts every statement up to the file's own COMMIT inside.
/* eslint-disable @typescript-eslint/no-explicit-any */
import type { Config } from "../config/schema.js";
import type { Delivery, EmbeddedSql, Layout, Migration, NonTransactionalDetection, TransactionMode } from "../model.js";
import type { Statement } from "../parse/index.js";
import { LAYOUTS } from "../discover/layouts/index.js";

/** How a tool runs a file, after the user's configuration overrides the layout's defaults. */
export interface FileSemantics {
  layout: Layout;
  /** The tool opens a transaction around the file (BEGIN … COMMIT). */
  transaction: TransactionMode;
  delivery: Delivery;
  nonTransactionalDetection: NonTransactionalDetection;
  /** Flyway's `mixed`: a script may mix transactional and non-transactional statements. */
  mixed: boolean;
}

/** A file run by psql or a hand-rolled runner: statement by statement, no transaction added. */
export const AS_WRITTEN: FileSemantics = { layout: "plain", transaction: "none", delivery: "per-statement", nonTransactionalDetection: "none", mixed: false };

type MigrationSemantics = Pick<Migration, "layout" | "transaction" | "delivery" | "nonTransactionalDetection">;

export function fileSemantics(migration: MigrationSemantics, config: Pick<Config, "transaction" | "delivery" | "flyway">): FileSemantics {
  return {
    layout: migration.layout,
    transaction: config.transaction === "auto" ? migration.transaction : config.transaction,
    delivery: config.delivery === "auto" ? migration.delivery : config.delivery,
    nonTransactionalDetection: migration.nonTransactionalDetection ?? "none",
    mixed: config.flyway.mixed,
  };
}

/** Where one statement runs. */
export type StatementPlace =
  /** Inside the tool's BEGIN … COMMIT. */
  | "tool-transaction"
  /** Inside the file's own BEGIN … COMMIT (the BEGIN/COMMIT statements themselves too). */
  | "explicit-transaction"
  /** Inside the implicit transaction block of a multi-statement query. */
  | "one-query"
  /** On its own, outside any transaction block. */
  | "autocommit";

export interface TransactionContext {
  semantics: FileSemantics;
  /** The tool's transaction is open when the file starts. */
  toolTransaction: boolean;
  /** The file reaches the server as one query of several statements (one implicit transaction block). */
  oneQuery: boolean;
  /** Per statement, where it runs. */
  places: StatementPlace[];
  /** The tool refuses the file before running any of it (Flyway's mixed check). */
  refusal?: { statementIndex: number; message: string };
  /** One sentence on how the tool runs this file, in the user's words (for messages and the test's note). */
  how: string;
  /** How a user of this tool runs a statement outside a transaction block. */
  outsideTransaction: string;
}

/** Why a PostgreSQL statement cannot run inside a transaction block, or undefined when it can. */
export function nonTransactionalReason(statement: Statement, postgresVersion: number): string | undefined {
  if (statement.dialect !== "postgres") return undefined;
  const ast = statement.ast ?? {};
  switch (statement.kind) {
    case "IndexStmt":
      return ast.concurrent ? "CREATE INDEX CONCURRENTLY" : undefined;
    case "DropStmt":
      return ast.concurrent ? "DROP INDEX CONCURRENTLY" : undefined;
    case "ReindexStmt":
      if ((ast.params ?? []).some((p: any) => p?.DefElem?.defname === "concurrently")) return "REINDEX CONCURRENTLY";
      // REINDEX SCHEMA/DATABASE/SYSTEM commit per table, so they refuse a transaction block.
      return ["REINDEX_OBJECT_SCHEMA", "REINDEX_OBJECT_DATABASE", "REINDEX_OBJECT_SYSTEM"].includes(ast.kind) ? `REINDEX ${String(ast.kind).replace("REINDEX_OBJECT_", "")}` : undefined;
    case "VacuumStmt":
      return ast.is_vacuumcmd ? "VACUUM" : undefined;
    case "AlterTableStmt":
      return (ast.cmds ?? []).some((c: any) => c?.AlterTableCmd?.def?.PartitionCmd?.concurrent) ? "DETACH PARTITION CONCURRENTLY" : undefined;
    case "AlterEnumStmt":
      return postgresVersion < 12 && ast.newVal && !ast.oldVal ? "ALTER TYPE … ADD VALUE (before PostgreSQL 12)" : undefined;
    case "DiscardStmt":
      return ast.target === "DISCARD_ALL" ? "DISCARD ALL" : undefined;
    case "CreateSubscriptionStmt":
      return "CREATE SUBSCRIPTION";
    case "CreatedbStmt":
      return "CREATE DATABASE";
    case "DropdbStmt":
      return "DROP DATABASE";
    case "AlterSystemStmt":
      return "ALTER SYSTEM";
    case "CreateTableSpaceStmt":
      return "CREATE TABLESPACE";
    case "DropTableSpaceStmt":
      return "DROP TABLESPACE";
    default:
      return undefined;
  }
}

/**
 * Flyway's own test (PostgreSQLParser: the statement's leading keywords), which differs from
 * PostgreSQL's list: it misses REINDEX INDEX … CONCURRENTLY and DETACH PARTITION CONCURRENTLY,
 * so Flyway runs those inside its transaction, where they fail.
 */
const FLYWAY_NON_TRANSACTIONAL = [
  /^(CREATE|DROP) (DATABASE|TABLESPACE|SUBSCRIPTION)\b/,
  /^ALTER SYSTEM\b/,
  /^(CREATE|DROP)( UNIQUE)? INDEX CONCURRENTLY\b/,
  /^REINDEX( VERBOSE)? (SCHEMA|DATABASE|SYSTEM)\b/,
  /^VACUUM\b/,
  /^DISCARD ALL\b/,
];

export function flywayDetectsNonTransactional(statement: Statement, postgresVersion: number): boolean {
  const words = statement.text
    .replace(/--[^\n]*/g, " ")
    .replace(/\/\*[\s\S]*?\*\//g, " ")
    .replace(/\s+/g, " ")
    .trim()
    .toUpperCase();
  if (FLYWAY_NON_TRANSACTIONAL.some((re) => re.test(words))) return true;
  return postgresVersion < 12 && statement.kind === "AlterEnumStmt" && Boolean(statement.ast?.newVal) && !statement.ast?.oldVal;
}

function transactionKind(statement: Statement): "begin" | "end" | "other" {
  if (statement.kind !== "TransactionStmt") return "other";
  const kind = String(statement.ast?.kind ?? "");
  if (kind === "TRANS_STMT_BEGIN" || kind === "TRANS_STMT_START") return "begin";
  if (kind === "TRANS_STMT_COMMIT" || kind === "TRANS_STMT_ROLLBACK") return "end";
  return "other";
}

const GENERIC_OUTSIDE = "run the statement in a migration the tool runs without a transaction, alone in its file";

function layoutOutside(layout: Layout): string {
  return LAYOUTS.find((l) => l.name === layout)?.outsideTransaction ?? GENERIC_OUTSIDE;
}

/** Statements the Supabase CLI (v2.109+) takes out of the file's transaction and runs alone. */
const SUPABASE_ALONE = new Set(["IndexStmt", "DropStmt", "ReindexStmt", "VacuumStmt", "AlterSystemStmt", "ClusterStmt"]);

function supabaseRunsAlone(statement: Statement, postgresVersion: number): boolean {
  return SUPABASE_ALONE.has(statement.kind) && nonTransactionalReason(statement, postgresVersion) !== undefined;
}

/** The tool's name as its users know it, for messages. */
export function toolName(layout: Layout): string {
  return LAYOUTS.find((l) => l.name === layout)?.tool ?? "the migration tool";
}

/**
 * How the tool runs this file. `statements` are the file's (or section's) parsed statements,
 * in order; MySQL/MariaDB files are reported as run statement by statement (every DDL
 * statement commits implicitly there).
 */
/**
 * `queries`: for a file whose statements the tool sends one by one, which query each statement is
 * sent in, when some query holds several (TypeORM: a `queryRunner.query("A; B")` call). Outside
 * the tool's transaction such a query is one implicit transaction block.
 */
export function transactionContext(semantics: FileSemantics, statements: Statement[], postgresVersion: number, queries?: number[]): TransactionContext {
  const outsideTransaction = layoutOutside(semantics.layout);
  const tool = toolName(semantics.layout);
  const postgres = statements.every((s) => s.dialect === "postgres");
  if (!postgres) {
    return { semantics, toolTransaction: false, oneQuery: false, places: statements.map(() => "autocommit"), how: "MySQL/MariaDB commit each DDL statement implicitly", outsideTransaction };
  }
  let toolTransaction = semantics.transaction === "per-file";
  let refusal: TransactionContext["refusal"];
  let how: string;
  if (semantics.nonTransactionalDetection === "flyway" && toolTransaction && statements.length) {
    const detected = statements.map((s) => flywayDetectsNonTransactional(s, postgresVersion));
    const first = detected.indexOf(true);
    if (first >= 0 && (semantics.mixed || detected.every(Boolean))) {
      toolTransaction = false;
      how = semantics.mixed ? `${tool} runs this script without a transaction (it holds a non-transactional statement and \`mixed\` is true)` : `${tool} runs this script without a transaction: all its statements are non-transactional`;
    } else if (first >= 0) {
      const transactional = detected.indexOf(false);
      refusal = {
        statementIndex: first,
        message: `${tool} refuses this migration before running it: it mixes non-transactional statements (${shortWords(statements[first]!)}) with transactional ones (${shortWords(statements[transactional]!)}) and \`mixed\` is false ("Detected both transactional and non-transactional statements within the same migration")`,
      };
      how = `${tool} refuses this script (mixed transactional and non-transactional statements)`;
    } else {
      const missed = statements.find((s) => nonTransactionalReason(s, postgresVersion));
      how = `${tool} runs this script in a transaction${missed ? ` (its parser does not recognise ${nonTransactionalReason(missed, postgresVersion)} as non-transactional)` : ""}`;
    }
  } else if (toolTransaction) {
    how = `${tool} runs this file in a transaction`;
  } else how = "";
  const oneQuery = semantics.delivery === "whole-file" && statements.length > 1;
  if (!how) {
    how = semantics.delivery === "whole-file"
      ? oneQuery
        ? `${tool} sends this file to PostgreSQL as one query of ${statements.length} statements, which PostgreSQL runs as one transaction block`
        : `${tool} sends this file as one query holding a single statement, which runs outside any transaction block`
      : `${tool} runs this file statement by statement, without a transaction of its own`;
  } else if (toolTransaction && oneQuery) how += ", sent as one query";
  // Statements sent together in one query of several (per-statement delivery, e.g. one TypeORM call).
  const sharesQuery = (i: number) => queries !== undefined && semantics.delivery === "per-statement" && queries[i] !== undefined && queries.filter((q) => q === queries[i]).length > 1;
  if (!toolTransaction && statements.some((_, i) => sharesQuery(i))) how += ", but a query holding several statements is one query, which PostgreSQL runs as one transaction block";
  const places: StatementPlace[] = [];
  let explicit = false;
  let inTool = toolTransaction;
  for (const [i, statement] of statements.entries()) {
    const kind = transactionKind(statement);
    if (!explicit && !inTool && kind === "other" && sharesQuery(i)) {
      places.push("one-query");
      continue;
    }
    if (kind === "begin") {
      explicit = true;
      places.push("explicit-transaction");
      continue;
    }
    if (kind === "end") {
      places.push(explicit ? "explicit-transaction" : inTool ? "tool-transaction" : oneQuery ? "one-query" : "autocommit");
      explicit = false;
      inTool = false;
      continue;
    }
    if (inTool && !explicit && semantics.nonTransactionalDetection === "supabase" && supabaseRunsAlone(statement, postgresVersion)) {
      places.push("autocommit");
      continue;
    }
    places.push(explicit ? "explicit-transaction" : inTool ? "tool-transaction" : oneQuery ? "one-query" : "autocommit");
  }
  if (semantics.nonTransactionalDetection === "supabase" && places.includes("autocommit") && toolTransaction) {
    how += " (its CONCURRENTLY, VACUUM, ALTER SYSTEM and CLUSTER statements on their own, outside the transaction)";
  }
  return { semantics, toolTransaction, oneQuery, places, ...(refusal ? { refusal } : {}), how, outsideTransaction };
}

/** For SQL cut out of code: which string (one query) each statement came from (see transactionContext). */
export function queriesOf(script: { statements: Statement[]; embedded?: EmbeddedSql }): number[] | undefined {
  const literals = script.embedded?.literals;
  if (!literals?.length) return undefined;
  return script.statements.map((s) => {
    const i = literals.findIndex((l) => l.start <= s.span.startOffset && s.span.startOffset <= l.end);
    return i < 0 ? -1 - s.index : i;
  });
}

/** The statement's first words, e.g. `CREATE INDEX CONCURRENTLY`. */
function shortWords(statement: Statement): string {
  const words = statement.text.replace(/--[^\n]*/g, " ").replace(/\s+/g, " ").trim().split(" ").slice(0, 4).join(" ");
  return `\`${words}${words.length < statement.text.trim().length ? " …" : ""}\``;
}

/**
 * Would the file still run `statement` outside a transaction block if a fix made it
 * non-transactional (… CONCURRENTLY)? Answers what `transactionContext` would say of the
 * rewritten file without recomputing it (see placeAfterEdit): rules ask for every index build.
 */
export function runsOutsideAfterRewrite(context: TransactionContext, statements: Statement[], index: number, postgresVersion: number): boolean {
  return placeAfterEdit(context, statements, postgresVersion, { index, statement: asNonTransactional(statements[index]!) }, false) === "autocommit";
}

/** A stand-in for `statement` rewritten to its non-transactional form (only what the context reads). */
export function asNonTransactional(statement: Statement): Statement {
  const { kind, ast } = statement;
  if (kind === "IndexStmt" || kind === "DropStmt") {
    return { ...statement, text: statement.text.replace(/\bINDEX\b/i, "INDEX CONCURRENTLY"), ast: { ...ast, concurrent: true } };
  }
  if (kind === "ReindexStmt") return { ...statement, ast: { ...ast, params: [...(ast.params ?? []), { DefElem: { defname: "concurrently" } }] } };
  if (kind === "AlterTableStmt") {
    const cmds = (ast.cmds ?? []).map((c: any) =>
      c?.AlterTableCmd?.def?.PartitionCmd ? { AlterTableCmd: { ...c.AlterTableCmd, def: { PartitionCmd: { ...c.AlterTableCmd.def.PartitionCmd, concurrent: true } } } } : c,
    );
    return { ...statement, ast: { ...ast, cmds } };
  }
  return statement;
}

/**
 * Would adding a statement at the top of the file (a `SET lock_timeout` before the first
 * blocking one) break a statement that now runs outside a transaction block, or one that a
 * CONCURRENTLY fix would make run outside one? It does when the file runs outside a block only
 * because it holds one statement (whole-file delivery: two statements form one implicit block),
 * and under Flyway's detection (the SET makes the script mixed, which Flyway refuses).
 * Once per file: every timeout finding of the file asks.
 */
export function addingStatementChangesHowItRuns(context: TransactionContext, statements: Statement[], postgresVersion: number): boolean {
  const known = addingAnswers.get(context);
  if (known?.statements === statements) return known.answer;
  const answer = computeAddingStatementChangesHowItRuns(context, statements, postgresVersion);
  addingAnswers.set(context, { statements, answer });
  return answer;
}

const addingAnswers = new WeakMap<TransactionContext, { statements: Statement[]; answer: boolean }>();

function computeAddingStatementChangesHowItRuns(context: TransactionContext, statements: Statement[], postgresVersion: number): boolean {
  if (context.refusal) return false;
  for (const [i, statement] of statements.entries()) {
    let edit: { index: number; statement: Statement } | undefined;
    if (nonTransactionalReason(statement, postgresVersion)) {
      if (context.places[i] !== "autocommit") continue;
    } else if (mayBecomeNonTransactional(statement) && runsOutsideAfterRewrite(context, statements, i, postgresVersion)) {
      edit = { index: i, statement: asNonTransactional(statement) };
    } else continue;
    if (placeAfterEdit(context, statements, postgresVersion, edit ?? { index: i, statement }, true) !== "autocommit") return true;
  }
  return false;
}

/**
 * What `transactionContext` says of statement `edit.index` once it is replaced by `edit.statement`
 * (and, with `prepend`, once a transactional statement such as `SET lock_timeout` is added at the
 * top): its place, or "refused" when the tool would then refuse the file. In O(1) per question
 * after one pass over the file, where recomputing the context was O(n): a 20,000-statement file
 * asked it for each of its index builds (50 s instead of 1.5 s).
 */
export function placeAfterEdit(
  context: TransactionContext,
  statements: Statement[],
  postgresVersion: number,
  edit: { index: number; statement: Statement },
  prepend: boolean,
): StatementPlace | "refused" {
  const { semantics } = context;
  const scan = fileScan(context, statements, postgresVersion);
  const target = edit.statement;
  if (!scan.postgres || target.dialect !== "postgres") return "autocommit";
  // Only a statement that is no BEGIN/COMMIT leaves the other statements' places as they are.
  if (transactionKind(target) !== "other" || transactionKind(statements[edit.index]!) !== "other") {
    const file = statements.map((s, i) => (i === edit.index ? target : s));
    const after = transactionContext(semantics, prepend ? [settingStatement(statements[0]), ...file] : file, postgresVersion);
    return after.refusal ? "refused" : after.places[edit.index + (prepend ? 1 : 0)]!;
  }
  const count = statements.length + (prepend ? 1 : 0);
  let toolTransaction = semantics.transaction === "per-file";
  if (semantics.nonTransactionalDetection === "flyway" && toolTransaction && count) {
    const detected = scan.detected - (scan.detects[edit.index] ? 1 : 0) + (flywayDetectsNonTransactional(target, postgresVersion) ? 1 : 0);
    const all = detected === count;
    if (detected > 0 && (semantics.mixed || all)) toolTransaction = false;
    else if (detected > 0) return "refused";
  }
  const oneQuery = semantics.delivery === "whole-file" && count > 1;
  const explicit = scan.explicitBefore[edit.index]!;
  const inTool = toolTransaction && !scan.endBefore[edit.index]!;
  if (inTool && !explicit && semantics.nonTransactionalDetection === "supabase" && supabaseRunsAlone(target, postgresVersion)) return "autocommit";
  return explicit ? "explicit-transaction" : inTool ? "tool-transaction" : oneQuery ? "one-query" : "autocommit";
}

interface FileScan {
  statements: Statement[];
  postgres: boolean;
  /** Per statement, whether Flyway's keyword test calls it non-transactional, and how many it does. */
  detects: boolean[];
  detected: number;
  /** Per statement, whether a BEGIN of the file is open before it, and whether a COMMIT/ROLLBACK came before it. */
  explicitBefore: boolean[];
  endBefore: boolean[];
}

const scans = new WeakMap<TransactionContext, FileScan>();

function fileScan(context: TransactionContext, statements: Statement[], postgresVersion: number): FileScan {
  const known = scans.get(context);
  if (known?.statements === statements) return known;
  const flyway = context.semantics.nonTransactionalDetection === "flyway";
  const detects = statements.map((s) => flyway && flywayDetectsNonTransactional(s, postgresVersion));
  const explicitBefore: boolean[] = [];
  const endBefore: boolean[] = [];
  let explicit = false;
  let ended = false;
  for (const statement of statements) {
    explicitBefore.push(explicit);
    endBefore.push(ended);
    const kind = transactionKind(statement);
    if (kind === "begin") explicit = true;
    if (kind === "end") {
      explicit = false;
      ended = true;
    }
  }
  const scan = { statements, postgres: statements.every((s) => s.dialect === "postgres"), detects, detected: detects.filter(Boolean).length, explicitBefore, endBefore };
  scans.set(context, scan);
  return scan;
}

/** A stand-in `SET lock_timeout` statement, for asking how the file would run with one more statement. */
function settingStatement(like: Statement | undefined): Statement {
  const span = like?.span ?? { file: "", startLine: 1, startColumn: 1, endLine: 1, endColumn: 1, startOffset: 0, endOffset: 0 };
  return { index: -1, text: "SET lock_timeout = '2s'", span, dialect: "postgres", kind: "VariableSetStmt", ast: { kind: "VAR_SET_VALUE", name: "lock_timeout" } };
}

/** Statements a rule's fix may rewrite to a CONCURRENTLY form. */
function mayBecomeNonTransactional(statement: Statement): boolean {
  const { kind, ast } = statement;
  if (kind === "IndexStmt") return !ast?.concurrent;
  if (kind === "DropStmt") return ast?.removeType === "OBJECT_INDEX" && !ast?.concurrent;
  if (kind === "ReindexStmt") return true;
  if (kind === "AlterTableStmt") return (ast?.cmds ?? []).some((c: any) => c?.AlterTableCmd?.subtype === "AT_DetachPartition");
  return false;
}

/** A statement sent after this one runs in a transaction of its own (not the same query or transaction). */
export function nextStatementCommitsSeparately(context: TransactionContext, index: number): boolean {
  return context.places[index] === "autocommit" && context.semantics.delivery === "per-statement";
}
