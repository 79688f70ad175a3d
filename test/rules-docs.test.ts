// docs/rules must be what `npm run docs` generates from the current rules, and every finding
// links to its rule's page.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderRuleDoc } from "../src/core/render/rule-doc.js";
import { loadRules } from "../rules/index.js";
// @ts-expect-error -- plain ESM script without type declarations
import { DOCS_DIR, ruleDocFiles, writeRuleDocs } from "../scripts/gen-rule-docs.mjs";
import { analyzeFiles } from "./helpers/engine.js";

const rules = await loadRules();
const expected = ruleDocFiles(rules, renderRuleDoc) as Map<string, string>;
// `npm run docs` sets MG_WRITE_DOCS=1: regenerate, then the checks below pass by construction.
if (process.env.MG_WRITE_DOCS === "1") writeRuleDocs(expected);

describe("docs/rules", () => {
  it("has exactly one page per rule plus the index (run `npm run docs` when this fails)", () => {
    const present = existsSync(DOCS_DIR) ? readdirSync(DOCS_DIR).filter((n) => n.endsWith(".md")).sort() : [];
    expect(present).toEqual([...expected.keys()].sort());
  });

  it.each([...expected.keys()])("%s is up to date (run `npm run docs` when this fails)", (name) => {
    expect(readFileSync(join(DOCS_DIR, name), "utf8")).toBe(expected.get(name));
  });

  it("links findings to the rule's page under docs_url", async () => {
    const report = await analyzeFiles({ "migrations/0001_x.sql": "CREATE INDEX i ON orders (id);" }, { config: { docs_url: "https://example.com/docs/rules/" } });
    const finding = report.migrations[0]!.findings.find((f) => f.ruleId === "require-concurrent-index")!;
    expect(finding.docsUrl).toBe("https://example.com/docs/rules/require-concurrent-index.md");
    expect(expected.has("require-concurrent-index.md")).toBe(true);
  });
});
