import { engineRule } from "./_engine-rule.js";

export default engineRule({
  id: "internal-error",
  title: "A rule failed on this statement",
  severity: "warning",
  why: "A rule met an AST shape it did not expect and threw. The other rules still ran; this statement was not checked by the named rule.",
  fix: "Review the statement by hand and report the message to migration-guard's maintainers.",
  examples: { bad: [], good: [] },
});
