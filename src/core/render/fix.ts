// Turning a fix's offset-based TextEdits into what people and tools apply: whole replacement
// lines (GitHub suggestions, terminal previews) and line/column regions (SARIF).
import type { Finding, TextEdit } from "../model.js";
import { LineIndex } from "../parse/text.js";

export interface LineReplacement {
  /** First and last file line (1-based) the fix rewrites. */
  startLine: number;
  endLine: number;
  /** Those lines as they are, and as they read after the fix (no line breaks). */
  before: string[];
  after: string[];
}

/**
 * The whole lines a finding's fix rewrites, before and after. Undefined when there is no
 * source, no fix, edits in another file, overlapping or out-of-range edits.
 */
export function fixedLines(finding: Finding, source: string | undefined, index?: LineIndex): LineReplacement | undefined {
  const edits = finding.fix?.edits ?? [];
  if (source === undefined || edits.length === 0) return undefined;
  const sorted = validEdits(edits, finding.span.file, source.length);
  if (!sorted) return undefined;
  const lines = index ?? new LineIndex(source);
  const first = sorted[0]!.startOffset;
  const last = Math.max(...sorted.map((e) => e.endOffset));
  const startLine = lines.position(first).line;
  const endLine = lines.position(last).line;
  const from = lines.lineStart(startLine);
  // An edit may end inside a CRLF pair; the rewritten range then reaches its end.
  const to = Math.max(last, lines.lineStart(endLine) + lines.lineText(endLine).length);
  let rewritten = "";
  let cursor = from;
  for (const edit of sorted) {
    rewritten += source.slice(cursor, edit.startOffset) + edit.replacement;
    cursor = edit.endOffset;
  }
  rewritten += source.slice(cursor, to);
  const before: string[] = [];
  for (let n = startLine; n <= endLine; n++) before.push(lines.lineText(n));
  const after = rewritten === "" ? [] : rewritten.split(/\r?\n/);
  return { startLine, endLine, before, after };
}

/** Edits sorted by offset, or undefined when they cannot be applied to this file's text. */
function validEdits(edits: TextEdit[], file: string, length: number): TextEdit[] | undefined {
  if (edits.some((e) => e.file !== file || e.startOffset > e.endOffset || e.endOffset > length)) return undefined;
  const sorted = [...edits].sort((a, b) => a.startOffset - b.startOffset || a.endOffset - b.endOffset);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.startOffset < sorted[i - 1]!.endOffset) return undefined;
  }
  return sorted;
}

/** A SARIF region for [start, end): line/column (1-based, end exclusive) plus char offsets. */
export interface OffsetRegion {
  startLine?: number;
  startColumn?: number;
  endLine?: number;
  endColumn?: number;
  charOffset: number;
  charLength: number;
}

export function regionOfOffsets(start: number, end: number, index: LineIndex | undefined): OffsetRegion {
  const region: OffsetRegion = { charOffset: start, charLength: end - start };
  if (!index) return region;
  const from = index.position(start);
  const to = index.position(end);
  return { startLine: from.line, startColumn: from.column, endLine: to.line, endColumn: to.column, ...region };
}
