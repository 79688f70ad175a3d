// MySQL / MariaDB parsing with node-sql-parser, one statement at a time so that a
// statement the grammar rejects is reported and the rest of the file is still analyzed.
import { createRequire } from "node:module";
import type { SqlSource } from "../model.js";
import { blankRanges, lexSql } from "./lexer.js";
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

export function parseMysql(source: SqlSource): ParsedScript {
  const { text, file } = source;
  const lines = new LineIndex(text);
  const lexed = lexSql(text, { dialect: "mysql" });
  const span = (start: number, end: number) => spanOf(lines, file, start, end, source);
  const parseable = blankRanges(text, lexed.metaCommands);
  const database = source.dialect === "mariadb" ? "mariadb" : "mysql";
  const statements: Statement[] = [];
  const problems: ParseProblem[] = [];
  for (const range of lexed.statements) {
    const piece = parseable.slice(range.start, range.end);
    try {
      const ast = parserFor(database).astify(piece, { database });
      for (const node of Array.isArray(ast) ? ast : [ast]) {
        statements.push({
          index: statements.length,
          text: piece,
          span: span(range.start, range.end),
          dialect: source.dialect,
          ast: node,
          kind: String((node as { type?: string }).type ?? "unknown"),
        });
      }
    } catch (error) {
      const at = range.start + ((error as PegError).location?.start?.offset ?? 0);
      problems.push({
        kind: "parse-error",
        message: `${database === "mariadb" ? "MariaDB" : "MySQL"} parser: ${firstLine((error as PegError).message)}`,
        span: span(at, Math.max(at + 1, range.end)),
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
    text,
    lines,
    baseOffset: source.baseOffset,
    baseLine: source.baseLine,
    statements,
    comments: lexed.comments,
    metaCommands: [],
    problems,
  };
}

function firstLine(message: string): string {
  return message.split("\n")[0]!.slice(0, 300);
}
