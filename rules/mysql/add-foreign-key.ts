import type { Rule } from "../../src/core/analyze/rule.js";
import { describePlan, existingTableAlter, failsFast, opHits, withInnodbSummary } from "./_alter.js";

const rule: Rule = {
  id: "mysql-add-foreign-key",
  title: "Adding a foreign key with foreign_key_checks on copies the table",
  dialects: ["mysql", "mariadb"],
  severity: "error",
  docs: {
    why: "InnoDB can add a foreign key in place only when `foreign_key_checks` is off; with the default (on) it copies the table to check every row (ALGORITHM=COPY) and blocks writes to it for the whole copy (LOCK=SHARED). The referenced table is locked against changes too while the constraint is created.",
    locks: [],
    work: "copy",
    innodb: [
      { server: "mysql", versions: "5.6+", algorithm: "COPY", lock: "SHARED", rebuildsTable: true },
      { server: "mariadb", versions: "10.0+", algorithm: "COPY", lock: "SHARED", rebuildsTable: true },
    ],
    versions: "With `SET foreign_key_checks = 0` the same ALTER runs with ALGORITHM=INPLACE, LOCK=NONE and no rebuild on MySQL 5.6+ and MariaDB 10.0+ — but existing rows are then NOT checked, so orphans must be ruled out first. Adding an index on the referencing columns (which InnoDB creates implicitly if missing) is part of the same operation.",
    safeAlternative: [
      "1. Check for orphans: `SELECT COUNT(*) FROM orders o LEFT JOIN customers c ON c.id = o.customer_id WHERE o.customer_id IS NOT NULL AND c.id IS NULL` must be 0 (fix them in batches first).",
      "2. Add an index on the referencing columns with `ALGORITHM=INPLACE, LOCK=NONE` if there is none.",
      "3. `SET foreign_key_checks = 0; ALTER TABLE … ADD CONSTRAINT … FOREIGN KEY …, ALGORITHM=INPLACE, LOCK=NONE; SET foreign_key_checks = 1;`",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TABLE customers (id bigint PRIMARY KEY) ENGINE=InnoDB;\nCREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, KEY ix_orders_customer (customer_id)) ENGINE=InnoDB;",
    bad: ["ALTER TABLE orders ADD CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id);"],
    good: [
      "SET foreign_key_checks = 0;\nALTER TABLE orders ADD CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id), ALGORITHM=INPLACE, LOCK=NONE;\nSET foreign_key_checks = 1;",
      "CREATE TABLE invoices (id bigint PRIMARY KEY, customer_id bigint);\nALTER TABLE invoices ADD CONSTRAINT fk_invoices_customer FOREIGN KEY (customer_id) REFERENCES customers (id);",
    ],
  },
  check(statement, context) {
    const site = existingTableAlter(statement, context);
    if (!site) return;
    return opHits(site, "add-foreign-key", (op, plan) =>
      plan.algorithm !== "COPY" || failsFast(site, plan)
        ? undefined
        : {
            message: `Adding foreign key ${op.name ?? ""} on ${site.table} → ${op.references.name} with foreign_key_checks on ${describePlan(plan, site.server)}.`.replace("  ", " "),
            help: "Check for orphan rows, then `SET foreign_key_checks = 0` before the ALTER (with `ALGORITHM=INPLACE, LOCK=NONE`) and set it back to 1 after.",
          },
    );
  },
};

export default withInnodbSummary(rule);
