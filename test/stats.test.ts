// Table statistics end to end: the query `stats-query` prints runs on the real PostgreSQL 15 and
// MariaDB, its JSON output goes back into `check`, is validated, and drives the risk model.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mysql from "mysql2/promise";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { ConfigSchema } from "../src/core/config/schema.js";
import type { AnalysisReport, MigrationReport } from "../src/core/report.js";
import { buildCatalog, lookupTable, parseBytes, parseStatsText, withFileStats } from "../src/core/stats/index.js";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "mg-stats-"));
  dirs.push(dir);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

const cli = (cwd: string, ...argv: string[]) => runCli(cwd, argv);

async function checkJson(cwd: string, ...argv: string[]) {
  const result = await cli(cwd, "check", ...argv, "--format", "json");
  if (!result.stdout) throw new Error(`check failed (${result.code}): ${result.stderr}`);
  return JSON.parse(result.stdout) as AnalysisReport;
}

function migration(report: AnalysisReport, name: string): MigrationReport {
  const found = report.migrations.find((m) => m.migration.id.includes(name));
  if (!found) throw new Error(`no migration ${name} in ${report.migrations.map((m) => m.migration.id).join(", ")}`);
  return found;
}

const VALID = {
  format: "migration-guard-stats",
  version: 1,
  dialect: "postgres",
  tables: [{ schema: "public", name: "orders", rows: 80_000_000, table_bytes: 40 * 1024 ** 3, index_bytes: 8 * 1024 ** 3 }],
};

describe("statistics file validation", () => {
  it("accepts a minimal file and fills the lists", () => {
    const result = parseStatsText(JSON.stringify(VALID));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.stats.tables[0]).toMatchObject({ kind: "table", indexes: [], foreign_keys: [], triggers: [], views: [] });
  });

  it("lists every problem with its path", () => {
    const bad = {
      ...VALID,
      version: 2,
      extra: true,
      tables: [
        { schema: "public", name: "orders", rows: -1, table_bytes: "40GB", index_bytes: 0 },
        { schema: "public", rows: 5, table_bytes: 1, index_bytes: 1, triggers: [{ name: 3 }] },
      ],
    };
    const result = parseStatsText(JSON.stringify(bad));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.path).sort()).toEqual(
      ["extra", "tables.0.rows", "tables.0.table_bytes", "tables.1.name", "tables.1.triggers.0.name", "version"].sort(),
    );
  });

  it("reports JSON syntax errors", () => {
    const result = parseStatsText("{ not json");
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0]!.message).toMatch(/^not valid JSON/);
  });

  it("check exits 2 with one error naming the file and each problem", async () => {
    const bad = { ...VALID, tables: [{ schema: "public", name: "orders", rows: "many", table_bytes: 1, index_bytes: 1 }] };
    const dir = project({ "migrations/0001_a.sql": "SELECT 1;\n", "stats.json": JSON.stringify(bad) });
    const result = await cli(dir, "check", "migrations", "--stats", "stats.json");
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      "migration-guard check: stats.json: invalid statistics file (1 problem); regenerate it with the query `migration-guard stats-query` prints\n" +
        "  - tables.0.rows: Invalid input: expected number, received string\n",
    );
  });

  it("check exits 2 when stats_file names a missing file", async () => {
    const dir = project({ "migrations/0001_a.sql": "SELECT 1;\n", ".github/migration-guard.yml": "stats_file: nowhere.json\n" });
    const result = await cli(dir, "check", "migrations");
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("migration-guard check: nowhere.json: cannot read the statistics file named by stats_file: no such file, or a symbolic link to nothing\n");
  });

  it("merges the file with tables: from the configuration, the configuration winning", () => {
    const config = ConfigSchema.parse({ tables: { orders: { rows: 100 }, "public.refunds": { bytes: "2GB" } } });
    const parsed = parseStatsText(JSON.stringify(VALID));
    if (!parsed.ok) throw new Error("fixture");
    const catalog = buildCatalog(config, parsed.stats);
    expect(lookupTable(catalog, "public.orders")).toMatchObject({ rows: 100, bytes: 40 * 1024 ** 3, source: "config and file" });
    expect(lookupTable(catalog, "refunds")).toMatchObject({ bytes: 2e9, source: "config" });
    expect(withFileStats(config, parsed.stats).tables).toEqual({ orders: { rows: 100, bytes: 40 * 1024 ** 3, index_bytes: 8 * 1024 ** 3 }, "public.refunds": { bytes: "2GB" } });
    expect(parseBytes("512 MB")).toBe(512e6);
    expect(parseBytes("512 MiB")).toBe(512 * 1024 ** 2);
  });
});

describe("stats-query on PostgreSQL 15", () => {
  const database = `mg_stats_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ host: "127.0.0.1", port: 5432, user: "postgres", database: "test" });
  let db: pg.Client;

  beforeAll(async () => {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    db = new pg.Client({ host: "127.0.0.1", port: 5432, user: "postgres", database });
    await db.connect();
    await db.query(`
      CREATE TABLE customers (id bigint PRIMARY KEY, email text UNIQUE);
      CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers (id), total numeric, note text);
      INSERT INTO customers SELECT g, 'c' || g FROM generate_series(1, 2000) g;
      INSERT INTO orders SELECT g, 1 + g % 2000, g, 'n' FROM generate_series(1, 30000) g;
      CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
      CREATE TRIGGER orders_touch BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION touch();
      CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > 100;
      CREATE VIEW big_order_ids AS SELECT id FROM big_orders;
      CREATE VIEW order_totals AS SELECT id, total FROM orders;
      CREATE TABLE payments (id bigint PRIMARY KEY, order_id bigint, refund_of bigint);
      CREATE INDEX payments_order_idx ON payments (order_id, id);
      CREATE INDEX payments_refund_idx ON payments (refund_of) WHERE refund_of IS NOT NULL;
      CREATE SCHEMA audit;
      CREATE TABLE audit.events (id int);
      ANALYZE;
    `);
  });

  afterAll(async () => {
    await db?.end();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  });

  it("exports a file that validates and that check uses", async () => {
    const query = await cli(process.cwd(), "stats-query", "--dialect", "postgres");
    expect(query.code).toBe(0);
    // Exactly as the help says: psql's unaligned tuples-only output is the file.
    const text = execFileSync("psql", ["-h", "127.0.0.1", "-p", "5432", "-U", "postgres", "-d", database, "-XAtq", "-c", query.stdout], { encoding: "utf8" });
    const parsed = parseStatsText(text);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    const orders = parsed.stats.tables.find((t) => t.name === "orders")!;
    const sizes = await db.query("SELECT reltuples::bigint AS rows, pg_table_size('orders') AS bytes, pg_indexes_size('orders') AS idx FROM pg_class WHERE relname = 'orders'");
    expect(orders).toMatchObject({
      schema: "public",
      rows: Number(sizes.rows[0].rows),
      table_bytes: Number(sizes.rows[0].bytes),
      index_bytes: Number(sizes.rows[0].idx),
      triggers: [{ name: "orders_touch", function: "touch", enabled: true }],
      foreign_keys: [{ name: "orders_customer_id_fkey", columns: ["customer_id"], references: { schema: "public", table: "customers" }, referenced_columns: ["id"] }],
      views: [
        // Through big_orders: which columns it needs is not known.
        { schema: "public", name: "big_order_ids", materialized: false, columns: null },
        { schema: "public", name: "big_orders", materialized: false, columns: ["customer_id", "id", "note", "total"] },
        { schema: "public", name: "order_totals", materialized: false, columns: ["id", "total"] },
      ],
    });
    expect(orders.indexes.map((i) => i.name)).toEqual(["orders_pkey"]);
    expect(parsed.stats.tables.find((t) => t.name === "payments")!.indexes).toEqual([
      expect.objectContaining({ name: "payments_order_idx", columns: ["order_id", "id"], partial: false }),
      expect.objectContaining({ name: "payments_pkey", columns: ["id"], primary: true, partial: false }),
      expect.objectContaining({ name: "payments_refund_idx", columns: ["refund_of"], partial: true }),
    ]);
    expect(parsed.stats.tables.find((t) => t.name === "customers")!.referenced_by).toEqual([
      { name: "orders_customer_id_fkey", schema: "public", table: "orders", columns: ["customer_id"] },
    ]);
    expect(parsed.stats.tables.map((t) => `${t.schema}.${t.name}`)).toEqual(["audit.events", "public.customers", "public.orders", "public.payments"]);

    const dir = project({
      "stats/production.json": text,
      ".github/migration-guard.yml": "stats_file: stats/production.json\nthresholds:\n  rewrite_bytes_per_second: 1MB\n  index_build_bytes_per_second: 500KB\n",
      "db/migrations/0001_orders_total_idx.sql": "CREATE INDEX orders_total_idx ON orders (total);\n",
      "db/migrations/0001_orders_total_idx.down.sql": "DROP INDEX orders_total_idx;\n",
      "db/migrations/0002_rename_orders.sql": "ALTER TABLE orders RENAME TO purchases;\n",
      "db/migrations/0002_rename_orders.down.sql": "ALTER TABLE purchases RENAME TO orders;\n",
      "db/migrations/0003_double_totals.sql": "UPDATE orders SET total = total * 2;\n",
      "db/migrations/0003_double_totals.down.sql": "UPDATE orders SET total = total / 2;\n",
      // Production's indexes: order_id is covered, customer_id and refund_of (partial index) are not.
      "db/migrations/0004_fks.sql": [
        "SET lock_timeout = '2s';",
        "ALTER TABLE payments ADD CONSTRAINT payments_order_fk FOREIGN KEY (order_id) REFERENCES orders (id) NOT VALID;",
        "ALTER TABLE payments ADD CONSTRAINT payments_refund_fk FOREIGN KEY (refund_of) REFERENCES payments (id) NOT VALID;",
        "ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;",
        "",
      ].join("\n"),
      "db/migrations/0004_fks.down.sql": "ALTER TABLE payments DROP CONSTRAINT payments_order_fk, DROP CONSTRAINT payments_refund_fk;\nALTER TABLE orders DROP CONSTRAINT orders_customer_fk;\n",
      // Production's views: big_orders reads note (SELECT *), order_totals does not.
      "db/migrations/0005_drop_note.sql": "SET lock_timeout = '2s';\nALTER TABLE orders DROP COLUMN note;\n",
      "db/migrations/0005_drop_note.down.sql": "ALTER TABLE orders ADD COLUMN note text;\n",
    });
    const report = await checkJson(dir, "db/migrations");
    const bytes = Number(sizes.rows[0].bytes);

    const index = migration(report, "0001").risk!;
    expect(index.locks).toEqual([
      expect.objectContaining({ relation: "orders", mode: "SHARE", work: "index build", rows: orders.rows, bytes, estimatedSeconds: round(bytes / 500e3) }),
    ]);
    expect(index.affected.indexes).toEqual(["orders_total_idx"]);
    expect(index.rollback).toBe("reversible");
    expect(index.statistics).toEqual({ known: ["orders"], missing: [] });

    const rename = migration(report, "0002").risk!;
    expect(rename.affected.views).toEqual(["big_order_ids", "big_orders", "order_totals"]);
    expect(rename.reasons).toContain("view big_orders depends on orders");
    expect(rename.rollback).toBe("reversible");

    const update = migration(report, "0003").risk!;
    expect(update.affected.triggers).toEqual(["orders_touch on orders"]);
    expect(update.reasons).toContain("trigger orders_touch fires for each changed row of orders");
    expect(update.rollback).toBe("lossy");

    const unindexed = migration(report, "0004").findings.filter((f) => f.ruleId === "fk-without-index");
    expect(unindexed.map((f) => f.span.startLine)).toEqual([3, 4]);
    expect(unindexed[1]!.message).toContain("has no index on (customer_id) (none in production either, per the statistics file)");

    const dependents = migration(report, "0005").findings.filter((f) => f.ruleId === "dependent-object-drop-or-rename");
    expect(dependents.map((f) => f.message)).toEqual(["Dropping `orders.note` fails because of view `big_orders`, which reads it."]);

    // The file's sizes reach the rules too: they read `tables:`, which the file fills.
    const finding = migration(report, "0001").findings.find((f) => f.ruleId === "require-concurrent-index")!;
    expect(finding.message).toContain(`(${orders.rows!.toLocaleString("en-US")} rows)`);
  });
});

describe("stats-query on MariaDB", () => {
  const database = `mg_stats_${process.pid}_${Date.now()}`;
  let db: mysql.Connection;

  beforeAll(async () => {
    db = await mysql.createConnection({ host: "127.0.0.1", port: 3306, user: "root", password: "", multipleStatements: true });
    await db.query(`CREATE DATABASE ${database}`);
    await db.query(`USE ${database}`);
    await db.query(`
      CREATE TABLE customers (id bigint PRIMARY KEY, email varchar(100) UNIQUE) ENGINE=InnoDB;
      CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, total decimal(12,2), KEY orders_customer_idx (customer_id),
        CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id)) ENGINE=InnoDB;
      INSERT INTO customers SELECT seq, CONCAT('c', seq) FROM seq_1_to_2000;
      INSERT INTO orders SELECT seq, 1 + seq % 2000, seq FROM seq_1_to_20000;
      CREATE TRIGGER orders_touch BEFORE UPDATE ON orders FOR EACH ROW SET NEW.total = NEW.total;
      CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > 100;
      ANALYZE TABLE customers, orders;
    `);
  });

  afterAll(async () => {
    await db?.query(`DROP DATABASE IF EXISTS ${database}`);
    await db?.end();
  });

  it("exports a file that validates and that check uses", async () => {
    const query = await cli(process.cwd(), "stats-query", "--dialect", "mariadb");
    expect(query.code).toBe(0);
    // Exactly as the help says: the mysql client's raw, headerless batch output is the file.
    const text = execFileSync("mysql", ["-h", "127.0.0.1", "-P", "3306", "-u", "root", "--batch", "--raw", "--skip-column-names", "-e", query.stdout, database], {
      encoding: "utf8",
    });
    const parsed = parseStatsText(text);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    expect(parsed.stats.dialect).toBe("mariadb");
    const orders = parsed.stats.tables.find((t) => t.name === "orders")!;
    const [info] = (await db.query("SELECT TABLE_ROWS AS r, DATA_LENGTH AS d FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'orders'")) as unknown as [
      { r: number; d: number }[],
    ];
    expect(orders).toMatchObject({
      schema: database,
      rows: Number(info[0]!.r),
      table_bytes: Number(info[0]!.d),
      triggers: [{ name: "orders_touch" }],
      foreign_keys: [{ name: "orders_customer_fk", columns: ["customer_id"], references: { schema: database, table: "customers" }, referenced_columns: ["id"] }],
      views: [{ schema: database, name: "big_orders", materialized: false }],
    });
    expect(orders.indexes.map((i) => i.name).sort()).toEqual(["PRIMARY", "orders_customer_idx"]);

    const dir = project({
      "stats.json": text,
      ".github/migration-guard.yml": "dialect: mariadb\nstats_file: stats.json\nthresholds:\n  rewrite_bytes_per_second: 1MB\n",
      "migrations/0001_totals.sql": "UPDATE orders SET total = total * 2;\n",
      "migrations/0001_totals.down.sql": "UPDATE orders SET total = total / 2;\n",
      "migrations/0002_drop_customers.sql": "DROP TABLE customers;\n",
    });
    const report = await checkJson(dir, "migrations");
    const totals = migration(report, "0001").risk!;
    expect(totals.statistics).toEqual({ known: ["orders"], missing: [] });
    expect(totals.affected.tables).toEqual(["orders"]);
    const drop = migration(report, "0002").risk!;
    expect(drop.statistics!.known).toEqual(["customers"]);
  });
});

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}
