// SARIF 2.1.0 for GitHub code scanning.
import type { Rule } from "../analyze/rule.js";
import { allFindings, type AnalysisReport } from "../report.js";

export function renderSarif(report: AnalysisReport, rules: Rule[]): object {
  const used = new Set(allFindings(report).map((f) => f.ruleId));
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "migration-guard",
            version: report.tool.version,
            rules: rules.filter((r) => used.has(r.id)).map((r) => ({ id: r.id, shortDescription: { text: r.title } })),
          },
        },
        results: allFindings(report).map((f) => ({
          ruleId: f.ruleId,
          level: f.severity === "info" ? "note" : f.severity,
          message: { text: f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: f.span.file },
                region: { startLine: f.span.startLine, startColumn: f.span.startColumn, endLine: f.span.endLine, endColumn: f.span.endColumn },
              },
            },
          ],
          partialFingerprints: { migrationGuard: f.fingerprint },
        })),
      },
    ],
  };
}
