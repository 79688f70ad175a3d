// Helpers shared by the MySQL/MariaDB rules: the server and version from config, what earlier
// statements of the script created or set, and the InnoDB online-DDL planner: for each
// ALTER TABLE operation, the cheapest algorithm (INSTANT / INPLACE / COPY), the weakest lock
// (NONE / SHARED / EXCLUSIVE) and whether the table is rebuilt, per server and version.
//
// Sources: the MySQL 8.0 reference manual, "Online DDL Operations" (15.12.1), and MariaDB's
// "InnoDB Online DDL Operations with the INSTANT/NOCOPY/INPLACE Alter Algorithm" pages. Every
// MariaDB row a rule declares is checked against MariaDB 10.11 in test/mysql-innodb.test.ts;
// MySQL rows come from the manual (no MySQL server is available to the tests).
/* eslint-disable @typescript-eslint/no-explicit-any */
import type { Config } from "../config/schema.js";
import type { Fix } from "../model.js";
import type { ParsedScript, Statement } from "../parse/index.js";
import type { AlterOp, AlterTable, ColumnDefinition, QualifiedName } from "../parse/mysql.js";
import type { InnodbDdlDoc, RuleContext } from "./rule.js";
import type { AnalysisState } from "./state.js";

export type Algorithm = InnodbDdlDoc["algorithm"];
export type InnodbLock = InnodbDdlDoc["lock"];

export interface ServerVersion {
  flavor: "mysql" | "mariadb";
  major: number;
  minor: number;
  /** Unknown patch levels count as the newest of the series (see `serverOf`). */
  patch: number;
  label: string;
}

const LATEST_PATCH = 999;

/**
 * The production server from `dialect` and `mysql_version`. A version without a patch level
 * ("8.0") means the newest patch of that series: recommending the newest series' best
 * algorithm is safe, because a server that cannot honour an explicit ALGORITHM refuses the
 * statement instead of copying. MariaDB has no 6.x–9.x; such a `mysql_version` (the
 * config's MySQL-flavoured default is "8.0") is read as MariaDB 10.11.
 */
const serverCache = new WeakMap<object, ServerVersion>();

export function serverOf(config: Pick<Config, "dialect" | "mysql_version">): ServerVersion {
  const cached = serverCache.get(config);
  if (cached?.flavor === (config.dialect === "mariadb" ? "mariadb" : "mysql")) return cached;
  const server = readServer(config);
  serverCache.set(config, server);
  return server;
}

function readServer(config: Pick<Config, "dialect" | "mysql_version">): ServerVersion {
  const flavor = config.dialect === "mariadb" ? "mariadb" : "mysql";
  let [major = 8, minor = 0, patch = LATEST_PATCH] = config.mysql_version.split(".").map(Number);
  if (flavor === "mariadb" && major >= 6 && major <= 9) [major, minor, patch] = [10, 11, LATEST_PATCH];
  const label = `${flavor === "mariadb" ? "MariaDB" : "MySQL"} ${major}.${minor}${patch === LATEST_PATCH ? "" : `.${patch}`}`;
  return { flavor, major, minor, patch, label };
}

/** `atLeast(server, 8, 0, 29)`: is the server that version or newer? */
export function atLeast(server: ServerVersion, major: number, minor = 0, patch = 0): boolean {
  if (server.major !== major) return server.major > major;
  if (server.minor !== minor) return server.minor > minor;
  return server.patch >= patch;
}

// ---------------------------------------------------------------------------------------
// Statements

/** The ALTER TABLE model of a statement (see src/core/parse/mysql.ts), or undefined. */
export function alterOf(statement: Statement): AlterTable | undefined {
  return statement.kind === "alter" ? (statement.ast?.alter as AlterTable | undefined) : undefined;
}

/** Table names compare case-insensitively and without the schema (migrations run in one schema). */
export function tableKey(name: QualifiedName | string): string {
  return (typeof name === "string" ? name : name.name).toLowerCase();
}

export function displayName(name: QualifiedName): string {
  return name.schema ? `${name.schema}.${name.name}` : name.name;
}

/** Tables node-sql-parser put in a `table`/`name` list: [{ db, table }]. */
function astTables(list: any): string[] {
  return (Array.isArray(list) ? list : list ? [list] : []).map((t: any) => String(t?.table ?? "")).filter(Boolean);
}

/**
 * What the statements of one script establish, indexed once per script (rules ask for every
 * statement, so scanning the earlier statements each time made a 4,000-statement file take
 * 90 s): the statement index where each table was created, where foreign_key_checks changed,
 * and each column definition an ALTER gave, in order.
 */
interface ScriptFacts {
  createdAt: Map<string, number>;
  /** foreign_key_checks off *before* statement i runs. */
  fkChecksOff: boolean[];
  /** `table.column` (by the name after the statement) → definitions with the statement index. */
  columns: Map<string, { index: number; def: ColumnDefinition }[]>;
}

const scriptFactsCache = new WeakMap<ParsedScript, ScriptFacts>();

function scriptFacts(script: ParsedScript): ScriptFacts {
  let facts = scriptFactsCache.get(script);
  if (facts) return facts;
  facts = { createdAt: new Map(), fkChecksOff: [], columns: new Map() };
  const created = { createdRelations: new Set<string>() };
  let off = false;
  for (const s of script.statements) {
    facts.fkChecksOff[s.index] = off;
    off = foreignKeyChecksAfter(s, off);
    recordMysqlRelations(created, s);
    for (const t of created.createdRelations) if (!facts.createdAt.has(t)) facts.createdAt.set(t, s.index);
    const alter = alterOf(s);
    for (const op of alter?.ops ?? []) {
      const name = op.kind === "add-column" ? op.column : op.kind === "modify-column" ? op.newName : undefined;
      if (!name || (op.kind !== "add-column" && op.kind !== "modify-column")) continue;
      const key = `${tableKey(alter!.table)}.${name.toLowerCase()}`;
      const list = facts.columns.get(key) ?? [];
      list.push({ index: s.index, def: op.definition });
      facts.columns.set(key, list);
    }
  }
  scriptFactsCache.set(script, facts);
  return facts;
}

/**
 * Called by the engine after each MySQL/MariaDB statement: tables the statement creates (or
 * renames a created table to) join `state.createdRelations`, and added columns join
 * `state.columnsAddedInChange` (`table.column`), lower-cased, so later scripts of the change —
 * the down of the same migration, later migrations with `--base` — see them as new.
 */
export function recordMysqlRelations(state: Pick<AnalysisState, "createdRelations"> & Partial<Pick<AnalysisState, "columnsAddedInChange">>, statement: Statement): void {
  const created = state.createdRelations;
  const alterForColumns = alterOf(statement);
  if (alterForColumns && state.columnsAddedInChange) {
    for (const op of alterForColumns.ops) if (op.kind === "add-column") state.columnsAddedInChange.add(`${tableKey(alterForColumns.table)}.${op.column.toLowerCase()}`);
  }
  if (statement.kind === "create" && statement.ast?.keyword === "table") for (const t of astTables(statement.ast.table)) created.add(t.toLowerCase());
  if (statement.kind === "rename") {
    for (const [from, to] of statement.ast?.table ?? []) if (created.has(String(from?.table).toLowerCase())) created.add(String(to?.table).toLowerCase());
  }
  const alter = alterOf(statement);
  if (alter && created.has(tableKey(alter.table))) {
    for (const op of alter.ops) if (op.kind === "rename-table") created.add(tableKey(op.to));
  }
}

/** Was `table.column` added by an earlier script of the change (e.g. the up this down reverses)? */
export function isColumnAddedInChange(table: QualifiedName, column: string, context: Pick<RuleContext, "state">): boolean {
  return context.state?.columnsAddedInChange?.has(`${tableKey(table)}.${column.toLowerCase()}`) ?? false;
}

/** Was the table created earlier in this script, or by an earlier script of the change? */
export function isNewTable(table: QualifiedName | string, statement: Statement, context: Pick<RuleContext, "script" | "state">): boolean {
  const key = tableKey(table);
  if (context.state?.createdRelations?.has(key)) return true;
  return (scriptFacts(context.script).createdAt.get(key) ?? Infinity) < statement.index;
}

/**
 * Whether `foreign_key_checks` is off when `statement` runs: the last `SET [SESSION]
 * foreign_key_checks = 0|OFF` before it in the script (a new session starts with it on).
 */
export function foreignKeyChecksOff(statement: Statement, script: ParsedScript): boolean {
  return scriptFacts(script).fkChecksOff[statement.index] ?? false;
}

/** The foreign_key_checks setting after `s`, given the one before it. */
function foreignKeyChecksAfter(s: Statement, off: boolean): boolean {
  if (s.kind !== "set") return off;
  for (const e of s.ast?.expr ?? []) {
    const name = [e?.left?.name, ...(e?.left?.members ?? [])].map((n) => String(n).toLowerCase());
    if (!name.includes("foreign_key_checks")) continue;
    // 0, OFF (parsed as a column name), 'OFF', FALSE.
    const v = String(e?.right?.value ?? e?.right?.column ?? "").toLowerCase();
    off = v === "0" || v === "off" || v === "false";
  }
  return off;
}

/**
 * The definition a column had before `statement`, when an earlier ALTER of the script (ADD,
 * MODIFY, CHANGE) gave it. Undefined when the script does not say: the rules then say so.
 */
export function knownColumnBefore(table: QualifiedName, column: string, statement: Statement, script: ParsedScript): ColumnDefinition | undefined {
  const list = scriptFacts(script).columns.get(`${tableKey(table)}.${column.toLowerCase()}`) ?? [];
  let known: ColumnDefinition | undefined;
  for (const entry of list) if (entry.index < statement.index) known = entry.def;
  return known;
}

// ---------------------------------------------------------------------------------------
// Column changes

export type ColumnChange =
  | "type"
  | "varchar-extend"
  | "varchar-extend-across-length-byte"
  | "enum-append"
  | "enum-reorder"
  | "nullability"
  | "charset"
  | "utf8mb3-to-utf8mb4"
  | "rename"
  | "position"
  | "unknown";

const MAX_BYTES_PER_CHAR: Record<string, number> = { latin1: 1, ascii: 1, binary: 1, ucs2: 2, utf8: 3, utf8mb3: 3, utf8mb4: 4, utf16: 4, utf32: 4 };

/** The storage bytes a VARCHAR/VARBINARY of `length` may need; unknown charsets count as utf8mb4. */
function maxBytes(def: ColumnDefinition, length: number): number {
  if (def.type === "VARBINARY") return length;
  return length * (MAX_BYTES_PER_CHAR[def.charset ?? ""] ?? 4);
}

/** ENUM needs 1 byte up to 255 members; SET 1, 2, 3, 4 or 8 bytes by member count. */
function storageBytes(def: ColumnDefinition): number {
  const n = def.args.length;
  if (def.type === "ENUM") return n <= 255 ? 1 : 2;
  const bytes = Math.ceil(n / 8);
  return bytes > 4 ? 8 : bytes;
}

/** What MODIFY/CHANGE changes, compared with the column's known definition. */
export function columnChanges(op: Extract<AlterOp, { kind: "modify-column" }>, before: ColumnDefinition | undefined): Set<ColumnChange> {
  const changes = new Set<ColumnChange>();
  const next = op.definition;
  if (op.newName.toLowerCase() !== op.column.toLowerCase()) changes.add("rename");
  if (next.position) changes.add("position");
  if (!before) {
    changes.add("unknown");
    return changes;
  }
  const sameArgs = before.args.join(",") === next.args.join(",");
  if (before.type !== next.type || before.unsigned !== next.unsigned) changes.add("type");
  else if ((next.type === "ENUM" || next.type === "SET") && !sameArgs) {
    const appended = next.args.length > before.args.length && before.args.every((v, i) => next.args[i] === v);
    changes.add(appended && storageBytes(before) === storageBytes(next) ? "enum-append" : "enum-reorder");
  } else if ((next.type === "VARCHAR" || next.type === "VARBINARY") && !sameArgs) {
    const [from, to] = [Number(before.args[0]), Number(next.args[0])];
    if (!(to > from)) changes.add("type");
    else changes.add((maxBytes(before, from) > 255) === (maxBytes(next, to) > 255) ? "varchar-extend" : "varchar-extend-across-length-byte");
  } else if (!sameArgs) changes.add("type");
  if ((before.nullable ?? true) !== (next.nullable ?? true)) changes.add("nullability");
  if ((next.charset ?? before.charset) !== before.charset || (next.collation ?? before.collation) !== before.collation) {
    changes.add(before.charset?.startsWith("utf8") && before.charset !== "utf8mb4" && next.charset === "utf8mb4" ? "utf8mb3-to-utf8mb4" : "charset");
  }
  return changes;
}

// ---------------------------------------------------------------------------------------
// The planner

export interface OpPlan {
  algorithm: Algorithm;
  lock: InnodbLock;
  rebuild: boolean;
  /** False when the plan depends on facts the migration does not state (old column type…). */
  certain: boolean;
  /** Why, in a few words, for messages. */
  reason: string;
}

export interface PlanContext {
  server: ServerVersion;
  foreignKeyChecksOff: boolean;
  /** The column's definition before a MODIFY/CHANGE, when known. */
  columnBefore?: (column: string) => ColumnDefinition | undefined;
  /** Other ops of the same statement (DROP PRIMARY KEY + ADD PRIMARY KEY go together). */
  siblings: AlterOp[];
}

const ALGORITHM_ORDER: Algorithm[] = ["INSTANT", "INPLACE", "COPY"];
const LOCK_ORDER: InnodbLock[] = ["NONE", "SHARED", "EXCLUSIVE"];

const plan = (algorithm: Algorithm, lock: InnodbLock, rebuild: boolean, reason: string, certain = true): OpPlan => ({ algorithm, lock, rebuild, certain, reason });
const copy = (reason: string, certain = true) => plan("COPY", "SHARED", true, reason, certain);
const instant = (reason: string) => plan("INSTANT", "NONE", false, reason);

export function planOp(op: AlterOp, ctx: PlanContext): OpPlan {
  const { server } = ctx;
  const maria = server.flavor === "mariadb";
  switch (op.kind) {
    case "add-column":
      return planAddColumn(op.definition, server);
    case "drop-column":
      return (maria ? atLeast(server, 10, 4) : atLeast(server, 8, 0, 29))
        ? instant("dropping a column is instant (unless an index covers it)")
        : plan("INPLACE", "NONE", true, "dropping a column rebuilds the table");
    case "rename-column":
      return planRename(server);
    case "modify-column":
      return planModify(op, ctx);
    case "alter-column-default":
    case "alter-column-visibility":
    case "alter-index-visibility":
    case "rename-table":
      return instant("metadata only");
    case "add-index":
      return planAddIndex(op.index, ctx);
    case "drop-index":
    case "drop-foreign-key":
    case "drop-constraint":
    case "alter-check":
      return plan("INPLACE", "NONE", false, "metadata only");
    case "rename-index":
      return maria ? instant("metadata only") : plan("INPLACE", "NONE", false, "metadata only");
    case "drop-primary-key":
      return ctx.siblings.some((o) => o.kind === "add-index" && o.index === "primary")
        ? plan("INPLACE", "NONE", true, "replacing the primary key rebuilds the table")
        : copy("dropping the primary key without adding one copies the table");
    case "add-foreign-key":
      return ctx.foreignKeyChecksOff
        ? plan("INPLACE", "NONE", false, "adding a foreign key with foreign_key_checks=0 is in place")
        : copy("adding a foreign key with foreign_key_checks on copies the table");
    case "add-check":
      return copy("adding a CHECK constraint copies the table to validate every row", maria);
    case "convert-charset":
      return copy("converting the character set rewrites every character column", !maria);
    case "table-charset":
      return maria ? instant("the table default character set is metadata only") : plan("INPLACE", "SHARED", true, "changing the table default character set", false);
    case "table-option":
      return planTableOption(op.name, op.value);
    case "force":
      return plan("INPLACE", "NONE", true, "FORCE rebuilds the table");
    case "order-by":
      return copy("ORDER BY copies the table");
    case "partition":
      return op.action === "partition-by" || op.action === "remove-partitioning" || op.action === "coalesce-partition" || op.action === "reorganize-partition"
        ? copy("repartitioning copies the table")
        : plan("INPLACE", "NONE", false, `${op.action} works on the named partitions`, false);
    default:
      return plan("COPY", "SHARED", true, `${op.kind} is not modelled`, false);
  }
}

function planAddColumn(def: ColumnDefinition, server: ServerVersion): OpPlan {
  const maria = server.flavor === "mariadb";
  if (def.generated === "stored") return copy("adding a STORED generated column copies the table");
  if (def.autoIncrement) return plan("INPLACE", "SHARED", true, "adding an AUTO_INCREMENT column rebuilds the table and blocks writes");
  if (def.inlineKey === "primary") return plan("INPLACE", "NONE", true, "adding a primary key column rebuilds the table");
  if (def.inlineKey) return plan("INPLACE", "NONE", false, "adding an indexed column builds the index");
  if (def.generated === "virtual") return instant("adding a VIRTUAL column is metadata only");
  const anywhere = maria ? atLeast(server, 10, 4) : atLeast(server, 8, 0, 29);
  const atEnd = maria ? atLeast(server, 10, 3) : atLeast(server, 8, 0, 12);
  if (anywhere || (atEnd && !def.position)) return instant("adding a column is instant");
  return plan("INPLACE", "NONE", true, def.position && atEnd ? "adding a column other than last rebuilds the table on this version" : "adding a column rebuilds the table on this version");
}

function planRename(server: ServerVersion): OpPlan {
  if (server.flavor === "mariadb" ? atLeast(server, 10, 3) : atLeast(server, 8, 0, 28)) return instant("renaming a column is metadata only");
  return plan("INPLACE", "NONE", false, "renaming a column is metadata only");
}

function planModify(op: Extract<AlterOp, { kind: "modify-column" }>, ctx: PlanContext): OpPlan {
  const { server } = ctx;
  const maria = server.flavor === "mariadb";
  const changes = columnChanges(op, ctx.columnBefore?.(op.column));
  const plans: OpPlan[] = [];
  if (changes.has("unknown")) plans.push(copy("changing the column type copies the table; the column's current definition is not known from the analyzed migrations", false));
  if (changes.has("type") || changes.has("enum-reorder") || changes.has("charset")) plans.push(copy("changing the column type copies the table"));
  if (changes.has("utf8mb3-to-utf8mb4")) plans.push(maria ? instant("utf8mb3 to utf8mb4 on a column is instant") : copy("changing the column character set copies the table"));
  if (changes.has("varchar-extend")) plans.push(maria && atLeast(server, 10, 4) ? instant("extending a VARCHAR is instant") : plan("INPLACE", "NONE", false, "extending a VARCHAR within its length byte is in place"));
  if (changes.has("varchar-extend-across-length-byte"))
    plans.push(maria ? plan("INPLACE", "NONE", true, "extending a VARCHAR past 255 bytes rebuilds the table") : copy("extending a VARCHAR past 255 bytes copies the table"));
  if (changes.has("enum-append")) plans.push(instant("appending ENUM/SET values is metadata only"));
  if (changes.has("nullability")) {
    const online = maria ? atLeast(server, 10, 0) : atLeast(server, 5, 6);
    plans.push(online ? plan("INPLACE", "NONE", true, "changing NULL/NOT NULL rebuilds the table") : copy("changing NULL/NOT NULL copies the table on this version"));
  }
  if (changes.has("position")) plans.push(maria && atLeast(server, 10, 4) ? instant("reordering columns is instant") : plan("INPLACE", "NONE", true, "reordering columns rebuilds the table"));
  if (changes.has("rename")) plans.push(planRename(server));
  return plans.length ? combine(plans) : instant("only attributes such as the default or comment change");
}

function planAddIndex(index: Extract<AlterOp, { kind: "add-index" }>["index"], ctx: PlanContext): OpPlan {
  switch (index) {
    case "primary":
      return plan("INPLACE", "NONE", true, "adding a primary key rebuilds the table");
    case "fulltext":
      return plan("INPLACE", "SHARED", true, "building a FULLTEXT index blocks writes; the first one rebuilds the table");
    case "spatial":
      return plan("INPLACE", "SHARED", false, "building a SPATIAL index blocks writes");
    default:
      void ctx;
      return plan("INPLACE", "NONE", false, "building a secondary index is in place");
  }
}

function planTableOption(name: string, value: string): OpPlan {
  if (name === "ENGINE" || name === "TYPE") {
    return value.toLowerCase() === "innodb" ? plan("INPLACE", "NONE", true, "ENGINE=InnoDB rebuilds the table") : copy("changing the storage engine copies the table");
  }
  if (["ROW_FORMAT", "KEY_BLOCK_SIZE", "PAGE_COMPRESSED", "PAGE_COMPRESSION_LEVEL", "ENCRYPTED", "ENCRYPTION", "COMPRESSION"].includes(name)) {
    return plan("INPLACE", "NONE", true, `${name} rebuilds the table`);
  }
  if (name === "AUTO_INCREMENT") return plan("INPLACE", "NONE", false, "AUTO_INCREMENT is metadata only");
  if (["COMMENT", "STATS_PERSISTENT", "STATS_AUTO_RECALC", "STATS_SAMPLE_PAGES"].includes(name)) return instant("metadata only");
  return plan("INPLACE", "SHARED", true, `${name} is not modelled`, false);
}

/** The statement runs every operation in one ALTER: the most expensive one decides. */
export function combine(plans: OpPlan[]): OpPlan {
  if (plans.length === 0) return instant("nothing to do");
  const worst = plans.reduce((a, b) => (ALGORITHM_ORDER.indexOf(b.algorithm) > ALGORITHM_ORDER.indexOf(a.algorithm) ? b : a));
  return {
    algorithm: worst.algorithm,
    lock: plans.reduce<InnodbLock>((l, p) => (LOCK_ORDER.indexOf(p.lock) > LOCK_ORDER.indexOf(l) ? p.lock : l), "NONE"),
    rebuild: plans.some((p) => p.rebuild),
    certain: plans.every((p) => p.certain),
    reason: worst.reason,
  };
}

export interface StatementPlan extends OpPlan {
  ops: { op: AlterOp; plan: OpPlan }[];
}

/** Plans every operation of an ALTER TABLE in its script context. */
const planCache = new WeakMap<Statement, { config: unknown; plan: StatementPlan }>();

export function planAlter(alter: AlterTable, statement: Statement, context: Pick<RuleContext, "config" | "script">): StatementPlan {
  // Every MySQL rule plans the same statement: plan it once per statement and config.
  const cached = planCache.get(statement);
  if (cached?.config === context.config) return cached.plan;
  const plan = computePlan(alter, statement, context);
  planCache.set(statement, { config: context.config, plan });
  return plan;
}

function computePlan(alter: AlterTable, statement: Statement, context: Pick<RuleContext, "config" | "script">): StatementPlan {
  const ctx: PlanContext = {
    server: serverOf(context.config),
    foreignKeyChecksOff: foreignKeyChecksOff(statement, context.script),
    columnBefore: (column) => knownColumnBefore(alter.table, column, statement, context.script),
    siblings: alter.ops,
  };
  const ops = alter.ops.map((op) => ({ op, plan: planOp(op, ctx) }));
  return { ...combine(ops.map((o) => o.plan)), ops };
}

// ---------------------------------------------------------------------------------------
// Explicit ALGORITHM= / LOCK=

/** ALGORITHM and LOCK as written; `ALTER ONLINE TABLE` means LOCK=NONE. */
export function explicitClauses(statement: Statement): { algorithm?: string; lock?: string } | undefined {
  const alter = alterOf(statement);
  if (alter) return { algorithm: alter.algorithm?.value, lock: alter.lock?.value ?? (alter.online ? "NONE" : undefined) };
  const ast = statement.ast;
  if ((statement.kind === "create" || statement.kind === "drop") && ast?.keyword === "index") {
    const options = [ast.algorithm_option, ast.lock_option, ...(Array.isArray(ast.options) ? ast.options : [])].filter(Boolean);
    const find = (k: string) => options.find((o: any) => String(o?.keyword).toLowerCase() === k);
    return {
      algorithm: find("algorithm")?.algorithm?.toUpperCase?.(),
      lock: find("lock")?.lock?.toUpperCase?.(),
    };
  }
  return undefined;
}

/** Would an explicit ALGORITHM/LOCK make the server refuse rather than do what the plan says? */
export function refusedBy(clauses: { algorithm?: string; lock?: string }, planned: OpPlan): string | undefined {
  const a = clauses.algorithm;
  if (a && a !== "DEFAULT") {
    if (a === "INSTANT" && planned.algorithm !== "INSTANT") return `ALGORITHM=INSTANT is refused: ${planned.reason}`;
    if (a === "NOCOPY" && (planned.algorithm === "COPY" || planned.rebuild)) return `ALGORITHM=NOCOPY is refused: ${planned.reason}`;
    if (a === "INPLACE" && planned.algorithm === "COPY") return `ALGORITHM=INPLACE is refused: ${planned.reason}`;
  }
  const l = clauses.lock;
  if (l && l !== "DEFAULT" && LOCK_ORDER.indexOf(l as InnodbLock) < LOCK_ORDER.indexOf(planned.lock)) {
    return `LOCK=${l} is refused: ${planned.reason} (needs LOCK=${planned.lock})`;
  }
  return undefined;
}

/** The clauses to write for `planned`: ALGORITHM=INSTANT needs no LOCK. */
export function clausesFor(planned: OpPlan): { algorithm: Algorithm; lock?: InnodbLock } {
  return planned.algorithm === "INSTANT" ? { algorithm: "INSTANT" } : { algorithm: planned.algorithm, lock: planned.lock };
}

/**
 * A fix that appends the missing clauses to an ALTER TABLE (`, ALGORITHM=…, LOCK=…`) or a
 * CREATE/DROP INDEX (` ALGORITHM=… LOCK=…`), keeping the clauses already written.
 */
export function appendClausesFix(statement: Statement, wanted: { algorithm?: string; lock?: string }): Fix | undefined {
  const present = explicitClauses(statement) ?? {};
  const parts = [
    present.algorithm || !wanted.algorithm ? undefined : `ALGORITHM=${wanted.algorithm}`,
    present.lock || !wanted.lock ? undefined : `LOCK=${wanted.lock}`,
  ].filter((p): p is string => Boolean(p));
  if (parts.length === 0) return undefined;
  const alter = alterOf(statement);
  const at = alter ? alter.appendAt : statement.text.length;
  // Specifications before the append point need a comma; partition options after it need none.
  const listed = alter ? alter.ops.some((o) => o.end <= at) || Boolean(present.algorithm || present.lock) : false;
  const replacement = alter ? (listed ? ", " : " ") + parts.join(", ") : ` ${parts.join(" ")}`;
  return {
    description: `Add ${parts.join(", ")} so the server refuses instead of silently copying or locking`,
    edits: [{ file: statement.span.file, startOffset: statement.span.startOffset + at, endOffset: statement.span.startOffset + at, replacement }],
  };
}

/** InnoDB facts for the docs: one line per server row. */
export function describeInnodb(rows: InnodbDdlDoc[]): string {
  return rows
    .map((r) => `${r.server === "mysql" ? "MySQL" : "MariaDB"} ${r.versions}: ALGORITHM=${r.algorithm}, LOCK=${r.lock}${r.rebuildsTable ? ", rebuilds the table" : ""}`)
    .join("; ");
}

/** The row count config.tables gives for a table (by bare or schema-qualified name). */
export function tableRows(config: Config, table: QualifiedName | string): number | undefined {
  const name = typeof table === "string" ? table : table.name;
  const qualified = typeof table === "string" ? undefined : table.schema ? `${table.schema}.${table.name}` : undefined;
  const stats = Object.entries(config.tables).find(([k]) => k.toLowerCase() === name.toLowerCase() || (qualified && k.toLowerCase() === qualified.toLowerCase()));
  return stats?.[1].rows;
}
