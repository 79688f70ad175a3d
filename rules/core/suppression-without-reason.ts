import { engineRule } from "./_engine-rule.js";

export default engineRule({
  id: "suppression-without-reason",
  title: "Suppression that does not say why",
  severity: "warning",
  why: "A suppression silences a safety check. Without a reason reviewers cannot judge it, and copied suppressions spread. A suppression without a reason silences nothing.",
  fix: "Write `-- migration-guard:ignore <rule-id> -- <why this is safe here>` on or above the statement, or `-- migration-guard:ignore-file <rule-id> -- <why>` for the file.",
  examples: {
    bad: ["-- migration-guard:ignore require-concurrent-index\nCREATE INDEX i ON t (a);"],
    good: ["-- migration-guard:ignore require-concurrent-index -- table is empty until the feature launches\nCREATE INDEX i ON t (a);"],
  },
});
