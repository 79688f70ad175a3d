// SARIF 2.1.0: validated against the official JSON schema (rtm.5, bundled in test/fixtures),
// fixes checked by applying them, suppressions and rule metadata checked field by field.
import { readFileSync } from "node:fs";
import Ajv from "ajv-draft-04";
import type * as Sarif from "sarif";
import { describe, expect, it } from "vitest";
import { render } from "../src/core/render/index.js";
import { renderSarif } from "../src/core/render/sarif.js";
import { allFindings } from "../src/core/report.js";
import { analyze, RISKY } from "./render-fixtures.js";

const NO_TRANSACTION = { transaction: "none" } as const;
const schema = JSON.parse(readFileSync(new URL("./fixtures/sarif-2.1.0-rtm.5.schema.json", import.meta.url), "utf8"));
const ajv = new Ajv({
  allErrors: true,
  strict: false,
  // The schema's language pattern is not valid with the `u` flag.
  unicodeRegExp: false,
  formats: {
    uri: (s: string) => URL.canParse(s),
    "uri-reference": (s: string) => !/\s/.test(s),
    "date-time": (s: string) => !Number.isNaN(Date.parse(s)),
  },
});
const validate = ajv.compile(schema);

function expectValid(log: unknown) {
  const ok = validate(log);
  expect(ok ? [] : validate.errors).toEqual([]);
}

describe("SARIF", () => {
  it("is valid SARIF 2.1.0 for a realistic change (exact JSON)", async () => {
    const { report, sources, rules } = await analyze(RISKY, { config: NO_TRANSACTION });
    const log = renderSarif(report, rules, { sources });
    expectValid(log);
    await expect(JSON.stringify(log, null, 2) + "\n").toMatchFileSnapshot("__snapshots__/render/sarif.json");
  });

  it("uses a validator that rejects what GitHub would reject", async () => {
    const { report, sources, rules } = await analyze(RISKY, { config: NO_TRANSACTION });
    const log = JSON.parse(JSON.stringify(renderSarif(report, rules, { sources })));
    log.runs[0].results[0].level = "fatal";
    delete log.runs[0].tool.driver.name;
    expect(validate(log)).toBe(false);
    expect(validate.errors!.map((e) => e.instancePath)).toEqual(expect.arrayContaining(["/runs/0/results/0/level", "/runs/0/tool/driver"]));
  });

  it("stays valid without sources (regions by offset only)", async () => {
    const { report, rules } = await analyze(RISKY, { config: NO_TRANSACTION });
    const log = renderSarif(report, rules);
    expectValid(log);
    const fix = log.runs[0]!.results!.find((r) => r.fixes)!.fixes![0]!;
    expect(fix.artifactChanges[0]!.replacements[0]!.deletedRegion).toEqual({ charOffset: expect.any(Number), charLength: 0 });
  });

  it("describes every rule with docs, help link and default level, and indexes results into them", async () => {
    const { report, sources, rules } = await analyze(RISKY, { config: NO_TRANSACTION });
    const run = renderSarif(report, rules, { sources }).runs[0]!;
    const descriptors = run.tool.driver.rules!;
    expect(descriptors.map((d) => d.id)).toEqual(rules.map((r) => r.id).sort());
    for (const d of descriptors) {
      const rule = rules.find((r) => r.id === d.id)!;
      expect(d.shortDescription?.text).toBe(rule.title);
      expect(d.fullDescription?.text).toBe(rule.docs.why);
      expect(d.help?.markdown).toContain(`# ${rule.id}`);
      expect(d.helpUri).toBe(`https://github.com/migration-guard/migration-guard/blob/main/docs/rules/${rule.id}.md`);
      expect(d.defaultConfiguration?.level).toBe({ error: "error", warning: "warning", info: "note" }[rule.severity]);
    }
    for (const r of run.results!) expect(descriptors[r.ruleIndex!]!.id).toBe(r.ruleId);
    expect(run.results).toHaveLength(allFindings(report, { includeSuppressed: true }).length);
    for (const r of run.results!) expect(r.partialFingerprints?.["migrationGuard/v1"]).toMatch(new RegExp(`^${r.ruleId}:`));
  });

  it("marks suppressed findings as suppressed in source, with the reason", async () => {
    const { report, sources, rules } = await analyze(RISKY, { config: NO_TRANSACTION });
    const results = renderSarif(report, rules, { sources }).runs[0]!.results!;
    const suppressed = results.filter((r) => r.suppressions);
    expect(suppressed).toHaveLength(1);
    expect(suppressed[0]!.suppressions).toEqual([
      { kind: "inSource", status: "accepted", justification: "orders_archive is written once a night, the build runs at noon" },
    ]);
    expect(suppressed[0]!.locations![0]!.physicalLocation!.region!.startLine).toBe(4);
  });

  it("gives fixes whose line/column regions rewrite the file exactly as the offsets do", async () => {
    const { report, sources, rules } = await analyze(RISKY, { config: NO_TRANSACTION });
    const results = renderSarif(report, rules, { sources }).runs[0]!.results!;
    const withFixes = results.filter((r) => r.fixes);
    expect(withFixes.length).toBe(4);
    for (const r of withFixes) {
      for (const change of r.fixes![0]!.artifactChanges) {
        const file = change.artifactLocation.uri!;
        const source = sources.get(file)!;
        const byLines = applyByLineColumn(source, change.replacements);
        const byOffsets = applyByOffsets(source, change.replacements);
        expect(byLines).toBe(byOffsets);
        expect(byLines).toMatch(/CREATE INDEX CONCURRENTLY/);
      }
    }
  });

  it("is what `check --format sarif` prints", async () => {
    const { report, sources, rules } = await analyze(RISKY, { config: NO_TRANSACTION });
    const printed = JSON.parse(render(report, "sarif", { sources, rules, color: false }));
    expectValid(printed);
    expect(printed).toEqual(JSON.parse(JSON.stringify(renderSarif(report, rules, { sources }))));
  });
});

function applyByOffsets(source: string, replacements: Sarif.Replacement[]): string {
  let out = source;
  for (const r of [...replacements].sort((a, b) => b.deletedRegion.charOffset! - a.deletedRegion.charOffset!)) {
    const start = r.deletedRegion.charOffset!;
    out = out.slice(0, start) + (r.insertedContent?.text ?? "") + out.slice(start + r.deletedRegion.charLength!);
  }
  return out;
}

/** What a SARIF consumer that only reads lines and columns does. */
function applyByLineColumn(source: string, replacements: Sarif.Replacement[]): string {
  const starts = [0];
  for (let i = 0; i < source.length; i++) if (source[i] === "\n") starts.push(i + 1);
  const offset = (line: number, column: number) => starts[line - 1]! + column - 1;
  let out = source;
  const ordered = [...replacements].sort((a, b) => b.deletedRegion.startLine! - a.deletedRegion.startLine! || b.deletedRegion.startColumn! - a.deletedRegion.startColumn!);
  for (const r of ordered) {
    const { startLine, startColumn, endLine, endColumn } = r.deletedRegion;
    out = out.slice(0, offset(startLine!, startColumn!)) + (r.insertedContent?.text ?? "") + out.slice(offset(endLine!, endColumn!));
  }
  return out;
}
