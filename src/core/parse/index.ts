// Entry point of the parse stage: one source in, one ParsedScript out, whatever the dialect.
import type { SqlSource } from "../model.js";
import { loadPostgresParser, parsePostgres } from "./postgres.js";
import { parseMysql } from "./mysql.js";
import type { ParsedScript } from "./script.js";

export type { ParsedScript, Statement, ParseProblem } from "./script.js";

/** Call once before parsing (the CLI, the app and tests do); parsing itself is synchronous. */
export async function loadParsers(): Promise<void> {
  await loadPostgresParser();
}

export function parseScript(source: SqlSource): ParsedScript {
  return source.dialect === "postgres" ? parsePostgres(source) : parseMysql(source);
}
