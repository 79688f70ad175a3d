import { isColumnAddedInChange } from "../../src/core/analyze/mysql-ast.js";
import type { Rule } from "../../src/core/analyze/rule.js";
import { describePlan, existingTableAlter, opHits, withInnodbSummary } from "./_alter.js";

const rule: Rule = {
  id: "mysql-drop-column",
  title: "Dropping a column of an existing table",
  dialects: ["mysql", "mariadb"],
  severity: "error",
  docs: {
    why: "Application servers running the previous release still read and write the column: as soon as the migration runs, their `SELECT col` and `INSERT … (col)` fail until every instance is replaced, and the data is gone for good (a rollback cannot bring it back). On servers without instant DROP COLUMN the table is also rebuilt.",
    locks: [],
    work: "metadata only",
    innodb: [
      { server: "mysql", versions: "8.0.29+", algorithm: "INSTANT", lock: "NONE", rebuildsTable: false },
      { server: "mysql", versions: "5.6–8.0.28", algorithm: "INPLACE", lock: "NONE", rebuildsTable: true },
      { server: "mariadb", versions: "10.4+", algorithm: "INSTANT", lock: "NONE", rebuildsTable: false },
    ],
    versions: "Instant only when no index covers the column: an indexed column is dropped with its index in place (MariaDB: ALGORITHM=NOCOPY). Dropping a STORED generated column rebuilds the table.",
    safeAlternative: [
      "1. Release application code that no longer reads or writes the column (and ignores it in `SELECT *`).",
      "2. After every instance runs that release, drop the column in a later migration, with `ALGORITHM=INSTANT` (or INPLACE, LOCK=NONE on older servers).",
      "3. Back up the column's data first if it might be needed (`CREATE TABLE t_col_backup AS SELECT id, col FROM t`).",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TABLE users (id bigint PRIMARY KEY, legacy_flag tinyint) ENGINE=InnoDB;",
    bad: ["ALTER TABLE users DROP COLUMN legacy_flag;"],
    good: [
      "CREATE TABLE drafts (id bigint PRIMARY KEY, tmp int);\nALTER TABLE drafts DROP COLUMN tmp;",
      "ALTER TABLE users ADD COLUMN nickname varchar(50), ALGORITHM=INSTANT;",
      {
        sql: "ALTER TABLE users DROP COLUMN nickname, ALGORITHM=INSTANT;",
        files: { "migrations/0001_example.sql": "ALTER TABLE users ADD COLUMN nickname varchar(50), ALGORITHM=INSTANT;" },
        path: "migrations/0001_example.down.sql",
        note: "the down migration drops what the up added",
      },
    ],
  },
  check(statement, context) {
    const site = existingTableAlter(statement, context);
    if (!site) return;
    return opHits(site, "drop-column", (op, plan) =>
      isColumnAddedInChange(site.alter.table, op.column, context)
        ? undefined
        : { message: `Dropping ${site.table}.${op.column} breaks application instances that still use it and loses its data; it ${describePlan(plan, site.server)}.` },
    );
  },
};

export default withInnodbSummary(rule);
