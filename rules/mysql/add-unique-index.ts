import type { Rule } from "../../src/core/analyze/rule.js";
import { existingTableAlter, existingTableIndexStatement, opHits, withInnodbSummary } from "./_alter.js";

const rule: Rule = {
  id: "mysql-add-unique-index",
  title: "Adding a UNIQUE index to an existing table",
  dialects: ["mysql", "mariadb"],
  severity: "warning",
  docs: {
    why: "A unique index builds online (INPLACE, LOCK=NONE), but it is checked only when the build ends: one duplicate among existing rows, or one duplicate written by the application while the index builds, makes the whole ALTER fail and roll back after all the work (`ERROR 1062 Duplicate entry`), often hours into a large build. A UNIQUE index also changes what the application may write from then on.",
    locks: [],
    work: "index build",
    innodb: [
      { server: "mysql", versions: "5.6+", algorithm: "INPLACE", lock: "NONE", rebuildsTable: false },
      { server: "mariadb", versions: "10.0+", algorithm: "INPLACE", lock: "NONE", rebuildsTable: false },
    ],
    versions: "MySQL and MariaDB build secondary indexes in place without a rebuild since 5.6 / 10.0; concurrent DML is logged in the online alter log (innodb_online_alter_log_max_size) and replayed at the end, where duplicates are detected.",
    safeAlternative: [
      "1. Find duplicates first: `SELECT email, COUNT(*) FROM users GROUP BY email HAVING COUNT(*) > 1` must return nothing; clean them up in batches.",
      "2. Make the application stop creating duplicates (validate, or upsert) before the index ships.",
      "3. Build it with `ALGORITHM=INPLACE, LOCK=NONE` (and gh-ost/pt-osc for very large tables).",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TABLE users (id bigint PRIMARY KEY, email varchar(190)) ENGINE=InnoDB;",
    bad: ["ALTER TABLE users ADD UNIQUE INDEX uq_users_email (email), ALGORITHM=INPLACE, LOCK=NONE;", "CREATE UNIQUE INDEX uq_users_email ON users (email);"],
    good: ["ALTER TABLE users ADD INDEX ix_users_email (email), ALGORITHM=INPLACE, LOCK=NONE;", "CREATE TABLE accounts (id bigint PRIMARY KEY, email varchar(190));\nALTER TABLE accounts ADD UNIQUE INDEX uq_accounts_email (email);"],
  },
  check(statement, context) {
    const message = (table: string, name?: string) =>
      `Adding unique index ${name ?? ""} on ${table} fails after the whole build if existing rows, or rows written during the build, contain duplicates.`.replace("  ", " ");
    const site = existingTableAlter(statement, context);
    if (site) {
      return [
        ...opHits(site, "add-index", (op) => (op.index === "unique" ? { message: message(site.table, op.name) } : undefined)),
        ...opHits(site, "add-column", (op) => (op.definition.inlineKey === "unique" ? { message: message(site.table, op.column) } : undefined)),
      ];
    }
    const index = existingTableIndexStatement(statement, context);
    if (statement.kind === "create" && index?.type === "unique") return { message: message(index.table, index.ast.index) };
  },
};

export default withInnodbSummary(rule);
