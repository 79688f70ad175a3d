// Entry point of the parse stage: one source in, one ParsedScript out, whatever the dialect.
import type { SqlSource } from "../model.js";
import { loadPostgresParser, parsePostgres } from "./postgres.js";
import { parseMysql } from "./mysql.js";
import type { ParsedScript } from "./script.js";
import { LineIndex, spanOf } from "./text.js";

export type { ParsedScript, Statement, ParseProblem } from "./script.js";

/**
 * Largest migration script analyzed (bytes of UTF-8). Bigger files (data dumps, generated seeds)
 * are reported as too large instead of being parsed: the parsers' memory grows with the input.
 */
export const MAX_SCRIPT_BYTES = 12_000_000;

/** Call once before parsing (the CLI, the app and tests do); parsing itself is synchronous. */
export async function loadParsers(): Promise<void> {
  await loadPostgresParser();
}

export function parseScript(source: SqlSource): ParsedScript {
  if (source.text.length > MAX_SCRIPT_BYTES && Buffer.byteLength(source.text) > MAX_SCRIPT_BYTES) return tooLarge(source);
  const script = source.dialect === "postgres" ? parsePostgres(source) : parseMysql(source);
  if (!source.embedded) return script;
  // SQL cut out of code: what the code runs without readable SQL is reported where it is.
  const unanalyzable = source.embedded.unanalyzable.map((u) => ({ kind: "unanalyzable-sql" as const, message: u.message, span: spanOf(script.lines, source.file, u.start, u.end, source) }));
  return { ...script, embedded: source.embedded, problems: [...script.problems, ...unanalyzable].sort((a, b) => a.span.startOffset - b.span.startOffset) };
}

/** An empty script whose one problem says the file was too large to analyze. */
function tooLarge(source: SqlSource): ParsedScript {
  const lines = new LineIndex(source.text);
  const megabytes = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
  return {
    file: source.file,
    dialect: source.dialect,
    text: source.text,
    lines,
    baseOffset: source.baseOffset,
    baseLine: source.baseLine,
    statements: [],
    comments: [],
    metaCommands: [],
    problems: [
      {
        kind: "unreadable-file",
        message: `${source.file}: too large to analyze (${megabytes(Buffer.byteLength(source.text))}; the limit is ${megabytes(MAX_SCRIPT_BYTES)}); split it into smaller migrations or exclude it`,
        span: spanOf(lines, source.file, 0, 0, source),
      },
    ],
  };
}
