import { engineRule } from "./_engine-rule.js";

export default engineRule({
  id: "unreadable-file",
  title: "Migration file that is not readable SQL text",
  severity: "error",
  why: "The file is binary, not valid UTF-8, or could not be read, so nothing in it was analyzed.",
  fix: "Save the migration as UTF-8 text, or exclude the path in `.github/migration-guard.yml` if it is not a migration.",
  examples: { bad: [], good: [] },
});
