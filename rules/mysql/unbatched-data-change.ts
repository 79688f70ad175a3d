import { isNewTable, tableRows } from "../../src/core/analyze/mysql-ast.js";
import type { Rule } from "../../src/core/analyze/rule.js";

const rule: Rule = {
  id: "mysql-unbatched-data-change",
  title: "UPDATE/DELETE of a whole or large table in one statement",
  dialects: ["mysql", "mariadb"],
  severity: "warning",
  docs: {
    why: "One UPDATE or DELETE touching every row (no WHERE), or a large table (config `tables:` row count above `thresholds.large_table_rows`) without a LIMIT, runs as one transaction: InnoDB locks every row it touches (and, under REPEATABLE READ, the gaps between them) until it commits, grows the undo log by the size of the change, and replicas apply it as one event, lagging for as long as it ran. A failure near the end rolls back everything, which takes as long again.",
    locks: [],
    work: "scan",
    versions: "MySQL and MariaDB accept `UPDATE … LIMIT n` and `DELETE … LIMIT n` (single-table form only). MariaDB 10.3+ also has `DELETE … RETURNING`.",
    safeAlternative: [
      "1. Batch by primary key: `UPDATE t SET … WHERE id BETWEEN ? AND ? AND <condition>` for consecutive ranges of a few thousand rows, committing between batches (or `… LIMIT 1000` repeated until no row changes).",
      "2. Run the batches from a script or job outside the schema migration, pausing when replica lag grows.",
      "3. For a full DELETE of a table's rows, `TRUNCATE TABLE` (if no foreign keys point at it) or a new empty table swapped in with RENAME TABLE.",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TABLE orders (id bigint PRIMARY KEY, status varchar(20), archived tinyint NOT NULL DEFAULT 0) ENGINE=InnoDB;",
    bad: [
      "UPDATE orders SET archived = 0;",
      "DELETE FROM orders;",
      { sql: "UPDATE orders SET status = 'closed' WHERE status = 'done';", config: { tables: { orders: { rows: 80000000 } } }, note: "large per table statistics" },
    ],
    good: [
      "UPDATE orders SET status = 'closed' WHERE status = 'done';",
      { sql: "UPDATE orders SET status = 'closed' WHERE status = 'done' LIMIT 1000;", config: { tables: { orders: { rows: 80000000 } } } },
      "CREATE TABLE imports (id bigint PRIMARY KEY, done tinyint);\nUPDATE imports SET done = 1;",
    ],
  },
  check(statement, { config, script, state }) {
    if (statement.kind !== "update" && statement.kind !== "delete") return;
    const ast = statement.ast;
    const tables = ((ast?.table ?? []) as { table?: string }[]).map((t) => String(t?.table ?? "")).filter(Boolean);
    const existing = tables.filter((t) => !isNewTable(t, statement, { script, state }));
    if (existing.length === 0) return;
    const verb = statement.kind === "update" ? "UPDATE" : "DELETE";
    const limited = Boolean(ast?.limit?.value?.length);
    const rows = Math.max(0, ...existing.map((t) => tableRows(config, t) ?? 0));
    const large = rows >= config.thresholds.large_table_rows;
    if (!ast?.where && !limited) {
      return {
        message: `${verb} of every row of ${existing.join(", ")} in one statement${rows ? ` (~${rows.toLocaleString("en-US")} rows)` : ""}: every row stays locked until it commits and replicas lag by its full duration.`,
        severity: large ? "error" : undefined,
      };
    }
    if (large && !limited) {
      return {
        message: `${verb} on ${existing.join(", ")} (~${rows.toLocaleString("en-US")} rows per table statistics) without LIMIT or key-range batching: one long transaction that locks every matching row.`,
        severity: "error",
      };
    }
  },
};

export default rule;
