// Every rule's documented examples are tests: bad ones must trigger it, good ones must not.
import { describe, expect, it } from "vitest";
import { exampleSql, type Rule, type RuleExample } from "../src/core/analyze/rule.js";
import { loadRules } from "../rules/index.js";
import { analyzeFiles, ruleIds } from "./helpers/engine.js";

const rules = await loadRules();

function filesFor(rule: Rule, example: RuleExample): Record<string, string> {
  const sql = exampleSql(example);
  const ext = rule.dialects.includes("postgres") ? "sql" : "sql";
  if (typeof example !== "string" && example.direction === "down") {
    return { [`migrations/0001_example.${ext}`]: "SELECT 1;\n", [`migrations/0001_example.down.${ext}`]: sql };
  }
  // Migration-level examples name their file (a layout's naming) and may bring more files.
  if (typeof example !== "string" && (example.path || example.files)) {
    return { ...example.files, [example.path ?? `migrations/0001_example.${ext}`]: sql };
  }
  return { [`migrations/0001_example.${ext}`]: sql };
}

function baseFor(example: RuleExample): Record<string, string> | undefined {
  return typeof example === "string" ? undefined : example.base;
}

function configFor(rule: Rule, example: RuleExample) {
  const own = typeof example === "string" ? {} : (example.config ?? {});
  const dialect = own.dialect ?? rule.dialects[0];
  return { ...own, dialect, rules: { ...(own.rules ?? {}), [rule.id]: rule.severity } };
}

describe.each(rules.map((r) => [r.id, r] as const))("rule %s", (_id, rule) => {
  it("has documentation a reviewer can act on", () => {
    expect(rule.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(rule.title.length).toBeGreaterThan(5);
    expect(rule.docs.why.length).toBeGreaterThan(20);
    expect(rule.docs.safeAlternative.length).toBeGreaterThan(10);
  });

  for (const [i, example] of rule.examples.bad.entries()) {
    it(`flags bad example ${i + 1}`, async () => {
      const report = await analyzeFiles(filesFor(rule, example), { config: configFor(rule, example), base: baseFor(example) });
      expect(ruleIds(report)).toContain(rule.id);
      // Messages are one line: a reviewer reads them inline, in annotations and in the terminal.
      const messages = report.migrations.flatMap((m) => m.findings).filter((f) => f.ruleId === rule.id).map((f) => f.message);
      expect(messages.filter((m) => /[\r\n]/.test(m))).toEqual([]);
    });
  }
  for (const [i, example] of rule.examples.good.entries()) {
    it(`accepts good example ${i + 1}`, async () => {
      const report = await analyzeFiles(filesFor(rule, example), { config: configFor(rule, example), base: baseFor(example) });
      expect(ruleIds(report)).not.toContain(rule.id);
    });
  }
});
