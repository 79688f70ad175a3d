// Engine behaviour across the migrations of one change (a pull request against its base).
import { describe, expect, it } from "vitest";
import { analyzeFiles, ruleIds } from "./helpers/engine.js";

describe("the change as a whole", () => {
  it("treats a table created earlier in the same change as new (no lock warnings on it)", async () => {
    const report = await analyzeFiles(
      {
        "db/migrations/0001_init.up.sql": "CREATE TABLE accounts (id bigint PRIMARY KEY);",
        "db/migrations/0001_init.down.sql": "DROP TABLE accounts;",
        "db/migrations/0002_orders.up.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, account_id bigint);",
        "db/migrations/0002_orders.down.sql": "DROP TABLE orders;",
        "db/migrations/0003_orders_idx.up.sql": "CREATE INDEX orders_account_idx ON orders (account_id);",
        "db/migrations/0003_orders_idx.down.sql": "DROP INDEX orders_account_idx;",
      },
      {
        base: {
          "db/migrations/0001_init.up.sql": "CREATE TABLE accounts (id bigint PRIMARY KEY);",
          "db/migrations/0001_init.down.sql": "DROP TABLE accounts;",
        },
      },
    );
    expect(ruleIds(report)).not.toContain("require-concurrent-index");
  });

  it("still treats tables of an edited, already merged migration as existing", async () => {
    const base = {
      "db/migrations/0001_orders.up.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, account_id bigint);",
      "db/migrations/0001_orders.down.sql": "DROP TABLE orders;",
    };
    const report = await analyzeFiles(
      {
        "db/migrations/0001_orders.up.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, account_id bigint, note text);",
        "db/migrations/0001_orders.down.sql": "DROP TABLE orders;",
        "db/migrations/0002_orders_idx.up.sql": "CREATE INDEX orders_account_idx ON orders (account_id);",
        "db/migrations/0002_orders_idx.down.sql": "DROP INDEX orders_account_idx;",
      },
      { base },
    );
    const ids = ruleIds(report);
    expect(ids).toContain("edited-merged-migration");
    expect(ids).toContain("require-concurrent-index");
  });

  it("without a base, each migration is its own change: earlier tables exist", async () => {
    const report = await analyzeFiles({
      "db/migrations/0001_orders.up.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, account_id bigint);",
      "db/migrations/0001_orders.down.sql": "DROP TABLE orders;",
      "db/migrations/0002_orders_idx.up.sql": "CREATE INDEX orders_account_idx ON orders (account_id);",
      "db/migrations/0002_orders_idx.down.sql": "DROP INDEX orders_account_idx;",
    });
    expect(ruleIds(report)).toContain("require-concurrent-index");
  });

  it("keeps analyzing the other rules when one rule throws", async () => {
    const { analyzeChange } = await import("../src/core/analyze/engine.js");
    const { loadRules } = await import("../rules/index.js");
    const { DEFAULT_CONFIG } = await import("../src/core/config/load.js");
    const rules = await loadRules();
    const broken = { ...rules.find((r) => r.id === "require-concurrent-index")!, id: "broken-rule", check: () => { throw new Error("unexpected AST"); } };
    const report = analyzeChange(
      { head: [{ path: "m/0001_x.sql", content: "CREATE INDEX i ON t (a);" }] },
      { ...DEFAULT_CONFIG, rules: { "broken-rule": "error" } },
      [...rules, broken],
    );
    const findings = report.migrations[0]!.findings;
    expect(findings.map((f) => f.ruleId)).toContain("require-concurrent-index");
    const internal = findings.find((f) => f.ruleId === "internal-error");
    expect(internal?.message).toBe("rule broken-rule failed on statement 1 (IndexStmt): unexpected AST");
  });

  it("honours inline suppressions with a reason and reports ones without", async () => {
    const report = await analyzeFiles({
      "m/0001_x.sql": [
        "-- migration-guard:ignore require-concurrent-index -- orders is empty until launch",
        "CREATE INDEX a_idx ON orders (a);",
        "CREATE INDEX b_idx ON orders (b); -- migration-guard:ignore require-concurrent-index",
      ].join("\n"),
    });
    const findings = report.migrations[0]!.findings;
    const index = findings.filter((f) => f.ruleId === "require-concurrent-index");
    expect(index.map((f) => [f.span.startLine, f.suppressed?.reason])).toEqual([
      [2, "orders is empty until launch"],
      [3, undefined],
    ]);
    expect(findings.find((f) => f.ruleId === "suppression-without-reason")?.span.startLine).toBe(3);
    expect(report.summary.suppressed).toBe(1);
  });
});

describe("schema knowledge from merged migrations", () => {
  const base = {
    "migrations/0001_orders.sql": [
      "CREATE TABLE orders (id bigint PRIMARY KEY, status text, note varchar(100));",
      "CREATE VIEW open_orders AS SELECT id, status FROM orders WHERE status = 'open';",
    ].join("\n"),
  };

  it("knows a merged column's type, so varchar → text on a pull request is not flagged", async () => {
    const report = await analyzeFiles(
      { ...base, "migrations/0002_note_text.sql": "ALTER TABLE orders ALTER COLUMN note TYPE text;" },
      { base, config: { rules: { "missing-rollback": "off" } } },
    );
    expect(ruleIds(report)).not.toContain("alter-column-type");
  });

  it("knows a merged view, so dropping a column it reads is flagged", async () => {
    const report = await analyzeFiles(
      { ...base, "migrations/0002_drop_status.sql": "ALTER TABLE orders DROP COLUMN status;" },
      { base, config: { rules: { "missing-rollback": "off" } } },
    );
    expect(ruleIds(report)).toContain("dependent-object-drop-or-rename");
  });

  it("forgets a view a merged migration dropped, and keeps the ones still there", async () => {
    const merged = {
      ...base,
      "migrations/0002_views.sql": "CREATE VIEW order_notes AS SELECT id, note FROM orders;\nDROP VIEW IF EXISTS open_orders CASCADE;",
    };
    const dropStatus = await analyzeFiles(
      { ...merged, "migrations/0003_drop_status.sql": "ALTER TABLE orders DROP COLUMN status;" },
      { base: merged, config: { rules: { "missing-rollback": "off" } } },
    );
    expect(ruleIds(dropStatus)).not.toContain("dependent-object-drop-or-rename");
    const dropNote = await analyzeFiles(
      { ...merged, "migrations/0003_drop_note.sql": "ALTER TABLE orders DROP COLUMN note;" },
      { base: merged, config: { rules: { "missing-rollback": "off" } } },
    );
    expect(ruleIds(dropNote)).toContain("dependent-object-drop-or-rename");
  });

  it("still treats merged tables as existing", async () => {
    const report = await analyzeFiles(
      { ...base, "migrations/0002_idx.sql": "CREATE INDEX orders_status_idx ON orders (status);" },
      { base, config: { rules: { "missing-rollback": "off" } } },
    );
    expect(ruleIds(report)).toContain("require-concurrent-index");
  });
});
