// Turns a migration's script reference into the SQL source the parser reads. Single-file
// layouts keep up and down in sections of one file, marked by comments: dbmate's
// `-- migrate:up` / `-- migrate:down`, goose's `-- +goose Up` / `-- +goose Down`, node-pg-migrate's
// `-- Up Migration` / `-- Down Migration`.
import type { Dialect, ScriptRef, SqlSource } from "../model.js";
import { parseScript, type ParsedScript } from "../parse/index.js";
import { decodeSource } from "../parse/text.js";
import { changesetText } from "./liquibase-sql.js";
import { extractSql } from "./typeorm-code.js";

// node-pg-migrate: `-- Up Migration` / `-- Down Migration` (its own regex, `^\s*--[\s-]*up\s+migration`).
const MARKER = /^(?:--\s*(?:migrate:|\+goose\s+)|\s*--[\s-]*(?=(?:up|down)\s+migration\b))(up|down)\b.*$/gim;

/**
 * `run`: the SQL is for running (the ephemeral test), not only for reading: a code migration's
 * literal query parameters are written into its SQL.
 */
export function scriptSource(ref: ScriptRef, text: string, dialect: Dialect, options: { run?: boolean } = {}): SqlSource {
  if (ref.code === "typeorm") {
    // The file's own length, the SQL strings of `up()` or `down()` at their places.
    const sql = extractSql(ref.path, text, ref.section ?? "up", dialect, options);
    if (!sql) return { file: ref.path, text: "", baseOffset: text.length, baseLine: lineAt(text, text.length), dialect };
    return { file: ref.path, text: sql.text, baseOffset: 0, baseLine: 1, dialect, embedded: { literals: sql.literals, unanalyzable: sql.unanalyzable, anchor: sql.anchor } };
  }
  if (ref.changeset) {
    const part = changesetText(text, ref.changeset, ref.section ?? "up");
    if (!part) return { file: ref.path, text: "", baseOffset: text.length, baseLine: lineAt(text, text.length), dialect };
    return { file: ref.path, text: part.text, baseOffset: part.start, baseLine: lineAt(text, part.start), dialect };
  }
  if (!ref.section) return { file: ref.path, text, baseOffset: 0, baseLine: 1, dialect };
  const markers = [...text.matchAll(MARKER)].map((m) => ({ section: m[1]!.toLowerCase(), start: m.index!, end: m.index! + m[0].length }));
  const i = markers.findIndex((m) => m.section === ref.section);
  if (i < 0) return { file: ref.path, text: "", baseOffset: text.length, baseLine: lineAt(text, text.length), dialect };
  const start = markers[i]!.end;
  const end = markers[i + 1]?.start ?? text.length;
  return { file: ref.path, text: text.slice(start, end), baseOffset: start, baseLine: lineAt(text, start), dialect };
}

/** One script of a file, decoded and parsed; or why the file's content cannot be read (binary, not UTF-8). */
export function parseScriptFile(ref: ScriptRef, content: string | Uint8Array, dialect: Dialect): { script: ParsedScript } | { problem: string } {
  const decoded = decodeSource(content);
  if (!decoded.ok) return { problem: decoded.problem };
  return { script: parseScript(scriptSource(ref, decoded.text, dialect)) };
}

/** The options written on a dbmate marker line, e.g. `transaction:false`. */
export function sectionOptions(text: string, section: "up" | "down"): Record<string, string> {
  const marker = [...text.matchAll(MARKER)].find((m) => m[1]!.toLowerCase() === section);
  const options: Record<string, string> = {};
  for (const [, k, v] of marker?.[0].matchAll(/(\w+):(\w+)/g) ?? []) if (k !== "migrate") options[k!] = v!;
  return options;
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
