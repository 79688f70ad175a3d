// PostgreSQL parsing with libpg_query (the real Postgres grammar, compiled to WASM).
import { loadModule, parseSync } from "libpg-query";
import type { SqlSource } from "../model.js";
import { blankRanges, lexSql, type Range } from "./lexer.js";
import type { ParsedScript, ParseProblem, Statement } from "./script.js";
import { byteOffsetsToIndexes, LineIndex, spanOf } from "./text.js";

let loaded: Promise<void> | undefined;

/** libpg_query's WASM must be instantiated once before the synchronous parse can run. */
export function loadPostgresParser(): Promise<void> {
  loaded ??= loadModule();
  return loaded;
}

interface RawStmt {
  stmt: Record<string, unknown>;
  stmt_location?: number;
  stmt_len?: number;
}

interface ParserError {
  message: string;
  sqlDetails?: { cursorPosition?: number };
}

export function parsePostgres(source: SqlSource): ParsedScript {
  const { text, file } = source;
  const lines = new LineIndex(text);
  const lexed = lexSql(text, { dialect: "postgres" });
  const span = (start: number, end: number) => spanOf(lines, file, start, end, source);
  const problems: ParseProblem[] = [];
  const metaCommands = lexed.metaCommands.map((r) => ({ text: text.slice(r.start, r.end), span: span(r.start, r.end) }));
  for (const meta of metaCommands) {
    problems.push({
      kind: "psql-meta-command",
      message: `psql meta-command \`${meta.text.trim()}\` is not SQL: it was not analyzed, and tools other than psql will fail on it`,
      span: meta.span,
    });
  }
  // Meta-commands (and nested comments, see lexer.ts) are blanked, not removed, so every offset
  // the parser reports still fits.
  const blanked = [...lexed.metaCommands, ...lexed.nestedComments].sort((a, b) => a.start - b.start);
  const parseable = blankRanges(text, blanked);
  const statements: Statement[] = [];
  let fellBack = false;
  // libpg_query takes quadratic time on an unterminated nested comment: never hand it one.
  const unterminatedAt = lexed.unterminated?.what === "block comment" ? lexed.unterminated.start : Infinity;
  for (const chunk of chunksOf(lexed.statements, parseable.length)) {
    const piece = parseable.slice(chunk.start, chunk.end);
    // A chunk holding an unterminated quote or comment fails anyway; skip straight to its statements.
    if (chunk.end <= unterminatedAt) {
      try {
        for (const s of statementsFromParse(piece, chunk.start, parseSync(piece).stmts as RawStmt[], source, lines)) {
          statements.push({ ...s, index: statements.length });
        }
        continue;
      } catch {
        // One bad statement fails the whole chunk; parse statement by statement to keep the rest.
        fellBack = true;
      }
    }
    for (const range of chunk.statements) {
      if (range.end > unterminatedAt) continue; // reported below
      const one = parseable.slice(range.start, range.end);
      try {
        for (const s of statementsFromParse(one, range.start, parseSync(one).stmts as RawStmt[], source, lines)) {
          statements.push({ ...s, index: statements.length });
        }
      } catch (error) {
        problems.push(parseErrorAt(error as ParserError, one, range, span));
      }
    }
  }
  if (lexed.unterminated && (unterminatedAt < Infinity || (fellBack && !problems.some((p) => p.kind === "parse-error")))) {
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
    metaCommands,
    problems,
  };
}

/**
 * Scripts up to this size are parsed in one call; larger ones in runs of whole statements of
 * about this size. libpg_query needs ~160 bytes of memory per byte of SQL and aborts the
 * process (writing to stdout) past its heap limit, so a 20 MB file must not reach it at once.
 */
const CHUNK_CHARS = 512_000;

interface Chunk extends Range {
  statements: Range[];
}

function chunksOf(statements: Range[], length: number): Chunk[] {
  if (length <= CHUNK_CHARS) return statements.length ? [{ start: 0, end: length, statements }] : [];
  const chunks: Chunk[] = [];
  let current: Chunk | undefined;
  for (const range of statements) {
    if (!current || range.end - current.start > CHUNK_CHARS) {
      current = { start: range.start, end: range.end, statements: [] };
      chunks.push(current);
    }
    current.statements.push(range);
    current.end = range.end;
  }
  return chunks;
}

function statementsFromParse(
  text: string,
  offset: number,
  stmts: RawStmt[],
  source: SqlSource,
  lines: LineIndex,
): Statement[] {
  const starts = byteOffsetsToIndexes(
    text,
    stmts.map((s) => s.stmt_location ?? 0),
  );
  const ends = byteOffsetsToIndexes(
    text,
    stmts.map((s) => (s.stmt_len ? (s.stmt_location ?? 0) + s.stmt_len : Buffer.byteLength(text))),
  );
  const out: Statement[] = [];
  stmts.forEach((raw, i) => {
    let start = skipBlanksAndComments(text, starts[i]!);
    let end = ends[i]!;
    while (end > start && /[\s;]/.test(text[end - 1]!)) end--;
    const kind = Object.keys(raw.stmt)[0]!;
    out.push({
      index: i,
      text: text.slice(start, end),
      span: spanOf(lines, source.file, start + offset, end + offset, source),
      dialect: source.dialect,
      ast: raw.stmt[kind],
      kind,
    });
  });
  return out;
}

/** libpg_query's statement locations include leading comments; findings should point at SQL. */
function skipBlanksAndComments(text: string, from: number): number {
  let i = from;
  for (;;) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (text.startsWith("--", i)) {
      const nl = text.indexOf("\n", i);
      i = nl < 0 ? text.length : nl + 1;
    } else if (text.startsWith("/*", i)) {
      const close = text.indexOf("*/", i + 2);
      i = close < 0 ? text.length : close + 2;
    } else return i;
  }
}

function parseErrorAt(
  error: ParserError,
  piece: string,
  range: Range,
  span: (s: number, e: number) => ParseProblem["span"],
): ParseProblem {
  const cursor = error.sqlDetails?.cursorPosition;
  const at = cursor && cursor > 0 ? byteOffsetsToIndexes(piece, [cursor - 1])[0]! : 0;
  const start = range.start + Math.min(at, piece.length);
  return {
    kind: "parse-error",
    message: `PostgreSQL parser: ${error.message}`,
    span: span(start, Math.max(start + 1, range.end)),
  };
}
