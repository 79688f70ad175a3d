// Inline suppressions:
//   -- migration-guard:ignore <rule-id>[, <rule-id>…] -- <reason>        (next statement, or the
//                                                                         statement on the same line)
//   -- migration-guard:ignore-file <rule-id>[, …] -- <reason>            (whole file)
// A suppression must say why; one without a reason silences nothing and is itself reported.
import type { Span } from "../model.js";
import type { ParsedScript, Statement } from "../parse/index.js";
import { spanOf } from "../parse/text.js";

export interface Suppression {
  ruleIds: string[];
  reason: string;
  scope: "statement" | "file";
  /** Index of the statement it applies to (scope "statement"). */
  statementIndex?: number;
  span: Span;
}

export interface SuppressionProblem {
  ruleId: "suppression-without-reason" | "unknown-suppressed-rule";
  message: string;
  span: Span;
}

const PATTERN = /^--\s*migration-guard:(ignore-file|ignore)\b\s*([^]*)$/;

export function collectSuppressions(
  script: ParsedScript,
  knownRuleIds: ReadonlySet<string>,
): { suppressions: Suppression[]; problems: SuppressionProblem[] } {
  const suppressions: Suppression[] = [];
  const problems: SuppressionProblem[] = [];
  const statementAt = statementLocator(script);
  for (const comment of script.comments) {
    const raw = script.text.slice(comment.start, comment.end).trim();
    const match = PATTERN.exec(raw);
    if (!match) continue;
    const span = spanOf(script.lines, script.file, comment.start, comment.end, script);
    const [idsPart, ...reasonParts] = match[2]!.split(/\s--\s?/);
    const ruleIds = idsPart!
      .split(/[\s,]+/)
      .map((s) => s.trim())
      .filter(Boolean);
    const reason = reasonParts.join(" -- ").trim();
    if (ruleIds.length === 0) {
      problems.push({ ruleId: "suppression-without-reason", message: "suppression names no rule id", span });
      continue;
    }
    if (!reason) {
      problems.push({
        ruleId: "suppression-without-reason",
        message: `suppression of ${ruleIds.join(", ")} gives no reason; write \`-- migration-guard:ignore ${ruleIds.join(", ")} -- <why this is safe>\``,
        span,
      });
      continue;
    }
    for (const id of ruleIds.filter((id) => !knownRuleIds.has(id))) {
      problems.push({ ruleId: "unknown-suppressed-rule", message: `suppression names unknown rule \`${id}\``, span });
    }
    const scope = match[1] === "ignore-file" ? "file" : "statement";
    suppressions.push({
      ruleIds,
      reason,
      scope,
      statementIndex: scope === "statement" ? statementAt(comment.start) : undefined,
      span,
    });
  }
  return { suppressions, problems };
}

/**
 * A trailing comment belongs to the statement that ends on its line; otherwise to the next one.
 * Statements are looked up by line and by offset, not scanned per comment: a file suppressing
 * every one of 20,000 statements spent seconds here.
 */
function statementLocator(script: ParsedScript): (commentOffset: number) => number | undefined {
  const { statements } = script;
  const endingOn = new Map<number, Statement[]>();
  for (const s of statements) {
    const list = endingOn.get(s.span.endLine);
    if (list) list.push(s);
    else endingOn.set(s.span.endLine, [s]);
  }
  const sorted = statements.every((s, i) => i === 0 || statements[i - 1]!.span.startOffset <= s.span.startOffset);
  return (commentOffset) => {
    const line = script.lines.position(commentOffset).line + script.baseLine - 1;
    const absolute = commentOffset + script.baseOffset;
    const trailing = endingOn.get(line)?.find((s) => s.span.endOffset <= absolute);
    if (trailing) return trailing.index;
    if (!sorted) return statements.find((s) => s.span.startOffset >= absolute)?.index;
    // The first statement starting at or after the comment, by binary search.
    let lo = 0;
    let hi = statements.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (statements[mid]!.span.startOffset < absolute) lo = mid + 1;
      else hi = mid;
    }
    return statements[lo]?.index;
  };
}

export type SuppressionLookup = (ruleId: string, statementIndex: number | undefined) => Suppression | undefined;

/**
 * The first suppression (in file order) of `ruleId` that is file-wide or on the statement. Kept
 * per statement, so each finding checks a few suppressions instead of all of the file's.
 */
export function suppressionLookup(suppressions: Suppression[]): SuppressionLookup {
  const position = new Map(suppressions.map((s, i) => [s, i]));
  const fileWide = suppressions.filter((s) => s.scope === "file");
  const byStatement = new Map<number, Suppression[]>();
  for (const s of suppressions) {
    if (s.scope === "file" || s.statementIndex === undefined) continue;
    const list = byStatement.get(s.statementIndex);
    if (list) list.push(s);
    else byStatement.set(s.statementIndex, [s]);
  }
  return (ruleId, statementIndex) => {
    const names = (s: Suppression) => s.ruleIds.includes(ruleId);
    const own = statementIndex === undefined ? undefined : byStatement.get(statementIndex)?.find(names);
    const wide = fileWide.find(names);
    if (!own || !wide) return own ?? wide;
    return position.get(own)! < position.get(wide)! ? own : wide;
  };
}
