// What the analysis knows at a given statement: transaction state, locks held, timeouts,
// and what earlier statements of the change created. Rules read it; the engine advances it.
/* eslint-disable @typescript-eslint/no-explicit-any */
import type { LockMode } from "../model.js";
import type { Statement } from "../parse/index.js";
import {
  alterCommands,
  columnConstraints,
  durationMs,
  isSystemCatalog,
  names,
  relationName,
  settingValue,
  stripPublic,
  walk,
} from "./pg-ast.js";
import { blocksTraffic, statementLocks, strongest, type IndexTable } from "./pg-locks.js";
import type { StatsCatalog } from "../stats/index.js";
import { tablePassWork } from "../risk/work.js";

export interface AnalysisState {
  postgresVersion: number;
  /** Inside a transaction block: an explicit BEGIN … COMMIT, the tool's transaction, or the implicit block of a multi-statement query. */
  inTransaction: boolean;
  /** Only the explicit BEGIN … COMMIT form. */
  explicitTransaction: boolean;
  /** The migration tool wraps the current script in a transaction of its own. */
  toolTransaction: boolean;
  /**
   * The script reaches PostgreSQL as one query of several statements (golang-migrate, dbmate,
   * Prisma, diesel): outside an explicit BEGIN it is one implicit transaction block, and after a
   * COMMIT the remaining statements form the next one.
   */
  oneQuery: boolean;
  /** Locks held by the current transaction, per relation (strongest mode). */
  heldLocks: Map<string, LockMode>;
  /** Statements already run in the current transaction. */
  statementsInTransaction: number;
  /** lock_timeout in effect; undefined when the migration never set it, 0 when disabled. */
  lockTimeoutMs?: number;
  /** The session value, restored when a transaction that used SET LOCAL ends. */
  sessionLockTimeoutMs?: number;
  statementTimeoutMs?: number;
  /** A statement of this script already took a traffic-blocking lock with no lock_timeout set. */
  blockingLockWithoutTimeout: boolean;
  /** Tables (and indexes, views, types) created earlier in this change, without `public.`. */
  createdRelations: Set<string>;
  /** `table.column` pairs proven NOT NULL by a validated CHECK earlier in the change. */
  notNullChecked: Set<string>;
  /** Constraints added NOT VALID in the current transaction: name → table. */
  notValidInTransaction: Map<string, string>;
  /** Tables that already had data changed (UPDATE/DELETE/INSERT) in the current transaction. */
  dataChangedInTransaction: Set<string>;
  /** `CHECK (col IS NOT NULL) NOT VALID` constraints of the change: `table:constraint` → column. */
  pendingNotNullChecks: Map<string, string>;
  /**
   * ALTER TABLE statements per table in the current transaction since its last VALIDATE that scan,
   * rewrite or index the table (what combining them would save; metadata-only ones cost nothing).
   */
  altersInScript: Map<string, number>;
  /** Views created in the change and the relations / `table.column`s they read. */
  viewDependencies: Map<string, { relations: Set<string>; columns: Set<string> }>;
  /** Function bodies created or replaced in the change, lower-cased, by function name. */
  functionBodies: Map<string, string>;
  /** Leading-column lists of indexes (and PK/UNIQUE constraints) created in the change, per table. */
  indexesInChange: Map<string, string[][]>;
  /** `table.column` added to an existing table by the change. */
  columnsAddedInChange: Set<string>;
  /** `table:constraint` added to an existing table by the change (its rollback may drop it). */
  constraintsAddedInChange: Set<string>;
  /**
   * Column types declared by earlier statements, `table.column` → type. Unlike the rest this is
   * schema knowledge, kept across changes (see `nextChange`): a later migration's ALTER COLUMN
   * TYPE can then tell a binary-coercible change from a rewrite.
   */
  columnTypes: KeyValueStore<string, ColumnType>;
  /**
   * Domains that carry a CHECK constraint, without `public.`: schema knowledge kept across changes
   * like `columnTypes`. Adding a column of such a domain rewrites the table (measured on PostgreSQL 15).
   */
  domainsWithCheck: KeyValueStore<string, true>;
  /** Constraints the analyzed migrations named explicitly, `table:constraint` (schema knowledge, like `columnTypes`). */
  namedConstraints: KeyValueStore<string, true>;
  /** Functions and procedures the analyzed migrations created, without `public.` (schema knowledge). */
  definedFunctions: KeyValueStore<string, true>;
  /** The table of each index the analyzed migrations created, both without `public.` (schema knowledge). */
  indexTables: KeyValueStore<string, string>;
  /** Types renamed by `ALTER TYPE … RENAME TO`: old name → new name (schema knowledge). */
  renamedTypes: KeyValueStore<string, string>;
  /** The plain columns of each index the analyzed migrations created (not expression indexes). */
  indexColumns: KeyValueStore<string, string[]>;
  /** Columns declared NOT NULL (or part of a primary key), `table.column` without `public.` (schema knowledge). */
  notNullColumns: KeyValueStore<string, true>;
}

/** The part of Map that state collections need; lets a rollback script read through an overlay. */
export interface KeyValueStore<K, V> {
  get(key: K): V | undefined;
  has(key: K): boolean;
  set(key: K, value: V): unknown;
  delete(key: K): boolean;
}

/** Writes stay in the overlay; reads fall through to `base` unless the overlay changed the key. */
export function overlay<K, V>(base: KeyValueStore<K, V>): KeyValueStore<K, V> {
  const own = new Map<K, { value: V } | undefined>();
  return {
    get: (key) => (own.has(key) ? own.get(key)?.value : base.get(key)),
    has: (key) => (own.has(key) ? own.get(key) !== undefined : base.has(key)),
    set(key, value) {
      own.set(key, { value });
      return this;
    },
    delete(key) {
      const existed = own.has(key) ? own.get(key) !== undefined : base.has(key);
      own.set(key, undefined);
      return existed;
    },
  };
}

/** A column's declared type: `varchar` + [20], `numeric` + [10, 2], `interval` + [range, precision]. */
export interface ColumnType {
  name: string;
  mods: number[];
  array: boolean;
}

export function initialState(postgresVersion: number): AnalysisState {
  return {
    postgresVersion,
    inTransaction: false,
    explicitTransaction: false,
    toolTransaction: false,
    oneQuery: false,
    heldLocks: new LockTable(),
    statementsInTransaction: 0,
    blockingLockWithoutTimeout: false,
    createdRelations: new Set(),
    notNullChecked: new Set(),
    notValidInTransaction: new Map(),
    dataChangedInTransaction: new Set(),
    pendingNotNullChecks: new Map(),
    altersInScript: new Map(),
    viewDependencies: new Map(),
    functionBodies: new Map(),
    indexesInChange: new Map(),
    columnsAddedInChange: new Set(),
    constraintsAddedInChange: new Set(),
    columnTypes: new Map(),
    domainsWithCheck: new Map(),
    namedConstraints: new Map(),
    definedFunctions: new Map(),
    indexTables: new Map(),
    renamedTypes: new Map(),
    indexColumns: new Map(),
    notNullColumns: new Map(),
  };
}

/**
 * Production's views, from the statistics file, become known dependencies like views of the
 * change: dropping a table or a column they read fails the same way. A view the file lists
 * without columns (it reads the table through another view) guards the table only.
 */
export function seedFromStatistics(state: AnalysisState, stats: StatsCatalog): AnalysisState {
  for (const table of stats.values()) {
    const name = stripPublic(table.name);
    for (const view of table.views) {
      const key = stripPublic(view.name);
      const reads = state.viewDependencies.get(key) ?? { relations: new Set<string>(), columns: new Set<string>() };
      reads.relations.add(name);
      for (const column of view.columns ?? []) reads.columns.add(`${name}.${column}`);
      state.viewDependencies.set(key, reads);
    }
  }
  return state;
}

/** Without a base each migration is its own change: forget what it created, keep column types. */
export function nextChange(state: AnalysisState): AnalysisState {
  // Views are schema knowledge too: a later change that drops a column they read breaks them.
  return { ...initialState(state.postgresVersion), columnTypes: state.columnTypes, domainsWithCheck: state.domainsWithCheck, namedConstraints: state.namedConstraints, definedFunctions: state.definedFunctions, indexTables: state.indexTables, renamedTypes: state.renamedTypes, indexColumns: state.indexColumns, notNullColumns: state.notNullColumns, viewDependencies: state.viewDependencies };
}

/**
 * Replays a merged migration that the change does not touch: no rules run, nothing counts as
 * created by the change, but the column types and views it declares become known.
 */
export function replaySchema(state: AnalysisState, statements: Statement[], transaction: ScriptTransaction | boolean): void {
  let scratch = startScript(nextChange(state), transaction);
  for (const statement of statements) scratch = advance(scratch, statement);
  // The scratch copy started from the known views: it is the new truth, drops included (a view
  // the merged history dropped must not make a later DROP COLUMN "fail").
  state.viewDependencies.clear();
  for (const [view, reads] of scratch.viewDependencies) state.viewDependencies.set(view, reads);
}

/** How the script's statements reach PostgreSQL (see transactionContext in ./transaction.ts). */
export interface ScriptTransaction {
  toolTransaction: boolean;
  oneQuery: boolean;
}

/**
 * A new script starts: the tool's own transaction (if any) begins; created objects persist.
 * `transaction` true/false is shorthand for a tool transaction, statements sent one by one.
 * An `isolated` script (a rollback, whose effects must not reach later migrations) sees the
 * schema knowledge through an overlay; others share it, so long histories stay linear.
 */
export function startScript(
  state: AnalysisState,
  transaction: ScriptTransaction | boolean,
  { isolated = false }: { isolated?: boolean } = {},
): AnalysisState {
  const { toolTransaction, oneQuery } = typeof transaction === "boolean" ? { toolTransaction: transaction, oneQuery: false } : transaction;
  return {
    ...state,
    // `advance` mutates in place: copy what the change shares so sibling scripts stay apart.
    ...changeCollections(state, isolated),
    inTransaction: toolTransaction || oneQuery,
    explicitTransaction: false,
    toolTransaction,
    oneQuery,
    heldLocks: new LockTable(),
    statementsInTransaction: 0,
    lockTimeoutMs: undefined,
    sessionLockTimeoutMs: undefined,
    statementTimeoutMs: undefined,
    blockingLockWithoutTimeout: false,
    notValidInTransaction: new Map(),
    dataChangedInTransaction: new Set(),
    altersInScript: new Map(),
  };
}

/**
 * Copies of what the change shares, which `advance` mutates in place, so sibling scripts (and a
 * forked look-ahead) stay apart. Schema knowledge is shared unless `isolated`: then an overlay.
 * One place, so a collection added to the state is copied wherever the state is.
 */
function changeCollections(state: AnalysisState, isolated: boolean): Partial<AnalysisState> {
  const knowledge = <K, V>(store: KeyValueStore<K, V>) => (isolated ? overlay(store) : store);
  return {
    createdRelations: new Set(state.createdRelations),
    notNullChecked: new Set(state.notNullChecked),
    pendingNotNullChecks: new Map(state.pendingNotNullChecks),
    viewDependencies: new Map(state.viewDependencies),
    functionBodies: new Map(state.functionBodies),
    indexesInChange: new Map([...state.indexesInChange].map(([table, list]) => [table, [...list]])),
    columnsAddedInChange: new Set(state.columnsAddedInChange),
    constraintsAddedInChange: new Set(state.constraintsAddedInChange),
    columnTypes: knowledge(state.columnTypes),
    domainsWithCheck: knowledge(state.domainsWithCheck),
    namedConstraints: knowledge(state.namedConstraints),
    definedFunctions: knowledge(state.definedFunctions),
    indexTables: knowledge(state.indexTables),
    renamedTypes: knowledge(state.renamedTypes),
    indexColumns: knowledge(state.indexColumns),
    notNullColumns: knowledge(state.notNullColumns),
  };
}

/**
 * An independent copy of the state that `advance` can move without touching the original (the
 * replayed merged history, cached across deliveries, is forked for each change).
 */
export function forkState(state: AnalysisState): AnalysisState {
  return {
    ...state,
    ...changeCollections(state, true),
    heldLocks: copyLocks(state.heldLocks),
    notValidInTransaction: new Map(state.notValidInTransaction),
    dataChangedInTransaction: new Set(state.dataChangedInTransaction),
    altersInScript: new Map(state.altersInScript),
  };
}

export function isCreatedInChange(state: AnalysisState, relation: string): boolean {
  return state.createdRelations.has(stripPublic(relation));
}

/** A positive lock_timeout is in effect (0 means "wait forever"). */
export function hasLockTimeout(state: AnalysisState): boolean {
  return state.lockTimeoutMs !== undefined && state.lockTimeoutMs > 0;
}

/**
 * The locks a transaction holds, per relation. Counts its changes, so that lists derived from it
 * are computed once per change instead of once per statement (a long transaction holds hundreds
 * of tables, and rules ask on every statement).
 */
export class LockTable extends Map<string, LockMode> {
  version = 0;
  /** Lists derived from the table, by name, with the state they were computed in. */
  readonly derived = new Map<string, { key: string; list: string[] }>();
  override set(relation: string, mode: LockMode): this {
    if (this.get(relation) !== mode) this.version++;
    return super.set(relation, mode);
  }
}

/** Existing (not created in the change) relations held in a mode that passes `test`, memoized. */
function heldExisting(state: AnalysisState, name: string, test: (mode: LockMode) => boolean): string[] {
  const compute = () => [...state.heldLocks].filter(([relation, mode]) => test(mode) && !isCreatedInChange(state, relation)).map(([relation]) => relation);
  const table = state.heldLocks;
  // Tests snapshot the state into plain Maps: nothing to memoize on.
  if (!(table instanceof LockTable)) return compute();
  const key = `${table.version}:${table.size}:${state.createdRelations.size}`;
  const cached = table.derived.get(name);
  if (cached?.key === key) return cached.list;
  const list = compute();
  table.derived.set(name, { key, list });
  return list;
}

/** Existing (not created in the change) relations the current transaction holds ACCESS EXCLUSIVE on. */
export function accessExclusiveHeld(state: AnalysisState): string[] {
  return heldExisting(state, "access exclusive", (mode) => mode === "ACCESS EXCLUSIVE");
}

/** Existing relations the current transaction holds in a mode that blocks writes (SHARE or stronger). */
export function trafficBlockingHeld(state: AnalysisState): string[] {
  return heldExisting(state, "blocks traffic", blocksTraffic);
}

/**
 * The part of `advance` a look-ahead over the rest of a transaction needs: the transaction, its
 * locks and settings, and which relations and indexes the change created. On a copy from
 * `forkLocks`; skipping the schema bookkeeping makes the look-ahead a fraction of a full advance.
 */
export function advanceLocks(state: AnalysisState, statement: Statement): AnalysisState {
  if (statement.dialect !== "postgres" || !moveTransactionAndLocks(state, statement)) return state;
  recordCreatedObjects(state, statement.kind, statement.ast);
  recordIndexTables(state, statement.kind, statement.ast);
  return state;
}

/** A copy of the state that `advanceLocks` can move without touching the original. */
export function forkLocks(state: AnalysisState): AnalysisState {
  return { ...state, heldLocks: copyLocks(state.heldLocks), createdRelations: new Set(state.createdRelations), indexTables: overlay(state.indexTables), indexColumns: overlay(state.indexColumns) };
}

function copyLocks(held: Map<string, LockMode>): LockTable {
  const copy = new LockTable();
  for (const [relation, mode] of held) copy.set(relation, mode);
  return copy;
}

/** Moves the transaction, settings and held locks past `statement`; false for transaction control, which moves nothing else. */
function moveTransactionAndLocks(state: AnalysisState, statement: Statement): boolean {
  // Facts about the state *before* this statement (it is updated in place below).
  const hadLockTimeout = hasLockTimeout(state);
  const before = { lockTimeoutMs: state.lockTimeoutMs, sessionLockTimeoutMs: state.sessionLockTimeoutMs, inTransaction: state.inTransaction };
  const { kind, ast } = statement;
  if (kind === "TransactionStmt") {
    advanceTransaction(state, before, ast.kind as string);
    return false;
  }
  if (kind === "VariableSetStmt") recordSetting(state, ast);
  const locks = statementLocks(statement, indexTableOf(state));
  if (state.inTransaction) {
    state.statementsInTransaction++;
    for (const lock of locks) {
      state.heldLocks.set(lock.relation, strongest(state.heldLocks.get(lock.relation), lock.mode));
    }
    // A renamed table keeps the locks the transaction holds on it: later statements name it anew.
    if (kind === "RenameStmt" && ast.renameType === "OBJECT_TABLE" && ast.newname && ast.relation) {
      const old = relationName(ast.relation);
      const mode = state.heldLocks.get(old);
      if (mode) state.heldLocks.set(ast.relation.schemaname ? `${ast.relation.schemaname}.${ast.newname}` : ast.newname, mode);
    }
  }
  if (!hadLockTimeout && locks.some((l) => blocksTraffic(l.mode) && !isCreatedInChange(state, l.relation))) {
    state.blockingLockWithoutTimeout = true;
  }
  return true;
}

/**
 * Moves the state past `statement`, in place, and returns it. In place on purpose: copying
 * the collections per statement made a 20,000-statement file quadratic (9 s instead of 0.1 s).
 * Rules see the state before the statement because the engine advances after they ran;
 * `startScript` copies, so one script's changes never leak into a sibling's analysis.
 */
export function advance(state: AnalysisState, statement: Statement, _legacy?: unknown): AnalysisState {
  if (statement.dialect !== "postgres") return state;
  const next = state;
  if (!moveTransactionAndLocks(next, statement)) return next;
  const { kind, ast } = statement;
  recordAlters(next, statement);
  recordCreatedObjects(next, kind, ast);
  recordConstraintFacts(next, kind, ast);
  recordDependencies(next, kind, ast);
  recordIndexes(next, kind, ast);
  recordColumnTypes(next, kind, ast);
  recordDomains(next, kind, ast);
  recordConstraintNames(next, kind, ast);
  recordIndexTables(next, kind, ast);
  recordTypeRenames(next, kind, ast);
  recordNotNullColumns(next, kind, ast);
  if ((kind === "UpdateStmt" || kind === "DeleteStmt" || kind === "InsertStmt" || kind === "MergeStmt") && next.inTransaction) {
    const table = stripPublic(relationName(ast.relation));
    if (!isSystemCatalog(table)) state.dataChangedInTransaction.add(table);
  }
  return next;
}

function advanceTransaction(next: AnalysisState, state: Pick<AnalysisState, "inTransaction" | "sessionLockTimeoutMs">, k: string): void {
  if (k === "TRANS_STMT_BEGIN" || k === "TRANS_STMT_START") {
    next.inTransaction = true;
    next.explicitTransaction = true;
    // BEGIN inside the tool's transaction only warns; the tool's transaction continues. Inside
    // a multi-statement query's implicit block, BEGIN turns that block into a regular one.
    if (!state.inTransaction) {
      next.statementsInTransaction = 0;
      next.heldLocks = new LockTable();
      next.altersInScript = new Map();
    }
  } else if (k === "TRANS_STMT_COMMIT" || k === "TRANS_STMT_ROLLBACK") {
    // After an explicit COMMIT, a tool that wraps files keeps running statements outside one;
    // in a multi-statement query the statements after it form a new implicit block.
    next.inTransaction = next.oneQuery;
    next.explicitTransaction = false;
    next.toolTransaction = false;
    next.heldLocks = new LockTable();
    next.statementsInTransaction = 0;
    next.notValidInTransaction = new Map();
    next.dataChangedInTransaction = new Set();
    next.altersInScript = new Map();
    next.lockTimeoutMs = state.sessionLockTimeoutMs;
  }
}

function recordSetting(next: AnalysisState, ast: any): void {
  const name = String(ast.name ?? "");
  if (ast.kind === "VAR_RESET" || ast.kind === "VAR_SET_DEFAULT") {
    if (name === "lock_timeout") next.lockTimeoutMs = next.sessionLockTimeoutMs = undefined;
    if (name === "statement_timeout") next.statementTimeoutMs = undefined;
    return;
  }
  if (ast.kind === "VAR_RESET_ALL") {
    next.lockTimeoutMs = next.sessionLockTimeoutMs = next.statementTimeoutMs = undefined;
    return;
  }
  const setting = settingValue(ast);
  if (!setting) return;
  const ms = durationMs(setting.value);
  if (setting.name === "lock_timeout") {
    next.lockTimeoutMs = ms;
    // SET LOCAL outside a transaction has no effect after the statement (PostgreSQL warns).
    if (setting.local && !next.inTransaction) next.lockTimeoutMs = next.sessionLockTimeoutMs;
    if (!setting.local) next.sessionLockTimeoutMs = ms;
  }
  if (setting.name === "statement_timeout") next.statementTimeoutMs = ms;
}

function recordAlters(state: AnalysisState, statement: Statement): void {
  const { kind, ast } = statement;
  if (kind !== "AlterTableStmt" || (ast.objtype && ast.objtype !== "OBJECT_TABLE")) return;
  const table = stripPublic(relationName(ast.relation));
  const cmds = alterCommands(ast);
  if (cmds.some((c) => c.subtype === "AT_ValidateConstraint")) {
    if (state.altersInScript.has(table)) state.altersInScript.delete(table);
    return;
  }
  if (tablePassWork(statement, state.postgresVersion)) state.altersInScript.set(table, (state.altersInScript.get(table) ?? 0) + 1);
  for (const cmd of cmds) {
    if (cmd.subtype === "AT_AddColumn" && !isCreatedInChange(state, table) && cmd.def?.ColumnDef?.colname) {
      state.columnsAddedInChange.add(`${table}.${cmd.def.ColumnDef.colname}`);
    }
  }
}

function recordCreatedObjects(state: AnalysisState, kind: string, ast: any): void {
  const add = (name: string) => name && state.createdRelations.add(stripPublic(name));
  if (kind === "CreateStmt" || kind === "CreateTableAsStmt") add(relationName(ast.relation ?? ast.into?.rel));
  if (kind === "IndexStmt" && ast.idxname) add(ast.relation?.schemaname ? `${ast.relation.schemaname}.${ast.idxname}` : ast.idxname);
  if (kind === "ViewStmt") add(relationName(ast.view));
  if (kind === "CreateEnumStmt") add(names(ast.typeName).join("."));
  if (kind === "CompositeTypeStmt") add(relationName(ast.typevar));
  if (kind === "CreateDomainStmt") add(names(ast.domainname).join("."));
  if (kind === "CreateSeqStmt") add(relationName(ast.sequence));
  if (kind === "CreateSchemaStmt" && ast.schemaname) state.createdRelations.add(`schema:${ast.schemaname}`);
  // A relation created and then renamed in the same change is still new under its new name.
  if (kind === "RenameStmt" && ast.newname && ast.relation && isCreatedInChange(state, relationName(ast.relation))) {
    const renamesRelation = ["OBJECT_TABLE", "OBJECT_VIEW", "OBJECT_MATVIEW", "OBJECT_INDEX", "OBJECT_SEQUENCE"].includes(ast.renameType);
    if (renamesRelation) add(ast.relation.schemaname ? `${ast.relation.schemaname}.${ast.newname}` : ast.newname);
  }
}

function recordConstraintFacts(state: AnalysisState, kind: string, ast: any): void {
  if (kind !== "AlterTableStmt") return;
  const table = stripPublic(relationName(ast.relation));
  for (const cmd of alterCommands(ast)) {
    const constraint = cmd.def?.Constraint;
    if (cmd.subtype === "AT_AddConstraint" && constraint) {
      if (constraint.conname) state.constraintsAddedInChange.add(`${table}:${constraint.conname}`);
      const column = notNullCheckColumn(constraint);
      if (constraint.skip_validation) {
        if (constraint.conname) state.notValidInTransaction.set(constraint.conname, table);
        if (column && constraint.conname) state.pendingNotNullChecks.set(`${table}:${constraint.conname}`, column);
      } else if (column) {
        state.notNullChecked.add(`${table}.${column}`);
      }
    }
    if (cmd.subtype === "AT_ValidateConstraint") {
      const column = state.pendingNotNullChecks.get(`${table}:${cmd.name}`);
      if (column) state.notNullChecked.add(`${table}.${column}`);
    }
  }
}

/** Views and function bodies of the change, so a later DROP or rename can be checked against them. */
function recordDependencies(state: AnalysisState, kind: string, ast: any): void {
  if (kind === "DropStmt" && (ast.removeType === "OBJECT_VIEW" || ast.removeType === "OBJECT_MATVIEW")) {
    for (const o of ast.objects ?? []) state.viewDependencies.delete(stripPublic(names(o.List?.items).join(".")));
  }
  if (kind === "DropStmt" && (ast.removeType === "OBJECT_FUNCTION" || ast.removeType === "OBJECT_PROCEDURE")) {
    for (const o of ast.objects ?? []) {
      const name = stripPublic(names(o.ObjectWithArgs?.objname).join("."));
      state.functionBodies.delete(name);
      state.definedFunctions.delete(name);
    }
  }
  if (kind === "ViewStmt" || (kind === "CreateTableAsStmt" && ast.objtype === "OBJECT_MATVIEW")) {
    const view = stripPublic(relationName(ast.view ?? ast.into?.rel));
    state.viewDependencies.set(view, readsOf(ast.query));
  }
  if (kind === "CreateFunctionStmt") {
    const name = stripPublic(names(ast.funcname).join("."));
    state.functionBodies.set(name, functionBody(ast));
    state.definedFunctions.set(name, true);
  }
}

/** A CREATE FUNCTION's body as lower-case text (a BEGIN ATOMIC body as the names it reads). */
export function functionBody(ast: any): string {
  const body = (ast.options ?? [])
    .filter((o: any) => o.DefElem?.defname === "as")
    .flatMap((o: any) => names(o.DefElem.arg?.List?.items))
    .join("\n");
  const sqlBody = ast.sql_body ? JSON.stringify(readsOf(ast.sql_body), (_k, v) => (v instanceof Set ? [...v] : v)) : "";
  return `${body}\n${sqlBody}`.toLowerCase();
}

/**
 * Relations a query reads and the `relation.column` pairs it may read: a qualified reference
 * (`i.name`, `instances.name`) goes to the relations its qualifier (alias or table name) stands
 * for; an unqualified one, or one whose qualifier is a subquery or CTE, to every relation read
 * (approximate, in the direction of saying too much).
 */
export function readsOf(query: any): { relations: Set<string>; columns: Set<string> } {
  const relations = new Set<string>();
  const byQualifier = new Map<string, Set<string>>();
  const bare = new Set<string>();
  const qualified: [string, string][] = [];
  walk(query, (n) => {
    if (n?.RangeVar) {
      const relation = stripPublic(relationName(n.RangeVar));
      relations.add(relation);
      const qualifier = n.RangeVar.alias?.aliasname ?? n.RangeVar.relname;
      if (qualifier) byQualifier.set(qualifier, new Set([...(byQualifier.get(qualifier) ?? []), relation]));
    }
    if (n?.ColumnRef) {
      const fields = names(n.ColumnRef.fields);
      const column = fields[fields.length - 1];
      if (!column) return;
      if (fields.length >= 2 && !n.ColumnRef.fields.at(-1)?.A_Star) qualified.push([fields[fields.length - 2]!, column]);
      else bare.add(column);
    }
  });
  const columns = new Set<string>();
  for (const [qualifier, column] of qualified) for (const r of byQualifier.get(qualifier) ?? relations) columns.add(`${r}.${column}`);
  for (const r of relations) for (const c of bare) columns.add(`${r}.${c}`);
  return { relations, columns };
}

function recordIndexes(state: AnalysisState, kind: string, ast: any): void {
  const add = (table: string, columns: string[]) => {
    if (!columns.length) return;
    const key = stripPublic(table);
    const list = state.indexesInChange.get(key);
    if (list) list.push(columns);
    else state.indexesInChange.set(key, [columns]);
  };
  if (kind === "IndexStmt") {
    add(relationName(ast.relation), (ast.indexParams ?? []).map((p: any) => p.IndexElem?.name ?? "").filter(Boolean));
  }
  const keyConstraint = (table: string, c: any, column?: string) => {
    if (c?.contype !== "CONSTR_PRIMARY" && c?.contype !== "CONSTR_UNIQUE") return;
    add(table, column ? [column] : names(c.keys));
  };
  if (kind === "CreateStmt") {
    const table = relationName(ast.relation);
    for (const elt of ast.tableElts ?? []) {
      if (elt.Constraint) keyConstraint(table, elt.Constraint);
      for (const c of columnConstraints(elt.ColumnDef)) keyConstraint(table, c, elt.ColumnDef.colname);
    }
  }
  if (kind === "AlterTableStmt") {
    const table = relationName(ast.relation);
    for (const cmd of alterCommands(ast)) {
      if (cmd.subtype === "AT_AddConstraint") keyConstraint(table, cmd.def?.Constraint);
      if (cmd.subtype === "AT_AddColumn") {
        for (const c of columnConstraints(cmd.def?.ColumnDef)) keyConstraint(table, c, cmd.def.ColumnDef.colname);
      }
    }
  }
}

/** The declared type of a column definition's TypeName node. */
export function columnType(typeNameNode: any): ColumnType {
  const parts = names(typeNameNode?.names);
  const mods = (typeNameNode?.typmods ?? []).map((m: any) => {
    const ival = m?.A_Const?.ival;
    if (typeof ival?.ival === "number") return ival.ival;
    return ival && typeof ival === "object" && Object.keys(ival).length === 0 ? 0 : Number.NaN;
  });
  return { name: parts[parts.length - 1] ?? "", mods, array: Boolean(typeNameNode?.arrayBounds) };
}

function recordColumnTypes(state: AnalysisState, kind: string, ast: any): void {
  if (kind === "CreateStmt") {
    const table = stripPublic(relationName(ast.relation));
    for (const elt of ast.tableElts ?? []) {
      if (elt.ColumnDef?.typeName) state.columnTypes.set(`${table}.${elt.ColumnDef.colname}`, columnType(elt.ColumnDef.typeName));
    }
  }
  if (kind === "AlterTableStmt") {
    const table = stripPublic(relationName(ast.relation));
    for (const cmd of alterCommands(ast)) {
      const def = cmd.def?.ColumnDef;
      if (cmd.subtype === "AT_AddColumn" && def?.typeName) state.columnTypes.set(`${table}.${def.colname}`, columnType(def.typeName));
      if (cmd.subtype === "AT_AlterColumnType" && def?.typeName) state.columnTypes.set(`${table}.${cmd.name}`, columnType(def.typeName));
      if (cmd.subtype === "AT_DropColumn" && state.columnTypes.has(`${table}.${cmd.name}`)) state.columnTypes.delete(`${table}.${cmd.name}`);
    }
  }
  if (kind === "RenameStmt" && ast.renameType === "OBJECT_COLUMN") {
    const table = stripPublic(relationName(ast.relation));
    const type = state.columnTypes.get(`${table}.${ast.subname}`);
    if (type) {
      state.columnTypes.delete(`${table}.${ast.subname}`);
      state.columnTypes.set(`${table}.${ast.newname}`, type);
    }
  }
}

function recordConstraintNames(state: AnalysisState, kind: string, ast: any): void {
  const table = stripPublic(relationName(ast.relation));
  const add = (c: any) => c?.conname && state.namedConstraints.set(`${table}:${c.conname}`, true);
  if (kind === "CreateStmt") {
    for (const elt of ast.tableElts ?? []) {
      if (elt.Constraint) add(elt.Constraint);
      for (const c of columnConstraints(elt.ColumnDef)) add(c);
    }
  }
  if (kind === "AlterTableStmt") {
    for (const cmd of alterCommands(ast)) {
      if (cmd.subtype === "AT_AddConstraint") add(cmd.def?.Constraint);
      if (cmd.subtype === "AT_AddColumn") for (const c of columnConstraints(cmd.def?.ColumnDef)) add(c);
      if (cmd.subtype === "AT_DropConstraint" && cmd.name) state.namedConstraints.delete(`${table}:${cmd.name}`);
    }
  }
  if (kind === "RenameStmt" && ast.renameType === "OBJECT_TABCONSTRAINT" && state.namedConstraints.has(`${table}:${ast.subname}`)) {
    state.namedConstraints.delete(`${table}:${ast.subname}`);
    state.namedConstraints.set(`${table}:${ast.newname}`, true);
  }
}

/** The table of an index known to the state (a dropped index keeps its entry: the name still tells its table). */
export function indexTableOf(state: AnalysisState): IndexTable {
  return (index) => state.indexTables.get(stripPublic(index));
}

function recordTypeRenames(state: AnalysisState, kind: string, ast: any): void {
  if (kind !== "RenameStmt" || ast.renameType !== "OBJECT_TYPE" || !ast.newname) return;
  const old = names(ast.object?.List?.items);
  if (old.length) state.renamedTypes.set(old[old.length - 1]!, ast.newname);
}

function recordIndexTables(state: AnalysisState, kind: string, ast: any): void {
  if (kind === "IndexStmt" && ast.idxname) {
    const schema = ast.relation?.schemaname;
    const index = stripPublic(schema ? `${schema}.${ast.idxname}` : ast.idxname);
    state.indexTables.set(index, stripPublic(relationName(ast.relation)));
    const columns = (ast.indexParams ?? []).map((p: any) => p.IndexElem?.name as string | undefined);
    if (columns.length && columns.every(Boolean)) state.indexColumns.set(index, columns as string[]);
    else if (state.indexColumns.has(index)) state.indexColumns.delete(index);
  }
  if (kind === "RenameStmt" && ast.renameType === "OBJECT_INDEX") {
    const old = stripPublic(relationName(ast.relation));
    const schema = ast.relation?.schemaname;
    const renamed = stripPublic(schema ? `${schema}.${ast.newname}` : ast.newname);
    for (const store of [state.indexTables, state.indexColumns] as KeyValueStore<string, unknown>[]) {
      const value = store.get(old);
      if (value === undefined) continue;
      store.delete(old);
      store.set(renamed, value);
    }
  }
}

/** Which columns are NOT NULL, so ADD PRIMARY KEY USING INDEX knows whether it must scan for NULLs. */
function recordNotNullColumns(state: AnalysisState, kind: string, ast: any): void {
  const table = stripPublic(relationName(ast.relation));
  const declaresNotNull = (def: any) => Boolean(def?.is_not_null) || columnConstraints(def).some((c) => c.contype === "CONSTR_NOTNULL" || c.contype === "CONSTR_PRIMARY");
  const primaryKeys = (c: any) => (c?.contype === "CONSTR_PRIMARY" ? names(c.keys) : []);
  if (kind === "CreateStmt") {
    for (const elt of ast.tableElts ?? []) {
      if (elt.ColumnDef && declaresNotNull(elt.ColumnDef)) state.notNullColumns.set(`${table}.${elt.ColumnDef.colname}`, true);
      for (const column of primaryKeys(elt.Constraint)) state.notNullColumns.set(`${table}.${column}`, true);
    }
  }
  if (kind === "AlterTableStmt") {
    for (const cmd of alterCommands(ast)) {
      const key = `${table}.${cmd.name}`;
      if (cmd.subtype === "AT_AddColumn" && declaresNotNull(cmd.def?.ColumnDef)) state.notNullColumns.set(`${table}.${cmd.def.ColumnDef.colname}`, true);
      if (cmd.subtype === "AT_SetNotNull") state.notNullColumns.set(key, true);
      if ((cmd.subtype === "AT_DropNotNull" || cmd.subtype === "AT_DropColumn") && state.notNullColumns.has(key)) state.notNullColumns.delete(key);
      if (cmd.subtype === "AT_AddConstraint") for (const column of primaryKeys(cmd.def?.Constraint)) state.notNullColumns.set(`${table}.${column}`, true);
    }
  }
  if (kind === "RenameStmt" && ast.renameType === "OBJECT_COLUMN" && state.notNullColumns.has(`${table}.${ast.subname}`)) {
    state.notNullColumns.delete(`${table}.${ast.subname}`);
    state.notNullColumns.set(`${table}.${ast.newname}`, true);
  }
}

function recordDomains(state: AnalysisState, kind: string, ast: any): void {
  const name = (list: any) => stripPublic(names(list).join("."));
  if (kind === "CreateDomainStmt" && (ast.constraints ?? []).some((c: any) => c.Constraint?.contype === "CONSTR_CHECK")) state.domainsWithCheck.set(name(ast.domainname), true);
  if (kind === "AlterDomainStmt" && ast.subtype === "C" && ast.def?.Constraint?.contype === "CONSTR_CHECK") state.domainsWithCheck.set(name(ast.typeName), true);
  if (kind === "DropStmt" && ast.removeType === "OBJECT_DOMAIN") {
    for (const o of ast.objects ?? []) state.domainsWithCheck.delete(name(o.TypeName?.names ?? o.List?.items));
  }
}

/** For `CHECK (col IS NOT NULL)`, the column; otherwise undefined. */
export function notNullCheckColumn(constraint: any): string | undefined {
  if (constraint?.contype !== "CONSTR_CHECK") return undefined;
  let column: string | undefined;
  walk(constraint.raw_expr, (n) => {
    if (n?.NullTest?.nulltesttype === "IS_NOT_NULL") {
      const fields = names(n.NullTest.arg?.ColumnRef?.fields);
      column = fields[fields.length - 1];
    }
  });
  return column;
}
