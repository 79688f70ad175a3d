// Inline review comments: one per statement (findings on the same statement share it, so a
// line never carries two threads), the explanation on the exact line, docs links, and one
// ```suggestion block GitHub can commit with every mechanical fix of those findings.
import type { Finding } from "../model.js";
import { SEVERITY_ICON, fence, lockSentence } from "./common.js";
import { fixedLines, type LineReplacement } from "./fix.js";
import { safeText } from "./markdown-escape.js";

export interface InlineComment {
  path: string;
  /** The (last) line the comment sits on, in the head version of the file. */
  line: number;
  /** First line of a multi-line comment; only set when it differs from `line`. */
  startLine?: number;
  side: "RIGHT";
  body: string;
}

/** GitHub rejects review comment bodies longer than this. */
const MAX_COMMENT_LENGTH = 65_536;

export function findingMarker(fingerprint: string): string {
  return `<!-- migration-guard:finding ${fingerprint} -->`;
}

/**
 * Where and what to comment for a finding. With a suggestion the comment spans exactly the
 * lines the fix rewrites (so "Commit suggestion" replaces them); otherwise it sits on the
 * statement's first line, the one a reader recognizes and the likeliest to be in the diff.
 */
export function renderInlineComment(
  finding: Finding,
  source: string | undefined,
  /** `suggestion: false` when the fix's lines are outside the diff but the statement's first line is not. */
  { suggestion: allowSuggestion = true }: { suggestion?: boolean } = {},
): InlineComment {
  const suggestion = allowSuggestion ? suggestionFor(finding, source) : undefined;
  const line = suggestion ? suggestion.endLine : finding.span.startLine;
  const startLine = suggestion && suggestion.startLine < suggestion.endLine ? suggestion.startLine : undefined;
  let body = commentBody(finding, suggestion);
  if (body.length > MAX_COMMENT_LENGTH && suggestion) body = commentBody(finding, undefined);
  return { path: finding.span.file, line, ...(startLine ? { startLine } : {}), side: "RIGHT", body };
}

/** The fix as whole-line replacement, when it stays within the finding's own lines. */
export function suggestionFor(finding: Finding, source: string | undefined): LineReplacement | undefined {
  const replacement = fixedLines(finding, source);
  if (!replacement) return undefined;
  const inside = replacement.startLine >= finding.span.startLine && replacement.endLine <= finding.span.endLine;
  return inside ? replacement : undefined;
}

/**
 * One comment for several findings on the same statement. The fixes are combined into one
 * suggestion when their edits do not overlap; otherwise the first fix is suggested and the
 * others are described.
 */
export function renderGroupedComment(findings: Finding[], source: string | undefined, { suggestion: allowSuggestion = true }: { suggestion?: boolean } = {}): InlineComment {
  if (findings.length === 1) return renderInlineComment(findings[0]!, source, { suggestion: allowSuggestion });
  const first = findings[0]!;
  const withFix = findings.filter((f) => f.fix?.edits.length);
  let suggestion: LineReplacement | undefined;
  let suggested: Finding[] = [];
  if (allowSuggestion && withFix.length) {
    const combined = combinedFinding(findings, withFix);
    suggestion = suggestionFor(combined, source);
    suggested = suggestion ? withFix : [];
    if (!suggestion) {
      const one = withFix.find((f) => suggestionFor(f, source));
      if (one) {
        suggestion = suggestionFor(one, source);
        suggested = [one];
      }
    }
  }
  const line = suggestion ? suggestion.endLine : first.span.startLine;
  const startLine = suggestion && suggestion.startLine < suggestion.endLine ? suggestion.startLine : undefined;
  let body = groupBody(findings, suggestion, suggested);
  if (body.length > MAX_COMMENT_LENGTH && suggestion) body = groupBody(findings, undefined, []);
  return { path: first.span.file, line, ...(startLine ? { startLine } : {}), side: "RIGHT", body };
}

/** A stand-in finding whose fix is every edit of the group, over the group's lines. */
function combinedFinding(findings: Finding[], withFix: Finding[]): Finding {
  const first = findings[0]!;
  const seen = new Set<string>();
  const edits = withFix.flatMap((f) => f.fix!.edits).filter((e) => {
    const key = `${e.startOffset}:${e.endOffset}:${e.replacement}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
  const startLine = Math.min(...findings.map((f) => f.span.startLine));
  const endLine = Math.max(...findings.map((f) => f.span.endLine));
  return { ...first, span: { ...first.span, startLine, endLine }, fix: { description: withFix.map((f) => f.fix!.description).join("; "), edits } };
}

function groupBody(findings: Finding[], suggestion: LineReplacement | undefined, suggested: Finding[]): string {
  const parts = [findings.map((f) => findingMarker(f.fingerprint)).join("\n")];
  parts.push(findings.map((f) => `${SEVERITY_ICON[f.severity]} **${f.ruleId}** · ${f.severity}: ${safeText(f.message)}`).join("\n\n"));
  const locks = [...new Set(findings.flatMap((f) => f.locks.map((lock) => `🔒 Takes ${lockSentence(lock)}.`)))];
  if (locks.length) parts.push(locks.join("\n"));
  const helps = [...new Set(findings.flatMap((f) => (f.help ? [`💡 ${f.help}`] : [])))];
  if (helps.length) parts.push(helps.join("\n\n"));
  if (suggestion) {
    const content = suggestion.after.join("\n");
    const ticks = fence(content);
    const description = suggested.map((f) => f.fix!.description).join("; ");
    parts.push(`**Suggested fix:** ${description}\n${ticks}suggestion\n${content}${content ? "\n" : ""}${ticks}`);
  }
  for (const f of findings) if (f.fix && !suggested.includes(f)) parts.push(`🔧 **Fix (${f.ruleId}):** ${f.fix.description}`);
  const docs = findings.filter((f) => f.docsUrl).map((f) => `[${f.ruleId}](${f.docsUrl})`);
  if (docs.length) parts.push(`📖 Why it is risky and the safe way: ${docs.join(" · ")}`);
  return parts.join("\n\n") + "\n";
}

function commentBody(finding: Finding, suggestion: LineReplacement | undefined): string {
  const parts = [findingMarker(finding.fingerprint), `${SEVERITY_ICON[finding.severity]} **${finding.ruleId}** · ${finding.severity}`, safeText(finding.message)];
  for (const lock of finding.locks) parts.push(`🔒 Takes ${lockSentence(lock)}.`);
  if (finding.help) parts.push(`💡 ${finding.help}`);
  if (finding.fix && suggestion) {
    const content = suggestion.after.join("\n");
    const ticks = fence(content);
    parts.push(`**Suggested fix:** ${finding.fix.description}\n${ticks}suggestion\n${content}${content ? "\n" : ""}${ticks}`);
  } else if (finding.fix) {
    parts.push(`🔧 **Fix:** ${finding.fix.description}`);
  }
  if (finding.docsUrl) parts.push(`📖 [${finding.ruleId}: why it is risky and the safe way](${finding.docsUrl})`);
  return parts.join("\n\n") + "\n";
}
