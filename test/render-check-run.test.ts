// The check run: title, summary and text within GitHub's limits, annotations, conclusion.
import { describe, expect, it } from "vitest";
import { checkConclusion, renderCheckRunOutput, MAX_OUTPUT_LENGTH } from "../src/core/render/check-run.js";
import { utf8Length } from "../src/core/render/common.js";
import { allFindings } from "../src/core/report.js";
import { analyze, CLEAN, RISKY } from "./render-fixtures.js";

const NO_TRANSACTION = { transaction: "none" } as const;

describe("check-run output", () => {
  it("renders a realistic change (exact text and annotations)", async () => {
    const { report, sources } = await analyze(RISKY, { config: NO_TRANSACTION });
    const output = renderCheckRunOutput(report, { sources });
    expect(output.title).toBe("4 blocking findings in 3 migrations");
    await expect(output.summary).toMatchFileSnapshot("__snapshots__/render/check-run-summary.md");
    await expect(output.text).toMatchFileSnapshot("__snapshots__/render/check-run-text.md");
    await expect(JSON.stringify(output.annotations, null, 2) + "\n").toMatchFileSnapshot("__snapshots__/render/check-run-annotations.json");
    expect(output.annotations).toHaveLength(allFindings(report).length);
  });

  it("maps severities to annotation levels and sets columns only on one-line spans", async () => {
    const { report, sources } = await analyze(RISKY, { config: NO_TRANSACTION });
    const { annotations } = renderCheckRunOutput(report, { sources });
    const levels = new Set(annotations.map((a) => `${a.title.split(" ")[1]}:${a.annotation_level}`));
    expect(levels).toEqual(new Set(["(error):failure", "(warning):warning"]));
    for (const a of annotations) {
      if (a.start_line === a.end_line) {
        expect(a.start_column).toBeGreaterThanOrEqual(1);
        expect(a.end_column).toBeGreaterThanOrEqual(a.start_column!);
      } else {
        expect(a).not.toHaveProperty("start_column");
        expect(a).not.toHaveProperty("end_column");
      }
      expect(a.title.length).toBeLessThanOrEqual(255);
    }
    const multi = annotations.find((a) => a.start_line === 4 && a.path.endsWith("index_orders_by_date.up.sql"))!;
    expect(multi).toMatchObject({ end_line: 5, annotation_level: "failure" });
    expect(multi.raw_details).toBe(
      "Build the index concurrently (line 4):\n- CREATE INDEX orders_customer_recent_idx\n+ CREATE INDEX CONCURRENTLY orders_customer_recent_idx",
    );
    // The parse error points at the offending token.
    const parse = annotations.find((a) => a.title.startsWith("parse-error"))!;
    expect(parse).toMatchObject({ start_line: 9, end_line: 9, start_column: 34 });
  });

  it("is short and successful for a clean change, and says so without migrations", async () => {
    const clean = await analyze(CLEAN);
    const output = renderCheckRunOutput(clean.report, { sources: clean.sources });
    expect(output.title).toBe("No findings in 1 migration");
    expect(output.annotations).toEqual([]);
    expect(checkConclusion(clean.report)).toBe("success");
    const none = await analyze({ "README.md": "hello\n" });
    const empty = renderCheckRunOutput(none.report);
    expect(empty.title).toBe("No migrations changed");
    expect(empty.text).toBeUndefined();
    expect(empty.summary).toContain("No migration files are added or changed.");
    expect(checkConclusion(none.report)).toBe("success");
  });

  it("concludes by the fail level", async () => {
    const failing = await analyze(RISKY, { config: NO_TRANSACTION });
    expect(checkConclusion(failing.report)).toBe("failure");
    // Errors demoted to warnings: findings remain, nothing reaches the fail level.
    const demoted = await analyze(RISKY, {
      config: { ...NO_TRANSACTION, rules: { "require-concurrent-index": "warning", "parse-error": "warning" } },
    });
    expect(checkConclusion(demoted.report)).toBe("neutral");
    expect(renderCheckRunOutput(demoted.report).title).toBe("Nothing blocking; 7 warnings in 3 migrations");
    // A stricter fail level turns the same warnings into a failure.
    const strict = await analyze(RISKY, {
      config: { ...NO_TRANSACTION, fail_level: "warning", rules: { "require-concurrent-index": "warning", "parse-error": "warning" } },
    });
    expect(checkConclusion(strict.report)).toBe("failure");
  });

  it("keeps summary and text within 65,535 bytes for thousands of migrations, cut with a note", async () => {
    const files: Record<string, string> = {};
    for (let i = 1; i <= 3000; i++) {
      const v = String(i).padStart(5, "0");
      files[`db/migrations/${v}_index_é_${i}.up.sql`] = `CREATE INDEX t${i}_a_idx ON t${i} (a);\nCREATE INDEX t${i}_b_idx ON t${i} (b);\n`;
    }
    const { report, sources } = await analyze(files, { config: NO_TRANSACTION });
    const output = renderCheckRunOutput(report, { sources, detailsUrl: "https://github.com/acme/shop/pull/7" });
    expect(utf8Length(output.summary)).toBeLessThanOrEqual(MAX_OUTPUT_LENGTH);
    expect(utf8Length(output.text!)).toBeLessThanOrEqual(MAX_OUTPUT_LENGTH);
    expect(output.summary).toMatch(/> ✂️ [\d,]+ more lines cut to stay within GitHub's 65,535-character limit; every finding is also an annotation \(9,000\)\. Full report: https:\/\/github\.com\/acme\/shop\/pull\/7\n$/);
    expect(output.text).toMatch(/> ✂️ [\d,]+ more lines cut to stay within GitHub's 65,535-character limit; run `migration-guard check --format json` for every detail\. Full report: https:\/\/github\.com\/acme\/shop\/pull\/7\n$/);
    expect(output.annotations).toHaveLength(9000);
    expect(output.summary.split("\n").filter((l) => /^\s*```/.test(l)).length % 2).toBe(0);
  });
});
