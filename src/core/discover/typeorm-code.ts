// TypeORM migrations are TypeScript/JavaScript classes: `up(queryRunner)` and `down(queryRunner)`
// run SQL with `queryRunner.query("…")`. This module reads such a file with a real parser
// (@babel/parser, loaded on first use: SQL-only runs never pay for it) and extracts, per
// direction, the SQL strings the calls pass: string literals and template literals without
// `${…}`. Everything else a direction runs (an interpolated template, a variable, a call that
// builds its SQL at run time such as `queryRunner.createTable(…)`, a helper the queryRunner is
// handed to) is listed as not analyzable, with its place, never skipped silently.
//
// The extracted SQL is handed to the SQL parser as text of the file's own length: every
// character outside the strings is blanked (newlines kept) and each string's closing quote
// becomes the `;` that ends its statement, so every offset, line and column the analysis reports
// is the `.ts` file's own. Escapes (`\'`, `\n`, `\\`…) are decoded in place, the room they
// spare given back at the next whitespace (see decodeInPlace).
/* eslint-disable @typescript-eslint/no-explicit-any */
import { createRequire } from "node:module";

/** A SQL string in the file: `start`/`end` bound its content (without the quotes). */
export interface SqlLiteral {
  start: number;
  end: number;
  quote: "'" | '"' | "`";
  /** The content is the SQL character for character (no escapes, no placeholders replaced). */
  exact: boolean;
  /** 1-based line of the call. */
  line: number;
  /** The call passes query parameters (`$1` … on PostgreSQL, `?` on MySQL). */
  params: boolean;
  /** The parameters as SQL literals, when the call passes an array of literals (what the test runs). */
  paramValues?: string[];
}

/** Something a direction runs whose SQL cannot be read from the file. */
export interface Unanalyzable {
  start: number;
  end: number;
  message: string;
}

export interface DirectionSql {
  literals: SqlLiteral[];
  unanalyzable: Unanalyzable[];
  /** Offset of the method (where findings about the direction as a whole point). */
  start: number;
}

export interface TypeormClass {
  /** `name = "…"` when the class sets it, else the class name: what TypeORM records and orders by. */
  name: string;
  /** The 13-digit JavaScript timestamp TypeORM reads from the end of the name, when there is one. */
  timestamp?: string;
  /** `transaction = false` (or a value that can be false): TypeORM runs it without a transaction. */
  noTransaction: boolean;
  up: DirectionSql;
  down?: DirectionSql;
  /** Offset of the class. */
  start: number;
}

export type TypeormFile =
  | { kind: "migration"; migration: TypeormClass; directives: { start: number; end: number }[] }
  | { kind: "not-migration" }
  | { kind: "unparsable"; message: string; offset: number };

/** Files TypeORM users write migrations in. */
export const CODE_FILE = /\.(ts|mts|cts|js|mjs|cjs)$/;
const DECLARATION = /\.d\.[mc]?ts$/;
/** TypeORM's `migration:create` / `migration:generate` name: `<13-digit timestamp>-<Name>.ts`. */
export const TYPEORM_FILE_NAME = /(^|\/)\d{10,}[-_][^/]+\.(ts|mts|cts|js|mjs|cjs)$/;

/**
 * The exact name `typeorm migration:create` gives (a 13-digit JavaScript timestamp and a hyphen):
 * how a file is recognised when only its name is known (the App lists merged files without their
 * content). knex and Sequelize use 14-digit timestamps, node-pg-migrate an underscore.
 */
export const TYPEORM_GENERATED_NAME = /^(\d{13})-(.+)\.(ts|mts|cts|js|mjs|cjs)$/;

export function isCodeFile(path: string): boolean {
  return CODE_FILE.test(path) && !DECLARATION.test(path);
}

type BabelParse = (text: string, options: Record<string, unknown>) => any;
const require = createRequire(import.meta.url);
let babelParse: BabelParse | undefined;

/** @babel/parser, loaded on first use (about 0.5 MB of JavaScript). */
function babel(): BabelParse {
  babelParse ??= (require("@babel/parser") as { parse: BabelParse }).parse;
  return babelParse;
}

// The same file is read by the layout (is it a migration?), both directions and the base
// comparison: parse it once.
const cache = new Map<string, TypeormFile>();
const CACHE_SIZE = 4096;

export function readTypeormFile(path: string, text: string): TypeormFile {
  const key = `${path}\u0000${text}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const result = read(path, text);
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(key, result);
  return result;
}

function read(path: string, text: string): TypeormFile {
  // Cheap test first: a file that never names a query runner is not a TypeORM migration.
  if (!/queryRunner|MigrationInterface|\bup\s*\(/.test(text)) return { kind: "not-migration" };
  let ast: any;
  try {
    const typescript = /\.[mc]?ts$/.test(path);
    ast = babel()(text, {
      sourceType: "unambiguous",
      allowReturnOutsideFunction: true,
      allowAwaitOutsideFunction: true,
      plugins: typescript ? ["typescript", "decorators-legacy"] : ["decorators-legacy", "jsx"],
    });
  } catch (error: any) {
    const offset = typeof error?.pos === "number" ? error.pos : 0;
    return { kind: "unparsable", message: String(error?.message ?? error).replace(/\s*\(\d+:\d+\)$/, ""), offset };
  }
  // `// migration-guard:ignore <rule> -- <reason>` comments suppress like their SQL form.
  const directives = (ast.comments ?? [])
    .filter((c: any) => c.type === "CommentLine" && /^\s*migration-guard:/.test(c.value))
    .map((c: any) => ({ start: c.start, end: c.end }));
  for (const cls of classesOf(ast.program)) {
    const migration = migrationOf(cls);
    if (migration) return { kind: "migration", migration, directives };
  }
  return { kind: "not-migration" };
}

function isNode(value: unknown): value is any {
  return typeof value === "object" && value !== null && typeof (value as any).type === "string";
}

/** Visits every node below `node` in source order; `visit` returning false skips the children. */
function walk(node: any, visit: (n: any) => boolean | void): void {
  if (visit(node) === false) return;
  for (const key of Object.keys(node)) {
    if (key === "loc" || key === "leadingComments" || key === "trailingComments" || key === "innerComments" || key === "extra") continue;
    const value = node[key];
    if (Array.isArray(value)) {
      for (const v of value) if (isNode(v)) walk(v, visit);
    } else if (isNode(value)) walk(value, visit);
  }
}

function classesOf(program: any): any[] {
  const out: any[] = [];
  walk(program, (n) => {
    if (n.type === "ClassDeclaration" || n.type === "ClassExpression") out.push(n);
  });
  return out;
}

function keyName(member: any): string | undefined {
  if (member.computed) return member.key?.type === "StringLiteral" ? member.key.value : undefined;
  return member.key?.type === "Identifier" ? member.key.name : member.key?.type === "StringLiteral" ? member.key.value : undefined;
}

/** The `up`/`down` function of a class member: a method, or a property holding a function. */
function methodOf(cls: any, name: string): any | undefined {
  for (const member of cls.body.body) {
    if (member.static || keyName(member) !== name) continue;
    if (member.type === "ClassMethod" || member.type === "TSDeclareMethod") return member.body ? member : undefined;
    if ((member.type === "ClassProperty" || member.type === "PropertyDefinition") && /FunctionExpression$/.test(member.value?.type ?? "")) return member.value;
  }
  return undefined;
}

/** A class field (`name = "…"`), or what the constructor assigns (`this.name = "…"`, compiled JavaScript). */
function propertyOf(cls: any, name: string): any | undefined {
  const field = cls.body.body.find((m: any) => (m.type === "ClassProperty" || m.type === "PropertyDefinition") && !m.static && keyName(m) === name);
  if (field) return field.value ?? undefined;
  const constructor = cls.body.body.find((m: any) => m.type === "ClassMethod" && m.kind === "constructor");
  for (const statement of constructor?.body?.body ?? []) {
    const e = statement.type === "ExpressionStatement" ? statement.expression : undefined;
    if (e?.type === "AssignmentExpression" && e.left?.type === "MemberExpression" && e.left.object?.type === "ThisExpression" && !e.left.computed && e.left.property?.name === name) return e.right;
  }
  return undefined;
}

function implementsMigrationInterface(cls: any): boolean {
  return (cls.implements ?? []).some((i: any) => {
    const e = i.expression ?? i.id;
    return e?.type === "Identifier" ? e.name === "MigrationInterface" : e?.property?.name === "MigrationInterface";
  });
}

function firstParamName(fn: any): string | undefined {
  const p = fn.params?.[0];
  const id = p?.type === "AssignmentPattern" ? p.left : p;
  return id?.type === "Identifier" ? id.name : undefined;
}

function usesIdentifier(node: any, name: string): boolean {
  let found = false;
  walk(node, (n) => {
    if (found) return false;
    if (n.type === "Identifier" && n.name === name) found = true;
    return undefined;
  });
  return found;
}

/** Can the expression be `false`? (`false`, or a condition with a `false` branch.) */
function canBeFalse(node: any): boolean {
  if (!node) return false;
  if (node.type === "BooleanLiteral") return node.value === false;
  if (node.type === "ConditionalExpression") return canBeFalse(node.consequent) || canBeFalse(node.alternate);
  if (node.type === "LogicalExpression") return canBeFalse(node.left) || canBeFalse(node.right);
  if (node.type === "TSAsExpression" || node.type === "TSSatisfiesExpression" || node.type === "ParenthesizedExpression") return canBeFalse(node.expression);
  return false;
}

function migrationOf(cls: any): TypeormClass | undefined {
  const up = methodOf(cls, "up");
  if (!up) return undefined;
  const runner = firstParamName(up);
  const isMigration = implementsMigrationInterface(cls) || (runner !== undefined && usesIdentifier(up.body, runner)) || usesIdentifier(up.body, "queryRunner");
  if (!isMigration) return undefined;
  const down = methodOf(cls, "down");
  const nameValue = propertyOf(cls, "name");
  const name = nameValue?.type === "StringLiteral" ? nameValue.value : (cls.id?.name ?? "");
  const timestamp = /\d{13}$/.exec(name)?.[0];
  return {
    name,
    timestamp: timestamp && Number(timestamp) > 0 ? timestamp : undefined,
    noTransaction: canBeFalse(propertyOf(cls, "transaction")),
    up: directionSql(up),
    down: down ? directionSql(down) : undefined,
    start: cls.start,
  };
}

/** Query-runner methods that read or manage the connection, never change the schema or data. */
const HARMLESS = /^(has|get|is|find|count|exist|start|commit|rollback|connect|release|enableSqlMemory|disableSqlMemory|clearSqlMemory|loadTables?|escape|then|catch)/;

/** Where a call's target is the query runner, its `manager` or its `connection`. */
function runnerTarget(callee: any, runner: string): { method: string; via: string } | undefined {
  if (!/MemberExpression$/.test(callee?.type ?? "") || callee.computed || callee.property?.type !== "Identifier") return undefined;
  const object = callee.object;
  if (object?.type === "Identifier" && object.name === runner) return { method: callee.property.name, via: runner };
  if (/MemberExpression$/.test(object?.type ?? "") && !object.computed && object.object?.type === "Identifier" && object.object.name === runner && ["manager", "connection"].includes(object.property?.name)) {
    return { method: callee.property.name, via: `${runner}.${object.property.name}` };
  }
  return undefined;
}

function directionSql(fn: any): DirectionSql {
  const runner = firstParamName(fn) ?? "queryRunner";
  const literals: SqlLiteral[] = [];
  const unanalyzable: Unanalyzable[] = [];
  const line = (n: any) => n.loc?.start?.line ?? 1;
  walk(fn.body, (n) => {
    if (n.type !== "CallExpression" && n.type !== "OptionalCallExpression") return undefined;
    const target = runnerTarget(n.callee, runner);
    if (target?.method === "query") {
      const arg = n.arguments[0];
      const second = n.arguments[1];
      const params = second !== undefined && !(second.type === "Identifier" && second.name === "undefined");
      const paramValues = params ? literalValues(second) : undefined;
      const unwrapped = arg?.type === "TSAsExpression" || arg?.type === "ParenthesizedExpression" ? arg.expression : arg;
      if (unwrapped?.type === "StringLiteral") {
        literals.push({ start: unwrapped.start + 1, end: unwrapped.end - 1, quote: unwrapped.extra?.raw?.[0] === '"' ? '"' : "'", exact: !unwrapped.extra?.raw?.includes("\\"), line: line(n), params, ...(paramValues ? { paramValues } : {}) });
      } else if (unwrapped?.type === "TemplateLiteral" && unwrapped.expressions.length === 0) {
        const q = unwrapped.quasis[0];
        literals.push({ start: q.start, end: q.end, quote: "`", exact: !q.value.raw.includes("\\"), line: line(n), params, ...(paramValues ? { paramValues } : {}) });
      } else {
        const why =
          unwrapped?.type === "TemplateLiteral"
            ? "builds its SQL with `${…}`"
            : unwrapped?.type === "BinaryExpression"
              ? "builds its SQL by concatenation"
              : unwrapped
                ? "passes SQL that is not a string literal"
                : "passes no SQL";
        unanalyzable.push({ start: n.start, end: n.end, message: `\`${target.via}.query(…)\` on line ${line(n)} ${why}: the SQL it runs is only known at run time` });
      }
      // The SQL argument's own calls (if any) are not queries of the migration.
      return false;
    }
    if (target && !HARMLESS.test(target.method)) {
      unanalyzable.push({ start: n.start, end: n.end, message: `\`${target.via}.${target.method}(…)\` on line ${line(n)} builds its SQL at run time` });
      return undefined;
    }
    if (!target && n.arguments.some((a: any) => a?.type === "Identifier" && a.name === runner)) {
      const callee = n.callee?.type === "Identifier" ? n.callee.name : n.callee?.property?.name ?? "a function";
      unanalyzable.push({ start: n.start, end: n.end, message: `\`${callee}(…)\` on line ${line(n)} is handed the query runner: the SQL it runs is not in this method` });
    }
    return undefined;
  });
  literals.sort((a, b) => a.start - b.start);
  return { literals, unanalyzable, start: fn.start };
}

/** `["void", 0, null]` as SQL literals; undefined when an element is not a literal. */
function literalValues(node: any): string[] | undefined {
  if (node?.type !== "ArrayExpression") return undefined;
  const out: string[] = [];
  for (const e of node.elements) {
    if (e?.type === "StringLiteral") out.push(`'${e.value.replace(/'/g, "''")}'`);
    else if (e?.type === "NumericLiteral") out.push(String(e.value));
    else if (e?.type === "UnaryExpression" && e.operator === "-" && e.argument?.type === "NumericLiteral") out.push(`-${e.argument.value}`);
    else if (e?.type === "BooleanLiteral") out.push(e.value ? "true" : "false");
    else if (e?.type === "NullLiteral") out.push("NULL");
    else return undefined;
  }
  return out;
}

/**
 * The query with its parameters written in (`$1` / `?` outside quotes), for running it as plain
 * SQL: only the columns after a parameter move, lines stay.
 */
function inlineParams(sql: string, values: string[], dialect: string): string {
  let out = "";
  let quote: string | undefined;
  let next = 0;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"' || (c === "`" && dialect !== "postgres")) quote = c;
    else if (dialect === "postgres" && c === "$" && /\d/.test(sql[i + 1] ?? "") && !/[\w$]/.test(sql[i - 1] ?? "")) {
      const digits = /^\d+/.exec(sql.slice(i + 1))![0];
      const value = values[Number(digits) - 1];
      if (value !== undefined) {
        out += value;
        i += digits.length;
        continue;
      }
    } else if (dialect !== "postgres" && c === "?" && next < values.length) {
      out += values[next++];
      continue;
    }
    out += c;
  }
  return out;
}

/**
 * Decodes the JavaScript escapes of a literal's raw content to the SQL it holds, in the raw
 * content's length. An escape is longer than the character it stands for (`\"` is `"`): the spare
 * room is given back as spaces at the next whitespace outside SQL quotes (or at the end), so the
 * SQL stays what the string holds (`\`user\`` is `` `user` ``, not `` ` user` ``), line breaks stay
 * where they are, and columns are the file's again after that whitespace.
 */
function decodeInPlace(raw: string): string {
  if (!raw.includes("\\")) return raw;
  let out = "";
  let pending = 0;
  let quote: string | undefined;
  const emit = (c: string) => {
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"' || c === "`") quote = c;
    else if (pending && /\s/.test(c)) {
      out += " ".repeat(pending);
      pending = 0;
    }
    out += c;
  };
  for (let i = 0; i < raw.length; ) {
    const c = raw[i]!;
    if (c !== "\\") {
      emit(c);
      i++;
      continue;
    }
    const next = raw[i + 1] ?? "";
    let length = 2;
    let value: string;
    if (next === "\r" || next === "\n" || next === "\u2028" || next === "\u2029") {
      // A line continuation: nothing in the string, but the line break stays for line numbers.
      length = next === "\r" && raw[i + 2] === "\n" ? 3 : 2;
      value = raw.slice(i + 1, i + length);
    } else if (next === "x") {
      length = 4;
      value = String.fromCharCode(parseInt(raw.slice(i + 2, i + 4), 16) || 32);
    } else if (next === "u") {
      const braced = /^\{([0-9a-fA-F]+)\}/.exec(raw.slice(i + 2));
      length = braced ? 2 + braced[0].length : 6;
      const code = parseInt(braced ? braced[1]! : raw.slice(i + 2, i + 6), 16);
      value = Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : " ";
    } else {
      // `\n`, `\t`… are whitespace to SQL; a space keeps the line numbers of the file.
      value = "nrtbfv0".includes(next) ? " " : next;
    }
    if (value.length > length) value = " ";
    for (const v of value) emit(v);
    pending += length - value.length;
    i += length;
  }
  return out + " ".repeat(pending);
}

/**
 * MySQL's `?` placeholders, outside quotes, become `0` so that the statement parses (PostgreSQL's
 * `$1` parses as it is).
 */
function fillMysqlPlaceholders(sql: string): string {
  let out = "";
  let quote: string | undefined;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === "\\" && quote !== "`") {
        out += c + (sql[i + 1] ?? "");
        i++;
        continue;
      }
    } else if (c === "'" || c === '"' || c === "`") quote = c;
    else if (c === "?") {
      out += "0";
      continue;
    }
    out += c;
  }
  return out;
}

export interface ExtractedSql {
  /** The file's text with everything but the direction's SQL blanked. */
  text: string;
  literals: SqlLiteral[];
  unanalyzable: Unanalyzable[];
  /** Offset of the direction's method. */
  anchor?: number;
}

/** The SQL one direction of a TypeORM migration runs, laid out at its places in the file. */
export function extractSql(path: string, text: string, direction: "up" | "down", dialect: string, options: { run?: boolean } = {}): ExtractedSql | undefined {
  const file = readTypeormFile(path, text);
  if (file.kind !== "migration") return undefined;
  const sql = direction === "up" ? file.migration.up : file.migration.down;
  if (!sql) return { text: blank(text), literals: [], unanalyzable: [] };
  const parts: string[] = [];
  let last = 0;
  const literals: SqlLiteral[] = [];
  const unanalyzable = [...sql.unanalyzable];
  for (const literal of sql.literals) {
    if (options.run && literal.params && !literal.paramValues && /\$\d|\?/.test(text.slice(literal.start, literal.end))) {
      // Parameter values computed at run time: the SQL can be read, but not run from the file.
      unanalyzable.push({ start: literal.start, end: literal.end, message: `the \`query(…)\` on line ${literal.line} passes parameter values only known at run time` });
      continue;
    }
    let content = decodeInPlace(text.slice(literal.start, literal.end));
    let exact = literal.exact;
    if (options.run && literal.paramValues) {
      // The test runs the SQL as TypeORM would send it, values in place of the parameters.
      content = inlineParams(content, literal.paramValues, dialect);
      exact = false;
    } else if (literal.params && dialect !== "postgres") {
      const filled = fillMysqlPlaceholders(content);
      if (filled !== content) exact = false;
      content = filled;
    }
    // Up to the opening quote blanked; the closing quote ends the statement.
    parts.push(blank(text.slice(last, literal.start)), endTrailingComment(content), ";");
    last = literal.end + 1;
    literals.push({ ...literal, exact });
  }
  parts.push(blank(text.slice(last)));
  let out = parts.join("");
  // Suppression comments become SQL comments at their place: `//` and `--` have the same length.
  for (const d of file.directives) out = out.slice(0, d.start) + "--" + text.slice(d.start + 2, d.end) + out.slice(d.end);
  return { text: out, literals, unanalyzable: unanalyzable.sort((a, b) => a.start - b.start), anchor: sql.start };
}

/**
 * A `-- comment` on the string's last line would swallow the `;` that ends its statement (and join
 * the next call's SQL to it): the comment is blanked.
 */
function endTrailingComment(sql: string): string {
  const lineStart = sql.lastIndexOf("\n") + 1;
  let quote: string | undefined;
  for (let i = lineStart; i < sql.length - 1; i++) {
    const c = sql[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === "-" && sql[i + 1] === "-") return sql.slice(0, i) + blank(sql.slice(i));
  }
  return sql;
}

function blank(text: string): string {
  return text.replace(/[^\r\n]/g, " ");
}

/**
 * What an edit of a merged migration is measured by: its SQL statements (whitespace ignored) and
 * the source of what it runs without analyzable SQL, each with the offset it starts at.
 */
export function comparableUnits(path: string, text: string, direction: "up" | "down"): { key: string; start: number }[] {
  const file = readTypeormFile(path, text);
  if (file.kind === "unparsable") return [{ key: text.replace(/\s+/g, " ").trim(), start: 0 }];
  if (file.kind !== "migration") return [];
  const sql = direction === "up" ? file.migration.up : file.migration.down;
  if (!sql) return [];
  const units = [
    ...sql.literals.map((l) => ({ key: decodeInPlace(text.slice(l.start, l.end)).replace(/\s+/g, " ").trim(), start: l.start })),
    ...sql.unanalyzable.map((u) => ({ key: text.slice(u.start, u.end).replace(/\s+/g, " ").trim(), start: u.start })),
  ];
  const transaction = file.migration.noTransaction ? [{ key: "transaction = false", start: file.migration.start }] : [];
  return [...transaction, ...units.sort((a, b) => a.start - b.start)];
}
