import type { Rule } from "../../src/core/analyze/rule.js";
import { columnChangesOf, describePlan, existingTableAlter, opHits, withInnodbSummary } from "./_alter.js";

const rule: Rule = {
  id: "mysql-nullability-change",
  title: "Changing a column's NULL / NOT NULL rebuilds the table",
  dialects: ["mysql", "mariadb"],
  severity: "warning",
  docs: {
    why: "`MODIFY col … NOT NULL` (or back to NULL) rebuilds the whole clustered index. On MySQL 5.6+ and MariaDB 10.0+ it runs in place and writes continue, but the rebuild reads and writes the entire table (I/O, disk space for a second copy, replica lag as long as the rebuild), and NOT NULL fails at the end if any row is NULL under strict SQL mode, or silently turns NULLs into the type's implicit default without it. On older servers it is a full copy that blocks writes.",
    locks: [],
    work: "rewrite",
    innodb: [
      { server: "mysql", versions: "5.6+", algorithm: "INPLACE", lock: "NONE", rebuildsTable: true },
      { server: "mysql", versions: "5.5", algorithm: "COPY", lock: "SHARED", rebuildsTable: true },
      { server: "mariadb", versions: "10.0+", algorithm: "INPLACE", lock: "NONE", rebuildsTable: true },
    ],
    versions: "INSTANT never applies (MariaDB makes NOT NULL → NULL instant only for ROW_FORMAT=REDUNDANT). Setting NOT NULL in place needs STRICT_TRANS_TABLES or STRICT_ALL_TABLES in sql_mode.",
    safeAlternative: [
      "1. Backfill NULLs in batches first (`UPDATE t SET c = … WHERE c IS NULL LIMIT 1000`, repeated).",
      "2. Run the MODIFY with `ALGORITHM=INPLACE, LOCK=NONE` in a quiet period, with strict sql_mode, watching replica lag; or with gh-ost / pt-online-schema-change on large tables.",
      "3. Or keep the column nullable and enforce the rule in the application.",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TABLE orders (id bigint PRIMARY KEY, email varchar(100)) ENGINE=InnoDB;",
    bad: ["ALTER TABLE orders ADD COLUMN note varchar(20);\nUPDATE orders SET note = '' WHERE note IS NULL;\nALTER TABLE orders MODIFY note varchar(20) NOT NULL;"],
    good: [
      "ALTER TABLE orders ADD COLUMN note varchar(20) NOT NULL DEFAULT '', ALGORITHM=INSTANT;",
      "CREATE TABLE invoices (id bigint PRIMARY KEY, note varchar(20));\nALTER TABLE invoices MODIFY note varchar(20) NOT NULL;",
    ],
  },
  check(statement, context) {
    const site = existingTableAlter(statement, context);
    if (!site) return;
    return opHits(site, "modify-column", (op, plan) => {
      if (!columnChangesOf(site, op).has("nullability")) return undefined;
      const toNotNull = op.definition.nullable === false;
      return {
        message: `Making ${site.table}.${op.column} ${toNotNull ? "NOT NULL" : "nullable"} ${describePlan(plan, site.server)}${toNotNull ? "; it fails if a NULL remains (strict mode) or rewrites NULLs to a default (non-strict)" : ""}.`,
      };
    });
  },
};

export default withInnodbSummary(rule);
