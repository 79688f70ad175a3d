import { appendClausesFix } from "../../src/core/analyze/mysql-ast.js";
import type { Rule } from "../../src/core/analyze/rule.js";
import { columnChangesOf, describePlan, existingTableAlter, failsFast, opHits, withInnodbSummary } from "./_alter.js";

const rule: Rule = {
  id: "mysql-column-type-change",
  title: "MODIFY/CHANGE COLUMN that changes the data type copies the table",
  dialects: ["mysql", "mariadb"],
  severity: "error",
  docs: {
    why: "Changing a column's data type (INT → BIGINT, signed → unsigned, shrinking a VARCHAR, DECIMAL precision, a character set other than utf8mb3 → utf8mb4 on MariaDB) cannot be done in place: InnoDB copies every row into a new table with ALGORITHM=COPY and holds LOCK=SHARED for the whole copy, so every INSERT, UPDATE and DELETE on the table waits, for minutes or hours on a large table, and replicas lag by as much afterwards.",
    locks: [],
    work: "copy",
    innodb: [
      { server: "mysql", versions: "5.6+", algorithm: "COPY", lock: "SHARED", rebuildsTable: true },
      { server: "mariadb", versions: "10.0+", algorithm: "COPY", lock: "SHARED", rebuildsTable: true },
    ],
    versions:
      "Exceptions that stay online: extending a VARCHAR within the same length byte (≤ 255 bytes, or > 255 bytes both before and after) is INPLACE without rebuild on MySQL 5.7+ and INSTANT on MariaDB 10.4+; MariaDB 10.11 also extends a VARCHAR past 255 bytes in place (with a rebuild) and converts a utf8mb3 column to utf8mb4 instantly. When the migration does not show the column's previous definition, the rule assumes the type changes (a warning); add `ALGORITHM=INPLACE, LOCK=NONE` to make the server confirm it.",
    safeAlternative: [
      "1. Expand: add a new column with the new type (`ADD COLUMN amount_v2 BIGINT, ALGORITHM=INSTANT`).",
      "2. Write to both columns from the application (or a trigger), and backfill old rows in batches (`UPDATE … WHERE id BETWEEN ? AND ?`).",
      "3. Switch reads to the new column, then drop the old one in a later migration.",
      "4. Or run the ALTER with an online schema change tool (gh-ost, pt-online-schema-change), which copies in the background and swaps tables atomically.",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TABLE orders (id bigint PRIMARY KEY, amount int NOT NULL, note varchar(20)) ENGINE=InnoDB;",
    bad: [
      "ALTER TABLE orders MODIFY amount bigint NOT NULL;",
      "ALTER TABLE orders CHANGE COLUMN amount amount decimal(12,2) NOT NULL;",
      {
        sql: "ALTER TABLE orders ADD COLUMN total int;\nALTER TABLE orders MODIFY total bigint;",
        note: "the previous definition is known from the same migration",
      },
      {
        sql: "ALTER TABLE orders ADD COLUMN code varchar(20);\nALTER TABLE orders MODIFY code varchar(10), ALGORITHM=INPLACE, LOCK=NONE;",
        note: "shrinking a VARCHAR is a type change: the server refuses INPLACE, so the migration fails on deploy",
      },
    ],
    good: [
      "ALTER TABLE orders ADD COLUMN amount_v2 bigint, ALGORITHM=INSTANT;",
      "ALTER TABLE orders ADD COLUMN code varchar(20);\nALTER TABLE orders MODIFY code varchar(40);",
      "CREATE TABLE invoices (id bigint PRIMARY KEY, amount int);\nALTER TABLE invoices MODIFY amount bigint;",
    ],
  },
  check(statement, context) {
    const site = existingTableAlter(statement, context);
    if (!site) return;
    return opHits(site, "modify-column", (op, plan) => {
      if (op.definition.type === "ENUM" || op.definition.type === "SET") return undefined; // mysql-enum-change
      const changes = columnChangesOf(site, op);
      const typeChange = changes.has("type") || changes.has("charset") || (changes.has("utf8mb3-to-utf8mb4") && plan.algorithm === "COPY") || (changes.has("varchar-extend-across-length-byte") && plan.algorithm === "COPY");
      if (typeChange) {
        const refused = site.clauses.algorithm && failsFast(site, plan);
        return {
          message: refused
            ? `Changing the type of ${site.table}.${op.column} cannot run with ALGORITHM=${site.clauses.algorithm}${site.clauses.lock ? `, LOCK=${site.clauses.lock}` : ""}: the server will refuse this migration (it needs ALGORITHM=COPY, which blocks writes).`
            : `Changing the type of ${site.table}.${op.column} ${describePlan(plan, site.server)}.`,
        };
      }
      if (!changes.has("unknown") || failsFast(site, plan)) return undefined;
      return {
        message: `MODIFY/CHANGE of ${site.table}.${op.column} copies the table under a write lock (ALGORITHM=COPY, LOCK=SHARED) if the data type changes: the migrations analyzed here do not show the column's current definition, so whether it changes cannot be told.`,
        severity: "warning",
        fix: appendClausesFix(statement, { algorithm: "INPLACE", lock: "NONE" }),
        help: "If only NULL-ness, the default, the comment or a VARCHAR length within its length byte changes, add `ALGORITHM=INPLACE, LOCK=NONE` (the fix): the server then confirms it runs online, or refuses instead of copying.",
      };
    });
  },
};

export default withInnodbSummary(rule);
