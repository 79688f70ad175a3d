// Inline review comments: where they sit, what they say, and the suggestion GitHub can commit.
import { describe, expect, it } from "vitest";
import { findingMarker, renderInlineComment } from "../src/core/render/inline.js";
import { fixedLines } from "../src/core/render/fix.js";
import type { Finding } from "../src/core/model.js";
import { allFindings } from "../src/core/report.js";
import { analyze, RISKY } from "./render-fixtures.js";

const NO_TRANSACTION = { transaction: "none" } as const;

async function risky() {
  const { report, sources } = await analyze(RISKY, { config: NO_TRANSACTION });
  const findings = allFindings(report);
  const byLine = (file: string, line: number) => findings.find((f) => f.span.file.endsWith(file) && f.span.startLine === line)!;
  return { report, sources, findings, byLine };
}

/** Applies a suggestion the way GitHub's "Commit suggestion" does: lines startLine..line replaced. */
function commitSuggestion(source: string, comment: { line: number; startLine?: number; body: string }): string {
  const content = /```+suggestion\n([^]*?)```+\n/.exec(comment.body)![1]!;
  const lines = source.split("\n");
  const start = (comment.startLine ?? comment.line) - 1;
  const replacement = content === "" ? [] : content.replace(/\n$/, "").split("\n");
  lines.splice(start, comment.line - start, ...replacement);
  return lines.join("\n");
}

describe("inline comments", () => {
  it("renders every finding of a realistic change (exact text)", async () => {
    const { findings, sources } = await risky();
    const comments = findings.map((f) => renderInlineComment(f, sources.get(f.span.file)));
    const text = comments.map((c) => `=== ${c.path}:${c.startLine ? `${c.startLine}-` : ""}${c.line} (${c.side})\n${c.body}`).join("\n");
    await expect(text).toMatchFileSnapshot("__snapshots__/render/inline-comments.md");
    for (const [i, c] of comments.entries()) {
      expect(c.body.startsWith(`${findingMarker(findings[i]!.fingerprint)}\n`)).toBe(true);
      expect(c.body).toContain(`(${findings[i]!.docsUrl})`);
    }
  });

  it("suggests exactly the lines the fix rewrites, and committing it applies the fix", async () => {
    const { byLine, sources } = await risky();
    const file = "db/migrations/20240215093000_index_orders_by_date.up.sql";
    const source = sources.get(file)!;
    // The statement spans lines 4-5; the fix only touches line 4, so the suggestion replaces line 4 alone.
    const finding = byLine(file, 4);
    expect([finding.span.startLine, finding.span.endLine]).toEqual([4, 5]);
    const comment = renderInlineComment(finding, source);
    expect(comment).toMatchObject({ path: file, line: 4, side: "RIGHT" });
    expect(comment.startLine).toBeUndefined();
    expect(comment.body).toContain("```suggestion\nCREATE INDEX CONCURRENTLY orders_customer_recent_idx\n```");
    expect(commitSuggestion(source, comment)).toContain("CREATE INDEX CONCURRENTLY orders_customer_recent_idx\n  ON orders (customer_id, created_at DESC);");
  });

  it("spans startLine..line when the fix rewrites several lines", async () => {
    const { byLine, sources } = await risky();
    const file = "db/migrations/20240215093000_index_orders_by_date.up.sql";
    const source = sources.get(file)!;
    const real = byLine(file, 4);
    // No rule in the pinned set edits two lines yet: extend the real fix with a second edit on line 5.
    const at = source.indexOf("DESC);") + "DESC".length;
    const finding: Finding = {
      ...real,
      fix: { description: real.fix!.description, edits: [...real.fix!.edits, { file, startOffset: at, endOffset: at, replacement: " NULLS LAST" }] },
    };
    const comment = renderInlineComment(finding, source);
    expect(comment).toMatchObject({ startLine: 4, line: 5 });
    expect(comment.body).toContain(
      "```suggestion\nCREATE INDEX CONCURRENTLY orders_customer_recent_idx\n  ON orders (customer_id, created_at DESC NULLS LAST);\n```",
    );
    expect(commitSuggestion(source, comment)).toBe(source.replace(" orders_customer_recent_idx", " CONCURRENTLY orders_customer_recent_idx").replace("DESC);", "DESC NULLS LAST);"));
  });

  it("describes the fix instead of suggesting it when the edits leave the finding's lines", async () => {
    const { byLine, sources } = await risky();
    const file = "db/migrations/20240215093000_index_orders_by_date.up.sql";
    const source = sources.get(file)!;
    const real = byLine(file, 2);
    const finding: Finding = { ...real, fix: { description: "Move it", edits: [{ file, startOffset: 0, endOffset: 0, replacement: "-- moved\n" }] } };
    const comment = renderInlineComment(finding, source);
    expect(comment.body).not.toContain("```suggestion");
    expect(comment.body).toContain("🔧 **Fix:** Move it");
    expect(comment.line).toBe(2);
  });

  it("comments on the statement's first line without a source, and on findings outside any statement", async () => {
    const { byLine, sources } = await risky();
    const multi = byLine("20240215093000_index_orders_by_date.up.sql", 4);
    // Asked not to suggest (its lines are outside the diff), the fix is described on the first line.
    const noSuggestion = renderInlineComment(multi, sources.get(multi.span.file), { suggestion: false });
    expect(noSuggestion.line).toBe(4);
    expect(noSuggestion.body).not.toContain("```suggestion");
    expect(noSuggestion.body).toContain("🔧 **Fix:** Build the index concurrently");
    const withoutSource = renderInlineComment(multi, undefined);
    expect(withoutSource).toMatchObject({ line: 4, side: "RIGHT" });
    expect(withoutSource.body).toContain("🔧 **Fix:** Build the index concurrently");
    // A suppression comment is not a statement; the finding sits on the comment's line.
    const suppression = byLine("20240302160000_reporting.up.sql", 6);
    expect(suppression.ruleId).toBe("suppression-without-reason");
    const comment = renderInlineComment(suppression, sources.get(suppression.span.file));
    expect(comment).toEqual({ path: suppression.span.file, line: 6, side: "RIGHT", body: expect.stringContaining("suppression of require-concurrent-index gives no reason") });
  });

  it("handles CRLF files, a fence inside the suggestion and a fix that deletes lines", async () => {
    const crlf = "-- windows checkout\r\nCREATE INDEX orders_note_idx ON orders (note);\r\n";
    const { report, sources } = await analyze({ "db/migrations/1_note.up.sql": crlf, "db/migrations/1_note.down.sql": "DROP INDEX orders_note_idx;\n" }, { config: NO_TRANSACTION });
    const finding = allFindings(report).find((f) => f.ruleId === "require-concurrent-index")!;
    const comment = renderInlineComment(finding, sources.get(finding.span.file));
    expect(comment.line).toBe(2);
    expect(comment.body).toContain("```suggestion\nCREATE INDEX CONCURRENTLY orders_note_idx ON orders (note);\n```");

    const file = finding.span.file;
    const withFence: Finding = { ...finding, fix: { description: "Odd", edits: [{ file, startOffset: finding.span.startOffset, endOffset: finding.span.startOffset, replacement: "/* ``` */ " }] } };
    expect(renderInlineComment(withFence, crlf).body).toContain("````suggestion\n/* ``` */ CREATE INDEX");

    const lineStart = crlf.indexOf("CREATE");
    const deletion: Finding = { ...finding, fix: { description: "Drop it", edits: [{ file, startOffset: lineStart, endOffset: crlf.indexOf(";") + 1, replacement: "" }] } };
    expect(fixedLines(deletion, crlf)).toEqual({ startLine: 2, endLine: 2, before: ["CREATE INDEX orders_note_idx ON orders (note);"], after: [] });
    expect(renderInlineComment(deletion, crlf).body).toContain("```suggestion\n```");
  });

  it("refuses overlapping or out-of-range edits rather than suggesting garbage", async () => {
    const { byLine, sources } = await risky();
    const file = "db/migrations/20240215093000_index_orders_by_date.up.sql";
    const source = sources.get(file)!;
    const real = byLine(file, 2);
    const overlapping: Finding = { ...real, fix: { description: "x", edits: [{ file, startOffset: 40, endOffset: 50, replacement: "a" }, { file, startOffset: 45, endOffset: 55, replacement: "b" }] } };
    const outside: Finding = { ...real, fix: { description: "x", edits: [{ file, startOffset: source.length + 5, endOffset: source.length + 6, replacement: "a" }] } };
    const otherFile: Finding = { ...real, fix: { description: "x", edits: [{ file: "other.sql", startOffset: 40, endOffset: 40, replacement: "a" }] } };
    for (const f of [overlapping, outside, otherFile]) {
      expect(fixedLines(f, source)).toBeUndefined();
      expect(renderInlineComment(f, source).body).not.toContain("suggestion");
    }
  });
});
