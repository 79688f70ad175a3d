import type { Rule } from "../../src/core/analyze/rule.js";
import { describePlan, existingTableAlter, opHits, withInnodbSummary } from "./_alter.js";

const rule: Rule = {
  id: "mysql-add-primary-key",
  title: "Adding a primary key rebuilds the table",
  dialects: ["mysql", "mariadb"],
  severity: "warning",
  docs: {
    why: "InnoDB stores rows in primary key order (the clustered index). Adding a primary key to an existing table, or replacing it, rebuilds the whole table and every secondary index. It runs in place and writes continue, but it costs a full read and write of the table, temporary disk space for the copy and the row log, and replica lag for its whole duration; it fails at the end on duplicates or NULLs in the key columns, and concurrent writes beyond innodb_online_alter_log_max_size abort it.",
    locks: [],
    work: "rewrite",
    innodb: [
      { server: "mysql", versions: "5.6+", algorithm: "INPLACE", lock: "NONE", rebuildsTable: true },
      { server: "mariadb", versions: "10.0+", algorithm: "INPLACE", lock: "NONE", rebuildsTable: true },
    ],
    versions: "MySQL refuses ALGORITHM=INPLACE when key columns must be made NOT NULL and sql_mode is not strict (then it copies). Dropping the primary key without adding one copies the table (see mysql-drop-primary-key).",
    safeAlternative: [
      "1. Check the key first: `SELECT col, COUNT(*) FROM t GROUP BY col HAVING COUNT(*) > 1` and `… WHERE col IS NULL` must return nothing.",
      "2. Run the ALTER with `ALGORITHM=INPLACE, LOCK=NONE` in a quiet period, watching replica lag and innodb_online_alter_log_max_size; or with gh-ost / pt-online-schema-change on large tables.",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TABLE events (id bigint NOT NULL, payload text) ENGINE=InnoDB;",
    bad: ["ALTER TABLE events ADD PRIMARY KEY (id);", "ALTER TABLE events ADD CONSTRAINT pk_events PRIMARY KEY (id), ALGORITHM=INPLACE, LOCK=NONE;"],
    good: ["CREATE TABLE audit (id bigint NOT NULL, payload text);\nALTER TABLE audit ADD PRIMARY KEY (id);", "ALTER TABLE events ADD INDEX ix_events_id (id), ALGORITHM=INPLACE, LOCK=NONE;"],
  },
  check(statement, context) {
    const site = existingTableAlter(statement, context);
    if (!site) return;
    return [
      ...opHits(site, "add-index", (op, plan) =>
        op.index !== "primary" ? undefined : { message: `Adding a primary key to ${site.table} ${describePlan(plan, site.server)}: every row and index is rewritten.` },
      ),
      ...opHits(site, "add-column", (op, plan) =>
        op.definition.inlineKey !== "primary" ? undefined : { message: `Adding primary key column ${op.column} to ${site.table} ${describePlan(plan, site.server)}: every row and index is rewritten.` },
      ),
    ];
  },
};

export default withInnodbSummary(rule);
