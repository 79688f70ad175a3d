import type { Rule } from "../../src/core/analyze/rule.js";
import { isSystemCatalog, relationName, stripPublic } from "../../src/core/analyze/pg-ast.js";
import { blocksTraffic } from "../../src/core/analyze/pg-locks.js";
import { trafficBlockingHeld } from "../../src/core/analyze/state.js";
import { blockingLocksOnExisting, isExisting, LISTED_TABLES, listTables, lock } from "./_pg.js";

const DML = new Set(["UpdateStmt", "DeleteStmt", "InsertStmt", "MergeStmt"]);

const rule: Rule = {
  id: "data-change-with-ddl",
  title: "Data changes mixed with DDL in one transaction",
  dialects: ["postgres"],
  severity: "warning",
  docs: {
    why: "In one transaction, a data change (UPDATE, DELETE, INSERT … SELECT, MERGE) on an existing table and a schema change that blocks traffic on an existing table hold each other's locks: the DDL lock (SHARE or stronger) stays held while the data change runs, and the data change's row locks stay held until the DDL is done. A backfill that takes a minute becomes a minute of blocked reads or writes, and a failure rolls back both.",
    locks: [{ on: "altered table", mode: "ACCESS EXCLUSIVE", relation: "orders" }],
    work: "none",
    safeAlternative: [
      "1. Put schema changes and data changes in separate migrations (or commit between them).",
      "2. Run backfills batched and outside the DDL transaction (Rails `disable_ddl_transaction!`, dbmate `transaction:false`).",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TABLE orders (id bigint PRIMARY KEY, status text);",
    bad: [{ sql: "UPDATE orders SET status = 'new' WHERE status IS NULL;\nALTER TABLE orders ALTER COLUMN status SET DEFAULT 'new';", config: { transaction: "per-file" } }],
    good: [
      "UPDATE orders SET status = 'new' WHERE status IS NULL;\nALTER TABLE orders ALTER COLUMN status SET DEFAULT 'new';",
      { sql: "CREATE TABLE statuses (code text PRIMARY KEY);\nINSERT INTO statuses VALUES ('new'), ('done');", config: { transaction: "per-file" } },
      {
        sql: "UPDATE pg_index SET indisready = false WHERE indrelid = 'orders'::regclass;\nALTER TABLE orders ADD COLUMN note text;\nUPDATE pg_index SET indisready = true WHERE indrelid = 'orders'::regclass;",
        config: { transaction: "per-file" },
        note: "a write to a system catalog touches a few catalog rows, not the table's data",
      },
    ],
  },
  check(statement, { state }) {
    if (!state.inTransaction) return;
    if (DML.has(statement.kind)) {
      const table = relationName(statement.ast.relation);
      if (!isExisting(state, table) || isSystemCatalog(table)) return;
      const ddlHeld = trafficBlockingHeld(state);
      if (!ddlHeld.length) return;
      return {
        message: `Data change on \`${table}\` in the same transaction as DDL on ${listTables(ddlHeld)}: the DDL locks stay held while it runs.`,
        // Locks taken earlier: the risk walk already counts them, so naming a few is enough.
        locks: ddlHeld.slice(0, LISTED_TABLES).map((t) => lock(t, state.heldLocks.get(t)!)),
        help: "Commit the schema change first and run the data change in its own (batched) transactions.",
      };
    }
    if (!state.dataChangedInTransaction.size) return;
    const heldBlocking = (relation: string) => {
      const mode = state.heldLocks.get(relation);
      return mode !== undefined && blocksTraffic(mode);
    };
    const blocking = blockingLocksOnExisting(statement, state).filter((l) => !heldBlocking(l.relation));
    if (!blocking.length) return;
    const changed = [...state.dataChangedInTransaction].filter((t) => isExisting(state, t));
    if (!changed.length) return;
    return {
      message: `DDL on ${blocking.map((l) => `\`${stripPublic(l.relation)}\``).join(", ")} in the same transaction as data changes to ${listTables(changed)}: row locks and the ${blocking[0]!.mode} lock are held together until COMMIT.`,
      locks: blocking,
      help: "Split data changes and schema changes into separate transactions.",
    };
  },
};

export default rule;
