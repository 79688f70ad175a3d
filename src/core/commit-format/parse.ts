// Parses a commit message (or PR title + body) in the recipe's format:
//
//   feat(TICKET-ID): [Database migration description]
//
//   Migration: [Version number]
//   - Schema changes: [List changes]
//   - Data transformations: [If any]
//   - Performance impact: [Measured impact]
//   - Rollback tested: Yes
//
//   Deployment window: [Planned time]
import { COMMIT_FIELDS, FIELD_LABELS, type CommitField } from "./config.js";

export interface ParsedHeader {
  type?: string;
  scope?: string;
  description: string;
  raw: string;
}

export interface ParsedField {
  /** The value on the field's line plus continuation lines (nested list items). */
  value: string;
  /** 1-based line in the message. */
  line: number;
}

export interface ParsedMessage {
  header: ParsedHeader;
  fields: Partial<Record<CommitField, ParsedField>>;
}

const HEADER = /^([A-Za-z]+)(?:\(([^)]*)\))?!?:\s*(.*)$/;
const LABEL_TO_FIELD = new Map(COMMIT_FIELDS.map((f) => [FIELD_LABELS[f].toLowerCase(), f]));
const FIELD_LINE = /^\s*(?:[-*]\s+)?([A-Za-z][A-Za-z ]+?)\s*:\s*(.*)$/;

export function parseCommitMessage(message: string): ParsedMessage {
  const lines = message.replace(/\r\n/g, "\n").split("\n");
  const first = lines[0]?.trim() ?? "";
  const m = HEADER.exec(first);
  const header: ParsedHeader = m ? { type: m[1], scope: m[2]?.trim(), description: m[3]!.trim(), raw: first } : { description: first, raw: first };
  const fields: ParsedMessage["fields"] = {};
  let current: ParsedField | undefined;
  lines.slice(1).forEach((line, i) => {
    const f = FIELD_LINE.exec(line);
    const field = f ? LABEL_TO_FIELD.get(f[1]!.toLowerCase()) : undefined;
    if (field) {
      current = { value: f![2]!.trim(), line: i + 2 };
      if (!fields[field]) fields[field] = current;
      return;
    }
    // Indented lines and nested list items continue the field above (e.g. a list of schema changes).
    if (current && /^\s+\S/.test(line)) current.value = `${current.value}\n${line.trim().replace(/^[-*]\s+/, "")}`.trim();
    else if (!line.trim()) return;
    else current = undefined;
  });
  return { header, fields };
}

/** A field left as the recipe's template text (`[List changes]`) or empty says nothing. */
export function isPlaceholder(value: string): boolean {
  const v = value.trim();
  return v === "" || /^\[[^\]]*\]$/.test(v) || /^(tbd|todo|n\/a\?|\?+|-)$/i.test(v);
}
