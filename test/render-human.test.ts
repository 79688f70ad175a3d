// Terminal output: exact text with and without color, code frames, and when color is used.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { colorEnabled, renderHuman, wrapWords } from "../src/core/render/human.js";
import { main, type CliIo } from "../src/cli/main.js";
import { analyze, CLEAN, RISKY } from "./render-fixtures.js";

const NO_TRANSACTION = { transaction: "none" } as const;
const ANSI = /\u001b\[/;

describe("human output", () => {
  it("renders findings with code frames, fixes as diffs, suppressions and risky migrations (exact text)", async () => {
    const { report, sources } = await analyze(RISKY, { config: NO_TRANSACTION });
    const text = renderHuman(report, { sources, color: false });
    expect(text).not.toMatch(ANSI);
    await expect(text).toMatchFileSnapshot("__snapshots__/render/human.txt");
    expect(text.trimEnd().split("\n").at(-1)).toBe("✖ 4 errors, 3 warnings in 3 migrations (1 suppressed); fails at error");
  });

  it("colors severities, the underline and the diff only when asked (exact text)", async () => {
    const { report, sources } = await analyze(RISKY, { config: NO_TRANSACTION });
    const text = renderHuman(report, { sources, color: true });
    await expect(text).toMatchFileSnapshot("__snapshots__/render/human-color.txt");
    expect(text).toContain("\u001b[31m\u001b[1merror[require-concurrent-index]\u001b[0m\u001b[0m");
    expect(text).toContain("\u001b[32m+ CREATE INDEX CONCURRENTLY orders_created_at_idx ON orders (created_at);\u001b[0m");
    // Without the escape codes it is the plain text, character for character.
    expect(text.replace(/\u001b\[\d+m/g, "")).toBe(renderHuman(report, { sources, color: false }));
  });

  it("ends a clean run with a plain success line", async () => {
    const { report, sources } = await analyze(CLEAN);
    const text = renderHuman(report, { sources, color: false });
    expect(text).toBe("✔ no findings in 1 migration\n");
    expect(text).not.toMatch(/^(error|warning|info)\[/m);
  });

  it("underlines the right characters in tab-indented and very long lines", async () => {
    const long = `${"SELECT 1; ".repeat(30)}CREATE INDEX wide_idx ON orders (customer_id); ${"SELECT 2; ".repeat(30)}\n`;
    const tabbed = "DO $$ BEGIN PERFORM 1; END $$;\n\tCREATE INDEX tabbed_idx ON orders (total_cents);\n";
    const { report, sources } = await analyze(
      {
        "db/migrations/1_wide.up.sql": long,
        "db/migrations/1_wide.down.sql": "DROP INDEX wide_idx;\n",
        "db/migrations/2_tabbed.up.sql": tabbed,
        "db/migrations/2_tabbed.down.sql": "DROP INDEX tabbed_idx;\n",
      },
      { config: NO_TRANSACTION },
    );
    const text = renderHuman(report, { sources, color: false });
    const frame = (file: string) => text.split("\n\n").find((b) => b.includes(`--> db/migrations/${file}`))!.split("\n");
    const wide = frame("1_wide.up.sql:1:301");
    const wideLine = wide.find((l) => l.startsWith("1 | "))!;
    const wideCaret = wide[wide.indexOf(wideLine) + 1]!;
    expect(wideLine.length).toBeLessThan(180);
    expect(wideLine).toMatch(/^1 \| …/);
    const caretAt = wideCaret.indexOf("^");
    expect(wideLine.slice(caretAt, caretAt + "CREATE INDEX wide_idx ON orders (customer_id)".length)).toBe("CREATE INDEX wide_idx ON orders (customer_id)");
    expect(wideCaret.slice(caretAt)).toBe("^".repeat("CREATE INDEX wide_idx ON orders (customer_id)".length));

    const tab = frame("2_tabbed.up.sql:2:2");
    const tabLine = tab.find((l) => l.startsWith("2 | "))!;
    expect(tabLine).toBe("2 |     CREATE INDEX tabbed_idx ON orders (total_cents);");
    expect(tab[tab.indexOf(tabLine) + 1]).toBe(`  |     ${"^".repeat("CREATE INDEX tabbed_idx ON orders (total_cents)".length)}`);
  });
});

describe("when to color", () => {
  it("follows NO_COLOR, FORCE_COLOR, --no-color and the TTY", () => {
    expect(colorEnabled(true, {})).toBe(true);
    expect(colorEnabled(false, {})).toBe(false);
    expect(colorEnabled(true, { NO_COLOR: "1" })).toBe(false);
    expect(colorEnabled(true, { NO_COLOR: "" })).toBe(true); // an empty NO_COLOR does not count
    expect(colorEnabled(true, {}, true)).toBe(false);
    expect(colorEnabled(false, { FORCE_COLOR: "1" })).toBe(true);
    expect(colorEnabled(false, { FORCE_COLOR: "0" })).toBe(false);
    expect(colorEnabled(false, { FORCE_COLOR: "1", NO_COLOR: "1" })).toBe(false);
  });

  const dir = mkdtempSync(join(tmpdir(), "mg-render-human-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, "db/migrations"), { recursive: true });
  for (const [path, text] of Object.entries(RISKY)) writeFileSync(join(dir, path), text);

  async function runCheck(isTTY: boolean, env: Record<string, string>, extra: string[] = []) {
    let out = "";
    const io: CliIo = { cwd: dir, stdout: (t) => void (out += t), stderr: (t) => void (out += t), isTTY, env };
    const code = await main(["check", "db/migrations", ...extra], io);
    return { code, out };
  }

  it("prints no escape codes through the CLI unless a TTY (or FORCE_COLOR) asks for them", async () => {
    const piped = await runCheck(false, {});
    expect(piped.code).toBe(1);
    expect(piped.out).toContain("error[require-concurrent-index]");
    expect(piped.out).not.toMatch(ANSI);
    expect((await runCheck(true, {})).out).toMatch(ANSI);
    expect((await runCheck(true, { NO_COLOR: "1" })).out).not.toMatch(ANSI);
    expect((await runCheck(true, {}, ["--no-color"])).out).not.toMatch(ANSI);
    expect((await runCheck(false, { FORCE_COLOR: "1" })).out).toMatch(ANSI);
    // Other formats are never colored.
    expect((await runCheck(true, {}, ["--format", "markdown"])).out).not.toMatch(ANSI);
  });
});

describe("wrapping to the terminal width", () => {
  it("breaks at word boundaries, indents continuations, and never splits a lock mode", () => {
    const text = "db/migrations/1_x.up.sql  high risk · rollback reversible · ACCESS EXCLUSIVE on orders (blocks reads and writes) · 1 error";
    const wrapped = wrapWords(text, 60, 4);
    for (const line of wrapped.split("\n")) expect(line.length).toBeLessThanOrEqual(60);
    expect(wrapped.split("\n").slice(1).every((l) => l.startsWith("    "))).toBe(true);
    expect(wrapped).toContain("ACCESS EXCLUSIVE");
    expect(wrapped.replace(/\n\s+/g, " ")).toBe(text);
    expect(wrapWords(text, undefined)).toBe(text);
  });

  it("keeps the findings' text within the width (code frames and links excepted)", async () => {
    const { report, sources } = await analyze(RISKY, { config: { transaction: "none" } });
    const out = renderHuman(report, { sources, color: false, width: 72 });
    const prose = out.split("\n").filter((l) => !/^\s*\d* \|/.test(l) && !/^\s+[-+] /.test(l) && !/https?:\/\//.test(l) && !/^\S+\.sql \(/.test(l));
    for (const line of prose) expect(line.length, line).toBeLessThanOrEqual(72);
  });
});
