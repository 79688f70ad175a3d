// The dialect-neutral shape of a parsed migration script.
import type { Dialect, EmbeddedSql, MetaCommand, Span } from "../model.js";
import type { Range } from "./lexer.js";
import type { LineIndex } from "./text.js";

export interface Statement {
  /** 0-based position in its script. */
  index: number;
  /** Exact source text, without the terminating `;`. */
  text: string;
  span: Span;
  dialect: Dialect;
  /** The parser's node: for PostgreSQL the libpg_query node's inner object, keyed by `kind`. */
  ast: any;
  /** Node type, e.g. `IndexStmt` (PostgreSQL) or `alter` (node-sql-parser). */
  kind: string;
}

export interface ParseProblem {
  kind: "parse-error" | "psql-meta-command" | "unreadable-file" | "unanalyzable-sql";
  message: string;
  span: Span;
}

export interface ParsedScript {
  file: string;
  dialect: Dialect;
  text: string;
  lines: LineIndex;
  baseOffset: number;
  baseLine: number;
  statements: Statement[];
  comments: Range[];
  metaCommands: MetaCommand[];
  problems: ParseProblem[];
  /** SQL cut out of code: where its strings are (fixes must stay inside them). */
  embedded?: EmbeddedSql;
}
