// Inline suppressions:
//   -- migration-guard:ignore <rule-id>[, <rule-id>…] -- <reason>        (next statement, or the
//                                                                         statement on the same line)
//   -- migration-guard:ignore-file <rule-id>[, …] -- <reason>            (whole file)
// A suppression must say why; one without a reason silences nothing and is itself reported.
import type { Span } from "../model.js";
import type { ParsedScript } from "../parse/index.js";
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
      statementIndex: scope === "statement" ? statementFor(script, comment.start) : undefined,
      span,
    });
  }
  return { suppressions, problems };
}

/** A trailing comment belongs to the statement that ends on its line; otherwise to the next one. */
function statementFor(script: ParsedScript, commentOffset: number): number | undefined {
  const line = script.lines.position(commentOffset).line + script.baseLine - 1;
  const absolute = commentOffset + script.baseOffset;
  for (const s of script.statements) {
    if (s.span.endLine === line && s.span.endOffset <= absolute) return s.index;
  }
  return script.statements.find((s) => s.span.startOffset >= absolute)?.index;
}

export function suppressionFor(
  suppressions: Suppression[],
  ruleId: string,
  statementIndex: number | undefined,
): Suppression | undefined {
  return suppressions.find(
    (s) =>
      s.ruleIds.includes(ruleId) &&
      (s.scope === "file" || (statementIndex !== undefined && s.statementIndex === statementIndex)),
  );
}
