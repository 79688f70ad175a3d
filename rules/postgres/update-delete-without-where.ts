import type { Rule } from "../../src/core/analyze/rule.js";
import { relationName } from "../../src/core/analyze/pg-ast.js";
import { isExisting, lock, SIZE_NOTE, sizedSeverity, sizeHint } from "./_pg.js";

const rule: Rule = {
  id: "update-delete-without-where",
  title: "UPDATE or DELETE of every row of an existing table",
  dialects: ["postgres"],
  severity: "warning",
  docs: {
    why: `An UPDATE or DELETE without WHERE touches every row in one transaction: it row-locks the whole table (concurrent writers to any row wait), writes a new version of every row (table and index bloat, WAL volume, replica lag) and, inside a migration's DDL transaction, holds that transaction's locks for the whole run. A mistake here deletes all data.\n\n${SIZE_NOTE}`,
    locks: [{ on: "updated table", mode: "ROW EXCLUSIVE", relation: "orders" }],
    work: "rewrite",
    safeAlternative: [
      "1. Run data changes outside the schema migration's transaction.",
      "2. Batch by primary key: `UPDATE <table> SET … WHERE id >= $1 AND id < $1 + 10000;` (or `WHERE id IN (SELECT id FROM <table> WHERE … LIMIT 10000)`), committing between batches.",
      "3. Pause between batches to let replicas and autovacuum keep up.",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TABLE orders (id bigint PRIMARY KEY, region text);",
    bad: ["UPDATE orders SET region = 'eu';", "DELETE FROM orders;", { sql: "UPDATE orders SET region = 'eu';", config: { tables: { orders: { rows: 80_000_000 } } }, note: "error at 80M rows" }],
    good: [
      "UPDATE orders SET region = 'eu' WHERE id BETWEEN 1 AND 10000;",
      "CREATE TABLE regions (code text);\nINSERT INTO regions VALUES ('eu');\nUPDATE regions SET code = upper(code);",
    ],
  },
  check(statement, { state, config }) {
    if ((statement.kind !== "UpdateStmt" && statement.kind !== "DeleteStmt") || statement.ast.whereClause) return;
    const table = relationName(statement.ast.relation);
    if (!isExisting(state, table)) return;
    const verb = statement.kind === "UpdateStmt" ? "updates" : "deletes";
    return {
      message: `This ${statement.kind === "UpdateStmt" ? "UPDATE" : "DELETE"} has no WHERE: it ${verb} every row of \`${table}\`${sizeHint(config, table)} in one transaction.`,
      severity: sizedSeverity(config, table, "warning"),
      locks: [lock(table, "ROW EXCLUSIVE")],
      help: "Batch it by primary key range and run it outside the DDL transaction.",
    };
  },
};

export default rule;
