import { refusedBy } from "../../src/core/analyze/mysql-ast.js";
import type { Rule } from "../../src/core/analyze/rule.js";
import { existingTableAlter } from "./_alter.js";

const rule: Rule = {
  id: "mysql-algorithm-refused",
  title: "ALGORITHM= / LOCK= the configured server version cannot honour: the migration will fail",
  dialects: ["mysql", "mariadb"],
  severity: "error",
  docs: {
    why: "An explicit `ALGORITHM=INSTANT`, `ALGORITHM=INPLACE`, `ALGORITHM=NOCOPY` or `LOCK=NONE` that the production server cannot use for this operation makes it refuse the statement (`ERROR 1845/1846 … not supported`): the deploy fails halfway through the migration. This happens when a migration is written against a newer server than production (INSTANT ADD COLUMN in the middle of a table needs MySQL 8.0.29; INSTANT DROP COLUMN needs 8.0.29 / MariaDB 10.4), or for operations that can never be online (type changes, FULLTEXT indexes with LOCK=NONE).",
    locks: [],
    work: "none",
    versions: "Uses `mysql_version` from the config (MySQL 5.6–8.x, MariaDB 10.x/11.x). Only operations whose plan is certain from the migration alone are checked; a type change whose previous definition is not shown is left to the server.",
    safeAlternative: [
      "1. Use the algorithm the production version supports (the finding names it), or upgrade the server first.",
      "2. If the operation can only copy, do it with gh-ost / pt-online-schema-change instead of forcing ALGORITHM=COPY in a migration.",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, body text) ENGINE=InnoDB;",
    bad: [
      { sql: "ALTER TABLE orders ADD COLUMN note varchar(50) AFTER id, ALGORITHM=INSTANT;", config: { dialect: "mysql", mysql_version: "8.0.20" } },
      { sql: "ALTER TABLE orders DROP COLUMN customer_id, ALGORITHM=INSTANT;", config: { dialect: "mariadb", mysql_version: "10.3" } },
      "ALTER TABLE orders ADD FULLTEXT INDEX ft_body (body), ALGORITHM=INPLACE, LOCK=NONE;",
    ],
    good: [
      { sql: "ALTER TABLE orders ADD COLUMN note varchar(50) AFTER id, ALGORITHM=INSTANT;", config: { dialect: "mysql", mysql_version: "8.0.29" } },
      { sql: "ALTER TABLE orders ADD COLUMN note varchar(50), ALGORITHM=INSTANT;", config: { dialect: "mariadb", mysql_version: "10.11" } },
      "ALTER TABLE orders ADD INDEX ix_customer (customer_id), ALGORITHM=INPLACE, LOCK=NONE;",
    ],
  },
  check(statement, context) {
    const site = existingTableAlter(statement, context);
    if (!site || (!site.clauses.algorithm && !site.clauses.lock)) return;
    // One finding per statement: the first operation the server refuses.
    for (const { plan } of site.plan.ops) {
      const refusal = plan.certain ? refusedBy(site.clauses, plan) : undefined;
      if (refusal) return { message: `${site.server.label} will refuse this ALTER TABLE on ${site.table}: ${refusal}. The migration fails on deploy.` };
    }
  },
};

export default rule;
