// The `migration-guard` check run: a title, a Markdown summary and text within GitHub's
// 65,535-character limits, one annotation per finding, and a conclusion by the fail level.
import type { Finding, Severity } from "../model.js";
import { lineIndexes, type LineIndex } from "../parse/text.js";
import { allFindings, type AnalysisReport } from "../report.js";
import { blockingFindings, fitBlocks, lockSentence, plural, utf8Length, type Block } from "./common.js";
import { fixedLines } from "./fix.js";
import { findingItems, migrationDetails, statsLine, summaryTable, verdict, type ReviewBodyOptions } from "./markdown.js";

/** GitHub's limit for `output.summary` and `output.text`; counted in bytes to be safe either way. */
export const MAX_OUTPUT_LENGTH = 65_535;
/** Annotation `message` and `raw_details` may hold 64 KB each. */
const MAX_ANNOTATION_FIELD = 64 * 1024;
const MAX_TITLE = 255;

export type AnnotationLevel = "notice" | "warning" | "failure";

/** GitHub's check-run annotation, field for field (columns only when on one line). */
export interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: AnnotationLevel;
  title: string;
  message: string;
  raw_details?: string;
}

export interface CheckRunOutput {
  title: string;
  summary: string;
  text?: string;
  annotations: CheckAnnotation[];
}

export interface CheckRunOptions {
  /** File contents by path, to show fixes in the annotations' raw details. */
  sources?: Map<string, string>;
  /** Where more is to be read (the review, a CI run) when the output is cut. */
  detailsUrl?: string;
  /** Caveats shown under the title, as in the review body. */
  notes?: string[];
  /** The same sections as the review body; rendered only when given. */
  sections?: ReviewBodyOptions["sections"];
}

const LEVEL: Record<Severity, AnnotationLevel> = { error: "failure", warning: "warning", info: "notice" };

export function renderCheckRunOutput(report: AnalysisReport, options: CheckRunOptions = {}): CheckRunOutput {
  const sources = options.sources ?? new Map<string, string>();
  const findings = allFindings(report);
  const indexOf = lineIndexes(sources);
  const where = options.detailsUrl ? ` Full report: ${options.detailsUrl}` : "";
  const cutNote = (what: string) => (omitted: number) =>
    `> ✂️ ${plural(omitted, "more line")} cut to stay within GitHub's 65,535-character limit; ${what}.${where}`;

  const summaryBlocks: Block[] = [{ lines: [`## ${verdict(report).headline}`, "", statsLine(report)] }];
  if (options.notes?.length) summaryBlocks.push({ lines: options.notes.map((n) => `> **Note:** ${n}`) });
  summaryBlocks.push(summaryTable(report));
  if (findings.length) {
    summaryBlocks.push({ lines: ["### Findings", "", ...findingItems(findings, sources, indexOf)], cuttable: true, keepTogether: 1 });
  }
  for (const [key, title] of [
    ["gates", "Quality gates"],
    ["commitFormat", "Commit format"],
    ["evidence", "Migration test"],
    ["runbook", "Runbook"],
  ] as const) {
    let content = options.sections?.[key]?.trim();
    // The gates' full table lives in their own check run and sticky comment: here, the verdict and the link.
    if (key === "gates" && content) content = gatesPointer(content);
    if (content) summaryBlocks.push({ lines: content.startsWith("#") ? [content] : [`### ${title}`, "", content] });
  }
  const summary = fitBlocks(summaryBlocks, {
    limit: MAX_OUTPUT_LENGTH,
    measure: utf8Length,
    cutNote: cutNote(`every finding is also an annotation (${findings.length.toLocaleString("en-US")})`),
  });

  const output: CheckRunOutput = {
    title: clip(verdict(report).title, MAX_TITLE),
    summary,
    annotations: findings.map((f) => annotationFor(f, sources.get(f.span.file), indexOf(f.span.file))),
  };
  if (report.migrations.length) {
    const textBlocks: Block[] = [{ lines: ["## Details per migration"] }];
    for (const m of report.migrations) textBlocks.push({ lines: migrationDetails(m), cuttable: true, keepTogether: 1 });
    output.text = fitBlocks(textBlocks, {
      limit: MAX_OUTPUT_LENGTH,
      measure: utf8Length,
      cutNote: cutNote("run `migration-guard check --format json` for every detail"),
    });
  }
  return output;
}

function gatesPointer(section: string): string {
  const lines = section.split("\n").filter((l) => l.trim());
  const heading = lines[0]!.startsWith("#") ? lines[0]! : `### Quality gates\n\n${lines[0]}`;
  const link = lines.length > 1 ? lines.at(-1)! : "";
  return link && !link.startsWith("-") && !link.startsWith("|") ? `${heading}\n\n${link}` : heading;
}

/** `failure` when a finding reaches the fail level, `neutral` when findings remain below it. */
export function checkConclusion(report: AnalysisReport): "success" | "failure" | "neutral" {
  if (blockingFindings(report).length) return "failure";
  return allFindings(report).length ? "neutral" : "success";
}

export function annotationFor(finding: Finding, source: string | undefined, index?: LineIndex): CheckAnnotation {
  const { span } = finding;
  const annotation: CheckAnnotation = {
    path: span.file,
    start_line: span.startLine,
    end_line: span.endLine,
    annotation_level: LEVEL[finding.severity],
    title: clip(`${finding.ruleId} (${finding.severity})`, MAX_TITLE),
    message: clipBytes(annotationMessage(finding), MAX_ANNOTATION_FIELD),
  };
  if (span.startLine === span.endLine) {
    annotation.start_column = span.startColumn;
    // Spans end one past the last character; GitHub's end column is the last character.
    annotation.end_column = Math.max(span.startColumn, span.endColumn - 1);
  }
  const change = finding.fix ? fixedLines(finding, source, index) : undefined;
  if (finding.fix && change) {
    const diff = [...change.before.map((l) => `- ${l}`), ...change.after.map((l) => `+ ${l}`)];
    const range = change.startLine === change.endLine ? `line ${change.startLine}` : `lines ${change.startLine}-${change.endLine}`;
    annotation.raw_details = clipBytes(`${finding.fix.description} (${range}):\n${diff.join("\n")}`, MAX_ANNOTATION_FIELD);
  }
  return annotation;
}

/** Annotations are plain text: the message, then locks, help, fix and docs on their own lines. */
function annotationMessage(finding: Finding): string {
  const lines = [plain(finding.message)];
  for (const lock of finding.locks) lines.push(`Takes ${plain(lockSentence(lock))}.`);
  if (finding.help) lines.push(plain(finding.help));
  if (finding.fix) lines.push(`Fix: ${plain(finding.fix.description)}`);
  if (finding.docsUrl) lines.push(`Docs: ${finding.docsUrl}`);
  return lines.join("\n");
}

/** Messages are Markdown; GitHub shows annotations as written, so code-span backticks would show. */
function plain(text: string): string {
  return text.replace(/(`+) ?([^`]+?) ?\1/g, "$2");
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function clipBytes(text: string, max: number): string {
  if (utf8Length(text) <= max) return text;
  let bytes = 3; // the ellipsis
  let end = 0;
  for (const char of text) {
    bytes += utf8Length(char);
    if (bytes > max) break;
    end += char.length;
  }
  return `${text.slice(0, end)}…`;
}
