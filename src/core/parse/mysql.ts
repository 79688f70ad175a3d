// MySQL / MariaDB parsing with node-sql-parser, one statement at a time so that a
// statement the grammar rejects is reported and the rest of the file is still analyzed.
//
// node-sql-parser 5.4 rejects a good part of real migration DDL (its "mariadb" grammar even
// rejects `ADD PRIMARY KEY`, `ADD CONSTRAINT … FOREIGN KEY`, `ADD UNIQUE` and `DELETE … LIMIT`;
// both grammars reject `CONVERT TO CHARACTER SET`, `ALTER COLUMN … SET DEFAULT`, `FORCE`,
// `RENAME INDEX`, `PARTITION BY`, `ALTER ONLINE TABLE`, `WAIT n`, `OPTIMIZE TABLE`, `SET NAMES`…).
// So each statement goes through, in order:
//   1. node-sql-parser with the configured dialect's grammar;
//   2. for MariaDB, node-sql-parser's MySQL grammar (a superset for this DDL);
//   3. the recognizer below, which knows the full ALTER TABLE clause grammar of MySQL 8.0 and
//      MariaDB 10.11 (clause by clause, data types checked against the server's list, column
//      attributes checked against the known attribute keywords), OPTIMIZE/ANALYZE/CHECK/REPAIR
//      TABLE, `SET NAMES` / `SET CHARACTER SET`, stored-program headers
//      (CREATE PROCEDURE/FUNCTION/TRIGGER/EVENT: the header is checked, the body is not) and
//      DROP PROCEDURE/FUNCTION/EVENT.
// Only when all three reject it is the statement a parse error, reported at the position
// node-sql-parser gave. ALTER TABLE is always modelled by `parseAlterTable` (rules need the
// clause offsets for fixes) and, for speed, tries it before node-sql-parser: expressions inside
// DEFAULT (…), CHECK (…) and AS (…) are then only checked for balanced parentheses.
import { createRequire } from "node:module";
import type { SqlSource } from "../model.js";
import { blankRanges, lexSql, type Range } from "./lexer.js";
import type { ParsedScript, ParseProblem, Statement } from "./script.js";
import { LineIndex, spanOf } from "./text.js";

type SqlParser = { astify(sql: string, options: { database: string }): unknown };
const require = createRequire(import.meta.url);
const parsers = new Map<string, SqlParser>();

/**
 * node-sql-parser's per-dialect build, loaded on first use: the all-dialects bundle costs
 * ~200 ms of start-up that PostgreSQL-only runs should not pay.
 */
function parserFor(database: "mysql" | "mariadb"): SqlParser {
  let parser = parsers.get(database);
  if (!parser) {
    const { Parser } = require(`node-sql-parser/build/${database}`) as { Parser: new () => SqlParser };
    parsers.set(database, (parser = new Parser()));
  }
  return parser;
}

interface PegError {
  message: string;
  location?: { start?: { offset: number } };
}

/** The AST of a statement node-sql-parser rejected but the recognizer accepted. */
export interface RecognizedNode {
  type: "alter" | "optimize" | "analyze" | "check" | "repair" | "set" | "create" | "drop";
  /** Marks nodes that did not come from node-sql-parser. */
  recognizer: "migration-guard";
  /** For `create`: procedure, function, trigger or event. */
  keyword?: string;
  /** Tables named by OPTIMIZE/ANALYZE/CHECK/REPAIR TABLE. */
  tables?: QualifiedName[];
  /** CREATE TABLE / DROP TEMPORARY TABLE: node-sql-parser's `{ db, table }` shape, so rules read one shape. */
  table?: { db: string | null; table: string }[];
  name?: { db: string | null; table: string }[];
  temporary?: boolean;
}

const asAstTable = (n: QualifiedName) => ({ db: n.schema ?? null, table: n.name });

export function parseMysql(source: SqlSource): ParsedScript {
  const { file } = source;
  const text = unwrapExecutableComments(source.text, source.dialect === "mariadb");
  const lines = new LineIndex(source.text);
  const lexed = lexSql(text, { dialect: "mysql" });
  const span = (start: number, end: number) => spanOf(lines, file, start, end, source);
  const parseable = blankRanges(text, lexed.metaCommands);
  const database = source.dialect === "mariadb" ? "mariadb" : "mysql";
  const statements: Statement[] = [];
  const problems: ParseProblem[] = [];
  for (const range of lexed.statements) {
    // The lexer reports an unterminated quote once; the statement it swallowed is not parsed too.
    if (lexed.unterminated && range.end > lexed.unterminated.start) continue;
    const piece = parseable.slice(range.start, range.end);
    const parsed = parseStatement(piece, database);
    if ("error" in parsed) {
      const at = range.start + parsed.error.offset;
      problems.push({ kind: "parse-error", message: parsed.error.message, span: span(at, Math.max(at + 1, range.end)) });
      continue;
    }
    for (const node of parsed.nodes) {
      attachAlterModel(node, piece);
      statements.push({
        index: statements.length,
        text: piece,
        span: span(range.start, range.end),
        dialect: source.dialect,
        ast: node,
        kind: String((node as { type?: string }).type ?? "unknown"),
      });
    }
  }
  if (lexed.unterminated) {
    const { start, what } = lexed.unterminated;
    problems.push({ kind: "parse-error", message: `unterminated ${what}`, span: span(start, text.length) });
  }
  return {
    file,
    dialect: source.dialect,
    text: source.text,
    lines,
    baseOffset: source.baseOffset,
    baseLine: source.baseLine,
    statements,
    comments: lexed.comments,
    metaCommands: [],
    problems,
  };
}

type StatementParse = { nodes: unknown[] } | { error: { offset: number; message: string } };

function parseStatement(piece: string, database: "mysql" | "mariadb"): StatementParse {
  // ALTER TABLE goes to the clause grammar first: it models every clause anyway, and running
  // node-sql-parser too (twice for MariaDB when its grammar rejects the clause) cost 0.5–0.8 ms
  // per statement, most of the time of a 20,000-statement file.
  if (/^\s*ALTER\s+(ONLINE\s+|IGNORE\s+)?TABLE\b/i.test(piece)) {
    try {
      return { nodes: [{ type: "alter", recognizer: "migration-guard", alter: parseAlterTable(piece) } satisfies AlterNode] };
    } catch (error) {
      if (!(error instanceof MysqlSyntaxError)) throw error;
    }
  }
  const grammars: ("mysql" | "mariadb")[] = database === "mariadb" ? ["mariadb", "mysql"] : ["mysql"];
  let first: PegError | undefined;
  for (const grammar of grammars) {
    try {
      const ast = parserFor(grammar).astify(piece, { database: grammar });
      return { nodes: Array.isArray(ast) ? ast : [ast] };
    } catch (error) {
      first ??= error as PegError;
    }
  }
  const recognized = recognizeStatement(piece);
  if (recognized.ok) return { nodes: [recognized.node] };
  // Report the recognizer's diagnosis for the statement shapes it owns (it points at the
  // offending clause); node-sql-parser's otherwise.
  const label = database === "mariadb" ? "MariaDB" : "MySQL";
  if (recognized.owned) return { error: { offset: recognized.offset, message: `${label} parser: ${recognized.message}` } };
  return {
    error: { offset: first?.location?.start?.offset ?? 0, message: `${label} parser: ${firstLine(first?.message ?? "syntax error")}` },
  };
}

/**
 * Gives every ALTER TABLE node an `alter` model (see AlterNode), including those node-sql-parser
 * accepted: rules read clauses and their offsets from it. Left undefined for the rare ALTER
 * node-sql-parser accepts and the clause grammar does not know; rules then skip the statement.
 */
function attachAlterModel(node: unknown, piece: string): void {
  const n = node as { type?: string; alter?: AlterTable };
  if (n.type !== "alter" || n.alter) return;
  try {
    n.alter = parseAlterTable(piece);
  } catch (error) {
    if (!(error instanceof MysqlSyntaxError)) throw error;
  }
}

function firstLine(message: string): string {
  return message.split("\n")[0]!.slice(0, 300);
}

/**
 * `/*!50708 … *\/` (and, for MariaDB, `/*M!100500 … *\/`) is SQL the server executes, not a
 * comment: mysqldump writes whole statements that way. The markers are blanked (same length,
 * so offsets hold) and the body is parsed like any other SQL. The version gate is ignored:
 * migrations use it for versions long past.
 */
export function unwrapExecutableComments(text: string, mariadb: boolean): string {
  if (!text.includes("/*!") && !text.includes("/*M!")) return text;
  const opener = mariadb ? /^\/\*M?!\d*/ : /^\/\*!\d*/;
  const blanks: Range[] = [];
  for (const c of lexSql(text, { dialect: "mysql" }).comments) {
    const m = opener.exec(text.slice(c.start, c.start + 12));
    if (!m || !text.startsWith("*/", c.end - 2)) continue;
    blanks.push({ start: c.start, end: c.start + m[0].length }, { start: c.end - 2, end: c.end });
  }
  return blankRanges(text, blanks);
}

// ---------------------------------------------------------------------------------------
// Tokens

export interface MysqlToken {
  kind: "word" | "ident" | "string" | "number" | "punct" | "variable";
  /** Unquoted, unescaped value (for words: as written). */
  value: string;
  /** Upper-cased value, for keyword comparison. */
  upper: string;
  start: number;
  end: number;
}

export class MysqlSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const WORD_CHAR = /[A-Za-z0-9_$\u0080-\uffff]/;
const MULTI_PUNCT = ["->>", "<=>", "<=", ">=", "<>", "!=", ":=", "||", "&&", "<<", ">>", "->"];

/** Splits one statement into tokens, skipping blanks and comments. Throws MysqlSyntaxError. */
export function tokenizeMysql(text: string): MysqlToken[] {
  const tokens: MysqlToken[] = [];
  let i = 0;
  const push = (kind: MysqlToken["kind"], start: number, end: number, value = text.slice(start, end)) =>
    tokens.push({ kind, value, upper: value.toUpperCase(), start, end });
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "#" || (c === "-" && text[i + 1] === "-" && (i + 2 >= text.length || /\s/.test(text[i + 2]!)))) {
      const nl = text.indexOf("\n", i);
      i = nl < 0 ? text.length : nl;
    } else if (c === "/" && text[i + 1] === "*") {
      const close = text.indexOf("*/", i + 2);
      if (close < 0) throw new MysqlSyntaxError("unterminated comment", i);
      i = close + 2;
    } else if (c === "'" || c === '"' || c === "`") {
      const { value, end } = readQuoted(text, i);
      push(c === "`" ? "ident" : "string", i, end, value);
      i = end;
    } else if (c === "@") {
      let j = i + 1;
      if (text[j] === "@") j++;
      if (text[j] === "'" || text[j] === '"' || text[j] === "`") j = readQuoted(text, j).end;
      else while (j < text.length && (WORD_CHAR.test(text[j]!) || text[j] === ".")) j++;
      push("variable", i, j);
      i = j;
    } else if (WORD_CHAR.test(c)) {
      let j = i;
      while (j < text.length && WORD_CHAR.test(text[j]!)) j++;
      // 1.5, 1e10: numbers with a fraction or exponent.
      if (/^\d+$/.test(text.slice(i, j)) && text[j] === "." && /\d/.test(text[j + 1] ?? "")) {
        j++;
        while (j < text.length && WORD_CHAR.test(text[j]!)) j++;
      }
      const word = text.slice(i, j);
      push(/^(\d+(\.\d+)?([eE]\d+)?|0x[0-9a-fA-F]+)$/.test(word) ? "number" : "word", i, j);
      i = j;
    } else {
      const multi = MULTI_PUNCT.find((p) => text.startsWith(p, i));
      const len = multi?.length ?? 1;
      push("punct", i, i + len);
      i += len;
    }
  }
  return tokens;
}

function readQuoted(text: string, start: number): { value: string; end: number } {
  const quote = text[start]!;
  let value = "";
  let j = start + 1;
  while (j < text.length) {
    const ch = text[j]!;
    // Backslash escapes exist in strings, not in backtick identifiers.
    if (ch === "\\" && quote !== "`") {
      value += text[j + 1] ?? "";
      j += 2;
    } else if (ch === quote) {
      if (text[j + 1] === quote) {
        value += quote;
        j += 2;
      } else return { value, end: j + 1 };
    } else {
      value += ch;
      j++;
    }
  }
  throw new MysqlSyntaxError(quote === "`" ? "unterminated quoted identifier" : "unterminated string", start);
}

// ---------------------------------------------------------------------------------------
// ALTER TABLE model

export interface QualifiedName {
  schema?: string;
  name: string;
}

export interface ColumnDefinition {
  /** Upper-cased base type, synonyms folded (INTEGER → INT, BOOLEAN → TINYINT…). */
  type: string;
  /** Type arguments: lengths as written, ENUM/SET values unquoted. */
  args: string[];
  unsigned: boolean;
  /** Undefined when the definition says neither NULL nor NOT NULL. */
  nullable?: boolean;
  hasDefault: boolean;
  autoIncrement: boolean;
  charset?: string;
  collation?: string;
  generated?: "virtual" | "stored";
  /** Column-level PRIMARY KEY / UNIQUE / KEY. */
  inlineKey?: "primary" | "unique" | "key";
  references?: QualifiedName;
  position?: "first" | "after";
  /** Source text of the definition, as written. */
  text: string;
}

export type IndexKind = "plain" | "unique" | "fulltext" | "spatial" | "primary";

export type AlterOp = { start: number; end: number } & (
  | { kind: "add-column"; column: string; definition: ColumnDefinition }
  | { kind: "modify-column"; column: string; newName: string; definition: ColumnDefinition; via: "modify" | "change" }
  | { kind: "rename-column"; column: string; newName: string }
  | { kind: "drop-column"; column: string }
  | { kind: "alter-column-default"; column: string }
  | { kind: "alter-column-visibility"; column: string }
  | { kind: "add-index"; index: IndexKind; name?: string; columns: string[] }
  | { kind: "drop-index"; name: string }
  | { kind: "drop-primary-key" }
  | { kind: "rename-index"; name: string; newName: string }
  | { kind: "alter-index-visibility"; name: string }
  | { kind: "add-foreign-key"; name?: string; columns: string[]; references: QualifiedName }
  | { kind: "drop-foreign-key"; name: string }
  | { kind: "add-check"; name?: string }
  | { kind: "drop-constraint"; name: string }
  | { kind: "alter-check"; name: string }
  | { kind: "convert-charset"; charset: string; collation?: string }
  | { kind: "table-charset"; charset?: string; collation?: string }
  | { kind: "table-option"; name: string; value: string }
  | { kind: "rename-table"; to: QualifiedName }
  | { kind: "force" }
  | { kind: "order-by" }
  | { kind: "keys"; enable: boolean }
  | { kind: "tablespace" }
  | { kind: "system-versioning" }
  | { kind: "partition"; action: string }
);

export interface AlterClause {
  value: string;
  start: number;
  end: number;
}

export interface AlterTable {
  table: QualifiedName;
  /** MariaDB `ALTER ONLINE TABLE` (= LOCK=NONE). */
  online: boolean;
  ops: AlterOp[];
  algorithm?: AlterClause;
  lock?: AlterClause;
  /** Offset (in the statement) just after the last ALTER specification: where `, ALGORITHM=…` goes. */
  appendAt: number;
}

const DATA_TYPES = new Set(
  (
    "BIT TINYINT SMALLINT MEDIUMINT INT INTEGER BIGINT INT1 INT2 INT3 INT4 INT8 MIDDLEINT REAL DOUBLE FLOAT FLOAT4 FLOAT8 " +
    "DECIMAL DEC NUMERIC FIXED BOOL BOOLEAN SERIAL DATE TIME TIMESTAMP DATETIME YEAR CHAR NCHAR VARCHAR NVARCHAR VARCHAR2 " +
    "CHARACTER NATIONAL BINARY VARBINARY TINYBLOB BLOB MEDIUMBLOB LONGBLOB TINYTEXT TEXT MEDIUMTEXT LONGTEXT LONG ENUM SET JSON " +
    "GEOMETRY POINT LINESTRING POLYGON MULTIPOINT MULTILINESTRING MULTIPOLYGON GEOMETRYCOLLECTION GEOMCOLLECTION UUID INET4 INET6 " +
    "VECTOR NUMBER RAW CLOB ROW_NUMBER"
  ).split(" "),
);

const TYPE_SYNONYMS: Record<string, string> = {
  INTEGER: "INT",
  INT4: "INT",
  INT1: "TINYINT",
  INT2: "SMALLINT",
  INT3: "MEDIUMINT",
  MIDDLEINT: "MEDIUMINT",
  INT8: "BIGINT",
  BOOL: "TINYINT",
  BOOLEAN: "TINYINT",
  DEC: "DECIMAL",
  NUMERIC: "DECIMAL",
  FIXED: "DECIMAL",
  FLOAT4: "FLOAT",
  FLOAT8: "DOUBLE",
  REAL: "DOUBLE",
  NCHAR: "CHAR",
  NVARCHAR: "VARCHAR",
  VARCHAR2: "VARCHAR",
  GEOMCOLLECTION: "GEOMETRYCOLLECTION",
};

/** Table options that may follow ALTER TABLE (MySQL 8.0 and MariaDB 10.11), without ALGORITHM/LOCK. */
const TABLE_OPTIONS = new Set(
  (
    "ENGINE TYPE AUTO_INCREMENT AVG_ROW_LENGTH CHECKSUM TABLE_CHECKSUM COMMENT COMPRESSION CONNECTION DELAY_KEY_WRITE " +
    "ENCRYPTED ENCRYPTION ENCRYPTION_KEY_ID IETF_QUOTES INSERT_METHOD KEY_BLOCK_SIZE MAX_ROWS MIN_ROWS PACK_KEYS PAGE_CHECKSUM " +
    "PAGE_COMPRESSED PAGE_COMPRESSION_LEVEL PASSWORD ROW_FORMAT SEQUENCE STATS_AUTO_RECALC STATS_PERSISTENT STATS_SAMPLE_PAGES " +
    "TABLESPACE TRANSACTIONAL UNION AUTOEXTEND_SIZE ENGINE_ATTRIBUTE SECONDARY_ENGINE SECONDARY_ENGINE_ATTRIBUTE START"
  ).split(" "),
);

const ALGORITHMS = new Set(["DEFAULT", "INSTANT", "INPLACE", "COPY", "NOCOPY"]);
const LOCKS = new Set(["DEFAULT", "NONE", "SHARED", "EXCLUSIVE"]);
const PARTITION_ACTIONS = new Set(["ADD", "DROP", "DISCARD", "IMPORT", "TRUNCATE", "COALESCE", "REORGANIZE", "EXCHANGE", "ANALYZE", "CHECK", "OPTIMIZE", "REBUILD", "REPAIR", "CONVERT"]);

/** A cursor over a statement's tokens with the small vocabulary a recursive-descent parser needs. */
class Cursor {
  i = 0;
  constructor(
    readonly tokens: MysqlToken[],
    readonly text: string,
  ) {}

  get done(): boolean {
    return this.i >= this.tokens.length;
  }
  peek(offset = 0): MysqlToken | undefined {
    return this.tokens[this.i + offset];
  }
  is(...words: string[]): boolean {
    return words.every((w, k) => {
      const t = this.peek(k);
      return t !== undefined && t.kind !== "string" && t.kind !== "ident" && t.upper === w;
    });
  }
  accept(...words: string[]): boolean {
    if (!this.is(...words)) return false;
    this.i += words.length;
    return true;
  }
  expect(...words: string[]): void {
    if (!this.accept(...words)) this.fail(`expected ${words.join(" ")}`);
  }
  next(): MysqlToken {
    const t = this.peek();
    if (!t) this.fail("unexpected end of statement");
    this.i++;
    return t;
  }
  /** Where the next token starts, or the end of the text. */
  get offset(): number {
    return this.peek()?.start ?? this.text.length;
  }
  get lastEnd(): number {
    return this.tokens[this.i - 1]?.end ?? 0;
  }
  fail(message: string): never {
    const t = this.peek();
    throw new MysqlSyntaxError(t ? `${message}, found "${this.text.slice(t.start, t.end)}"` : `${message} at end of statement`, this.offset);
  }
  /** An identifier: a bare word or a backtick-quoted name. */
  name(what = "a name"): string {
    const t = this.peek();
    if (!t || (t.kind !== "word" && t.kind !== "ident")) this.fail(`expected ${what}`);
    this.i++;
    return t.value;
  }
  qualifiedName(what = "a table name"): QualifiedName {
    const first = this.name(what);
    if (this.peek()?.value === "." && this.peek()?.kind === "punct") {
      this.i++;
      return { schema: first, name: this.name(what) };
    }
    return { name: first };
  }
  punct(p: string): boolean {
    const t = this.peek();
    if (t?.kind === "punct" && t.value === p) {
      this.i++;
      return true;
    }
    return false;
  }
  expectPunct(p: string): void {
    if (!this.punct(p)) this.fail(`expected "${p}"`);
  }
  /** Skips a balanced parenthesized group starting at `(`; returns its inner tokens split at top-level commas. */
  group(): MysqlToken[][] {
    this.expectPunct("(");
    const items: MysqlToken[][] = [[]];
    let depth = 1;
    while (depth > 0) {
      const t = this.next();
      if (t.kind === "punct" && t.value === "(") depth++;
      if (t.kind === "punct" && t.value === ")" && --depth === 0) break;
      if (depth === 1 && t.kind === "punct" && t.value === ",") items.push([]);
      else items[items.length - 1]!.push(t);
    }
    return items;
  }
  /** True at a top-level `,` or the end: where an ALTER specification ends. */
  get atSpecEnd(): boolean {
    const t = this.peek();
    return !t || (t.kind === "punct" && t.value === ",");
  }
  /** A single value: literal, name, signed number, or a parenthesized/function-call expression. */
  value(): void {
    if (this.punct("(")) {
      this.i--;
      this.group();
      return;
    }
    if (this.peek()?.value === "-" || this.peek()?.value === "+") this.i++;
    const t = this.next();
    if (t.kind === "punct") this.fail("expected a value");
    // _utf8mb4'x', N'x', X'ff': an introducer word followed by a string.
    if (t.kind === "word" && this.peek()?.kind === "string") this.i++;
    if (t.kind === "word" && this.peek()?.value === "(" && this.peek()?.kind === "punct") this.group();
  }
}

/** Parses an ALTER TABLE statement's text. Throws MysqlSyntaxError with the offset of the problem. */
export function parseAlterTable(text: string): AlterTable {
  const c = new Cursor(tokenizeMysql(text), text);
  c.expect("ALTER");
  const online = c.accept("ONLINE");
  c.accept("IGNORE");
  c.expect("TABLE");
  c.accept("IF", "EXISTS");
  const table = c.qualifiedName();
  if (c.accept("WAIT")) {
    if (c.next().kind !== "number") c.fail("expected a number of seconds after WAIT");
  } else c.accept("NOWAIT");
  const result: AlterTable = { table, online, ops: [], appendAt: c.lastEnd };
  if (c.done) return result;
  for (;;) {
    if (isPartitionOptions(c)) {
      const start = c.offset;
      c.i = c.tokens.length;
      result.ops.push({ kind: "partition", action: "partition-by", start, end: c.lastEnd });
      break;
    }
    parseSpec(c, result);
    result.appendAt = c.lastEnd;
    if (c.done) break;
    if (c.punct(",")) continue;
    // Table options and partition options may follow without a comma.
    if (isPartitionOptions(c) || isTableOption(c) || c.is("ALGORITHM") || c.is("LOCK")) continue;
    c.fail("expected a comma between ALTER TABLE specifications");
  }
  return result;
}

function isPartitionOptions(c: Cursor): boolean {
  return c.is("PARTITION", "BY") || c.is("REMOVE", "PARTITIONING");
}

function isTableOption(c: Cursor): boolean {
  const t = c.peek();
  if (!t || t.kind !== "word") return false;
  if (t.upper === "DEFAULT") return c.is("DEFAULT", "CHARSET") || c.is("DEFAULT", "CHARACTER") || c.is("DEFAULT", "COLLATE");
  return TABLE_OPTIONS.has(t.upper) || t.upper === "CHARSET" || t.upper === "COLLATE" || c.is("CHARACTER", "SET") || c.is("DATA", "DIRECTORY") || c.is("INDEX", "DIRECTORY");
}

function parseSpec(c: Cursor, alter: AlterTable): void {
  const start = c.offset;
  const push: Push = (op) => {
    alter.ops.push({ ...op, start, end: c.lastEnd } as AlterOp);
  };
  if (c.is("ALGORITHM") || c.is("LOCK")) {
    const which = c.next().upper;
    c.punct("=");
    const t = c.next();
    const allowed = which === "ALGORITHM" ? ALGORITHMS : LOCKS;
    if (!allowed.has(t.upper)) {
      c.i--;
      c.fail(`expected one of ${[...allowed].join(", ")}`);
    }
    const clause = { value: t.upper, start, end: c.lastEnd };
    if (which === "ALGORITHM") alter.algorithm = clause;
    else alter.lock = clause;
    return;
  }
  if (c.accept("WITH", "VALIDATION") || c.accept("WITHOUT", "VALIDATION")) return;
  if (c.is("ADD")) return parseAdd(c, push);
  if (c.is("DROP")) return parseDrop(c, push);
  if (c.accept("MODIFY")) {
    c.accept("COLUMN");
    c.accept("IF", "EXISTS");
    const column = c.name("a column name");
    return push({ kind: "modify-column", column, newName: column, definition: columnDefinition(c), via: "modify" });
  }
  if (c.accept("CHANGE")) {
    c.accept("COLUMN");
    c.accept("IF", "EXISTS");
    const column = c.name("a column name");
    const newName = c.name("the new column name");
    return push({ kind: "modify-column", column, newName, definition: columnDefinition(c), via: "change" });
  }
  if (c.accept("ALTER")) {
    if (c.accept("INDEX") || c.accept("KEY")) {
      const name = c.name("an index name");
      if (!(c.accept("VISIBLE") || c.accept("INVISIBLE") || c.accept("IGNORED") || c.accept("NOT", "IGNORED"))) c.fail("expected VISIBLE, INVISIBLE, IGNORED or NOT IGNORED");
      return push({ kind: "alter-index-visibility", name });
    }
    if (c.accept("CHECK") || c.accept("CONSTRAINT")) {
      const name = c.name("a constraint name");
      c.accept("NOT");
      c.expect("ENFORCED");
      return push({ kind: "alter-check", name });
    }
    c.accept("COLUMN");
    c.accept("IF", "EXISTS");
    const column = c.name("a column name");
    if (c.accept("SET", "DEFAULT")) {
      c.value();
      return push({ kind: "alter-column-default", column });
    }
    if (c.accept("DROP", "DEFAULT")) return push({ kind: "alter-column-default", column });
    if (c.accept("SET", "VISIBLE") || c.accept("SET", "INVISIBLE")) return push({ kind: "alter-column-visibility", column });
    c.fail("expected SET DEFAULT, DROP DEFAULT or SET VISIBLE/INVISIBLE");
  }
  if (c.accept("RENAME")) {
    if (c.accept("COLUMN")) {
      const column = c.name("a column name");
      c.expect("TO");
      return push({ kind: "rename-column", column, newName: c.name("the new column name") });
    }
    if (c.accept("INDEX") || c.accept("KEY")) {
      const name = c.name("an index name");
      c.expect("TO");
      return push({ kind: "rename-index", name, newName: c.name("the new index name") });
    }
    if (!c.accept("TO")) c.accept("AS");
    return push({ kind: "rename-table", to: c.qualifiedName() });
  }
  if (c.accept("CONVERT", "TO")) {
    if (!(c.accept("CHARACTER", "SET") || c.accept("CHARSET"))) c.fail("expected CHARACTER SET");
    const charset = c.name("a character set").toLowerCase();
    const collation = c.accept("COLLATE") ? c.name("a collation").toLowerCase() : undefined;
    return push({ kind: "convert-charset", charset, collation });
  }
  if (c.accept("FORCE")) return push({ kind: "force" });
  if (c.accept("ORDER", "BY")) {
    c.name("a column name");
    c.accept("ASC") || c.accept("DESC");
    // `ORDER BY a, b` lists columns with commas, which otherwise separate specifications.
    while (c.peek()?.value === "," && (c.peek(1)?.kind === "word" || c.peek(1)?.kind === "ident") && !isSpecStart(c, 1)) {
      c.i += 2;
      c.accept("ASC") || c.accept("DESC");
    }
    return push({ kind: "order-by" });
  }
  if (c.accept("ENABLE", "KEYS")) return push({ kind: "keys", enable: true });
  if (c.accept("DISABLE", "KEYS")) return push({ kind: "keys", enable: false });
  if (c.accept("DISCARD", "TABLESPACE") || c.accept("IMPORT", "TABLESPACE")) return push({ kind: "tablespace" });
  if (c.is("REMOVE", "PARTITIONING")) {
    c.i += 2;
    return push({ kind: "partition", action: "remove-partitioning" });
  }
  const first = c.peek()?.upper;
  if (first && PARTITION_ACTIONS.has(first) && c.peek(1)?.upper === "PARTITION") {
    c.i += 2;
    skipToSpecEnd(c);
    return push({ kind: "partition", action: `${first.toLowerCase()}-partition` });
  }
  if (isTableOption(c)) return parseTableOptions(c, push);
  c.fail("unknown ALTER TABLE specification");
}

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;
type Push = (op: DistributiveOmit<AlterOp, "start" | "end">) => void;

/** Does the token at `offset` start a new ALTER specification (so a comma before it separates specs)? */
function isSpecStart(c: Cursor, offset: number): boolean {
  const w = c.peek(offset)?.upper;
  return ["ADD", "DROP", "MODIFY", "CHANGE", "ALTER", "RENAME", "CONVERT", "FORCE", "ALGORITHM", "LOCK", "ORDER", "ENABLE", "DISABLE"].includes(w ?? "");
}

function parseAdd(c: Cursor, push: Push): void {
  c.expect("ADD");
  if (c.accept("SYSTEM", "VERSIONING")) return push({ kind: "system-versioning" });
  if (c.is("PERIOD", "FOR")) {
    skipToSpecEnd(c);
    return push({ kind: "add-check" });
  }
  let name: string | undefined;
  if (c.accept("CONSTRAINT")) {
    if (!c.is("PRIMARY") && !c.is("UNIQUE") && !c.is("FOREIGN") && !c.is("CHECK")) {
      c.accept("IF", "NOT", "EXISTS");
      name = c.name("a constraint name");
    }
  }
  if (c.accept("PRIMARY", "KEY")) {
    indexTypeClause(c);
    return push({ kind: "add-index", index: "primary", name, columns: keyParts(c) });
  }
  if (c.accept("UNIQUE")) return push(indexSpec(c, "unique", name));
  if (c.accept("FOREIGN", "KEY")) {
    c.accept("IF", "NOT", "EXISTS");
    if (!c.is("(") && c.peek()?.value !== "(") name = c.name("a constraint name");
    const columns = keyParts(c);
    c.expect("REFERENCES");
    const references = c.qualifiedName();
    keyParts(c);
    referenceActions(c);
    return push({ kind: "add-foreign-key", name, columns, references });
  }
  if (c.accept("CHECK")) {
    c.group();
    c.accept("NOT");
    c.accept("ENFORCED");
    return push({ kind: "add-check", name });
  }
  if (name !== undefined) c.fail("expected PRIMARY KEY, UNIQUE, FOREIGN KEY or CHECK");
  if (c.accept("FULLTEXT") || c.accept("SPATIAL")) {
    const kind = c.tokens[c.i - 1]!.upper === "FULLTEXT" ? "fulltext" : "spatial";
    return push(indexSpec(c, kind, undefined));
  }
  if (c.is("INDEX") || c.is("KEY")) return push(indexSpec(c, "plain", undefined));
  if (c.accept("PARTITION")) {
    skipToSpecEnd(c);
    return push({ kind: "partition", action: "add-partition" });
  }
  c.accept("COLUMN");
  c.accept("IF", "NOT", "EXISTS");
  if (c.peek()?.kind === "punct" && c.peek()?.value === "(") {
    // ADD [COLUMN] (a int, b int): one op per column.
    c.expectPunct("(");
    for (;;) {
      const column = c.name("a column name");
      push({ kind: "add-column", column, definition: columnDefinition(c, true) });
      if (c.punct(",")) continue;
      c.expectPunct(")");
      return;
    }
  }
  const column = c.name("a column name");
  return push({ kind: "add-column", column, definition: columnDefinition(c) });
}

function indexSpec(c: Cursor, index: IndexKind, constraintName: string | undefined): DistributiveOmit<AlterOp, "start" | "end"> {
  if (!c.accept("INDEX")) c.accept("KEY");
  c.accept("IF", "NOT", "EXISTS");
  let name = constraintName;
  const t = c.peek();
  if (t && (t.kind === "word" || t.kind === "ident") && !(t.kind === "word" && (t.upper === "USING" || t.upper === "TYPE"))) name = c.name();
  indexTypeClause(c);
  const columns = keyParts(c);
  indexOptions(c);
  return { kind: "add-index", index, name, columns };
}

function indexTypeClause(c: Cursor): void {
  if (c.accept("USING") || c.accept("TYPE")) {
    if (!(c.accept("BTREE") || c.accept("HASH") || c.accept("RTREE"))) c.fail("expected BTREE, HASH or RTREE");
  }
}

function indexOptions(c: Cursor): void {
  while (!c.atSpecEnd) {
    if (c.accept("KEY_BLOCK_SIZE")) {
      c.punct("=");
      c.next();
    } else if (c.is("USING") || c.is("TYPE")) indexTypeClause(c);
    else if (c.accept("WITH", "PARSER")) c.name("a parser name");
    else if (c.accept("COMMENT")) {
      if (c.next().kind !== "string") c.fail("expected a comment string");
    } else if (c.accept("VISIBLE") || c.accept("INVISIBLE") || c.accept("IGNORED") || c.accept("NOT", "IGNORED") || c.accept("CLUSTERING", "=", "YES") || c.accept("CLUSTERING", "=", "NO")) {
      // visibility flags
    } else if (c.accept("ENGINE_ATTRIBUTE") || c.accept("SECONDARY_ENGINE_ATTRIBUTE")) {
      c.punct("=");
      c.next();
    } else if (c.accept("ALGORITHM") || c.accept("LOCK")) {
      // CREATE INDEX style options written inside ALTER: not valid there.
      c.i--;
      return;
    } else return;
  }
}

/** `(a, b(10) DESC, (expr))`: the column names (expressions are skipped). */
function keyParts(c: Cursor): string[] {
  return c
    .group()
    .map((part) => part[0])
    .filter((t): t is MysqlToken => t !== undefined && (t.kind === "word" || t.kind === "ident"))
    .map((t) => t.value);
}

function referenceActions(c: Cursor): void {
  for (;;) {
    if (c.accept("MATCH")) {
      if (!(c.accept("FULL") || c.accept("PARTIAL") || c.accept("SIMPLE"))) c.fail("expected FULL, PARTIAL or SIMPLE");
    } else if (c.accept("ON", "DELETE") || c.accept("ON", "UPDATE")) {
      if (!(c.accept("RESTRICT") || c.accept("CASCADE") || c.accept("SET", "NULL") || c.accept("SET", "DEFAULT") || c.accept("NO", "ACTION")))
        c.fail("expected RESTRICT, CASCADE, SET NULL, SET DEFAULT or NO ACTION");
    } else return;
  }
}

function parseDrop(c: Cursor, push: Push): void {
  c.expect("DROP");
  if (c.accept("PRIMARY", "KEY")) return push({ kind: "drop-primary-key" });
  if (c.accept("FOREIGN", "KEY")) {
    c.accept("IF", "EXISTS");
    return push({ kind: "drop-foreign-key", name: c.name("a constraint name") });
  }
  if (c.accept("INDEX") || c.accept("KEY")) {
    c.accept("IF", "EXISTS");
    return push({ kind: "drop-index", name: c.name("an index name") });
  }
  if (c.accept("CHECK") || c.accept("CONSTRAINT")) {
    c.accept("IF", "EXISTS");
    return push({ kind: "drop-constraint", name: c.name("a constraint name") });
  }
  if (c.accept("SYSTEM", "VERSIONING")) return push({ kind: "system-versioning" });
  if (c.accept("PARTITION")) {
    skipToSpecEnd(c);
    return push({ kind: "partition", action: "drop-partition" });
  }
  c.accept("COLUMN");
  c.accept("IF", "EXISTS");
  const column = c.name("a column name");
  c.accept("RESTRICT") || c.accept("CASCADE");
  return push({ kind: "drop-column", column });
}

function parseTableOptions(c: Cursor, push: Push): void {
  while (isTableOption(c)) {
    c.accept("DEFAULT");
    if (c.accept("CHARACTER", "SET") || c.accept("CHARSET")) {
      c.punct("=");
      const charset = c.name("a character set").toLowerCase();
      const collation = c.accept("COLLATE") ? (c.punct("="), c.name("a collation").toLowerCase()) : undefined;
      push({ kind: "table-charset", charset, collation });
      continue;
    }
    if (c.accept("COLLATE")) {
      c.punct("=");
      push({ kind: "table-charset", collation: c.name("a collation").toLowerCase() });
      continue;
    }
    const name = c.next().upper;
    if (name === "DATA" || name === "INDEX") c.expect("DIRECTORY");
    c.punct("=");
    if (name === "UNION") {
      c.group();
      push({ kind: "table-option", name, value: "" });
      continue;
    }
    const value = c.next();
    if (value.kind === "punct") {
      c.i--;
      c.fail(`expected a value for ${name}`);
    }
    push({ kind: "table-option", name, value: value.value });
  }
}

function skipToSpecEnd(c: Cursor): void {
  while (!c.atSpecEnd) {
    if (c.peek()?.kind === "punct" && c.peek()?.value === "(") c.group();
    else c.i++;
  }
}

/** `type[(args)] [attributes…] [FIRST | AFTER col]` up to the end of the specification. */
function columnDefinition(c: Cursor, inList = false): ColumnDefinition {
  const start = c.offset;
  const t = c.next();
  let upper = t.kind === "word" ? t.upper : "";
  if (!DATA_TYPES.has(upper)) {
    c.i--;
    c.fail("expected a data type");
  }
  // Multi-word types: CHARACTER VARYING, NATIONAL CHAR, DOUBLE PRECISION, LONG VARCHAR.
  if (upper === "CHARACTER" || upper === "NATIONAL") upper = c.accept("VARYING") || c.accept("VARCHAR") ? "VARCHAR" : (c.accept("CHAR") || c.accept("CHARACTER"), c.accept("VARYING") ? "VARCHAR" : "CHAR");
  if (upper === "DOUBLE") c.accept("PRECISION");
  if (upper === "LONG") upper = c.accept("VARBINARY") ? "MEDIUMBLOB" : (c.accept("VARCHAR"), "MEDIUMTEXT");
  if (upper === "CHAR" && c.accept("VARYING")) upper = "VARCHAR";
  const def: ColumnDefinition = {
    type: TYPE_SYNONYMS[upper] ?? upper,
    args: [],
    unsigned: false,
    hasDefault: false,
    autoIncrement: false,
    text: "",
  };
  if (upper === "BOOL" || upper === "BOOLEAN") def.args = ["1"];
  if (upper === "SERIAL") Object.assign(def, { type: "BIGINT", unsigned: true, nullable: false, autoIncrement: true, inlineKey: "unique" });
  if (c.peek()?.kind === "punct" && c.peek()?.value === "(") {
    def.args = c.group().map((part) => part.map((p) => p.value).join(""));
  }
  const endOfDefinition = () => (inList ? c.peek()?.value === "," || c.peek()?.value === ")" : c.atSpecEnd || isPartitionOptions(c));
  while (!c.done && !endOfDefinition()) {
    if (c.accept("UNSIGNED")) def.unsigned = true;
    else if (c.accept("SIGNED") || c.accept("ZEROFILL") || c.accept("BINARY") || c.accept("ASCII") || c.accept("UNICODE") || c.accept("BYTE")) {
      // storage flags the analysis does not need
    } else if (c.accept("NOT", "NULL")) def.nullable = false;
    else if (c.accept("NULL")) def.nullable = true;
    else if (c.accept("DEFAULT")) {
      c.value();
      def.hasDefault = true;
    } else if (c.accept("AUTO_INCREMENT")) def.autoIncrement = true;
    else if (c.accept("CHARACTER", "SET") || c.accept("CHARSET")) def.charset = c.name("a character set").toLowerCase();
    else if (c.accept("COLLATE")) def.collation = c.name("a collation").toLowerCase();
    else if (c.accept("PRIMARY", "KEY")) def.inlineKey = "primary";
    else if (c.accept("UNIQUE")) {
      c.accept("KEY");
      def.inlineKey = "unique";
    } else if (c.accept("KEY")) def.inlineKey = "key";
    else if (c.accept("COMMENT")) {
      if (c.next().kind !== "string") c.fail("expected a comment string");
    } else if (c.accept("COLUMN_FORMAT") || c.accept("STORAGE")) c.next();
    else if (c.accept("GENERATED", "ALWAYS") || c.is("AS")) {
      if (c.accept("AS", "ROW")) {
        if (!(c.accept("START") || c.accept("END"))) c.fail("expected START or END");
        continue;
      }
      c.expect("AS");
      c.group();
      def.generated = "virtual";
    } else if (c.accept("VIRTUAL")) def.generated = "virtual";
    else if (c.accept("STORED") || c.accept("PERSISTENT")) def.generated = "stored";
    else if (c.accept("REFERENCES")) {
      def.references = c.qualifiedName();
      keyParts(c);
      referenceActions(c);
    } else if (c.accept("CONSTRAINT")) {
      if (!c.is("CHECK")) c.name("a constraint name");
    } else if (c.accept("CHECK")) {
      c.group();
      c.accept("NOT");
      c.accept("ENFORCED");
    } else if (c.accept("ON", "UPDATE")) c.value();
    else if (c.accept("SRID")) c.next();
    else if (c.accept("INVISIBLE") || c.accept("VISIBLE") || c.accept("COMPRESSED") || c.accept("WITH", "SYSTEM", "VERSIONING") || c.accept("WITHOUT", "SYSTEM", "VERSIONING")) {
      // flags
    } else if (c.accept("ENGINE_ATTRIBUTE") || c.accept("SECONDARY_ENGINE_ATTRIBUTE")) {
      c.punct("=");
      c.next();
    } else if (c.accept("FIRST")) def.position = "first";
    else if (c.accept("AFTER")) {
      c.name("a column name");
      def.position = "after";
    } else c.fail("unknown column attribute");
  }
  def.text = c.text.slice(start, c.lastEnd);
  return def;
}

// ---------------------------------------------------------------------------------------
// Recognizer for statements node-sql-parser rejects

type Recognized = { ok: true; node: RecognizedNode | AlterNode } | { ok: false; owned: boolean; offset: number; message: string };

/** What `parseMysql` stores as the AST of an ALTER TABLE node-sql-parser rejected. */
export interface AlterNode extends RecognizedNode {
  type: "alter";
  alter: AlterTable;
}

/** Accepts the statement shapes listed at the top of this file; `owned` says whether the shape is one it knows. */
export function recognizeStatement(text: string): Recognized {
  let tokens: MysqlToken[];
  try {
    tokens = tokenizeMysql(text);
  } catch (error) {
    return { ok: false, owned: true, offset: (error as MysqlSyntaxError).offset, message: (error as Error).message };
  }
  const c = new Cursor(tokens, text);
  const owned = shapeOf(c);
  if (!owned) return { ok: false, owned: false, offset: 0, message: "" };
  try {
    return { ok: true, node: owned() };
  } catch (error) {
    if (!(error instanceof MysqlSyntaxError)) throw error;
    return { ok: false, owned: true, offset: error.offset, message: error.message };
  }
}

const STORED_PROGRAMS = ["PROCEDURE", "FUNCTION", "TRIGGER", "EVENT", "SEQUENCE"];

/** CREATE [OR REPLACE] [DEFINER=…] [AGGREGATE] {PROCEDURE|FUNCTION|TRIGGER|EVENT|SEQUENCE}: the keyword comes before any `(`. */
function isStoredProgram(tokens: MysqlToken[]): boolean {
  for (const t of tokens.slice(1, 12)) {
    if (t.kind === "punct" && t.value === "(") return false;
    if (t.kind === "word" && STORED_PROGRAMS.includes(t.upper)) return true;
    if (t.kind === "word" && ["TABLE", "INDEX", "VIEW", "DATABASE", "SCHEMA", "USER", "ROLE", "SERVER"].includes(t.upper)) return false;
  }
  return false;
}

function shapeOf(c: Cursor): (() => RecognizedNode | AlterNode) | undefined {
  const marker = { recognizer: "migration-guard" as const };
  if (c.is("ALTER", "TABLE") || c.is("ALTER", "ONLINE") || c.is("ALTER", "IGNORE", "TABLE")) {
    return () => ({ type: "alter", ...marker, alter: parseAlterTable(c.text) });
  }
  for (const verb of ["OPTIMIZE", "ANALYZE", "CHECK", "REPAIR"] as const) {
    if (c.is(verb, "TABLE") || c.is(verb, "NO_WRITE_TO_BINLOG") || c.is(verb, "LOCAL")) {
      return () => {
        c.next();
        c.accept("NO_WRITE_TO_BINLOG") || c.accept("LOCAL");
        c.expect("TABLE");
        const tables = [c.qualifiedName()];
        while (c.punct(",")) tables.push(c.qualifiedName());
        // ANALYZE … PERSISTENT FOR …, CHECK … FOR UPGRADE/QUICK/…, REPAIR … QUICK/EXTENDED/USE_FRM
        while (!c.done) c.next();
        return { type: verb.toLowerCase() as RecognizedNode["type"], ...marker, tables };
      };
    }
  }
  if (c.is("SET", "NAMES") || c.is("SET", "CHARACTER", "SET") || c.is("SET", "CHARSET")) {
    return () => {
      c.next();
      if (!c.accept("NAMES")) c.accept("CHARACTER", "SET") || c.accept("CHARSET");
      c.value();
      if (c.accept("COLLATE")) c.value();
      if (!c.done) c.fail("unexpected text after SET NAMES");
      return { type: "set", ...marker };
    };
  }
  if (c.is("CREATE") && isCreateTable(c.tokens)) return () => ({ ...parseCreateTable(c), ...marker });
  if (c.is("DROP", "TEMPORARY", "TABLE")) {
    return () => {
      c.i += 3;
      c.accept("IF", "EXISTS");
      const names = [c.qualifiedName()];
      while (c.punct(",")) names.push(c.qualifiedName());
      c.accept("RESTRICT") || c.accept("CASCADE");
      if (!c.done) c.fail("unexpected text after DROP TEMPORARY TABLE");
      return { type: "drop", keyword: "table", temporary: true, name: names.map(asAstTable), ...marker } as RecognizedNode;
    };
  }
  // DROP PROCEDURE / FUNCTION / EVENT: node-sql-parser only knows DROP TRIGGER (the
  // create-if-missing-then-drop procedure is a common idempotent-migration idiom).
  if (["PROCEDURE", "FUNCTION", "EVENT"].some((k) => c.is("DROP", k))) {
    return () => {
      c.i += 1;
      const keyword = c.next().upper;
      c.accept("IF", "EXISTS");
      c.qualifiedName("a routine name");
      if (!c.done) c.fail(`unexpected text after DROP ${keyword}`);
      return { type: "drop", ...marker, keyword: keyword.toLowerCase() } as RecognizedNode;
    };
  }
  if (c.is("CREATE") && isStoredProgram(c.tokens)) {
    return () => {
      c.expect("CREATE");
      c.accept("OR", "REPLACE");
      if (c.accept("DEFINER")) {
        c.expectPunct("=");
        c.value();
        if (c.peek()?.kind === "variable") c.next();
      }
      c.accept("AGGREGATE");
      const keyword = c.next().upper;
      c.accept("TEMPORARY");
      if (!STORED_PROGRAMS.includes(keyword)) {
        c.i--;
        c.fail("expected PROCEDURE, FUNCTION, TRIGGER, EVENT or SEQUENCE");
      }
      c.accept("IF", "NOT", "EXISTS");
      c.qualifiedName("a routine name");
      while (!c.done) c.next();
      return { type: "create", ...marker, keyword: keyword.toLowerCase() };
    };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------
// CREATE TABLE, for the definitions node-sql-parser rejects (partition clauses, SRID,
// CREATE OR REPLACE, …): the same column and index grammar as ALTER TABLE … ADD.

/** CREATE [OR REPLACE] [TEMPORARY] TABLE …: TABLE comes before any `(`. */
function isCreateTable(tokens: MysqlToken[]): boolean {
  for (const t of tokens.slice(1, 5)) {
    if (t.kind !== "word") return false;
    if (t.upper === "TABLE") return true;
    if (!["OR", "REPLACE", "TEMPORARY"].includes(t.upper)) return false;
  }
  return false;
}

function parseCreateTable(c: Cursor): RecognizedNode {
  c.expect("CREATE");
  c.accept("OR", "REPLACE");
  const temporary = c.accept("TEMPORARY");
  c.expect("TABLE");
  c.accept("IF", "NOT", "EXISTS");
  const table = c.qualifiedName();
  const node: RecognizedNode = { type: "create", keyword: "table", recognizer: "migration-guard", table: [asAstTable(table)], temporary };
  if (c.accept("LIKE")) {
    c.qualifiedName();
    return done(c, node);
  }
  if (c.peek()?.kind === "punct" && c.peek()?.value === "(") {
    if (c.peek(1)?.upper === "LIKE") {
      c.group();
      return done(c, node);
    }
    c.expectPunct("(");
    for (;;) {
      tableElement(c);
      if (c.punct(",")) continue;
      c.expectPunct(")");
      break;
    }
  }
  const scratch: AlterTable = { table, online: false, ops: [], appendAt: 0 };
  while (!c.done) {
    if (isPartitionOptions(c)) {
      // PARTITION BY …: balanced to the end (partition definitions are not modelled).
      while (!c.done) if (c.peek()?.value === "(" && c.peek()?.kind === "punct") c.group(); else c.i++;
      break;
    }
    if (isTableOption(c)) parseTableOptions(c, (op) => void scratch.ops.push({ ...op, start: 0, end: 0 } as AlterOp));
    else if (c.punct(",")) continue;
    else if (c.is("IGNORE") || c.is("REPLACE") || c.is("AS") || c.is("SELECT") || c.is("WITH")) {
      c.i = c.tokens.length; // CREATE TABLE … AS SELECT: the query is not modelled
    } else c.fail("unknown CREATE TABLE option");
  }
  return node;
}

function done(c: Cursor, node: RecognizedNode): RecognizedNode {
  if (!c.done) c.fail("unexpected text after CREATE TABLE … LIKE");
  return node;
}

/** One element of a CREATE TABLE list: a column, an index, or a constraint. */
function tableElement(c: Cursor): void {
  const sink: Push = () => undefined;
  if (c.is("INDEX") || c.is("KEY")) {
    indexSpec(c, "plain", undefined);
    return;
  }
  if (c.accept("FULLTEXT") || c.accept("SPATIAL")) {
    indexSpec(c, "plain", undefined);
    return;
  }
  if (c.is("PRIMARY") || c.is("UNIQUE") || c.is("FOREIGN") || c.is("CONSTRAINT") || c.is("CHECK") || c.is("PERIOD", "FOR")) {
    // Same grammar as ALTER TABLE … ADD <constraint>: reuse it on a virtual `ADD`.
    const add = { kind: "word" as const, value: "ADD", upper: "ADD", start: c.offset, end: c.offset };
    c.tokens.splice(c.i, 0, add);
    parseAdd(c, sink);
    return;
  }
  c.name("a column name");
  columnDefinition(c, true);
}
