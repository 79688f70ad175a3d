import type { Rule } from "../../src/core/analyze/rule.js";
import { existingTableAlter, opHits, withInnodbSummary } from "./_alter.js";

const rule: Rule = {
  id: "mysql-rename-column",
  title: "Renaming a column of an existing table",
  dialects: ["mysql", "mariadb"],
  severity: "error",
  docs: {
    why: "The rename itself is cheap, but application instances running the previous release keep using the old name: their queries fail from the moment the migration runs until every instance is replaced, and a rollback of the code alone cannot fix it.",
    locks: [],
    work: "metadata only",
    innodb: [
      { server: "mysql", versions: "8.0.28+", algorithm: "INSTANT", lock: "NONE", rebuildsTable: false },
      { server: "mysql", versions: "5.6–8.0.27", algorithm: "INPLACE", lock: "NONE", rebuildsTable: false },
      { server: "mariadb", versions: "10.3+", algorithm: "INSTANT", lock: "NONE", rebuildsTable: false },
    ],
    versions: "`RENAME COLUMN` exists since MySQL 8.0 and MariaDB 10.5; `CHANGE old new <same definition>` works everywhere. A CHANGE that also alters the type copies the table (see mysql-column-type-change).",
    safeAlternative: [
      "1. Expand: add the new column (`ALGORITHM=INSTANT`), write both from the application, backfill in batches.",
      "2. Switch reads to the new column and release.",
      "3. Contract: drop the old column in a later migration once no release uses it.",
      "4. Or keep the old physical name and rename only in the application's mapping.",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TABLE users (id bigint PRIMARY KEY, mail varchar(190)) ENGINE=InnoDB;",
    bad: ["ALTER TABLE users RENAME COLUMN mail TO email;", "ALTER TABLE users CHANGE mail email varchar(190);"],
    good: ["ALTER TABLE users ADD COLUMN email varchar(190), ALGORITHM=INSTANT;", "CREATE TABLE drafts (id bigint PRIMARY KEY, t text);\nALTER TABLE drafts RENAME COLUMN t TO body;"],
  },
  check(statement, context) {
    const site = existingTableAlter(statement, context);
    if (!site) return;
    const message = (op: { column: string; newName: string }) => `Renaming ${site.table}.${op.column} to ${op.newName} breaks every application instance that still uses the old name.`;
    return [
      ...opHits(site, "rename-column", (op) => ({ message: message(op) })),
      ...opHits(site, "modify-column", (op) => (op.newName.toLowerCase() !== op.column.toLowerCase() ? { message: message(op) } : undefined)),
    ];
  },
};

export default withInnodbSummary(rule);
