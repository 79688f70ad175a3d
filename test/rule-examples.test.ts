// Every rule's documented examples are tests: bad ones must trigger it, good ones must not.
import { describe, expect, it } from "vitest";
import { loadRules } from "../rules/index.js";
import { analyzeFiles, ruleIds } from "./helpers/engine.js";
import { baseFor, configFor, filesFor } from "./helpers/examples.js";

const rules = await loadRules();

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
