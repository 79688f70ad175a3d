import { appendClausesFix, clausesFor, explicitClauses, serverOf } from "../../src/core/analyze/mysql-ast.js";
import type { Rule } from "../../src/core/analyze/rule.js";
import { describePlan, existingTableAlter, existingTableIndexStatement } from "./_alter.js";

/**
 * Dropping a secondary index or a foreign key is always in place and metadata only, with
 * concurrent writes (MySQL 8.0 and MariaDB 10.x alike): there is no slower path the server could
 * fall back to, so explicit clauses would change nothing.
 */
function isMetadataOnlyDrop(op: { kind: string }): boolean {
  return op.kind === "drop-index" || op.kind === "drop-foreign-key";
}

const rule: Rule = {
  id: "mysql-require-algorithm-lock",
  title: "ALTER TABLE / CREATE INDEX on an existing table without explicit ALGORITHM= and LOCK=",
  dialects: ["mysql", "mariadb"],
  severity: "warning",
  docs: {
    why: "Without `ALGORITHM=` and `LOCK=`, InnoDB silently falls back to the cheapest algorithm it can use, which for many operations (or on an older server than the one you tested on) is a full table copy under a write lock. With explicit clauses the server refuses the statement at once (`ERROR 1846 … Try ALGORITHM=COPY`) instead of blocking writes for the length of a copy: the migration fails fast and nothing is locked.",
    locks: [],
    work: "none",
    versions:
      "ALGORITHM=INSTANT exists since MySQL 8.0.12 and MariaDB 10.3.2; MariaDB also has NOCOPY (no rebuild). On MySQL 8.0, ALGORITHM=INSTANT takes no LOCK clause other than DEFAULT, so the fix writes only ALGORITHM=INSTANT for instant operations. MySQL runs exactly the algorithm you name (INPLACE on an instant-capable ADD COLUMN rebuilds the table), so the fix names the cheapest one the configured version supports. `ALTER ONLINE TABLE` (MariaDB) counts as LOCK=NONE.",
    safeAlternative: [
      "1. Append the cheapest algorithm and the weakest lock the operation supports, e.g. `, ALGORITHM=INSTANT` for ADD COLUMN or `, ALGORITHM=INPLACE, LOCK=NONE` for ADD INDEX (the fix does this for the configured server version).",
      "2. If the server refuses the statement, the operation needs a table copy: run it with an online schema change tool (gh-ost, pt-online-schema-change) instead of a plain migration.",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, email varchar(100)) ENGINE=InnoDB;",
    bad: [
      "ALTER TABLE orders ADD INDEX ix_orders_customer (customer_id);",
      "ALTER TABLE orders ADD COLUMN note varchar(200);",
      "CREATE INDEX ix_orders_email ON orders (email);",
      "ALTER TABLE orders ADD INDEX ix_orders_email (email), ALGORITHM=INPLACE;",
    ],
    good: [
      "ALTER TABLE orders ADD INDEX ix_orders_customer (customer_id), ALGORITHM=INPLACE, LOCK=NONE;",
      "ALTER TABLE orders ADD COLUMN note varchar(200), ALGORITHM=INSTANT;",
      "CREATE INDEX ix_orders_email ON orders (email) ALGORITHM=INPLACE LOCK=NONE;",
      "CREATE TABLE invoices (id bigint PRIMARY KEY, order_id bigint);\nALTER TABLE invoices ADD INDEX ix_invoices_order (order_id);",
      { sql: "DROP INDEX ix_orders_email ON orders;", setup: "CREATE TABLE orders (id bigint PRIMARY KEY, email varchar(100), KEY ix_orders_email (email)) ENGINE=InnoDB;", note: "dropping a secondary index is always in place, metadata only, with concurrent writes" },
      { sql: "ALTER TABLE orders DROP INDEX ix_orders_email;", setup: "CREATE TABLE orders (id bigint PRIMARY KEY, email varchar(100), KEY ix_orders_email (email)) ENGINE=InnoDB;", note: "the same as ALTER TABLE" },
    ],
  },
  check(statement, context) {
    const site = existingTableAlter(statement, context);
    if (site) {
      if (site.alter.ops.length === 0) return;
      if (site.alter.ops.every(isMetadataOnlyDrop)) return;
      // Certain copies are reported by the rule for that operation, with what to do instead.
      if (site.plan.algorithm === "COPY" && site.plan.certain) return;
      // A MODIFY whose previous definition is unknown is reported, with this same fix, by
      // mysql-column-type-change / mysql-enum-change.
      if (site.plan.ops.some(({ op, plan }) => op.kind === "modify-column" && !plan.certain)) return;
      const { algorithm, lock } = site.clauses;
      const needsLock = site.plan.algorithm !== "INSTANT" && algorithm !== "INSTANT";
      if (algorithm && (lock || !needsLock)) return;
      const wanted = site.plan.certain ? clausesFor(site.plan) : { algorithm: "INPLACE" as const, lock: "NONE" as const };
      return {
        message: `ALTER TABLE ${site.table} does not say ${[algorithm ? "" : "ALGORITHM=", needsLock && !lock ? "LOCK=" : ""].filter(Boolean).join(" or ")}: if InnoDB cannot do it ${site.plan.certain ? "as planned" : "in place"} it silently copies the table under a write lock instead of failing.`,
        fix: appendClausesFix(statement, wanted),
        help: site.plan.certain ? `Expected: it ${describePlan(site.plan, site.server)}.` : "Whether this operation can run in place depends on the column's previous definition, which this migration does not show: ALGORITHM=INPLACE, LOCK=NONE makes the server tell you.",
      };
    }
    // CREATE INDEX / DROP INDEX take ALGORITHM and LOCK too.
    const index = existingTableIndexStatement(statement, context);
    if (!index) return;
    if (statement.kind === "drop" && !/^primary$/i.test(String(index.ast.name?.column ?? index.ast.name ?? ""))) return;
    const clauses = explicitClauses(statement) ?? {};
    if (clauses.algorithm && clauses.lock) return;
    const lock = index.type === "fulltext" || index.type === "spatial" ? "SHARED" : "NONE";
    return {
      message: `${statement.kind === "create" ? "CREATE" : "DROP"} INDEX on ${index.table} without explicit ALGORITHM= and LOCK=: if InnoDB cannot build it online it silently blocks writes instead of failing.`,
      fix: appendClausesFix(statement, { algorithm: "INPLACE", lock }),
      help: `On ${serverOf(context.config).label} this index operation runs in place${lock === "NONE" ? " with concurrent writes" : " but blocks writes"}.`,
    };
  },
};

export default rule;
