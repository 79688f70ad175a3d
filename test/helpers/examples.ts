// How a rule's documented example becomes files and configuration for the engine (shared by the
// example suite and the fix-composition suite).
import { exampleSql, type Rule, type RuleExample } from "../../src/core/analyze/rule.js";

export function filesFor(rule: Rule, example: RuleExample): Record<string, string> {
  const sql = exampleSql(example);
  if (typeof example !== "string" && example.direction === "down") {
    return { "migrations/0001_example.sql": "SELECT 1;\n", "migrations/0001_example.down.sql": sql };
  }
  // Examples may name their file (a layout's naming) and bring more files.
  if (typeof example !== "string" && (example.path || example.files)) {
    return { ...example.files, [example.path ?? "migrations/0001_example.sql"]: sql };
  }
  return { "migrations/0001_example.sql": sql };
}

export function baseFor(example: RuleExample): Record<string, string> | undefined {
  return typeof example === "string" ? undefined : example.base;
}

export function configFor(rule: Rule, example: RuleExample) {
  const own = typeof example === "string" ? {} : (example.config ?? {});
  const dialect = own.dialect ?? rule.dialects[0];
  return { ...own, dialect, rules: { ...(own.rules ?? {}), [rule.id]: rule.severity } };
}

/** The schema the example runs against (`examples.setup`, or the example's own). */
export function setupFor(rule: Rule, example: RuleExample): string | undefined {
  return (typeof example !== "string" && example.setup) || rule.examples.setup;
}
