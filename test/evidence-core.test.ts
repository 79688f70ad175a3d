// The pure parts of the evidence path: snapshot diff, cleanup SQL, seed planning, execution
// planning, decision-matrix verdicts, Markdown rendering and the shipped JSON Schema.
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { TestConfigSchema } from "../src/core/evidence/config.js";
import { renderEvidenceMarkdown } from "../src/core/evidence/markdown.js";
import { planExecution, referencedRelations } from "../src/core/evidence/plan.js";
import { AS_WRITTEN, transactionContext, type FileSemantics } from "../src/core/analyze/transaction.js";
import { EvidenceReport, evidenceJsonSchema } from "../src/core/evidence/report.js";
import { checkValues, planSeed, type SeedTable } from "../src/core/evidence/seed.js";
import { cleanupSql, diffSnapshots, emptySnapshot, type SchemaSnapshot } from "../src/core/evidence/snapshot.js";
import { judge, type UnjudgedReport } from "../src/core/evidence/verdict.js";
import { loadParsers, parseScript } from "../src/core/parse/index.js";
import { rollbackStart } from "../src/evidence/runner.js";

beforeAll(loadParsers);

const statements = (text: string) => parseScript({ file: "m.sql", text, baseOffset: 0, baseLine: 1, dialect: "postgres" }).statements;

function snapshot(extra: Partial<SchemaSnapshot> = {}): SchemaSnapshot {
  return {
    ...emptySnapshot(),
    schemas: ["public"],
    tables: {
      "public.orders": {
        kind: "r",
        columns: { id: { type: "bigint", nullable: false }, note: { type: "text", nullable: true } },
        constraints: { orders_pkey: { type: "p", definition: "PRIMARY KEY (id)", validated: true } },
        indexes: { orders_pkey: { definition: "CREATE UNIQUE INDEX orders_pkey ON public.orders USING btree (id)", valid: true } },
        triggers: {},
      },
    },
    enums: { "public.status": ["new", "done"] },
    ...extra,
  };
}

describe("schema snapshots", () => {
  it("diffs every object type with before and after text, in a stable order", () => {
    const before = snapshot();
    const after = snapshot({ enums: { "public.status": ["new", "done", "void"] } });
    after.tables["public.orders"]!.columns.note = { type: "varchar(10)", nullable: true };
    after.tables["public.orders"]!.indexes.orders_note_idx = { definition: "CREATE INDEX orders_note_idx ON public.orders USING btree (note)", valid: false };
    after.views["public.v"] = { materialized: false, definition: "SELECT 1" };
    expect(diffSnapshots(before, after)).toEqual([
      { change: "changed", objectType: "column", name: "public.orders.note", before: "text", after: "varchar(10)" },
      { change: "added", objectType: "index", name: "public.orders.orders_note_idx", after: "CREATE INDEX orders_note_idx ON public.orders USING btree (note) (INVALID)" },
      { change: "added", objectType: "view", name: "public.v", after: "SELECT 1" },
      { change: "changed", objectType: "enum", name: "public.status", before: "'new', 'done'", after: "'new', 'done', 'void'" },
    ]);
    expect(diffSnapshots(before, snapshot())).toEqual([]);
  });

  it("writes cleanup SQL for leftovers, dropping a new table once rather than each of its parts", () => {
    const before = snapshot();
    const after = snapshot();
    after.tables["public.audit"] = { kind: "r", columns: { id: { type: "integer", nullable: false } }, constraints: {}, indexes: { audit_pkey: { definition: "x", valid: true } }, triggers: {} };
    after.tables["public.orders"]!.indexes.orders_note_idx = { definition: "CREATE INDEX …", valid: false };
    after.tables["public.orders"]!.columns.extra = { type: "int", nullable: true };
    expect(cleanupSql(diffSnapshots(before, after), "postgres")).toEqual({
      sql: ['DROP INDEX CONCURRENTLY IF EXISTS "public"."orders_note_idx";', 'ALTER TABLE "public"."orders" DROP COLUMN "extra";', 'DROP TABLE IF EXISTS "public"."audit";'],
      manual: [],
    });
  });
});

describe("seed planning", () => {
  const col = (name: string, type: string, baseType: string, more: Partial<SeedTable["columns"][number]> = {}) => ({
    name,
    type,
    baseType,
    isArray: false,
    nullable: false,
    hasDefault: false,
    databaseFilled: false,
    ...more,
  });
  const customers: SeedTable = {
    name: "public.customers",
    columns: [col("id", "bigint", "int8", { databaseFilled: true, hasDefault: true }), col("email", "text", "text"), col("tier", "public.tier", "tier", { enumLabels: ["free", "pro"] })],
    uniques: [["id"], ["email"]],
    checks: [],
    foreignKeys: [],
  };
  const profiles: SeedTable = {
    name: "public.profiles",
    columns: [col("customer_id", "bigint", "int8"), col("status", "text", "text"), col("score", "integer", "int4")],
    uniques: [["customer_id"]],
    checks: ["CHECK ((status = ANY (ARRAY['active'::text, 'closed'::text])))", "CHECK (((score >= 1) AND (score <= 5)))"],
    foreignKeys: [{ columns: ["customer_id"], refTable: "public.customers", refColumns: ["id"] }],
  };

  it("orders parents first, caps one-to-one children at the parent's rows and writes one set-based INSERT per table", () => {
    const steps = planSeed([profiles, customers], (t) => (t === "public.customers" ? 100 : 1000), "postgres");
    expect(steps.map((s) => [s.table, s.rows])).toEqual([
      ["public.customers", 100],
      ["public.profiles", 100],
    ]);
    expect(steps[0]!.sql).toBe(
      `INSERT INTO "public"."customers" ("email", "tier") SELECT left('email-' || s.g, 200)::text, (ARRAY['free', 'pro'])[1 + (s.g % 2)]::public.tier FROM generate_series(1, 100) AS s(g)  ON CONFLICT DO NOTHING`,
    );
    expect(steps[1]!.sql).toBe(
      `INSERT INTO "public"."profiles" ("customer_id", "status", "score") SELECT fk0.c0, (ARRAY['active', 'closed'])[1 + (s.g % 2)]::text, (1 + s.g % 5)::integer FROM generate_series(1, 100) AS s(g) JOIN (SELECT "id" AS c0, row_number() OVER (ORDER BY "id") AS rn FROM "public"."customers") AS fk0 ON fk0.rn = 1 + ((s.g - 1) * 1) % (SELECT count(*) FROM "public"."customers") ON CONFLICT DO NOTHING`,
    );
  });

  it("leaves a nullable self-reference empty and skips a table it cannot fill, saying why", () => {
    const tree: SeedTable = { name: "public.tree", columns: [col("id", "integer", "int4"), col("parent_id", "integer", "int4", { nullable: true })], uniques: [["id"]], checks: [], foreignKeys: [{ columns: ["parent_id"], refTable: "public.tree", refColumns: ["id"] }] };
    const shapes: SeedTable = { name: "public.shapes", columns: [col("area", "polygon", "polygon")], uniques: [], checks: [], foreignKeys: [] };
    const steps = planSeed([tree, shapes], () => 10, "postgres");
    expect(steps.find((s) => s.table === "public.tree")!.sql).toBe(`INSERT INTO "public"."tree" ("id") SELECT s.g::int4 FROM generate_series(1, 10) AS s(g)  ON CONFLICT DO NOTHING`);
    expect(steps.find((s) => s.table === "public.shapes")).toEqual({ table: "public.shapes", rows: 0, skipped: "no value generator for NOT NULL column area of type polygon" });
  });

  it("reads allowed values from simple CHECK constraints in PostgreSQL and MariaDB spelling", () => {
    expect(checkValues("kind", ["CHECK ((kind = ANY (ARRAY['a'::text, 'b''c'::text])))"])).toEqual({ values: ["'a'", "'b''c'"] });
    expect(checkValues("kind", ["`kind` in ('x','y')"])).toEqual({ values: ["'x'", "'y'"] });
    expect(checkValues("qty", ["CHECK (((qty > 0) AND (qty <= 100)))"])).toEqual({ range: "(1 + {g} % 100)" });
    expect(checkValues("price", ["CHECK ((price >= (0)::numeric))"])).toEqual({ range: "(0 + {g})" });
    expect(checkValues("other", ["CHECK ((qty > 0))"])).toBeUndefined();
  });
});

describe("execution planning", () => {
  const runs = (sql: string, runsAs: Partial<FileSemantics>, version = 15) => {
    const list = statements(sql);
    return planExecution(list, transactionContext({ ...AS_WRITTEN, ...runsAs }, list, version), "postgres", version);
  };

  it("applies a file in the tool's transaction, where a CONCURRENTLY statement fails as it does for the tool", () => {
    expect(runs("ALTER TABLE t ADD c int; UPDATE t SET c = 1;", { transaction: "per-file" })).toMatchObject({ execution: "file-transaction", modes: ["file-transaction", "file-transaction"] });
    expect(runs("CREATE INDEX CONCURRENTLY i ON t (c); ANALYZE t;", { transaction: "per-file" }).modes).toEqual(["file-transaction", "file-transaction"]);
    expect(runs("BEGIN; ALTER TABLE t ADD c int; COMMIT; VACUUM t;", {}).modes).toEqual(["explicit-transaction", "explicit-transaction", "explicit-transaction", "no-transaction"]);
    expect(runs("ALTER TYPE e ADD VALUE 'x';", { transaction: "per-file" }, 11).modes).toEqual(["file-transaction"]);
    expect(runs("ALTER TYPE e ADD VALUE 'x';", {}, 11).modes).toEqual(["no-transaction"]);
  });

  it("applies a file sent as one query as PostgreSQL runs it: one statement on its own, several as one block", () => {
    const golang = { layout: "golang-migrate", transaction: "none", delivery: "whole-file" } as const;
    expect(runs("-- build it online\nCREATE INDEX CONCURRENTLY i ON t (c);", golang)).toMatchObject({ execution: "per-statement", modes: ["no-transaction"] });
    const two = runs("CREATE INDEX CONCURRENTLY i ON t (c); CREATE INDEX CONCURRENTLY j ON t (d);", golang);
    expect(two).toMatchObject({ execution: "file-transaction", modes: ["file-transaction", "file-transaction"] });
    expect(two.note).toContain("one query of 2 statements");
    // After the file's own COMMIT, PostgreSQL starts the next implicit block.
    expect(runs("BEGIN; ALTER TABLE t ADD c int; COMMIT; CREATE INDEX CONCURRENTLY i ON t (c);", golang).modes).toEqual([
      "explicit-transaction",
      "explicit-transaction",
      "explicit-transaction",
      "file-transaction",
    ]);
    expect(runs("SET lock_timeout = '2s'; CREATE INDEX CONCURRENTLY i ON t (c);", { ...golang, delivery: "per-statement" }).modes).toEqual(["own-transaction", "no-transaction"]);
  });

  it("follows Flyway's own detection of non-transactional scripts and its mixed check", () => {
    const flyway = { layout: "flyway", transaction: "per-file", delivery: "per-statement", nonTransactionalDetection: "flyway" } as const;
    expect(runs("CREATE INDEX CONCURRENTLY i ON t (c);", flyway).modes).toEqual(["no-transaction"]);
    const mixed = runs("SET lock_timeout = '2s'; CREATE INDEX CONCURRENTLY i ON t (c);", flyway);
    expect(mixed.execution).toBe("skipped");
    expect(mixed.refusal).toContain("mixed");
    expect(runs("SET lock_timeout = '2s'; CREATE INDEX CONCURRENTLY i ON t (c);", { ...flyway, mixed: true }).modes).toEqual(["own-transaction", "no-transaction"]);
    // Flyway does not recognise REINDEX … CONCURRENTLY: it runs it in its transaction, where it fails.
    expect(runs("REINDEX INDEX CONCURRENTLY i;", flyway).modes).toEqual(["file-transaction"]);
  });

  it("names the relations a statement touches", () => {
    expect(referencedRelations(statements("UPDATE app.orders o SET x = 1 FROM customers c WHERE c.id = o.cid")[0]!)).toEqual([
      { schema: "app", name: "orders" },
      { schema: undefined, name: "customers" },
    ]);
  });

  it("rolls back only from the first migration after the last one without a down script", () => {
    const m = (down: boolean) => ({ migration: {} as never, up: {} as never, ...(down ? { down: {} as never } : {}) });
    expect(rollbackStart([m(true), m(false), m(true), m(true)])).toBe(2);
    expect(rollbackStart([m(true), m(true)])).toBe(0);
    expect(rollbackStart([m(true), m(false)])).toBe(2);
  });
});

function baseReport(over: Partial<UnjudgedReport> = {}): UnjudgedReport {
  return {
    schemaVersion: 1,
    kind: "migration-guard-test-report",
    tool: { name: "migration-guard", version: "0.1.0" },
    createdAt: "2025-01-01T00:00:00.000Z",
    headSha: "0123456789abcdef0123456789abcdef01234567",
    engine: { kind: "postgres", serverVersion: "15.20", majorVersion: 15, configuredVersion: "15" },
    settings: { seedRows: 10000, probe: true, partialFailure: true, thresholds: TestConfigSchema.parse({}).thresholds },
    environment: { source: "migrations", baseMigrations: ["001.sql"], seeded: [{ table: "public.orders", rows: 10000 }], problems: [] },
    steps: [
      { name: "environment", status: "passed", durationMs: 1200, summary: "1 base migration(s); 10000 row(s) seeded in 1 table(s)" },
      { name: "forward", status: "passed", durationMs: 340, summary: "1 migration(s) applied" },
    ],
    migrations: [
      {
        id: "002_note.sql",
        up: "002_note.sql",
        down: "002_note.down.sql",
        transaction: "per-file",
        forward: {
          file: "002_note.sql",
          ok: true,
          durationMs: 340,
          execution: "file-transaction",
          statements: [
            {
              index: 0,
              file: "002_note.sql",
              line: 1,
              sql: "ALTER TABLE orders ADD COLUMN note text",
              kind: "AlterTableStmt",
              mode: "file-transaction",
              ok: true,
              durationMs: 3.5,
              locks: [{ relation: "public.orders", mode: "ACCESS EXCLUSIVE", observedBy: "transaction" }],
              rewritten: [],
              indexesBuilt: [],
              probe: { tables: ["public.orders"], samples: 4, longestWaitMs: 350, longestQuery: "INSERT on public.orders", extrapolatedMs: 35000, flagged: true },
            },
          ],
        },
        rollback: { file: "002_note.down.sql", ok: true, durationMs: 12, execution: "file-transaction", statements: [] },
        forwardAgain: { file: "002_note.sql", ok: true, durationMs: 10, execution: "file-transaction", statements: [] },
        partialFailure: { method: "terminated", interruptedAfter: 1, transactional: true, clean: true, leftovers: [], cleanupSql: [], manualCleanup: [] },
      },
    ],
    validation: [{ name: "foreign keys hold", ok: true }],
    rollback: { ran: true, schemaDiff: [], checksums: [{ table: "public.orders", rowsBefore: 10000, rowsAfter: 10000, lostRows: 0, matches: true }], lossy: false, missingDowns: [] },
    probe: { enabled: true, slowdowns: [] },
    problems: [],
    ...over,
  };
}

describe("decision matrix", () => {
  it("fails on blocking beyond the threshold and ticks the gates the evidence supports", () => {
    const { verdict, gates } = judge(baseReport());
    expect(verdict).toEqual({
      passed: false,
      failures: ["blocking: 002_note.sql:1 made application queries wait 350 ms (threshold 200 ms), about 35000 ms at production volume"],
      warnings: [],
    });
    expect(gates).toEqual({ tested: true, "rollback-validated": true, "data-integrity": true, "zero-data-loss": true, "performance-acceptable": false });
  });

  it("applies the error-rate threshold to rows lost or orphaned (>1% of seeded rows)", () => {
    const lost = (rows: number) => baseReport({ probe: { enabled: false, reason: "disabled", slowdowns: [] }, migrations: [], validation: [{ name: "untouched tables keep their rows", ok: false, rows, indicator: "errors" }] });
    expect(judge(lost(50)).verdict).toEqual({ passed: true, failures: [], warnings: ["migration errors: 50 of 10000 seeded rows (0.5%, threshold 1%)", "no migration to test"] });
    expect(judge(lost(200)).verdict.failures).toEqual(["migration errors: 200 of 10000 seeded rows (2%, threshold 1%)"]);
    expect(judge(lost(200)).gates["performance-acceptable"]).toBeUndefined();
  });

  it("treats a lossy rollback as a warning unless configured to fail, and schema drift as a failure", () => {
    const lossy = baseReport({ rollback: { ran: true, schemaDiff: [], checksums: [{ table: "public.orders", rowsBefore: 10, rowsAfter: 10, lostRows: 10, matches: false }], lossy: true, missingDowns: [] } });
    lossy.migrations[0]!.forward.statements[0]!.probe!.flagged = false;
    expect(judge(lossy).verdict).toEqual({ passed: true, failures: [], warnings: ["rollback is lossy: pre-existing rows did not come back in public.orders"] });
    lossy.settings.thresholds = { ...lossy.settings.thresholds, fail_on_lossy_rollback: true };
    expect(judge(lossy).verdict.failures).toEqual(["rollback is lossy: pre-existing rows did not come back in public.orders"]);
    const drift = baseReport({ rollback: { ran: true, schemaDiff: [{ change: "added", objectType: "index", name: "public.orders.i", after: "CREATE INDEX i" }], checksums: [], lossy: false, missingDowns: [] } });
    expect(judge(drift).verdict.failures).toContain("rollback leaves the schema different from before the change (1 difference(s))");
    expect(judge(drift).gates["rollback-validated"]).toBe(false);
  });
});

describe("report rendering and schema", () => {
  it("renders the Markdown report", () => {
    const unjudged = baseReport({ engine: { kind: "pglite", serverVersion: "18.6", majorVersion: 18, configuredVersion: "15", versionWarning: "PGlite runs PostgreSQL 18.6, but production is configured as PostgreSQL 15." } });
    const report = EvidenceReport.parse({ ...unjudged, ...judge(unjudged) });
    expect(renderEvidenceMarkdown(report)).toMatchSnapshot();
  });

  it("ships the JSON Schema generated from the zod schema (migration-guard test --print-schema > schema/test-report.schema.json)", () => {
    const shipped = JSON.parse(readFileSync(new URL("../schema/test-report.schema.json", import.meta.url), "utf8"));
    expect(shipped).toEqual(evidenceJsonSchema());
  });
});
