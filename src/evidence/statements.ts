// A script's executable statements. PostgreSQL statements come from libpg_query (exact text
// and spans, parse tree for the execution plan); MySQL/MariaDB statements come from the lexer
// because node-sql-parser rejects valid server syntax, and the server is the judge here.
import { queriesOf } from "../core/analyze/transaction.js";
import type { SqlSource } from "../core/model.js";
import { parseScript, type Statement } from "../core/parse/index.js";
import { lexSql } from "../core/parse/lexer.js";
import type { Problem } from "../core/evidence/report.js";

export interface ExecutableScript {
  file: string;
  statements: Statement[];
  /** Problems that stop the script from being run (parse errors, unreadable text). */
  problems: Problem[];
  /** psql meta-commands that were skipped. */
  skipped: string[];
  /** SQL cut out of code: which query each statement is sent in (a TypeORM `query("A; B")` call sends two at once). */
  queries?: number[];
}

/** Parsed once per source: a run applies a change's scripts up to three times and reads their tables twice. */
const parsedScripts = new WeakMap<SqlSource, ExecutableScript>();

export function executableScript(source: SqlSource): ExecutableScript {
  let script = parsedScripts.get(source);
  if (!script) parsedScripts.set(source, (script = parse(source)));
  // A copy: callers replace `statements` (a resumed forward, a schema file without ownership statements).
  return { ...script };
}

function parse(source: SqlSource): ExecutableScript {
  if (source.dialect === "postgres") {
    const parsed = parseScript(source);
    const problems = parsed.problems
      .filter((p) => p.kind !== "psql-meta-command")
      .map((p) => ({ where: `${p.span.file}:${p.span.startLine}`, message: p.kind === "unanalyzable-sql" ? notRunnable(p.message) : p.message }));
    const queries = queriesOf(parsed);
    return { file: source.file, statements: parsed.statements, problems, skipped: parsed.metaCommands.map((m) => m.text.trim()), ...(queries ? { queries } : {}) };
  }
  const lexed = lexSql(source.text, { dialect: "mysql" });
  const statements: Statement[] = [];
  for (const range of lexed.statements) {
    const text = source.text.slice(range.start, range.end);
    const line = source.baseLine + countNewlines(source.text, range.start);
    const statement: Statement = {
      index: statements.length,
      text,
      span: {
        file: source.file,
        startLine: line,
        startColumn: 1,
        endLine: line + countNewlines(text, text.length),
        endColumn: 1,
        startOffset: source.baseOffset + range.start,
        endOffset: source.baseOffset + range.end,
      },
      dialect: source.dialect,
      ast: null,
      kind: (/^\s*(\w+)/.exec(text)?.[1] ?? "unknown").toLowerCase(),
    };
    // Parsed when first read: only the change's statements need their tables (the base's ~100 ms
    // of node-sql-parser on a 10-file history was spent for nothing).
    let ast: unknown;
    Object.defineProperty(statement, "ast", {
      enumerable: true,
      configurable: true,
      get: () => (ast === undefined ? (ast = mysqlAst(source, text)) : ast),
      set: (value: unknown) => {
        ast = value;
      },
    });
    statements.push(statement);
  }
  const problems = lexed.unterminated ? [{ where: `${source.file}:${source.baseLine + countNewlines(source.text, lexed.unterminated.start)}`, message: `unterminated ${lexed.unterminated.what}` }] : [];
  // A code migration's SQL that is only built at run time (TypeORM): the test cannot apply it from the file.
  for (const u of source.embedded?.unanalyzable ?? []) problems.push({ where: `${source.file}:${countNewlines(source.text, u.start) + 1}`, message: notRunnable(u.message) });
  return { file: source.file, statements, problems, skipped: [] };
}

function notRunnable(message: string): string {
  return `cannot be tested from the file: ${message}`;
}

/** node-sql-parser's tree when it understands the statement (used only to find table names). */
function mysqlAst(source: SqlSource, text: string): unknown {
  const parsed = parseScript({ ...source, text, baseOffset: 0, baseLine: 1 });
  return parsed.statements[0]?.ast ?? null;
}

function countNewlines(text: string, end: number): number {
  let n = 0;
  for (let i = 0; i < end; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}
