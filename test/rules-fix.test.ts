// Mechanical fixes: the pure edit application, the rules' exact edits, and `check --fix` on disk.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { applyEdits, applyFixes } from "../src/core/fix/apply.js";
import type { Finding } from "../src/core/model.js";
import { analyzeFiles } from "./helpers/engine.js";

const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

function finding(ruleId: string, edits: { start: number; end?: number; text: string; file?: string }[]): Finding {
  return {
    ruleId,
    severity: "warning",
    message: ruleId,
    span: { file: "a.sql", startLine: 1, startColumn: 1, endLine: 1, endColumn: 1, startOffset: 0, endOffset: 0 },
    fingerprint: ruleId,
    locks: [],
    fix: {
      description: `fix ${ruleId}`,
      edits: edits.map((e) => ({ file: e.file ?? "a.sql", startOffset: e.start, endOffset: e.end ?? e.start, replacement: e.text })),
    },
  };
}

/** Analyzes, applies every fix, and returns the fixed text of the one migration file. */
async function fixed(sql: string, extra = {}): Promise<{ text: string; applied: string[]; after: string[] }> {
  const path = "migrations/0001_x.sql";
  const config = { ...extra, rules: { "missing-rollback": "off" as const } };
  const report = await analyzeFiles({ [path]: sql }, { config });
  const findings = report.migrations.flatMap((m) => m.findings);
  const result = applyFixes(findings, new Map([[path, sql]]));
  const text = result.files.get(path) ?? sql;
  const again = await analyzeFiles({ [path]: text }, { config });
  return {
    text,
    applied: result.applied.map((a) => a.ruleId),
    after: again.migrations.flatMap((m) => m.findings).map((f) => f.ruleId),
  };
}

describe("applyEdits / applyFixes", () => {
  it("applies edits from the end so earlier offsets stay valid", () => {
    expect(applyEdits("abcdef", [
      { file: "a.sql", startOffset: 1, endOffset: 2, replacement: "XX" },
      { file: "a.sql", startOffset: 4, endOffset: 4, replacement: "-" },
    ])).toBe("aXXcd-ef");
  });

  it("keeps CRLF files CRLF", () => {
    expect(applyEdits("a;\r\nb;", [{ file: "a.sql", startOffset: 2, endOffset: 2, replacement: "\nc;" }])).toBe("a;\r\nc;\r\nb;");
  });

  it("skips a whole fix that overlaps an accepted one, and applies the same fix once", () => {
    const result = applyFixes(
      [
        finding("one", [{ start: 2, end: 4, text: "XY" }]),
        finding("two", [{ start: 0, text: ">" }, { start: 3, end: 5, text: "Z" }]),
        finding("one-again", [{ start: 2, end: 4, text: "XY" }]),
        finding("three", [{ start: 6, text: "!" }]),
      ],
      new Map([["a.sql", "abcdef"]]),
    );
    expect(result.files.get("a.sql")).toBe("abXYef!");
    expect(result.applied.map((a) => a.ruleId)).toEqual(["one", "three"]);
    expect(result.skipped).toEqual([{ ruleId: "two", file: "a.sql", line: 1, description: "fix two", reason: "overlaps another fix" }]);
  });

  it("refuses edits for unknown files or past the end", () => {
    const result = applyFixes([finding("far", [{ start: 99, text: "x" }]), finding("other", [{ start: 0, text: "x", file: "b.sql" }])], new Map([["a.sql", "abc"]]));
    expect(result.files.size).toBe(0);
    expect(result.skipped.map((s) => s.reason)).toEqual(["edit outside a.sql", "b.sql is not available"]);
  });
});

describe("rule fixes", () => {
  it("adds CONCURRENTLY and a lock_timeout, and the findings are gone", async () => {
    const r = await fixed("CREATE INDEX orders_customer_idx ON orders (customer_id);\nDROP INDEX orders_status_idx;\n");
    expect(r.text).toBe(
      "SET lock_timeout = '2s';\nCREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);\nDROP INDEX CONCURRENTLY orders_status_idx;\n",
    );
    expect(r.applied.sort()).toEqual(["require-concurrent-index", "require-concurrent-index-drop", "require-lock-timeout"]);
    expect(r.after).toEqual([]);
  });

  it("adds NOT VALID and a separate VALIDATE for a named foreign key and CHECK", async () => {
    const r = await fixed(
      "SET lock_timeout = '2s';\nALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id);\n  ALTER TABLE \"Orders\" ADD CONSTRAINT total_positive CHECK (total > 0); -- keep\n",
    );
    expect(r.text).toBe(
      "SET lock_timeout = '2s';\nALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_customer_fk;\n  ALTER TABLE \"Orders\" ADD CONSTRAINT total_positive CHECK (total > 0) NOT VALID;\nALTER TABLE \"Orders\" VALIDATE CONSTRAINT total_positive; -- keep\n",
    );
    expect(r.after).toEqual([]);
  });

  it("offers no NOT VALID fix inside a transaction, where the VALIDATE would hold the same lock", async () => {
    const r = await fixed("SET lock_timeout = '2s';\nALTER TABLE orders ADD CONSTRAINT total_positive CHECK (total > 0);\n", { transaction: "per-file" });
    expect(r.applied).toEqual([]);
    expect(r.after).toEqual(["check-constraint-not-valid"]);
  });

  it("caps lock_timeout at the configured maximum and refreshes concurrently", async () => {
    const r = await fixed("SET lock_timeout TO '1min';\nREFRESH MATERIALIZED VIEW order_totals;\n", { thresholds: { max_lock_timeout_ms: 5000 } });
    expect(r.text).toBe("SET lock_timeout = '5s';\nREFRESH MATERIALIZED VIEW CONCURRENTLY order_totals;\n");
    expect(r.after).toEqual([]);
  });
});

describe("check --fix", () => {
  it("writes the fixed files, reports each fix on stderr and what remains on stdout", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mg-fix-"));
    scratch.push(dir);
    mkdirSync(join(dir, "migrations"));
    const file = join(dir, "migrations", "0001_index.sql");
    mkdirSync(join(dir, ".github"));
    writeFileSync(join(dir, ".github", "migration-guard.yml"), "rules:\n  missing-rollback: off\n");
    writeFileSync(file, "\uFEFFCREATE INDEX orders_customer_idx ON orders (customer_id);\r\nALTER TABLE orders RENAME COLUMN state TO status;\r\n");
    const { code, stdout, stderr } = await runCli(dir, ["check", "migrations", "--fix", "--format", "json"]);
    expect(readFileSync(file, "utf8")).toBe(
      "\uFEFFSET lock_timeout = '2s';\r\nCREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);\r\nALTER TABLE orders RENAME COLUMN state TO status;\r\n",
    );
    expect(stderr).toBe(
      [
        "fixed   migrations/0001_index.sql:1  require-concurrent-index: Build the index concurrently",
        "fixed   migrations/0001_index.sql:1  require-lock-timeout: Set a lock_timeout before the first blocking statement",
        "2 fixes applied in 1 file.",
        "",
      ].join("\n"),
    );
    const remaining = JSON.parse(stdout).migrations.flatMap((m: { findings: Finding[] }) => m.findings).map((f: Finding) => f.ruleId);
    expect(remaining).toEqual(["rename-column"]);
    expect(code).toBe(1);
  });
});
