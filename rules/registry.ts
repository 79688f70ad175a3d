// Checks the rule modules the loader found (rules/index.ts at run time, or the CLI bundle's
// static imports): each default-exports a Rule, ids are unique; returns them sorted by id.
import type { Rule } from "../src/core/analyze/rule.js";

export function checkRegistry(rules: (Rule | undefined)[], files: string[]): Rule[] {
  const seen = new Set<string>();
  rules.forEach((rule, i) => {
    if (!rule?.id) throw new Error(`${files[i]}: a rule file must default-export a Rule`);
    if (seen.has(rule.id)) throw new Error(`duplicate rule id ${rule.id}`);
    seen.add(rule.id);
  });
  return [...(rules as Rule[])].sort((a, b) => a.id.localeCompare(b.id));
}
