import type { Rule } from "../../src/core/analyze/rule.js";
import { describePlan, existingTableAlter, failsFast, opHits, withInnodbSummary } from "./_alter.js";

const rule: Rule = {
  id: "mysql-drop-primary-key",
  title: "Dropping the primary key without adding another copies the table",
  dialects: ["mysql", "mariadb"],
  severity: "error",
  docs: {
    why: "Without a primary key InnoDB must re-cluster the table on a hidden row id: `DROP PRIMARY KEY` alone cannot run in place, so the table is copied (ALGORITHM=COPY) and writes are blocked for the whole copy (LOCK=SHARED). A table without a primary key also breaks row-based replication performance and Group Replication / Galera, which require one.",
    locks: [],
    work: "copy",
    innodb: [
      { server: "mysql", versions: "5.6+", algorithm: "COPY", lock: "SHARED", rebuildsTable: true },
      { server: "mariadb", versions: "10.0+", algorithm: "COPY", lock: "SHARED", rebuildsTable: true },
    ],
    versions: "`DROP PRIMARY KEY, ADD PRIMARY KEY (…)` in the same statement runs in place (INPLACE, LOCK=NONE, with a rebuild) on MySQL 5.6+ and MariaDB 10.0+.",
    safeAlternative: [
      "1. To change the key, drop and add it in ONE statement: `ALTER TABLE t DROP PRIMARY KEY, ADD PRIMARY KEY (a, b), ALGORITHM=INPLACE, LOCK=NONE`.",
      "2. If the table really must lose its key, do it with gh-ost / pt-online-schema-change, and check that no replication setup requires one.",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TABLE sessions (id bigint NOT NULL, user_id bigint NOT NULL, PRIMARY KEY (id)) ENGINE=InnoDB;",
    bad: ["ALTER TABLE sessions DROP PRIMARY KEY;"],
    good: [
      "ALTER TABLE sessions DROP PRIMARY KEY, ADD PRIMARY KEY (id, user_id), ALGORITHM=INPLACE, LOCK=NONE;",
      "CREATE TABLE tokens (id bigint NOT NULL PRIMARY KEY);\nALTER TABLE tokens DROP PRIMARY KEY;",
    ],
  },
  check(statement, context) {
    const site = existingTableAlter(statement, context);
    if (!site) return;
    return opHits(site, "drop-primary-key", (_op, plan) =>
      plan.algorithm !== "COPY" || failsFast(site, plan) ? undefined : { message: `Dropping the primary key of ${site.table} without adding another ${describePlan(plan, site.server)}.` },
    );
  },
};

export default withInnodbSummary(rule);
