// Terminal output: one block per finding with a code frame, then a summary line.
import type { Finding } from "../model.js";
import { allFindings, type AnalysisReport } from "../report.js";
import type { RenderContext } from "./index.js";

const COLORS = { error: "\u001b[31m", warning: "\u001b[33m", info: "\u001b[36m", dim: "\u001b[2m", bold: "\u001b[1m", reset: "\u001b[0m" };

export function renderHuman(report: AnalysisReport, { sources, color }: Pick<RenderContext, "sources" | "color">): string {
  const paint = (code: keyof typeof COLORS, text: string) => (color ? `${COLORS[code]}${text}${COLORS.reset}` : text);
  const blocks = allFindings(report).map((f) => findingBlock(f, sources.get(f.span.file), paint));
  const { counts, migrations, suppressed } = report.summary;
  const summary = `${migrations} migration${migrations === 1 ? "" : "s"} checked: ${counts.error} error${counts.error === 1 ? "" : "s"}, ${counts.warning} warning${counts.warning === 1 ? "" : "s"}, ${counts.info} info${suppressed ? `, ${suppressed} suppressed` : ""}`;
  return [...blocks, paint("bold", summary)].join("\n\n") + "\n";
}

function findingBlock(f: Finding, source: string | undefined, paint: (c: keyof typeof COLORS, t: string) => string): string {
  const head = `${paint(f.severity, `${f.severity}[${f.ruleId}]`)}: ${f.message}`;
  const where = paint("dim", `  --> ${f.span.file}:${f.span.startLine}:${f.span.startColumn}`);
  const lines = [head, where, ...codeFrame(source, f.span.startLine, f.span.endLine, f.span.startColumn, paint)];
  if (f.help) lines.push(`  = help: ${f.help}`);
  if (f.fix) lines.push(`  = fix: ${f.fix.description}`);
  if (f.docsUrl) lines.push(paint("dim", `  = docs: ${f.docsUrl}`));
  return lines.join("\n");
}

function codeFrame(
  source: string | undefined,
  startLine: number,
  endLine: number,
  column: number,
  paint: (c: keyof typeof COLORS, t: string) => string,
): string[] {
  if (source === undefined) return [];
  const all = source.split(/\r?\n/);
  const last = Math.min(endLine, startLine + 4);
  const width = String(last).length;
  const out: string[] = [];
  for (let n = startLine; n <= last; n++) {
    out.push(`${paint("dim", `${String(n).padStart(width)} |`)} ${all[n - 1] ?? ""}`);
    if (n === startLine) out.push(`${" ".repeat(width)} ${paint("dim", "|")} ${" ".repeat(Math.max(0, column - 1))}${paint("error", "^")}`);
  }
  if (endLine > last) out.push(`${" ".repeat(width)} ${paint("dim", "|")} …`);
  return out;
}
