// Every layout's example folder (test/fixtures/layouts/<layout>) is auto-detected as that layout,
// parses without errors and yields its migrations, as `check <folder>` shows a new user.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main, type CliIo } from "../src/cli/main.js";

const EXAMPLES = join(import.meta.dirname, "fixtures", "layouts");

function io(cwd: string): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { cwd, out, err, stdout: (t) => out.push(t), stderr: (t) => err.push(t), isTTY: false, env: {} };
}

describe("layout example folders", () => {
  it.each(readdirSync(EXAMPLES).sort())("%s: detected as its layout, every migration parsed", async (layout) => {
    const run = io(join(EXAMPLES, layout));
    const code = await main(["check", ".", "--format", "json"], run);
    expect(code, run.err.join("")).toBeLessThanOrEqual(1);
    const report = JSON.parse(run.out.join("")) as { migrations: { migration: { layout: string }; findings: { ruleId: string }[] }[] };
    expect(report.migrations.length).toBeGreaterThan(1);
    expect(new Set(report.migrations.map((m) => m.migration.layout))).toEqual(new Set([layout]));
    expect(report.migrations.flatMap((m) => m.findings).filter((f) => f.ruleId === "parse-error")).toEqual([]);
  });
});
