// Runs the real engine on in-memory files, the way the CLI and the bot do.
import { analyzeChange } from "../../src/core/analyze/engine.js";
import { validateConfig } from "../../src/core/config/load.js";
import type { ConfigInput } from "../../src/core/config/schema.js";
import type { ChangeInput, SourceFile } from "../../src/core/model.js";
import { loadParsers } from "../../src/core/parse/index.js";
import type { AnalysisReport } from "../../src/core/report.js";
import { loadRules } from "../../rules/index.js";

export async function analyzeFiles(
  head: Record<string, string> | SourceFile[],
  options: { config?: ConfigInput; base?: Record<string, string> | SourceFile[] } = {},
): Promise<AnalysisReport> {
  const [rules] = await Promise.all([loadRules(), loadParsers()]);
  const result = validateConfig(options.config ?? {});
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  const toFiles = (f: Record<string, string> | SourceFile[]): SourceFile[] =>
    Array.isArray(f) ? f : Object.entries(f).map(([path, content]) => ({ path, content }));
  const input: ChangeInput = { head: toFiles(head), base: options.base ? toFiles(options.base) : undefined };
  return analyzeChange(input, result.config, rules);
}

export function ruleIds(report: AnalysisReport, { includeSuppressed = false } = {}): string[] {
  return report.migrations
    .flatMap((m) => m.findings)
    .concat(report.otherFindings)
    .filter((f) => includeSuppressed || !f.suppressed)
    .map((f) => f.ruleId);
}
