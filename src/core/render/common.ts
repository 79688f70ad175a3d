// Small pieces every renderer shares: icons, counts, lock wording, Markdown escaping and
// size-limited assembly of text out of blocks.
import type { Finding, LockMode, RiskLevel, Severity } from "../model.js";
import { SEVERITY_ORDER } from "../model.js";
import { blockedBy } from "../analyze/pg-locks.js";
import { allFindings, type AnalysisReport, type RollbackComplexity } from "../report.js";
import { code } from "./markdown-escape.js";

// The escaping helpers live in markdown-escape.ts; renderers import them from here too.
export { cell, code, fence, safeInline } from "./markdown-escape.js";

export const SEVERITY_ICON: Record<Severity, string> = { error: "❌", warning: "⚠️", info: "ℹ️" };
export const RISK_ICON: Record<RiskLevel, string> = { low: "🟢", medium: "🟡", high: "🟠", critical: "🔴" };
export const ROLLBACK_LABEL: Record<RollbackComplexity, string> = {
  reversible: "✅ reversible",
  lossy: "⚠️ lossy",
  irreversible: "❌ irreversible",
  missing: "⚠️ missing",
  "not-expected": "➖ not used",
};

export function plural(count: number, word: string, many = `${word}s`): string {
  return `${count.toLocaleString("en-US")} ${count === 1 ? word : many}`;
}

/** "3 errors, 1 warning": non-zero severities only, strongest first; "" when all are zero. */
export function countsText(counts: Record<Severity, number>, separator = ", "): string {
  const parts: string[] = [];
  if (counts.error) parts.push(plural(counts.error, "error"));
  if (counts.warning) parts.push(plural(counts.warning, "warning"));
  if (counts.info) parts.push(plural(counts.info, "info", "infos"));
  return parts.join(separator);
}

export function countBySeverity(findings: Finding[]): Record<Severity, number> {
  const counts = { error: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}

/** Unsuppressed findings at or above the report's fail level: what blocks the merge. */
export function blockingFindings(report: AnalysisReport): Finding[] {
  const level = SEVERITY_ORDER[report.settings.failLevel];
  return allFindings(report).filter((f) => SEVERITY_ORDER[f.severity] >= level);
}

/** Strongest severity first, then file order: what to fix first is on top. */
export function bySeverityThenPlace(a: Finding, b: Finding): number {
  return (
    SEVERITY_ORDER[b.severity] - SEVERITY_ORDER[a.severity] ||
    a.span.file.localeCompare(b.span.file) ||
    a.span.startOffset - b.span.startOffset ||
    a.ruleId.localeCompare(b.ruleId)
  );
}

/** What a lock mode means for traffic, short enough for a table cell. */
export function lockEffect(mode: LockMode): string {
  switch (mode) {
    case "ACCESS EXCLUSIVE":
      return "blocks reads and writes";
    case "EXCLUSIVE":
    case "SHARE ROW EXCLUSIVE":
    case "SHARE":
      return "blocks writes";
    default:
      return "traffic continues";
  }
}

/** The sentence form of a lock, for explanations: "SHARE on `orders`: blocks writes (…); reads continue". */
export function lockSentence(lock: { relation: string; mode: LockMode; blocks?: string }): string {
  return `${lock.mode} on ${code(lock.relation)}: blocks ${lock.blocks ?? blockedBy(lock.mode)}`;
}

/** "~0.4 s", "~12 s", "~3 min", "~1.5 h": estimates, so rounded. */
export function formatSeconds(seconds: number): string {
  if (seconds < 1) return `~${Math.max(0.1, Math.round(seconds * 10) / 10)} s`;
  if (seconds < 90) return `~${Math.round(seconds)} s`;
  if (seconds < 90 * 60) return `~${Math.round(seconds / 60)} min`;
  return `~${Math.round(seconds / 360) / 10} h`;
}

/** UTF-8 byte length, counted without allocating (GitHub enforces some limits in bytes). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      bytes += 4; // a surrogate pair is one 4-byte code point
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** A piece of a size-limited document. Blocks are separated by one blank line. */
export interface Block {
  /** Lines of text; an entry holding line breaks is a unit a cut never splits. */
  lines: string[];
  /** The block may be cut between lines (a list, a table); otherwise it is all or nothing. */
  cuttable?: boolean;
  /** Lines that must stay with any kept part (a table header); a cut keeping fewer drops the block. */
  keepTogether?: number;
  /** Lines appended when the block is cut, to close what it opened (`</details>`). */
  closing?: string[];
}

export interface FitOptions {
  limit: number;
  /** How the limit is counted: UTF-16 code units (string length) or UTF-8 bytes. */
  measure: (text: string) => number;
  /** The line that replaces what was cut, given how many lines were left out. */
  cutNote: (omittedLines: number) => string;
}

/**
 * Joins blocks into one text no longer than `limit`. When everything does not fit, whole
 * blocks are kept in order, the first block that does not fit is cut at a line boundary
 * (when it may be), the rest is left out and a note says so.
 */
export function fitBlocks(blocks: Block[], { limit, measure, cutNote }: FitOptions): string {
  const join = (parts: Block[]) => parts.map((b) => b.lines.join("\n")).join("\n\n") + "\n";
  const full = join(blocks);
  if (measure(full) <= limit) return full;

  const totalLines = blocks.reduce((n, b) => n + lineCount(b.lines), 0);
  const reserve = measure(cutNote(totalLines)) + 4;
  const kept: Block[] = [];
  let used = 0;
  let keptLines = 0;
  for (const block of blocks) {
    const text = block.lines.join("\n");
    const cost = measure(text) + (kept.length ? 2 : 0);
    if (used + cost + 1 + reserve <= limit) {
      kept.push(block);
      used += cost;
      keptLines += lineCount(block.lines);
      continue;
    }
    if (block.cuttable) {
      const part = cutBlock(block, limit - reserve - used - (kept.length ? 2 : 0) - 1, measure);
      if (part) {
        kept.push(part.block);
        keptLines += part.kept;
      }
    }
    // The first block is the headline: under a tiny limit it beats the note.
    if (!kept.length) {
      kept.push(block);
      keptLines += lineCount(block.lines);
    }
    break;
  }
  const note = cutNote(totalLines - keptLines);
  for (const text of [join([...kept, { lines: [note] }]), join(kept)]) {
    if (measure(text) <= limit) return text;
  }
  return hardCut(join(kept), limit, measure);
}

function cutBlock(block: Block, budget: number, measure: (t: string) => number): { block: Block; kept: number } | undefined {
  const closing = block.closing ?? [];
  let used = closing.reduce((n, l) => n + measure(l) + 1, 0);
  const lines: string[] = [];
  for (const line of block.lines) {
    const cost = measure(line) + 1;
    if (used + cost > budget) break;
    lines.push(line);
    used += cost;
  }
  if (lines.length <= (block.keepTogether ?? 0)) return undefined;
  return { block: { lines: [...lines, ...closing] }, kept: lineCount(lines) };
}

function lineCount(lines: string[]): number {
  return lines.reduce((n, l) => n + l.split("\n").length, 0);
}

/** Last resort for absurdly small limits: cut at the last line break that fits. */
function hardCut(text: string, limit: number, measure: (t: string) => number): string {
  let end = Math.min(text.length, limit);
  while (end > 0 && measure(text.slice(0, end)) > limit) end = Math.floor(end * 0.9);
  const cut = text.slice(0, end);
  const newline = cut.lastIndexOf("\n");
  return newline > 0 ? cut.slice(0, newline + 1) : cut;
}
