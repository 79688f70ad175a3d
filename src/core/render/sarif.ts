// SARIF 2.1.0 for GitHub code scanning: every rule with its docs, every finding with its
// place, a stable fingerprint, its fix as offset-exact replacements, and suppressions.
import type * as Sarif from "sarif";
import type { Rule } from "../analyze/rule.js";
import type { Finding, Severity, TextEdit } from "../model.js";
import { lineIndexes, type LineIndex } from "../parse/text.js";
import { allFindings, type AnalysisReport } from "../report.js";
import { regionOfOffsets } from "./fix.js";
import { renderRuleDoc } from "./rule-doc.js";

export const SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI = "https://github.com/migration-guard/migration-guard";

const LEVEL: Record<Severity, Sarif.ReportingConfiguration.level> = { error: "error", warning: "warning", info: "note" };
const PROBLEM_SEVERITY: Record<Severity, string> = { error: "error", warning: "warning", info: "recommendation" };

export interface SarifOptions {
  /** File contents by path: turns fix offsets into lines/columns and adds snippets. */
  sources?: Map<string, string>;
}

export function renderSarif(report: AnalysisReport, rules: Rule[], options: SarifOptions = {}): Sarif.Log {
  const findings = allFindings(report, { includeSuppressed: true });
  const docsBase = docsBaseUrl(report, findings);
  const descriptors = rules.map((r) => ruleDescriptor(r, docsBase));
  // Findings of rules the caller did not pass still get a descriptor, so every result has one.
  for (const id of new Set(findings.map((f) => f.ruleId))) {
    if (!rules.some((r) => r.id === id)) descriptors.push({ id, shortDescription: { text: id }, helpUri: docsBase && `${docsBase}/${id}.md` });
  }
  descriptors.sort((a, b) => a.id.localeCompare(b.id));
  const ruleIndex = new Map(descriptors.map((d, i) => [d.id, i]));
  const lineIndex = lineIndexes(options.sources);
  return {
    $schema: SARIF_SCHEMA,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            version: report.tool.version,
            semanticVersion: report.tool.version,
            informationUri: INFORMATION_URI,
            rules: descriptors,
          },
        },
        columnKind: "utf16CodeUnits",
        results: findings.map((f) => result(f, ruleIndex.get(f.ruleId)!, options.sources?.get(f.span.file), lineIndex)),
      },
    ],
  };
}

function docsBaseUrl(report: AnalysisReport, findings: Finding[]): string | undefined {
  if (report.settings.docsUrl) return report.settings.docsUrl.replace(/\/$/, "");
  const linked = findings.find((f) => f.docsUrl?.endsWith(`/${f.ruleId}.md`));
  return linked?.docsUrl!.slice(0, -`/${linked.ruleId}.md`.length);
}

function ruleDescriptor(rule: Rule, docsBase: string | undefined): Sarif.ReportingDescriptor {
  return {
    id: rule.id,
    name: rule.id.replace(/(^|-)([a-z0-9])/g, (_m, _dash, c: string) => c.toUpperCase()),
    shortDescription: { text: rule.title },
    fullDescription: { text: rule.docs.why },
    help: { text: rule.docs.safeAlternative, markdown: renderRuleDoc(rule) },
    ...(docsBase ? { helpUri: `${docsBase}/${rule.id}.md` } : {}),
    defaultConfiguration: { level: LEVEL[rule.severity], enabled: !rule.optIn },
    properties: {
      tags: ["database-migrations", ...rule.dialects],
      precision: "very-high",
      "problem.severity": PROBLEM_SEVERITY[rule.severity],
    },
  };
}

function result(
  f: Finding,
  ruleIndex: number,
  source: string | undefined,
  lineIndex: (file: string) => LineIndex | undefined,
): Sarif.Result {
  const { span } = f;
  const region: Sarif.Region = {
    startLine: span.startLine,
    startColumn: span.startColumn,
    endLine: span.endLine,
    endColumn: span.startLine === span.endLine ? Math.max(span.endColumn, span.startColumn) : span.endColumn,
    charOffset: span.startOffset,
    charLength: span.endOffset - span.startOffset,
  };
  if (source !== undefined && span.endOffset > span.startOffset) region.snippet = { text: source.slice(span.startOffset, span.endOffset) };
  const out: Sarif.Result = {
    ruleId: f.ruleId,
    ruleIndex,
    level: LEVEL[f.severity],
    message: { text: f.help ? `${f.message} ${f.help}` : f.message },
    locations: [{ physicalLocation: { artifactLocation: { uri: encodeURI(span.file) }, region } }],
    partialFingerprints: { "migrationGuard/v1": f.fingerprint },
  };
  if (f.fix?.edits.length) out.fixes = [fixOf(f, lineIndex)];
  if (f.suppressed) out.suppressions = [{ kind: "inSource", status: "accepted", justification: f.suppressed.reason }];
  const properties: Record<string, unknown> = {};
  if (f.migrationId) properties.migrationId = f.migrationId;
  if (f.locks.length) properties.locks = f.locks;
  if (Object.keys(properties).length) out.properties = properties;
  return out;
}

/** One artifactChange per file, replacements in offset order with line/column regions. */
function fixOf(f: Finding, lineIndex: (file: string) => LineIndex | undefined): Sarif.Fix {
  const byFile = new Map<string, TextEdit[]>();
  for (const edit of f.fix!.edits) byFile.set(edit.file, [...(byFile.get(edit.file) ?? []), edit]);
  return {
    description: { text: f.fix!.description },
    artifactChanges: [...byFile].map(([file, edits]) => ({
      artifactLocation: { uri: encodeURI(file) },
      replacements: [...edits]
        .sort((a, b) => a.startOffset - b.startOffset)
        .map((e) => ({
          deletedRegion: regionOfOffsets(e.startOffset, e.endOffset, lineIndex(file)),
          insertedContent: { text: e.replacement },
        })),
    })),
  };
}
