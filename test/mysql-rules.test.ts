// MySQL/MariaDB rules in context: fixes as exact text, version-aware plans, session state
// (foreign_key_checks), tables and columns created earlier in the change, findings that point
// at the clause, and `check` end to end on a golang-migrate folder of MariaDB migrations.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { serverOf } from "../src/core/analyze/mysql-ast.js";
import type { ConfigInput } from "../src/core/config/schema.js";
import type { Finding } from "../src/core/model.js";
import type { AnalysisReport } from "../src/core/report.js";
import { runCli } from "./helpers/cli.js";
import { analyzeFiles } from "./helpers/engine.js";

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "mysql-shop");

async function findings(sql: string, config: ConfigInput = {}, extra: Record<string, string> = {}): Promise<Finding[]> {
  const report = await analyzeFiles({ ...extra, "migrations/0002_change.sql": sql }, { config: { dialect: "mariadb", ...config } });
  return report.migrations.flatMap((m) => m.findings).filter((f) => f.ruleId.startsWith("mysql-") || f.ruleId === "parse-error");
}

/** Applies a finding's fix to the text it was computed on. */
function applyFix(sql: string, finding: Finding | undefined): string {
  const edits = [...(finding?.fix?.edits ?? [])].sort((a, b) => b.startOffset - a.startOffset);
  return edits.reduce((text, e) => text.slice(0, e.startOffset) + e.replacement + text.slice(e.endOffset), sql);
}

const byRule = (list: Finding[], id: string) => list.filter((f) => f.ruleId === id);

describe("mysql-require-algorithm-lock fixes name the cheapest algorithm of the configured version", () => {
  const sql = "-- add a note\nALTER TABLE orders ADD COLUMN note varchar(50) AFTER id;\n";

  it.each([
    [{ dialect: "mysql", mysql_version: "8.0.20" }, "ALTER TABLE orders ADD COLUMN note varchar(50) AFTER id, ALGORITHM=INPLACE, LOCK=NONE;"],
    [{ dialect: "mysql", mysql_version: "8.0.29" }, "ALTER TABLE orders ADD COLUMN note varchar(50) AFTER id, ALGORITHM=INSTANT;"],
    [{ dialect: "mysql", mysql_version: "8.0" }, "ALTER TABLE orders ADD COLUMN note varchar(50) AFTER id, ALGORITHM=INSTANT;"],
    [{ dialect: "mariadb", mysql_version: "10.3" }, "ALTER TABLE orders ADD COLUMN note varchar(50) AFTER id, ALGORITHM=INPLACE, LOCK=NONE;"],
    [{ dialect: "mariadb", mysql_version: "10.11" }, "ALTER TABLE orders ADD COLUMN note varchar(50) AFTER id, ALGORITHM=INSTANT;"],
  ] as const)("%o", async (config, fixed) => {
    const [finding] = byRule(await findings(sql, config), "mysql-require-algorithm-lock");
    expect(applyFix(sql, finding)).toBe(`-- add a note\n${fixed}\n`);
  });

  it("adds only the missing clause, and uses CREATE INDEX's space-separated form", async () => {
    const alter = "ALTER TABLE orders ADD INDEX ix_c (customer_id), ALGORITHM=INPLACE;";
    expect(applyFix(alter, byRule(await findings(alter), "mysql-require-algorithm-lock")[0])).toBe(
      "ALTER TABLE orders ADD INDEX ix_c (customer_id), ALGORITHM=INPLACE, LOCK=NONE;",
    );
    const create = "CREATE INDEX ix_c ON orders (customer_id);";
    expect(applyFix(create, byRule(await findings(create), "mysql-require-algorithm-lock")[0])).toBe(
      "CREATE INDEX ix_c ON orders (customer_id) ALGORITHM=INPLACE LOCK=NONE;",
    );
  });

  it("puts the clauses before partition options, without a comma", async () => {
    const sql = "ALTER TABLE events PARTITION BY HASH(id) PARTITIONS 4;";
    const list = await findings(sql);
    expect(byRule(list, "mysql-repartition")).toHaveLength(1);
    // Certain copies are left to the operation's own rule.
    expect(byRule(list, "mysql-require-algorithm-lock")).toEqual([]);
  });

  it("counts ALTER ONLINE TABLE as LOCK=NONE", async () => {
    const sql = "ALTER ONLINE TABLE orders ADD INDEX ix_c (customer_id);";
    expect(applyFix(sql, byRule(await findings(sql), "mysql-require-algorithm-lock")[0])).toBe(
      "ALTER ONLINE TABLE orders ADD INDEX ix_c (customer_id), ALGORITHM=INPLACE;",
    );
  });
});

describe("session state and earlier statements", () => {
  const fk = "ALTER TABLE orders ADD CONSTRAINT fk_c FOREIGN KEY (customer_id) REFERENCES customers (id);";

  it("foreign_key_checks: off before the ALTER makes it in place; turned back on, it copies again", async () => {
    expect(byRule(await findings(`SET foreign_key_checks = 0;\n${fk}`), "mysql-add-foreign-key")).toEqual([]);
    expect(byRule(await findings(`SET @@session.foreign_key_checks = OFF;\n${fk}`), "mysql-add-foreign-key")).toEqual([]);
    expect(byRule(await findings(`SET SESSION foreign_key_checks = FALSE;\n${fk}`), "mysql-add-foreign-key")).toEqual([]);
    expect(byRule(await findings(`SET foreign_key_checks = 0;\nSET foreign_key_checks = 1;\n${fk}`), "mysql-add-foreign-key")).toHaveLength(1);
  });

  it("knows a column's definition from an earlier ALTER of the script: VARCHAR widening is not a type change", async () => {
    const sql = "ALTER TABLE orders ADD COLUMN code varchar(20), ALGORITHM=INSTANT;\nALTER TABLE orders MODIFY code varchar(60), ALGORITHM=INSTANT;";
    expect(await findings(sql)).toEqual([]);
    const shrink = "ALTER TABLE orders ADD COLUMN code varchar(20), ALGORITHM=INSTANT;\nALTER TABLE orders MODIFY code varchar(10);";
    const [hit] = byRule(await findings(shrink), "mysql-column-type-change");
    expect(hit).toMatchObject({ severity: "error", span: { startLine: 2, startColumn: 20, endColumn: 43 } });
    expect(hit!.message).toBe("Changing the type of orders.code copies the table (ALGORITHM=COPY) and blocks writes for its whole duration (LOCK=SHARED) on MariaDB 10.11.");
  });

  it("tables created by an earlier migration of the same change are new (with a base)", async () => {
    const report = await analyzeFiles(
      {
        "migrations/0001_create.sql": "CREATE TABLE coupons (id bigint PRIMARY KEY, code varchar(20));",
        "migrations/0002_alter.sql": "ALTER TABLE coupons MODIFY code bigint;\nALTER TABLE coupons DROP COLUMN code;\nDROP TABLE coupons;",
      },
      { config: { dialect: "mariadb" }, base: {} },
    );
    expect(report.migrations.flatMap((m) => m.findings).map((f) => f.ruleId).filter((id) => id.startsWith("mysql-"))).toEqual([]);
  });

  it("a down migration that drops what its up created is not flagged", async () => {
    const report = await analyzeFiles(
      {
        "migrations/000001_coupons.up.sql": "CREATE TABLE coupons (id bigint PRIMARY KEY);\nALTER TABLE orders ADD COLUMN coupon_id bigint, ALGORITHM=INSTANT;",
        "migrations/000001_coupons.down.sql": "ALTER TABLE orders DROP COLUMN coupon_id, ALGORITHM=INSTANT;\nDROP TABLE coupons;",
      },
      { config: { dialect: "mariadb" } },
    );
    expect(report.migrations.flatMap((m) => m.findings).map((f) => f.ruleId)).toEqual([]);
  });
});

describe("versions", () => {
  it("reads the default mysql_version (8.0) as MariaDB 10.11 when the dialect is MariaDB", () => {
    expect(serverOf({ dialect: "mariadb", mysql_version: "8.0" }).label).toBe("MariaDB 10.11");
    expect(serverOf({ dialect: "mariadb", mysql_version: "10.6.12" }).label).toBe("MariaDB 10.6.12");
    expect(serverOf({ dialect: "mysql", mysql_version: "5.7" }).label).toBe("MySQL 5.7");
  });

  it("NULL-ness changes copy on MySQL 5.5 and rebuild in place from 5.6", async () => {
    const sql = "ALTER TABLE t ADD COLUMN c int, ALGORITHM=INPLACE, LOCK=NONE;\nALTER TABLE t MODIFY c int NOT NULL;";
    const old = byRule(await findings(sql, { dialect: "mysql", mysql_version: "5.5" }), "mysql-nullability-change");
    expect(old[0]!.message).toContain("copies the table (ALGORITHM=COPY)");
    const modern = byRule(await findings(sql, { dialect: "mysql", mysql_version: "5.7" }), "mysql-nullability-change");
    expect(modern[0]!.message).toContain("rebuilds the table in place (ALGORITHM=INPLACE) on MySQL 5.7");
  });
});

describe("check on a golang-migrate folder of MariaDB migrations (test/fixtures/mysql-shop)", () => {
  it("reports each risky statement with file and line, and nothing for the safe ones", async () => {
    const { code, stdout } = await runCli(FIXTURE, ["check", "db/migrations", "--format", "json"]);
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as AnalysisReport;
    expect(report.settings.dialect).toBe("mariadb");
    const located = report.migrations
      .flatMap((m) => m.findings)
      .map((f) => `${f.severity} ${f.ruleId} ${f.span.file}:${f.span.startLine}:${f.span.startColumn}`)
      .sort();
    expect(located).toEqual([
      "error mysql-unbatched-data-change db/migrations/000006_archive_old_orders.up.sql:3:1",
      "warning mysql-column-type-change db/migrations/000003_widen_amount.down.sql:1:20",
      "warning mysql-column-type-change db/migrations/000003_widen_amount.up.sql:2:20",
      "warning mysql-enum-change db/migrations/000004_order_status_refunded.down.sql:1:20",
      "warning mysql-enum-change db/migrations/000004_order_status_refunded.up.sql:1:20",
      "warning mysql-require-algorithm-lock db/migrations/000005_customers_unique_email.up.sql:3:1",
      "warning mysql-add-unique-index db/migrations/000005_customers_unique_email.up.sql:2:23",
    ].sort());
  });
});
