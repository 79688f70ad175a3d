// MySQL/MariaDB parsing: statement splitting (comments, executable comments, quoting,
// DELIMITER blocks), the fallback recognizer for DDL node-sql-parser rejects, and real parse
// errors. The corpus is checked against the real MariaDB at 127.0.0.1:3306: every statement we
// accept, the server's parser accepts too, and every statement we call a syntax error, it
// rejects with ER_PARSE_ERROR (1064).
import mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Dialect, SqlSource } from "../src/core/model.js";
import { parseScript } from "../src/core/parse/index.js";
import { parseAlterTable, recognizeStatement } from "../src/core/parse/mysql.js";

const source = (text: string, dialect: Dialect = "mariadb", file = "m.sql"): SqlSource => ({ file, text, baseOffset: 0, baseLine: 1, dialect });

/** Real migration DDL, each valid on MariaDB 10.11 (checked below) unless marked MySQL-only. */
const VALID: { sql: string; mysqlOnly?: boolean }[] = [
  { sql: "ALTER TABLE orders ADD COLUMN note varchar(20), ALGORITHM=INPLACE, LOCK=NONE" },
  { sql: "ALTER TABLE orders ALGORITHM=INSTANT, ADD COLUMN note2 varchar(20) NOT NULL DEFAULT '' AFTER id" },
  { sql: "ALTER TABLE orders MODIFY COLUMN email varchar(320) NOT NULL" },
  { sql: "ALTER TABLE orders CHANGE COLUMN email email_address varchar(320) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL COMMENT 'login'" },
  { sql: "ALTER TABLE orders RENAME COLUMN email TO email_address" },
  { sql: "ALTER TABLE orders DROP COLUMN email" },
  { sql: "ALTER TABLE orders CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci" },
  { sql: "ALTER TABLE orders DEFAULT CHARACTER SET = utf8mb4" },
  { sql: "ALTER TABLE nopk ADD PRIMARY KEY (id)" },
  { sql: "ALTER TABLE orders DROP PRIMARY KEY, ADD PRIMARY KEY (id, customer_id)" },
  { sql: "ALTER TABLE orders ADD CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE ON UPDATE NO ACTION" },
  { sql: "ALTER TABLE orders ADD UNIQUE INDEX uq_orders_email (email), ALGORITHM=INPLACE, LOCK=NONE" },
  { sql: "ALTER TABLE orders ADD UNIQUE KEY (email)" },
  { sql: "ALTER TABLE orders ADD CONSTRAINT uq_e UNIQUE (email)" },
  { sql: "ALTER TABLE orders ADD INDEX ix_email (email(10)) USING BTREE COMMENT 'lookups'" },
  { sql: "ALTER TABLE orders ADD FULLTEXT INDEX ft_body (body)" },
  { sql: "ALTER TABLE orders ADD SPATIAL INDEX sp_geo (geo)" },
  { sql: "ALTER TABLE orders MODIFY status ENUM('new','paid','shipped') NOT NULL DEFAULT 'new'" },
  { sql: "ALTER TABLE orders ALTER COLUMN customer_id SET DEFAULT 0" },
  { sql: "ALTER TABLE orders ALTER COLUMN customer_id DROP DEFAULT" },
  { sql: "ALTER TABLE orders RENAME INDEX ix_customer TO ix_orders_customer" },
  { sql: "ALTER TABLE orders RENAME TO orders_archive" },
  { sql: "ALTER TABLE orders FORCE" },
  { sql: "ALTER TABLE orders ENGINE=InnoDB ROW_FORMAT=DYNAMIC" },
  { sql: "ALTER TABLE orders AUTO_INCREMENT = 1000, COMMENT = 'orders'" },
  { sql: "ALTER TABLE orders ADD COLUMN total_cents bigint AS (customer_id * 100) STORED" },
  { sql: "ALTER TABLE orders ADD COLUMN total_v bigint GENERATED ALWAYS AS (customer_id + 1) VIRTUAL" },
  { sql: "ALTER TABLE orders ADD CONSTRAINT ck_positive CHECK (customer_id >= 0)" },
  { sql: "ALTER TABLE orders DROP CONSTRAINT ck_positive" },
  { sql: "ALTER TABLE orders DROP FOREIGN KEY fk_orders_customer" },
  { sql: "ALTER TABLE orders DROP INDEX ix_customer, ALGORITHM=INPLACE, LOCK=NONE" },
  { sql: "ALTER TABLE orders ALGORITHM=COPY, LOCK=SHARED PARTITION BY HASH(id) PARTITIONS 4" },
  { sql: "ALTER TABLE orders ADD COLUMN IF NOT EXISTS note int, DROP COLUMN IF EXISTS legacy" },
  { sql: "ALTER ONLINE TABLE orders ADD COLUMN note3 int" },
  { sql: "ALTER TABLE orders WAIT 5 ADD COLUMN note4 int" },
  { sql: "ALTER TABLE orders ORDER BY customer_id, id" },
  { sql: "ALTER TABLE orders ADD COLUMN (a int, b bigint unsigned NOT NULL DEFAULT 0)" },
  { sql: "ALTER TABLE `orders` ADD COLUMN `select` TEXT, ADD KEY `ix;odd` (`select`(20))" },
  { sql: "ALTER TABLE orders ALTER INDEX ix_customer IGNORED" },
  { sql: "ALTER TABLE orders ALTER INDEX ix_customer INVISIBLE", mysqlOnly: true },
  { sql: "ALTER TABLE orders ALTER COLUMN customer_id SET INVISIBLE", mysqlOnly: true },
  { sql: "ALTER TABLE orders MODIFY id bigint NOT NULL AUTO_INCREMENT" },
  { sql: "ALTER TABLE orders ADD COLUMN created_at timestamp(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6)" },
  { sql: "ALTER TABLE orders ADD COLUMN price decimal(10,2) unsigned zerofill, ADD COLUMN flag boolean DEFAULT false, ADD COLUMN doc json" },
  { sql: "CREATE UNIQUE INDEX uq_email ON orders (email) ALGORITHM=INPLACE LOCK=NONE" },
  { sql: "DROP INDEX ix_customer ON orders" },
  { sql: "RENAME TABLE orders TO orders_old, customers TO customers_old" },
  { sql: "OPTIMIZE TABLE orders" },
  { sql: "ANALYZE TABLE orders, customers" },
  { sql: "SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci" },
  { sql: "SET foreign_key_checks = 0" },
  { sql: "UPDATE orders SET customer_id = 0 WHERE customer_id IS NULL LIMIT 1000" },
  { sql: "DELETE FROM orders WHERE id < 1000 LIMIT 1000" },
  { sql: "CREATE TABLE invoices (id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, order_id bigint NOT NULL, KEY ix (order_id)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4" },
  { sql: "DROP TABLE IF EXISTS legacy_orders" },
  { sql: "CREATE TABLE metrics (id bigint NOT NULL, at date NOT NULL, PRIMARY KEY (id, at)) ENGINE=InnoDB PARTITION BY RANGE (year(at)) (PARTITION p2023 VALUES LESS THAN (2024), PARTITION pmax VALUES LESS THAN MAXVALUE)" },
  { sql: "CREATE TABLE places (id int PRIMARY KEY, g point NOT NULL, CONSTRAINT fk_places FOREIGN KEY (id) REFERENCES customers (id) ON DELETE SET NULL, SPATIAL KEY sp (g)) ENGINE=InnoDB" },
  { sql: "CREATE TABLE places2 (id int PRIMARY KEY, g point NOT NULL SRID 4326)", mysqlOnly: true },
  { sql: "CREATE OR REPLACE TABLE scratch (id int, period_start date)" },
  { sql: "CREATE TEMPORARY TABLE tmp_ids (id bigint)" },
  { sql: "DROP TEMPORARY TABLE IF EXISTS tmp_ids" },
  { sql: "CREATE SEQUENCE order_numbers START WITH 1000 INCREMENT BY 1" },
  { sql: "DROP PROCEDURE IF EXISTS backfill_once" },
  { sql: "DROP FUNCTION IF EXISTS `next-number`" },
  { sql: "DROP EVENT IF EXISTS nightly_purge" },
];

/**
 * Statements MariaDB refuses before running anything; we must report them, with a position.
 * `errno` is the server's verdict: 1064 syntax error, 4161 unknown data type, 1800 unknown ALGORITHM.
 */
const INVALID: { sql: string; errno: number }[] = [
  { sql: "ALTER TABLE orders ADD COLUMN", errno: 1064 },
  { sql: "ALTER TABLE orders MODIFY note varchr(20)", errno: 4161 },
  { sql: "ALTER TABLE orders CONVERT TO utf8mb4", errno: 1064 },
  { sql: "ALTER TABEL orders ADD COLUMN x int", errno: 1064 },
  { sql: "ALTER TABLE orders ADD COLUMN x int, ALGORITHM=FAST", errno: 1800 },
  { sql: "ALTER TABLE orders ADD INDEX ix (a b c", errno: 1064 },
  { sql: "ALTER TABLE orders ADD COLUMN x int NOT NUL", errno: 1064 },
];

describe("MySQL statement splitting", () => {
  it("handles # and -- comments, backticks and backslash escapes containing semicolons", () => {
    const text = "# setup\nALTER TABLE `a;b` ADD COLUMN c int; -- trailing; comment\nUPDATE t SET s = 'it\\'s; fine' WHERE id = 1;\n";
    const script = parseScript(source(text));
    expect(script.problems).toEqual([]);
    expect(script.statements.map((s) => [s.kind, s.span.startLine, s.span.startColumn])).toEqual([
      ["alter", 2, 1],
      ["update", 3, 1],
    ]);
    expect(script.statements[0]!.ast.alter.table.name).toBe("a;b");
  });

  it("parses the SQL inside /*! … */ executable comments, keeping offsets", () => {
    const text = "/*!40101 SET NAMES utf8mb4 */;\n/*!50503 ALTER TABLE orders ADD COLUMN c int */;\n/* a plain comment; */\n";
    const script = parseScript(source(text, "mysql"));
    expect(script.problems).toEqual([]);
    expect(script.statements.map((s) => s.kind)).toEqual(["set", "alter"]);
    const alter = script.statements[1]!;
    expect(text.slice(alter.span.startOffset, alter.span.endOffset)).toContain("ALTER TABLE orders ADD COLUMN c int");
    expect(alter.span.startLine).toBe(2);
  });

  it("splits DELIMITER $$ blocks so procedure and trigger bodies stay whole", () => {
    const text = [
      "DELIMITER $$",
      "CREATE TRIGGER orders_touch BEFORE UPDATE ON orders FOR EACH ROW",
      "BEGIN",
      "  SET NEW.updated_at = NOW();",
      "  SET NEW.version = OLD.version + 1;",
      "END$$",
      "CREATE PROCEDURE backfill() BEGIN UPDATE orders SET x = 1 WHERE id < 10; END$$",
      "DELIMITER ;",
      "ALTER TABLE orders ADD COLUMN y int;",
    ].join("\r\n");
    const script = parseScript(source(text));
    expect(script.problems).toEqual([]);
    expect(script.statements.map((s) => [s.kind, s.span.startLine])).toEqual([
      ["create", 2],
      ["create", 7],
      ["alter", 9],
    ]);
  });

  it("reports an unterminated string and still parses the statements before it", () => {
    const script = parseScript(source("ALTER TABLE a ADD COLUMN b int;\nUPDATE a SET b = 'oops;\n"));
    expect(script.statements.map((s) => s.kind)).toEqual(["alter"]);
    expect(script.problems[0]).toMatchObject({ kind: "parse-error", message: "unterminated string", span: { startLine: 2 } });
  });
});

describe.each(["mysql", "mariadb"] as const)("%s: DDL node-sql-parser rejects is recognized, not a false parse error", (dialect) => {
  it.each(VALID.map((v) => [v.sql]))("%s", (sql) => {
    const script = parseScript(source(`${sql};`, dialect));
    expect(script.problems).toEqual([]);
    expect(script.statements).toHaveLength(1);
    if (/^ALTER/i.test(sql)) expect(script.statements[0]!.ast.alter).toBeDefined();
  });
});

describe("real syntax errors are reported with file, line and column", () => {
  it.each(INVALID.map((v) => [v.sql]))("%s", (sql) => {
    const script = parseScript(source(`SELECT 1;\n  ${sql};\nALTER TABLE ok ADD COLUMN z int;`, "mariadb", "db/m.sql"));
    expect(script.statements.map((s) => s.kind)).toEqual(["select", "alter"]);
    expect(script.problems).toHaveLength(1);
    const problem = script.problems[0]!;
    expect(problem.kind).toBe("parse-error");
    expect(problem.span.file).toBe("db/m.sql");
    expect(problem.span.startLine).toBe(2);
    expect(problem.span.startColumn).toBeGreaterThanOrEqual(3);
    expect(problem.message).toMatch(/^MariaDB parser: /);
  });

  it("points at the offending clause of an ALTER TABLE", () => {
    const script = parseScript(source("ALTER TABLE orders ADD COLUMN x int, ALGORITHM=FAST;"));
    expect(script.problems[0]!.span.startColumn).toBe("ALTER TABLE orders ADD COLUMN x int, ALGORITHM=".length + 1);
    expect(script.problems[0]!.message).toContain("expected one of DEFAULT, INSTANT, INPLACE, COPY, NOCOPY");
  });
});

describe("the ALTER TABLE model", () => {
  it("lists operations with their offsets, and the ALGORITHM/LOCK clauses", () => {
    const sql = "ALTER TABLE shop.orders MODIFY status ENUM('new','paid') NOT NULL, ADD UNIQUE KEY uq (email), ALGORITHM=INPLACE, LOCK=NONE";
    const alter = parseAlterTable(sql);
    expect(alter.table).toEqual({ schema: "shop", name: "orders" });
    expect(alter.ops.map((o) => o.kind)).toEqual(["modify-column", "add-index"]);
    const modify = alter.ops[0]!;
    if (modify.kind !== "modify-column") throw new Error("expected modify");
    expect(modify.definition).toMatchObject({ type: "ENUM", args: ["new", "paid"], nullable: false });
    expect(sql.slice(modify.start, modify.end)).toBe("MODIFY status ENUM('new','paid') NOT NULL");
    expect(alter.algorithm).toMatchObject({ value: "INPLACE" });
    expect(sql.slice(alter.lock!.start, alter.lock!.end)).toBe("LOCK=NONE");
    expect(alter.appendAt).toBe(sql.length);
  });

  it("puts the append point before partition options", () => {
    const sql = "ALTER TABLE orders ADD COLUMN c int PARTITION BY HASH(id) PARTITIONS 2";
    expect(sql.slice(0, parseAlterTable(sql).appendAt)).toBe("ALTER TABLE orders ADD COLUMN c int");
  });

  it("leaves shapes it does not own to node-sql-parser's diagnosis", () => {
    expect(recognizeStatement("CREATE VIEW v AS SELEC 1")).toMatchObject({ ok: false, owned: false });
    expect(recognizeStatement("CREATE TABLE x (id int")).toMatchObject({ ok: false, owned: true });
    expect(recognizeStatement("ALTER TABLE x FROB")).toMatchObject({ ok: false, owned: true });
  });
});

describe("the corpus agrees with MariaDB's own parser (127.0.0.1:3306)", () => {
  const database = `mg_parse_${process.pid}_${Date.now()}`;
  let conn: mysql.Connection;
  beforeAll(async () => {
    conn = await mysql.createConnection({ host: "127.0.0.1", user: "root", multipleStatements: true });
    await conn.query(`CREATE DATABASE ${database}`);
    await conn.query(`USE ${database}`);
  });
  afterAll(async () => {
    await conn?.query(`DROP DATABASE IF EXISTS ${database}`);
    await conn?.end();
  });

  /** The server's errno for the statement on a fresh schema, or 0 when it ran. */
  async function serverErrno(sql: string): Promise<number> {
    await conn.query("DROP TABLE IF EXISTS orders, nopk, invoices, orders_old, customers_old, orders_archive, metrics, places, scratch, customers; DROP SEQUENCE IF EXISTS order_numbers");
    await conn.query(
      "CREATE TABLE customers (id bigint PRIMARY KEY) ENGINE=InnoDB; CREATE TABLE nopk (id bigint NOT NULL) ENGINE=InnoDB;" +
        "CREATE TABLE orders (id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, customer_id bigint, email varchar(100), body text, geo point NOT NULL, status enum('new') NOT NULL DEFAULT 'new', legacy int, `select` text, KEY ix_customer (customer_id)) ENGINE=InnoDB",
    );
    try {
      await conn.query(sql);
      return 0;
    } catch (error) {
      return (error as { errno?: number }).errno ?? -1;
    }
  }

  it("parses every statement of the valid corpus (MariaDB ones): no ER_PARSE_ERROR", async () => {
    const rejected: string[] = [];
    for (const { sql, mysqlOnly } of VALID) if (!mysqlOnly && (await serverErrno(sql)) === 1064) rejected.push(sql);
    expect(rejected).toEqual([]);
  });

  it("refuses every statement of the invalid corpus before running it", async () => {
    const verdicts: [string, number][] = [];
    for (const { sql } of INVALID) verdicts.push([sql, await serverErrno(sql)]);
    expect(verdicts).toEqual(INVALID.map((v) => [v.sql, v.errno]));
  });
});
