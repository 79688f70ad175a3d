// The risk model on realistic migrations: levels weighed by table size and throughput, lock
// hold estimates (held until commit in transactions), affected objects, rollback complexity.
import { describe, expect, it } from "vitest";
import type { ConfigInput } from "../src/core/config/schema.js";
import type { RiskAssessment } from "../src/core/report.js";
import { analyzeFiles } from "./helpers/engine.js";

const BIG = { orders: { rows: 80_000_000, bytes: "40GB", index_bytes: "8GB" } };
const TINY = { orders: { rows: 100, bytes: "16KB" } };

async function risk(files: Record<string, string>, config: ConfigInput = {}, id?: string): Promise<RiskAssessment> {
  const report = await analyzeFiles(files, { config });
  const m = id ? report.migrations.find((x) => x.migration.id.includes(id)) : report.migrations[0];
  if (!m?.risk) throw new Error("no risk assessment");
  return m.risk;
}

const pair = (up: string, down?: string): Record<string, string> =>
  down === undefined ? { "migrations/0002_change.sql": up } : { "migrations/0002_change.sql": up, "migrations/0002_change.down.sql": down };

describe("levels weighed by table statistics", () => {
  const rewrite = pair("SET lock_timeout = '2s';\nALTER TABLE orders ALTER COLUMN quantity TYPE bigint;\n", "ALTER TABLE orders ALTER COLUMN quantity TYPE int;\n");

  it("a rewrite of an 80M-row table is critical, with the estimate spelled out", async () => {
    const r = await risk(rewrite, { tables: BIG });
    expect(r.level).toBe("critical");
    // 40 GB at 100 MB/s + 8 GB of indexes at 50 MB/s = 400 s + 160 s.
    expect(r.locks).toEqual([
      {
        relation: "orders",
        mode: "ACCESS EXCLUSIVE",
        blocks: "all reads and writes",
        estimatedSeconds: 560,
        work: "rewrite",
        basis: "rewrite of orders: 40 GB, 80,000,000 rows at 100 MB/s + 8 GB of indexes at 50 MB/s (column quantity to int8)",
        line: 2,
        rows: 80_000_000,
        bytes: 40e9,
      },
    ]);
    expect(r.reasons[0]).toBe("orders (80,000,000 rows): ACCESS EXCLUSIVE held ~9 min — blocks all reads and writes, over 60 s");
    expect(r.estimatedSeconds).toBe(560);
  });

  it("the same rewrite of a 100-row table is low", async () => {
    const r = await risk(rewrite, { tables: TINY });
    expect(r.level).toBe("low");
    expect(r.locks[0]!.estimatedSeconds).toBeLessThan(0.01);
    expect(r.reasons).toEqual([
      "orders (100 rows): ACCESS EXCLUSIVE held ~<0.1 s — the table is small",
      "1 warning in the rollback script (require-lock-timeout)",
    ]);
  });

  it("without statistics a rewrite is high and says what to add", async () => {
    const r = await risk(rewrite);
    expect(r.level).toBe("high");
    expect(r.locks[0]!.estimatedSeconds).toBeUndefined();
    expect(r.reasons[0]).toContain("no statistics for orders");
    expect(r.statistics).toEqual({ known: [], missing: ["orders"] });
  });

  it("a faster disk lowers the level: throughput is configurable", async () => {
    const fast = await risk(rewrite, { tables: BIG, thresholds: { rewrite_bytes_per_second: "20GB", index_build_bytes_per_second: "8GB" } });
    expect(fast.locks[0]!.estimatedSeconds).toBe(3);
    expect(fast.level).toBe("medium");
  });

  it("rows without bytes use the configured row width", async () => {
    const r = await risk(rewrite, { tables: { orders: { rows: 1_000_000 } }, thresholds: { average_row_bytes: 200 } });
    expect(r.locks[0]!.basis).toContain("200 MB (assumed 200 B/row), 1,000,000 rows");
  });

  it("CREATE INDEX blocks writes for the build; CONCURRENTLY does not", async () => {
    const plain = await risk(pair("SET lock_timeout = '2s';\nCREATE INDEX orders_customer_idx ON orders (customer_id);\n", "DROP INDEX orders_customer_idx;\n"), { tables: BIG });
    expect(plain.level).toBe("critical");
    expect(plain.locks[0]).toMatchObject({ mode: "SHARE", estimatedSeconds: 800, work: "index build" });
    const online = await risk(
      { "migrations/0002_change.sql": "CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);\n", "migrations/0002_change.down.sql": "DROP INDEX CONCURRENTLY orders_customer_idx;\n" },
      { tables: BIG, transaction: "none" },
    );
    expect(online.locks[0]).toMatchObject({ mode: "SHARE UPDATE EXCLUSIVE", estimatedSeconds: 800 });
    expect(online.level).toBe("medium");
    expect(online.reasons).toEqual(["orders (80,000,000 rows): SHARE UPDATE EXCLUSIVE held ~13 min; reads and writes continue, but the work is long and heavy on I/O"]);
  });

  it("a metadata-only change holds its lock for no measurable time", async () => {
    const r = await risk(pair("SET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN note text DEFAULT 'none';\n", "ALTER TABLE orders DROP COLUMN note;\n"), { tables: BIG });
    expect(r.locks[0]).toMatchObject({ mode: "ACCESS EXCLUSIVE", estimatedSeconds: 0, work: "metadata only" });
    expect(r.level).toBe("low");
  });

  it("a volatile default rewrites even on PostgreSQL 11+", async () => {
    const r = await risk(pair("SET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid();\n", "ALTER TABLE orders DROP COLUMN token;\n"), { tables: BIG });
    expect(r.locks[0]).toMatchObject({ work: "rewrite", estimatedSeconds: 560 });
    expect(r.level).toBe("critical");
  });
});

describe("locks held until commit", () => {
  it("a short ALTER followed by a long backfill in one transaction holds ACCESS EXCLUSIVE for both", async () => {
    const up = "BEGIN;\nSET LOCAL lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN archived boolean;\nUPDATE orders SET archived = false;\nCOMMIT;\n";
    const r = await risk(pair(up, "ALTER TABLE orders DROP COLUMN archived;\n"), { tables: BIG });
    expect(r.locks).toEqual([expect.objectContaining({ relation: "orders", mode: "ACCESS EXCLUSIVE", estimatedSeconds: 560, untilCommit: true, line: 3 })]);
    expect(r.level).toBe("critical");
    // Metadata-only statements (SET, ADD COLUMN without default) are no operation worth listing.
    expect(r.operations!.map((o) => [o.line, o.work, o.estimatedSeconds])).toEqual([[4, "data change", 560]]);
  });

  it("a hold lists the first unknown reasons of the work it waits for, and counts the rest", async () => {
    const builds = [1, 2, 3, 4, 5].map((n) => `CREATE INDEX i${n} ON t${n} (a);`).join("\n");
    const r = await risk(pair(`BEGIN;\nSET LOCAL lock_timeout = '2s';\n${builds}\nCOMMIT;\n`, "SELECT 1;\n"));
    const basis = (relation: string) => r.locks.find((l) => l.relation === relation)?.basis;
    expect(basis("t1")).toBe("no statistics for t1; no statistics for t2; no statistics for t3 and 2 more");
    expect(basis("t4")).toBe("no statistics for t4; no statistics for t5");
    expect(r.locks.every((l) => l.estimatedSeconds === undefined && l.untilCommit)).toBe(true);
  });

  it("outside a transaction each statement releases its lock", async () => {
    const up = "SET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN archived boolean;\nUPDATE orders SET archived = false WHERE id < 1000;\n";
    const r = await risk(pair(up, "ALTER TABLE orders DROP COLUMN archived;\n"), { tables: BIG, transaction: "none" });
    expect(r.locks[0]).toMatchObject({ mode: "ACCESS EXCLUSIVE", estimatedSeconds: 0 });
    expect(r.locks[0]!.untilCommit).toBeUndefined();
  });
});

describe("rollback complexity", () => {
  it("DROP COLUMN with an ADD COLUMN down is lossy", async () => {
    const r = await risk(pair("ALTER TABLE orders DROP COLUMN note;\n", "ALTER TABLE orders ADD COLUMN note text;\n"));
    expect(r.rollback).toBe("lossy");
    expect(r.rollbackReasons).toEqual(["dropping column orders.note discards its data; the rollback cannot bring it back"]);
    expect(r.reasons).toContain("rollback is lossy: dropping column orders.note discards its data; the rollback cannot bring it back");
  });

  it("a column copied to a backup table first is not lost", async () => {
    const up = "CREATE TABLE orders_note_backup AS SELECT id, note FROM orders;\nALTER TABLE orders DROP COLUMN note;\n";
    const down = "ALTER TABLE orders ADD COLUMN note text;\nUPDATE orders o SET note = b.note FROM orders_note_backup b WHERE b.id = o.id;\nDROP TABLE orders_note_backup;\n";
    expect((await risk(pair(up, down))).rollback).toBe("reversible");
  });

  it("narrowing a type is lossy; widening is reversible", async () => {
    const narrow = await risk(pair("ALTER TABLE orders ALTER COLUMN note TYPE varchar(50);\n", "ALTER TABLE orders ALTER COLUMN note TYPE varchar(255);\n"));
    expect(narrow.rollback).toBe("lossy");
    expect(narrow.rollbackReasons[0]).toBe("orders.note narrows to varchar(50); values that needed varchar(255) are cut or rejected");
    const widen = await risk(pair("ALTER TABLE orders ALTER COLUMN quantity TYPE bigint;\n", "ALTER TABLE orders ALTER COLUMN quantity TYPE int;\n"));
    expect(widen.rollback).toBe("reversible");
  });

  it("DELETE and TRUNCATE are lossy", async () => {
    expect((await risk(pair("DELETE FROM orders WHERE created_at < '2020-01-01';\n", "SELECT 1;\n"))).rollback).toBe("lossy");
    expect((await risk(pair("TRUNCATE audit_log;\n", "SELECT 1;\n"))).rollback).toBe("lossy");
  });

  it("a down that raises is irreversible", async () => {
    const down = "DO $$ BEGIN RAISE EXCEPTION 'this migration cannot be rolled back'; END $$;\n";
    const r = await risk(pair("ALTER TABLE orders DROP COLUMN note;\n", down));
    expect(r.rollback).toBe("irreversible");
    expect(r.rollbackReasons).toEqual(["the rollback script raises an error instead of undoing the change"]);
  });

  it("a down that leaves part of the change in place is irreversible, naming what stays", async () => {
    const up = "CREATE TABLE refunds (id bigint PRIMARY KEY, order_id bigint);\nCREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);\nALTER TABLE orders RENAME COLUMN total TO amount;\n";
    const r = await risk(pair(up, "DROP TABLE refunds;\n"), { transaction: "none" });
    expect(r.rollback).toBe("irreversible");
    expect(r.rollbackReasons[0]).toBe("the rollback does not undo: index orders_status_idx stays; the rename of column orders.total to orders.amount is not reversed");
  });

  it("a complete down is reversible", async () => {
    const up = "CREATE TABLE refunds (id bigint PRIMARY KEY, order_id bigint REFERENCES orders (id));\nCREATE INDEX refunds_order_idx ON refunds (order_id);\nALTER TABLE orders ADD COLUMN refunded boolean;\n";
    const down = "ALTER TABLE orders DROP COLUMN refunded;\nDROP TABLE refunds;\n";
    const r = await risk(pair(up, down));
    expect(r.rollback).toBe("reversible");
    expect(r.rollbackReasons).toEqual([]);
  });

  it("no down script is missing; Prisma expects none", async () => {
    expect((await risk(pair("ALTER TABLE orders ADD COLUMN note text;\n"))).rollback).toBe("missing");
    const prisma = await risk({ "prisma/migrations/20240101000000_note/migration.sql": "ALTER TABLE orders ADD COLUMN note text;\n" });
    expect(prisma.rollback).toBe("not-expected");
  });
});

describe("affected objects", () => {
  it("come from the statements", async () => {
    const up = [
      "CREATE TABLE refunds (id bigint PRIMARY KEY, order_id bigint CONSTRAINT refunds_order_fk REFERENCES orders (id));",
      "CREATE INDEX refunds_order_idx ON refunds (order_id);",
      "CREATE FUNCTION touch_refund() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;",
      "CREATE TRIGGER refunds_touch BEFORE UPDATE ON refunds FOR EACH ROW EXECUTE FUNCTION touch_refund();",
      "CREATE VIEW open_refunds AS SELECT * FROM refunds;",
      "ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0) NOT VALID;",
      "DROP INDEX orders_legacy_idx;",
    ].join("\n");
    const r = await risk(pair(up));
    expect(r.affected).toEqual({
      tables: ["orders", "refunds"],
      indexes: ["orders_legacy_idx", "refunds_order_idx"],
      constraints: ["orders_total_positive", "refunds_order_fk"],
      triggers: ["refunds_touch on refunds"],
      views: ["open_refunds"],
      functions: ["touch_refund"],
    });
    // refunds is new: its locks do not raise the level; orders' FK lock is brief.
    expect(r.locks.find((l) => l.relation === "refunds")!.basis).toBe("refunds is created in this change");
  });

  it("an FK from a new table takes SHARE ROW EXCLUSIVE on the referenced table", async () => {
    const r = await risk(pair("CREATE TABLE refunds (id bigint, order_id bigint REFERENCES orders (id));\n", "DROP TABLE refunds;\n"), { tables: BIG });
    expect(r.locks).toEqual([expect.objectContaining({ relation: "orders", mode: "SHARE ROW EXCLUSIVE", estimatedSeconds: 0 })]);
  });
});

describe("MySQL/MariaDB", () => {
  it("weighs the work the InnoDB rules declare by the table's size", async () => {
    const r = await risk(
      pair("ALTER TABLE orders MODIFY COLUMN note varchar(500) NOT NULL, ALGORITHM=COPY, LOCK=SHARED;\n", "ALTER TABLE orders MODIFY COLUMN note varchar(100);\n"),
      { dialect: "mariadb", tables: BIG },
    );
    expect(r.statistics).toEqual({ known: ["orders"], missing: [] });
    expect(r.operations![0]).toMatchObject({ relation: "orders" });
    expect(r.operations![0]!.estimatedSeconds).toBeGreaterThan(60);
  });

  it("DROP TABLE is lossy", async () => {
    const r = await risk(pair("DROP TABLE orders;\n", "CREATE TABLE orders (id bigint PRIMARY KEY);\n"), { dialect: "mysql" });
    expect(r.rollback).toBe("lossy");
    expect(r.affected.tables).toEqual(["orders"]);
  });

  it("MySQL rollbacks are judged from the parsed ALTER operations: DROP DEFAULT loses nothing, DROP COLUMN does", async () => {
    const up = "ALTER TABLE orders ALTER COLUMN status SET DEFAULT 'new';\nALTER TABLE orders ADD COLUMN note text;\n";
    const down = "ALTER TABLE orders ALTER COLUMN status DROP DEFAULT, DROP INDEX ix_status;\nALTER TABLE orders DROP COLUMN note;\n";
    const r = await risk(pair(up, down), { dialect: "mysql" });
    expect(r.rollback).not.toBe("lossy");
    const dropping = await risk(pair("ALTER TABLE orders DROP COLUMN note, ALTER COLUMN status DROP DEFAULT;\n", "ALTER TABLE orders ADD COLUMN note text;\n"), { dialect: "mysql" });
    expect(dropping.rollback).toBe("lossy");
    expect(dropping.rollbackReasons[0]).toMatch(/^dropping column note discards its data/);
  });
});
