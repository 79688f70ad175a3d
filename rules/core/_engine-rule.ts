// Findings the engine itself emits (parse problems, suppressions, crashes) are rules too,
// so they have ids, docs and severities users can configure like any other.
import type { Rule } from "../../src/core/analyze/rule.js";
import { ALL_DIALECTS } from "./_migration-files.js";

export function engineRule(rule: Pick<Rule, "id" | "title" | "severity" | "examples"> & { why: string; fix: string }): Rule {
  return {
    id: rule.id,
    title: rule.title,
    severity: rule.severity,
    dialects: ALL_DIALECTS,
    docs: { why: rule.why, locks: [], work: "none", safeAlternative: rule.fix },
    examples: rule.examples,
  };
}
