// PostgreSQL parsing with libpg_query (the real Postgres grammar, compiled to WASM).
import type * as LibpgQuery from "libpg-query";
import type { SqlSource } from "../model.js";
import { blankRanges, lexSql, type Range } from "./lexer.js";
import type { ParsedScript, ParseProblem, Statement } from "./script.js";
import { byteOffsetsToIndexes, LineIndex, spanOf } from "./text.js";

let loaded: Promise<void> | undefined;
let libpg: typeof LibpgQuery | undefined;

/**
 * libpg_query's WASM must be instantiated once before the synchronous parse can run. Imported
 * here, not at start-up: a MySQL/MariaDB run never pays for it (60–110 ms of WASM compilation).
 */
export function loadPostgresParser(): Promise<void> {
  loaded ??= import("libpg-query").then(async (m) => {
    await m.loadModule();
    libpg = m;
  });
  return loaded;
}

function pg(): typeof LibpgQuery {
  if (!libpg) throw new Error("the PostgreSQL parser is not loaded: call loadParsers() first");
  return libpg;
}

function parseSync(sql: string): ReturnType<typeof LibpgQuery.parseSync> {
  return pg().parseSync(sql);
}

function scanSync(sql: string): ReturnType<typeof LibpgQuery.scanSync> {
  return pg().scanSync(sql);
}

/**
 * Replaces `$1`…`$n` placeholders (outside strings, comments and dollar quotes) with the bound
 * values as SQL literals: the statement a client sent with parameters, as one text.
 */
export function inlineParameters(sql: string, params: readonly (string | null)[]): string {
  const bytes = Buffer.from(sql, "utf8");
  const parts: Buffer[] = [];
  let last = 0;
  for (const token of scanSync(sql).tokens) {
    if (token.tokenName !== "PARAM") continue;
    const value = params[Number(token.text.slice(1)) - 1];
    if (value === undefined) continue;
    parts.push(bytes.subarray(last, token.start), Buffer.from(value === null ? "NULL" : `'${value.replaceAll("'", "''")}'`, "utf8"));
    last = token.end;
  }
  parts.push(bytes.subarray(last));
  return Buffer.concat(parts).toString("utf8");
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
  // A caller that forgot loadParsers() is a bug, not a parse error of the user's file.
  pg();
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
  const add = (found: Statement[]) => {
    for (const s of found) statements.push({ ...s, index: statements.length });
  };
  for (const chunk of chunksOf(lexed.statements, parseable.length)) {
    const piece = parseable.slice(chunk.start, chunk.end);
    if (chunk.end <= unterminatedAt) {
      try {
        add(statementsFromParse(piece, chunk.start, parseSync(piece).stmts as RawStmt[], source, lines));
        continue;
      } catch {
        // One bad statement fails the whole chunk: keep the rest, parsed by the real parser.
        fellBack = true;
      }
    }
    const ranges = chunk.statements.filter((r) => r.end <= unterminatedAt); // the unterminated rest is reported below
    const readable = parseable.slice(0, Math.min(chunk.end, unterminatedAt));
    add(recoverAround(readable, mergeAtomicBodies(readable, ranges), source, lines, span, problems));
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

/** Failures after which the rest of a file is parsed statement by statement (each retry re-parses the rest). */
const MAX_RECOVERIES = 20;

/**
 * Parses the text around each statement the parser rejects with the parser itself: from the
 * current point to the end; on an error, the statements before the rejected one (the lexer's
 * ranges) are parsed as one piece, the rejected one is reported, and parsing resumes after it.
 * The lexer only decides where the rejected statement starts and ends, so constructs it does not
 * understand (a function body in BEGIN ATOMIC … END) stay whole wherever the parser reads them.
 */
function recoverAround(
  text: string,
  ranges: Range[],
  source: SqlSource,
  lines: LineIndex,
  span: (s: number, e: number) => ParseProblem["span"],
  problems: ParseProblem[],
): Statement[] {
  const out: Statement[] = [];
  const push = (piece: string, offset: number, stmts: RawStmt[]) => {
    for (const s of statementsFromParse(piece, offset, stmts, source, lines)) out.push({ ...s, index: out.length });
  };
  let from = 0;
  let recoveries = 0;
  while (from < ranges.length) {
    const start = ranges[from]!.start;
    if (recoveries >= MAX_RECOVERIES) {
      for (const range of ranges.slice(from)) {
        const piece = text.slice(range.start, range.end);
        try {
          push(piece, range.start, parseSync(piece).stmts as RawStmt[]);
        } catch (error) {
          problems.push(parseErrorAt(error as ParserError, piece, range, span));
        }
      }
      break;
    }
    const rest = text.slice(start);
    let failure: ParserError;
    try {
      push(rest, start, parseSync(rest).stmts as RawStmt[]);
      break;
    } catch (error) {
      failure = error as ParserError;
    }
    recoveries++;
    const cursor = failure.sqlDetails?.cursorPosition;
    const at = start + (cursor && cursor > 0 ? byteOffsetsToIndexes(rest, [cursor - 1])[0]! : 0);
    // The rejected statement: the last range that starts at or before the error.
    let bad = from;
    while (bad + 1 < ranges.length && ranges[bad + 1]!.start <= at) bad++;
    if (bad > from) {
      const before = text.slice(start, ranges[bad]!.start);
      try {
        push(before, start, parseSync(before).stmts as RawStmt[]);
      } catch {
        // The lexer's boundary fell inside something the parser reads whole: judge those ranges one by one.
        for (const range of ranges.slice(from, bad)) {
          const piece = text.slice(range.start, range.end);
          try {
            push(piece, range.start, parseSync(piece).stmts as RawStmt[]);
          } catch (error) {
            problems.push(parseErrorAt(error as ParserError, piece, range, span));
          }
        }
      }
    }
    const range = ranges[bad]!;
    const piece = text.slice(range.start, range.end);
    let own: ParserError = failure;
    try {
      parseSync(piece);
    } catch (error) {
      own = error as ParserError;
    }
    problems.push(parseErrorAt(own, piece, range, span));
    from = bad + 1;
  }
  return out;
}

/**
 * The lexer splits at every `;`, also inside a SQL-standard function body (`BEGIN ATOMIC …; END`,
 * PostgreSQL 14+): rejoin those pieces up to the one that is just `END`, so a rejected statement
 * is never cut in two and no phantom `END` (COMMIT) appears.
 */
function mergeAtomicBodies(text: string, ranges: Range[]): Range[] {
  const out: Range[] = [];
  for (let i = 0; i < ranges.length; i++) {
    const range = ranges[i]!;
    const own = stripComments(text.slice(range.start, range.end)).trim();
    if (!/\bBEGIN\s+ATOMIC\b/i.test(own) || /\bBEGIN\s+ATOMIC\s+END$/i.test(own)) {
      out.push(range);
      continue;
    }
    let end = i;
    while (end + 1 < ranges.length && !/^END$/i.test(stripComments(text.slice(ranges[end]!.start, ranges[end]!.end)).trim())) end++;
    // No closing END: keep the lexer's pieces rather than swallow the rest of the file.
    if (!/^END$/i.test(stripComments(text.slice(ranges[end]!.start, ranges[end]!.end)).trim())) {
      out.push(range);
      continue;
    }
    out.push({ start: range.start, end: ranges[end]!.end });
    i = end;
  }
  return out;
}

function stripComments(sql: string): string {
  return sql.replace(/--[^\n]*/g, " ").replace(/\/\*[\s\S]*?\*\//g, " ");
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
