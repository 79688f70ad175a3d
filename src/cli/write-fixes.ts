// `check --fix`: applies the findings' mechanical fixes (pure, src/core/fix/apply.ts) and writes
// the changed files back, keeping a byte-order mark the file had.
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { applyFixes, type FixResult } from "../core/fix/apply.js";
import type { AnalysisReport } from "../core/report.js";

export function writeFixes(report: AnalysisReport, sources: Map<string, string>, cwd: string): FixResult {
  const findings = [...report.migrations.flatMap((m) => m.findings), ...report.otherFindings];
  const result = applyFixes(findings, sources);
  for (const [file, text] of result.files) {
    const path = resolve(cwd, file);
    const bom = readFileSync(path).subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])) ? "\uFEFF" : "";
    writeFileSync(path, bom + text);
  }
  return result;
}

/** One line per applied or skipped fix, for stderr (stdout stays the report). */
export function describeFixes(result: FixResult): string {
  const lines = result.applied.map((f) => `fixed   ${f.file}:${f.line}  ${f.ruleId}: ${f.description}`);
  lines.push(...result.skipped.map((f) => `skipped ${f.file}:${f.line}  ${f.ruleId}: ${f.description} (${f.reason})`));
  const files = result.files.size;
  lines.push(`${result.applied.length} fix${result.applied.length === 1 ? "" : "es"} applied in ${files} file${files === 1 ? "" : "s"}${result.skipped.length ? `, ${result.skipped.length} skipped` : ""}.`);
  return `${lines.join("\n")}\n`;
}
