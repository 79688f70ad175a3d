import type { Rule } from "../../src/core/analyze/rule.js";
import { describePlan, existingTableAlter, failsFast, opHits, withInnodbSummary } from "./_alter.js";

const rule: Rule = {
  id: "mysql-convert-charset",
  title: "CONVERT TO CHARACTER SET copies the table",
  dialects: ["mysql", "mariadb"],
  severity: "error",
  docs: {
    why: "`ALTER TABLE … CONVERT TO CHARACTER SET` re-encodes every CHAR, VARCHAR and TEXT column and rebuilds every index on them. MySQL always copies the table for it (ALGORITHM=COPY) and blocks writes for the whole copy (LOCK=SHARED). TEXT columns are also promoted (TEXT → MEDIUMTEXT for utf8mb4) so their type changes, which forces a copy on MariaDB too.",
    locks: [],
    work: "copy",
    innodb: [
      { server: "mysql", versions: "5.6+", algorithm: "COPY", lock: "SHARED", rebuildsTable: true },
      { server: "mariadb", versions: "10.0+", algorithm: "COPY", lock: "SHARED", rebuildsTable: true },
    ],
    versions: "MariaDB 10.6+ converts utf8mb3 VARCHAR/CHAR columns to utf8mb4 without a copy (INSTANT for unindexed columns, INPLACE when an index must be rebuilt), but not TEXT columns and not other character sets: the rule still reports CONVERT TO on MariaDB, which cannot see the table's columns. `DEFAULT CHARACTER SET` alone (new columns only) is not flagged.",
    safeAlternative: [
      "1. Convert column by column with `MODIFY col … CHARACTER SET utf8mb4, ALGORITHM=INSTANT` (MariaDB 10.6+, utf8mb3 → utf8mb4) so the server refuses any column that would copy.",
      "2. For the rest, run the conversion with gh-ost or pt-online-schema-change, which copy in the background without blocking writes.",
      "3. Change the table default separately with `DEFAULT CHARACTER SET utf8mb4` (metadata only).",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TABLE articles (id bigint PRIMARY KEY, title varchar(200), body text) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3;",
    bad: ["ALTER TABLE articles CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"],
    good: [
      "ALTER TABLE articles DEFAULT CHARACTER SET utf8mb4;",
      "ALTER TABLE articles MODIFY title varchar(200) CHARACTER SET utf8mb4, ALGORITHM=INSTANT;",
      "CREATE TABLE notes (id bigint PRIMARY KEY, body text) DEFAULT CHARSET=utf8mb3;\nALTER TABLE notes CONVERT TO CHARACTER SET utf8mb4;",
    ],
  },
  check(statement, context) {
    const site = existingTableAlter(statement, context);
    if (!site) return;
    return opHits(site, "convert-charset", (op, plan) => (failsFast(site, plan) ? undefined : { message: `Converting ${site.table} to ${op.charset} ${describePlan(plan, site.server)}.` }));
  },
};

export default withInnodbSummary(rule);
