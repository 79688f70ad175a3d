import { appendClausesFix } from "../../src/core/analyze/mysql-ast.js";
import type { Rule } from "../../src/core/analyze/rule.js";
import { columnChangesOf, describePlan, existingTableAlter, opHits, withInnodbSummary } from "./_alter.js";

const rule: Rule = {
  id: "mysql-enum-change",
  title: "ENUM/SET change that is not an append at the end copies the table",
  dialects: ["mysql", "mariadb"],
  severity: "error",
  docs: {
    why: "InnoDB stores ENUM and SET values as member numbers. Appending members at the end of the list is a metadata change, but inserting a member in the middle, reordering, renaming or removing members renumbers the stored values: the table is copied (ALGORITHM=COPY) and writes wait for the whole copy (LOCK=SHARED). Appending so many members that the storage size grows (ENUM past 255, SET past 8/16/24/32 members) copies too.",
    locks: [],
    work: "copy",
    innodb: [
      { server: "mysql", versions: "5.6+", algorithm: "COPY", lock: "SHARED", rebuildsTable: true },
      { server: "mariadb", versions: "10.0+", algorithm: "COPY", lock: "SHARED", rebuildsTable: true },
    ],
    versions: "Appending at the end is INSTANT on MySQL 8.0 and MariaDB 10.3+, INPLACE (metadata only) on MySQL 5.7. When the migration does not show the previous list the rule cannot tell an append from a reorder: it asks for ALGORITHM=INSTANT, which the server refuses for anything but an append.",
    safeAlternative: [
      "1. Only append new values at the end of the list, and write `, ALGORITHM=INSTANT` so the server refuses anything else.",
      "2. To rename or remove a value: add the new value at the end, migrate rows in batches, stop writing the old value, and leave it in the list (or drop it later with an online schema change tool).",
      "3. For values that change often, use a lookup table with a foreign key or a VARCHAR with a CHECK constraint instead of an ENUM.",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TABLE orders (id bigint PRIMARY KEY, status enum('new','paid') NOT NULL DEFAULT 'new') ENGINE=InnoDB;",
    bad: [
      "ALTER TABLE orders ADD COLUMN state enum('new','paid') NOT NULL DEFAULT 'new';\nALTER TABLE orders MODIFY state enum('new','pending','paid') NOT NULL DEFAULT 'new';",
      "ALTER TABLE orders MODIFY status enum('new','paid','shipped') NOT NULL DEFAULT 'new';",
    ],
    good: [
      "ALTER TABLE orders MODIFY status enum('new','paid','shipped') NOT NULL DEFAULT 'new', ALGORITHM=INSTANT;",
      "ALTER TABLE orders ADD COLUMN state enum('new','paid') NOT NULL DEFAULT 'new';\nALTER TABLE orders MODIFY state enum('new','paid','shipped') NOT NULL DEFAULT 'new', ALGORITHM=INSTANT;",
    ],
  },
  check(statement, context) {
    const site = existingTableAlter(statement, context);
    if (!site) return;
    return opHits(site, "modify-column", (op, plan) => {
      if (op.definition.type !== "ENUM" && op.definition.type !== "SET") return undefined;
      const changes = columnChangesOf(site, op);
      if (changes.has("enum-reorder") || changes.has("type")) {
        return { message: `${op.definition.type} change on ${site.table}.${op.column} is not an append at the end: it ${describePlan(plan, site.server)}.` };
      }
      if (!changes.has("unknown") || site.clauses.algorithm === "INSTANT") return undefined;
      return {
        message: `${op.definition.type} change on ${site.table}.${op.column}: unless the new values are only appended at the end, InnoDB copies the table under a write lock; the previous list is not in this migration.`,
        severity: "warning",
        fix: site.clauses.algorithm ? undefined : appendClausesFix(statement, { algorithm: "INSTANT" }),
        help: "With ALGORITHM=INSTANT the server runs an append instantly and refuses anything that would copy.",
      };
    });
  },
};

export default withInnodbSummary(rule);
