import { engineRule } from "./_engine-rule.js";

export default engineRule({
  id: "unknown-suppressed-rule",
  title: "Suppression names a rule that does not exist",
  severity: "warning",
  why: "A typo in a suppression silences nothing, so the finding it meant to silence still shows up, or a renamed rule's suppression lingers.",
  fix: "Use an id from `migration-guard rules`.",
  examples: { bad: ["-- migration-guard:ignore no-such-rule -- typo\nSELECT 1;"], good: ["SELECT 1;"] },
});
