import { isNewTable, tableKey } from "../../src/core/analyze/mysql-ast.js";
import type { Rule } from "../../src/core/analyze/rule.js";
import { existingTableAlter, opHits, withInnodbSummary } from "./_alter.js";

const rule: Rule = {
  id: "mysql-rename-table",
  title: "Renaming an existing table",
  dialects: ["mysql", "mariadb"],
  severity: "error",
  docs: {
    why: "The rename is instant, but every application instance still running the previous release queries the old name and fails from the moment the migration runs until it is replaced.",
    locks: [],
    work: "metadata only",
    innodb: [
      { server: "mysql", versions: "5.6+", algorithm: "INSTANT", lock: "NONE", rebuildsTable: false },
      { server: "mariadb", versions: "10.0+", algorithm: "INSTANT", lock: "NONE", rebuildsTable: false },
    ],
    versions: "RENAME TABLE waits for a metadata lock, so a long-running transaction on the table delays it and queues every later query behind it. Swapping names within one RENAME TABLE statement (`a TO a_old, a_new TO a`) is atomic and not flagged.",
    safeAlternative: [
      "1. Create a view with the new name over the old table (`CREATE VIEW new_name AS SELECT * FROM old_name`, updatable for simple views) and move the application to it.",
      "2. Rename the table once no release uses the old name, replacing the view in the same migration.",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TABLE customers (id bigint PRIMARY KEY) ENGINE=InnoDB;",
    bad: ["RENAME TABLE customers TO clients;", "ALTER TABLE customers RENAME TO clients;"],
    good: ["CREATE TABLE staging (id bigint);\nRENAME TABLE staging TO imports;", "CREATE TABLE customers_new (id bigint PRIMARY KEY);\nRENAME TABLE customers TO customers_old, customers_new TO customers;"],
  },
  check(statement, context) {
    if (statement.kind === "rename") {
      const pairs: [string, string][] = (statement.ast?.table ?? []).map((p: { table?: string }[]) => [String(p[0]?.table ?? ""), String(p[1]?.table ?? "")]);
      // A swap (a → a_old, a_new → a) keeps every old name in place: atomic and safe.
      const targets = new Set(pairs.map(([, to]) => tableKey(to)));
      const lost = pairs.filter(([from]) => !targets.has(tableKey(from)) && !isNewTable(from, statement, context));
      if (lost.length === 0) return;
      return { message: `Renaming ${lost.map(([f, t]) => `${f} to ${t}`).join(", ")} breaks every application instance that still uses the old name.` };
    }
    const site = existingTableAlter(statement, context);
    if (!site) return;
    return opHits(site, "rename-table", (op) => ({ message: `Renaming ${site.table} to ${op.to.name} breaks every application instance that still uses the old name.` }));
  },
};

export default withInnodbSummary(rule);
