// Applying the mechanical fixes of findings to file contents. Pure: text in, text out.
// Edits are applied from the end of each file backwards so earlier offsets stay valid; a fix
// whose edits overlap an already accepted fix is skipped whole (never half-applied).
import type { Finding, TextEdit } from "../model.js";

export interface AppliedFix {
  ruleId: string;
  file: string;
  description: string;
  line: number;
}

export interface SkippedFix extends AppliedFix {
  reason: string;
}

export interface FixResult {
  /** New content per file that changed. */
  files: Map<string, string>;
  applied: AppliedFix[];
  skipped: SkippedFix[];
}

/** Applies every live finding's fix to `sources` (path → content). */
export function applyFixes(findings: Finding[], sources: Map<string, string>): FixResult {
  const accepted = new Map<string, TextEdit[]>();
  const applied: AppliedFix[] = [];
  const skipped: SkippedFix[] = [];
  const seen = new Set<string>();
  for (const finding of findings) {
    if (!finding.fix || finding.suppressed) continue;
    const info = { ruleId: finding.ruleId, file: finding.span.file, description: finding.fix.description, line: finding.span.startLine };
    // The same fix reported twice (e.g. once per rule run) is applied once.
    const key = JSON.stringify(finding.fix.edits);
    if (seen.has(key)) continue;
    seen.add(key);
    const problem = validate(finding.fix.edits, sources, accepted);
    if (problem) {
      skipped.push({ ...info, reason: problem });
      continue;
    }
    for (const edit of finding.fix.edits) accepted.set(edit.file, [...(accepted.get(edit.file) ?? []), edit]);
    applied.push(info);
  }
  const files = new Map<string, string>();
  for (const [file, edits] of accepted) files.set(file, applyEdits(sources.get(file)!, edits));
  return { files, applied, skipped };
}

function validate(edits: TextEdit[], sources: Map<string, string>, accepted: Map<string, TextEdit[]>): string | undefined {
  for (const edit of edits) {
    const text = sources.get(edit.file);
    if (text === undefined) return `${edit.file} is not available`;
    if (edit.startOffset > edit.endOffset || edit.endOffset > text.length) return `edit outside ${edit.file}`;
    const clash = [...(accepted.get(edit.file) ?? []), ...edits.filter((e) => e !== edit && e.file === edit.file)].find((other) => overlaps(edit, other));
    if (clash) return "overlaps another fix";
  }
  return undefined;
}

/** Two edits overlap when their ranges intersect, or both insert at the same offset. */
function overlaps(a: TextEdit, b: TextEdit): boolean {
  if (a.startOffset === a.endOffset && b.startOffset === b.endOffset) return a.startOffset === b.startOffset;
  return a.startOffset < b.endOffset && b.startOffset < a.endOffset;
}

/** Applies non-overlapping edits to one text, last first, in the text's own line endings. */
export function applyEdits(text: string, edits: TextEdit[]): string {
  const crlf = text.includes("\r\n");
  let out = text;
  for (const edit of [...edits].sort((x, y) => y.startOffset - x.startOffset || y.endOffset - x.endOffset)) {
    const replacement = crlf ? edit.replacement.replace(/\r?\n/g, "\r\n") : edit.replacement;
    out = out.slice(0, edit.startOffset) + replacement + out.slice(edit.endOffset);
  }
  return out;
}
