// One inline review comment per finding: the explanation on the exact line, a docs link,
// and a ```suggestion block GitHub can commit when the rule has a mechanical fix.
import type { Finding } from "../model.js";
import { SEVERITY_ICON, fence, lockSentence } from "./common.js";
import { fixedLines, type LineReplacement } from "./fix.js";

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

function commentBody(finding: Finding, suggestion: LineReplacement | undefined): string {
  const parts = [findingMarker(finding.fingerprint), `${SEVERITY_ICON[finding.severity]} **${finding.ruleId}** · ${finding.severity}`, finding.message];
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
