import type { Rule } from "../../src/core/analyze/rule.js";
import { describePlan, existingTableAlter, failsFast, opHits, withInnodbSummary } from "./_alter.js";

const rule: Rule = {
  id: "mysql-repartition",
  title: "PARTITION BY / REMOVE PARTITIONING / REORGANIZE / COALESCE PARTITION copies the table",
  dialects: ["mysql", "mariadb"],
  severity: "error",
  docs: {
    why: "Partitioning an existing table, removing its partitioning, or moving rows between partitions (REORGANIZE, COALESCE, and ADD PARTITION on HASH/KEY tables) copies every affected row into new partitions with ALGORITHM=COPY, and writes to the table wait for the whole copy (LOCK=SHARED).",
    locks: [],
    work: "copy",
    innodb: [
      { server: "mysql", versions: "5.6+", algorithm: "COPY", lock: "SHARED", rebuildsTable: true },
      { server: "mariadb", versions: "10.0+", algorithm: "COPY", lock: "SHARED", rebuildsTable: true },
    ],
    versions: "ADD PARTITION and DROP PARTITION on RANGE/LIST tables only touch the named partitions (INPLACE; DROP PARTITION deletes its rows) and are not flagged here. In ALTER TABLE, ALGORITHM= and LOCK= go before the partition options, separated by a space: `ALTER TABLE t ALGORITHM=COPY, LOCK=SHARED PARTITION BY …`.",
    safeAlternative: [
      "1. Create the partitioned table under a new name, copy rows in batches (or with gh-ost / pt-online-schema-change), and swap names with one atomic `RENAME TABLE t TO t_old, t_new TO t`.",
      "2. Plan partitioning when the table is created; later, prefer adding RANGE partitions ahead of time.",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TABLE events (id bigint PRIMARY KEY, payload varchar(200)) ENGINE=InnoDB;",
    bad: ["ALTER TABLE events PARTITION BY HASH(id) PARTITIONS 4;"],
    good: [
      "CREATE TABLE metrics (id bigint PRIMARY KEY, v int);\nALTER TABLE metrics PARTITION BY HASH(id) PARTITIONS 4;",
      "CREATE TABLE events_new (id bigint PRIMARY KEY, payload varchar(200)) PARTITION BY HASH(id) PARTITIONS 4;",
    ],
  },
  check(statement, context) {
    const site = existingTableAlter(statement, context);
    if (!site) return;
    return opHits(site, "partition", (op, plan) =>
      plan.algorithm !== "COPY" || failsFast(site, plan) ? undefined : { message: `Repartitioning ${site.table} (${op.action}) ${describePlan(plan, site.server)}.` },
    );
  },
};

export default withInnodbSummary(rule);
