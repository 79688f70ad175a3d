// The review body the bot posts; `check --format markdown` prints exactly this.
import type { AnalysisReport } from "../report.js";

export interface MarkdownOptions {
  sources?: Map<string, string>;
}

export function renderMarkdown(report: AnalysisReport, _options: MarkdownOptions = {}): string {
  const lines = ["## migration-guard", ""];
  lines.push("| Migration | Risk | Rollback | Errors | Warnings |", "|---|---|---|---|---|");
  for (const m of report.migrations) {
    const live = m.findings.filter((f) => !f.suppressed);
    lines.push(
      `| \`${m.migration.id}\` | ${m.risk?.level ?? "–"} | ${m.risk?.rollback ?? "–"} | ${live.filter((f) => f.severity === "error").length} | ${live.filter((f) => f.severity === "warning").length} |`,
    );
  }
  return lines.join("\n") + "\n";
}
