// One Markdown-escaping policy for every renderer: text from migrations, rules and users is shown
// as written, never read as table structure, code-span ends, HTML or folded sections.
import { describe, expect, it } from "vitest";
import { cell, code, escapeHtml, fence, safeInline, shortCode } from "../src/core/render/markdown-escape.js";
import { renderEvidenceMarkdown } from "../src/core/evidence/markdown.js";

describe("Markdown escaping", () => {
  it("keeps a table cell one cell: line breaks folded, column separators escaped (inside code spans too)", () => {
    expect(cell("a | b\nc")).toBe("a \\| b c");
    expect(cell(code("x || y"))).toBe("`x \\|\\| y`");
  });

  it("code spans survive backticks in the text, and SQL is shortened on one line", () => {
    expect(code("plain")).toBe("`plain`");
    expect(code("a `b` c")).toBe("``a `b` c``");
    expect(code("`edge`")).toBe("`` `edge` ``");
    expect(shortCode("SELECT\n  1", 120)).toBe("`SELECT 1`");
    expect(shortCode("x".repeat(200), 10)).toBe(`\`${"x".repeat(9)}…\``);
    expect(shortCode(undefined)).toBe("—");
  });

  it("a fence outlasts any fence inside the content", () => {
    expect(fence("SELECT 1;")).toBe("```");
    expect(fence("a\n````\nb")).toBe("`````");
  });

  it("no HTML from the text: a stray <details> cannot fold the rest of a comment", () => {
    expect(safeInline("drop <details> and `<b>` stays code")).toBe("drop &lt;details> and `<b>` stays code");
    expect(escapeHtml("<summary>x</summary> & y")).toBe("&lt;summary&gt;x&lt;/summary&gt; &amp; y");
  });

  it("the test report's statement table keeps its columns whatever the SQL holds", () => {
    const statement = { index: 0, file: "m.sql", line: 1, sql: "SELECT a || b, `x` FROM t", kind: "SelectStmt", mode: "file-transaction", ok: true, durationMs: 1, locks: [], rewritten: [], indexesBuilt: [] };
    const migration = { id: "m", up: "m.sql", transaction: "per-file", forward: { file: "m.sql", ok: true, durationMs: 1, execution: "file-transaction", statements: [statement] } };
    const row = renderEvidenceMarkdown({ ...minimalReport(), migrations: [migration] } as never).split("\n").find((l) => l.startsWith("| 1 |"))!;
    expect(row).toBe("| 1 | ``SELECT a \\|\\| b, `x` FROM t`` | 1 ms | — | — | — |");
  });
});

function minimalReport() {
  return {
    engine: { kind: "postgres", serverVersion: "15.0", majorVersion: 15, configuredVersion: "15" },
    settings: { seedRows: 0, probe: false, partialFailure: false },
    verdict: { passed: true, failures: [], warnings: [] },
    steps: [],
    environment: { problems: [], seeded: [] },
    validation: [],
    rollback: { ran: false, schemaDiff: [], checksums: [], missingDowns: [] },
    probe: { enabled: false, slowdowns: [] },
    problems: [],
  };
}
