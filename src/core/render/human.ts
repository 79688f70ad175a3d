// Terminal output: the findings grouped by file, then by line, each with a code frame (the span
// underlined, the fix shown as a diff); suppressed findings, the risky migrations, then a verdict
// line. Text wraps at word boundaries to the terminal's width (a lock mode never splits).
import type { Finding, Severity } from "../model.js";
import { lineIndexes, type LineIndex } from "../parse/text.js";
import { allFindings, type AnalysisReport, type MigrationReport } from "../report.js";
import { blockingFindings, bySeverityThenPlace, countBySeverity, countsText, formatSeconds, lockEffect, lockSentence, plural } from "./common.js";
import { fixedLines } from "./fix.js";
import type { RenderContext } from "./index.js";

const STYLES = {
  error: "\u001b[31m",
  warning: "\u001b[33m",
  info: "\u001b[36m",
  added: "\u001b[32m",
  removed: "\u001b[31m",
  ok: "\u001b[32m",
  dim: "\u001b[2m",
  bold: "\u001b[1m",
} as const;
const RESET = "\u001b[0m";
type Style = keyof typeof STYLES;
type Paint = (style: Style, text: string) => string;

/** Frames longer than this many lines show their start and say how many lines follow. */
const MAX_FRAME_LINES = 5;
/** Source lines wider than this are shown as a window around the finding's column. */
const MAX_LINE_WIDTH = 160;
const TAB = "    ";

/**
 * Colors follow the terminal conventions: NO_COLOR (any non-empty value) turns them off,
 * FORCE_COLOR (non-empty, not "0") forces them, otherwise only a TTY gets them.
 */
export function colorEnabled(isTTY: boolean, env: Record<string, string | undefined>, noColorFlag = false): boolean {
  if (noColorFlag || env.NO_COLOR) return false;
  if (env.FORCE_COLOR && env.FORCE_COLOR !== "0") return true;
  return isTTY;
}

export function renderHuman(report: AnalysisReport, { sources, color, width }: Pick<RenderContext, "sources" | "color" | "width">): string {
  const paint: Paint = (style, text) => (color && text ? `${STYLES[style]}${text}${RESET}` : text);
  const wrap: Wrap = (text, indent) => wrapWords(text, width, indent);
  const indexOf = lineIndexes(sources);
  const findings = allFindings(report);
  // Files in the order of their strongest finding; inside a file, by line.
  const strongest = new Map<string, Finding>();
  for (const f of [...findings].sort(bySeverityThenPlace)) if (!strongest.has(f.span.file)) strongest.set(f.span.file, f);
  const blocks: string[] = [];
  for (const file of strongest.keys()) {
    const own = findings.filter((f) => f.span.file === file).sort((a, b) => a.span.startOffset - b.span.startOffset || bySeverityThenPlace(a, b));
    const counts = countsText(countBySeverity(own));
    blocks.push(paint("bold", `${file} (${counts})`));
    for (const f of own) blocks.push(findingBlock(f, sources.get(file), indexOf(file), paint, wrap));
  }
  const suppressed = allFindings(report, { includeSuppressed: true }).filter((f) => f.suppressed);
  if (suppressed.length) blocks.push(suppressedBlock(suppressed, paint, wrap));
  const migrations = migrationsBlock(report.migrations, paint, wrap);
  if (migrations) blocks.push(migrations);
  blocks.push(verdictLine(report, paint));
  return blocks.join("\n\n") + "\n";
}

type Wrap = (text: string, indent: number) => string;

function findingBlock(f: Finding, source: string | undefined, index: LineIndex | undefined, paint: Paint, wrap: Wrap): string {
  const label = `${f.severity}[${f.ruleId}]`;
  const message = wrap(`${label}: ${f.message}`, 2).slice(label.length);
  const lines = [`${paint(f.severity, paint("bold", label))}${message}`];
  lines.push(`  ${paint("dim", "-->")} ${f.span.file}:${f.span.startLine}:${f.span.startColumn}`);
  lines.push(...codeFrame(f, index, paint));
  const note = (label: string, text: string) => `  ${paint("dim", "=")}${wrap(`  = ${label}: ${text}`, 4).slice(3)}`;
  for (const lock of f.locks) lines.push(note("lock", lockSentence(lock).replace(/`/g, "")));
  if (f.help) lines.push(note("help", f.help));
  if (f.fix) {
    lines.push(note("fix", f.fix.description));
    const change = fixedLines(f, source, index);
    if (change) {
      for (const l of change.before) lines.push(`      ${paint("removed", `- ${expandTabs(l)}`)}`);
      for (const l of change.after) lines.push(`      ${paint("added", `+ ${expandTabs(l)}`)}`);
    }
  }
  if (f.docsUrl) lines.push(`  ${paint("dim", "=")} docs: ${paint("dim", f.docsUrl)}`);
  return lines.join("\n");
}

/** The finding's lines with a gutter, the span underlined on its first line. */
function codeFrame(f: Finding, index: LineIndex | undefined, paint: Paint): string[] {
  if (index === undefined) return [];
  const { startLine, endLine, startColumn, endColumn } = f.span;
  const last = Math.min(endLine, startLine + MAX_FRAME_LINES - 1, index.lineCount);
  const width = String(last).length;
  const gutter = (label: string) => paint("dim", `${label.padStart(width)} |`);
  const out = [gutter("")];
  for (let n = startLine; n <= last; n++) {
    const text = index.lineText(n);
    const from = n === startLine ? startColumn : 1;
    const to = n === endLine ? Math.max(endColumn, from + 1) : text.length + 1;
    const shown = windowed(text, from, to);
    out.push(`${gutter(String(n))} ${shown.text}`.trimEnd());
    if (n === startLine) out.push(`${gutter("")} ${" ".repeat(shown.from)}${paint(f.severity, "^".repeat(Math.max(1, shown.to - shown.from)))}`);
  }
  if (endLine > last) out.push(`${gutter("")} ${paint("dim", `… ${plural(endLine - last, "more line")}`)}`);
  return out;
}

/**
 * A source line as displayed (tabs expanded, very long lines cut to a window around the
 * span) and the display columns (0-based, end exclusive) of [from, to) 1-based columns.
 */
function windowed(text: string, from: number, to: number): { text: string; from: number; to: number } {
  const display = (column: number) => expandTabs(text.slice(0, column - 1)).length;
  let shown = expandTabs(text);
  let start = display(from);
  let end = Math.max(start + 1, display(Math.min(to, text.length + 1)));
  if (shown.length <= MAX_LINE_WIDTH) return { text: shown, from: start, to: end };
  const offset = Math.max(0, start - 40);
  const prefix = offset > 0 ? "…" : "";
  const body = shown.slice(offset, offset + MAX_LINE_WIDTH);
  shown = `${prefix}${body}${offset + MAX_LINE_WIDTH < shown.length ? "…" : ""}`;
  start = start - offset + prefix.length;
  end = Math.min(end - offset + prefix.length, prefix.length + body.length);
  return { text: shown, from: start, to: Math.max(end, start + 1) };
}

function expandTabs(text: string): string {
  return text.replace(/\t/g, TAB);
}

function suppressedBlock(findings: Finding[], paint: Paint, wrap: Wrap): string {
  const lines = [paint("bold", `suppressed (${findings.length}):`)];
  for (const f of findings) lines.push(paint("dim", wrap(`  ${f.span.file}:${f.span.startLine} ${f.ruleId}: ${f.suppressed!.reason}`, 4)));
  return lines.join("\n");
}

/** Migrations worth a look (findings, or risk above low); the others are only counted. */
function migrationsBlock(migrations: MigrationReport[], paint: Paint, wrap: Wrap): string | undefined {
  const notable = migrations.filter((m) => m.findings.some((f) => !f.suppressed) || (m.risk && m.risk.level !== "low"));
  if (!notable.length) return undefined;
  const lines = [paint("bold", "migrations:")];
  const width = Math.min(60, Math.max(...notable.map((m) => m.migration.id.length)));
  for (const m of notable) {
    const parts: string[] = [];
    if (m.risk) {
      parts.push(`${m.risk.level} risk`, `rollback ${m.risk.rollback}`);
      for (const l of m.risk.locks.filter((lock) => lockEffect(lock.mode) !== "traffic continues")) {
        const hold = l.estimatedSeconds !== undefined ? ` ${formatSeconds(l.estimatedSeconds)}` : "";
        parts.push(`${l.mode} on ${l.relation} (${lockEffect(l.mode)}${hold})`);
      }
    }
    const counts = countsText(countBySeverity(m.findings.filter((f) => !f.suppressed)));
    if (counts) parts.push(counts);
    const level: Severity | "dim" = m.risk?.level === "high" || m.risk?.level === "critical" ? "error" : m.risk?.level === "medium" ? "warning" : "dim";
    const prefix = `  ${m.migration.id.padEnd(width)}  `;
    // Wrapped between the parts first, so "ACCESS EXCLUSIVE on orders" stays on one line when it fits.
    const text = wrap(`${prefix}${parts.join(" · ")}`, Math.min(prefix.length, 8)).slice(prefix.length);
    lines.push(`${prefix}${text.split("\n").map((l) => paint(level, l)).join("\n")}`);
  }
  const quiet = migrations.length - notable.length;
  if (quiet) lines.push(paint("dim", `  ${plural(quiet, "other migration")}: low risk, no findings`));
  return lines.join("\n");
}

function verdictLine(report: AnalysisReport, paint: Paint): string {
  const { summary, settings } = report;
  const scope = `in ${plural(summary.migrations, "migration")}${summary.suppressed ? ` (${summary.suppressed} suppressed)` : ""}`;
  const counts = countsText(summary.counts);
  if (blockingFindings(report).length) return paint("error", paint("bold", `✖ ${counts} ${scope}; fails at ${settings.failLevel}`));
  if (counts) return paint("warning", paint("bold", `⚠ ${counts} ${scope}; nothing at the fail level (${settings.failLevel})`));
  return paint("ok", paint("bold", `✔ no findings ${scope}`));
}

/**
 * Wraps one line of text at spaces to `width` columns; continuation lines are indented by
 * `indent`. A word longer than the line stays whole. Without a width the text is unchanged.
 */
export function wrapWords(text: string, width: number | undefined, indent = 0): string {
  if (!width || width < 20 || text.length <= width) return text;
  const pad = " ".repeat(indent);
  const out: string[] = [];
  let line = "";
  // Never break inside a lock mode ("ACCESS EXCLUSIVE", "SHARE ROW EXCLUSIVE"): join them first.
  const words = text.replace(/\b(ACCESS|SHARE ROW|ROW|SHARE UPDATE) (EXCLUSIVE|SHARE)\b/g, (m) => m.replace(/ /g, "\u00a0")).split(" ");
  for (const word of words) {
    const candidate = line ? `${line} ${word}` : word;
    if (candidate.length > width && line.trim()) {
      out.push(line);
      line = `${pad}${word}`;
    } else line = candidate;
  }
  out.push(line);
  return out.join("\n").replace(/\u00a0/g, " ");
}
