import { isNewTable } from "../../src/core/analyze/mysql-ast.js";
import type { Rule } from "../../src/core/analyze/rule.js";

const rule: Rule = {
  id: "mysql-drop-table",
  title: "Dropping an existing table",
  dialects: ["mysql", "mariadb"],
  severity: "error",
  docs: {
    why: "Application instances running the previous release fail as soon as the table is gone, and its data cannot be brought back by a rollback. Dropping a large table also stalls the server: on MySQL before 8.0.23 DROP TABLE scans the whole buffer pool under a global mutex, and deleting a large .ibd file blocks I/O on ext4/xfs.",
    locks: [],
    work: "none",
    versions: "MySQL 8.0.23 removed the buffer pool scan on DROP TABLE (lazy eviction); MariaDB 10.5+ likewise. A metadata lock waits for every open transaction on the table.",
    safeAlternative: [
      "1. Release application code that no longer uses the table.",
      "2. Rename it out of the way first (`RENAME TABLE t TO t_old_20240101`) and keep it for a while: a rename can be undone.",
      "3. Drop the renamed table in a later migration, off-peak; on large tables, truncate in chunks or use a hard link trick for the file removal.",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TABLE legacy_orders (id bigint PRIMARY KEY) ENGINE=InnoDB;",
    bad: ["DROP TABLE legacy_orders;", "DROP TABLE IF EXISTS legacy_orders;"],
    good: ["CREATE TABLE tmp_import (id bigint);\nDROP TABLE tmp_import;", "RENAME TABLE legacy_orders TO legacy_orders_retired_20240101;"],
  },
  check(statement, context) {
    if (statement.kind !== "drop" || statement.ast?.keyword !== "table") return;
    if (statement.ast?.temporary || /^\s*DROP\s+TEMPORARY\b/i.test(statement.text)) return;
    const tables = (statement.ast.name ?? []).map((t: { table?: string }) => String(t?.table ?? "")).filter((t: string) => t && !isNewTable(t, statement, context));
    if (tables.length === 0) return;
    return { message: `Dropping ${tables.join(", ")} breaks application instances that still use ${tables.length > 1 ? "them" : "it"} and deletes the data for good.` };
  },
};

export default rule;
