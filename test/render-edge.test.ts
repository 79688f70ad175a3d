// Findings outside any statement, across every renderer: an unreadable file (anchored at the
// file's start, zero-length), a psql meta-command and a suppression comment.
import { readFileSync } from "node:fs";
import Ajv from "ajv-draft-04";
import { describe, expect, it } from "vitest";
import { renderCheckRunOutput } from "../src/core/render/check-run.js";
import { renderHuman } from "../src/core/render/human.js";
import { renderInlineComment } from "../src/core/render/inline.js";
import { renderReviewBody } from "../src/core/render/markdown.js";
import { renderSarif } from "../src/core/render/sarif.js";
import { allFindings } from "../src/core/report.js";
import { analyze } from "./render-fixtures.js";

const FILES = {
  "db/migrations/1_binary.up.sql": "PK\u0003\u0004\u0000\u0000binary",
  "db/migrations/1_binary.down.sql": "SELECT 1;\n",
  "db/migrations/2_psql.up.sql": "\\i shared/functions.sql\n",
  "db/migrations/2_psql.down.sql": "SELECT 1;\n",
};

describe("findings outside any statement", async () => {
  const { report, sources, rules } = await analyze(FILES);
  const unreadable = allFindings(report).find((f) => f.ruleId === "unreadable-file")!;
  const meta = allFindings(report).find((f) => f.ruleId === "psql-meta-command")!;

  it("come from the engine as expected", () => {
    expect(unreadable.span).toMatchObject({ file: "db/migrations/1_binary.up.sql", startLine: 1, endLine: 1, startOffset: 0, endOffset: 0 });
    expect(meta.span.startLine).toBe(1);
    expect(sources.has("db/migrations/1_binary.up.sql")).toBe(false);
  });

  it("are commented on line 1, annotated, and valid SARIF", () => {
    expect(renderInlineComment(unreadable, sources.get(unreadable.span.file))).toMatchObject({ path: unreadable.span.file, line: 1, side: "RIGHT" });
    const annotation = renderCheckRunOutput(report, { sources }).annotations.find((a) => a.path === unreadable.span.file)!;
    expect(annotation).toMatchObject({ start_line: 1, end_line: 1, start_column: 1, end_column: 1, annotation_level: "failure" });
    const schema = JSON.parse(readFileSync(new URL("./fixtures/sarif-2.1.0-rtm.5.schema.json", import.meta.url), "utf8"));
    const validate = new Ajv({ strict: false, unicodeRegExp: false, validateFormats: false }).compile(schema);
    const log = renderSarif(report, rules, { sources });
    expect(validate(log) ? [] : validate.errors).toEqual([]);
    const region = log.runs[0]!.results!.find((r) => r.ruleId === "unreadable-file")!.locations![0]!.physicalLocation!.region!;
    expect(region).toEqual({ startLine: 1, startColumn: 1, endLine: 1, endColumn: 1, charOffset: 0, charLength: 0 });
  });

  it("render in the body and the terminal (exact text)", async () => {
    const body = renderReviewBody(report, { sources });
    await expect(body).toMatchFileSnapshot("__snapshots__/render/review-outside-statements.md");
    // Two missing-rollback findings with the same help: the body says it once.
    expect(body.split("💡 Undo what the migration did").length - 1).toBe(1);
    await expect(renderHuman(report, { sources, color: false })).toMatchFileSnapshot("__snapshots__/render/human-outside-statements.txt");
  });
});
