import type { Rule } from "../../src/core/analyze/rule.js";
import { describePlan, existingTableAlter, failsFast, opHits, withInnodbSummary } from "./_alter.js";

const rule: Rule = {
  id: "mysql-stored-generated-column",
  title: "Adding a STORED generated column copies the table",
  dialects: ["mysql", "mariadb"],
  severity: "error",
  docs: {
    why: "A STORED (MariaDB: PERSISTENT) generated column must be computed and written for every existing row, which InnoDB does by copying the table (ALGORITHM=COPY) while blocking writes (LOCK=SHARED). A VIRTUAL generated column is computed on read and is added instantly.",
    locks: [],
    work: "copy",
    innodb: [
      { server: "mysql", versions: "5.7+", algorithm: "COPY", lock: "SHARED", rebuildsTable: true },
      { server: "mariadb", versions: "10.2+", algorithm: "COPY", lock: "SHARED", rebuildsTable: true },
    ],
    versions: "Adding a VIRTUAL column is INSTANT on MySQL 8.0 and MariaDB 10.3+ (an index on it is then built in place, without blocking writes).",
    safeAlternative: [
      "1. Add the column as VIRTUAL (`… AS (expr) VIRTUAL, ALGORITHM=INSTANT`), and index it with `ALGORITHM=INPLACE, LOCK=NONE` if it must be searchable.",
      "2. If it must be stored: add a plain column, backfill it in batches, and keep it up to date from the application or a trigger; or use gh-ost / pt-online-schema-change.",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TABLE order_lines (id bigint PRIMARY KEY, quantity int NOT NULL, unit_cents bigint NOT NULL) ENGINE=InnoDB;",
    bad: ["ALTER TABLE order_lines ADD COLUMN total_cents bigint AS (quantity * unit_cents) STORED;"],
    good: [
      "ALTER TABLE order_lines ADD COLUMN total_cents bigint AS (quantity * unit_cents) VIRTUAL, ALGORITHM=INSTANT;",
      "CREATE TABLE lines2 (id bigint PRIMARY KEY, q int);\nALTER TABLE lines2 ADD COLUMN q2 int AS (q * 2) STORED;",
    ],
  },
  check(statement, context) {
    const site = existingTableAlter(statement, context);
    if (!site) return;
    return opHits(site, "add-column", (op, plan) =>
      op.definition.generated !== "stored" || failsFast(site, plan) ? undefined : { message: `Adding STORED generated column ${op.column} to ${site.table} ${describePlan(plan, site.server)}.` },
    );
  },
};

export default withInnodbSummary(rule);
