import type { Rule } from "../../src/core/analyze/rule.js";
import { alterCommands, relationName } from "../../src/core/analyze/pg-ast.js";
import { appendToStatement, concurrentRewriteHelp, concurrentRewriteRuns, existingAlteredTable, lock } from "./_pg.js";

const rule: Rule = {
  id: "require-concurrent-detach-partition",
  title: "DETACH PARTITION without CONCURRENTLY",
  dialects: ["postgres"],
  severity: "warning",
  docs: {
    why: "`ALTER TABLE … DETACH PARTITION` takes ACCESS EXCLUSIVE locks on the partitioned table and on the partition: every read and write of the whole partitioned table waits for it, and it waits behind every running query first.",
    locks: [
      { on: "partitioned table", mode: "ACCESS EXCLUSIVE", relation: "events" },
      { on: "partition", mode: "ACCESS EXCLUSIVE", relation: "events_2024" },
    ],
    work: "metadata only",
    versions: "`DETACH PARTITION … CONCURRENTLY` exists since PostgreSQL 14; it cannot run in a transaction block nor on a table with a default partition.",
    safeAlternative: [
      "1. PostgreSQL 14+: `ALTER TABLE <parent> DETACH PARTITION <partition> CONCURRENTLY;` outside a transaction (SHARE UPDATE EXCLUSIVE on the parent).",
      "2. If it is interrupted, finish it with `ALTER TABLE <parent> DETACH PARTITION <partition> FINALIZE;`.",
      "3. Before 14: set a short `lock_timeout` and retry the plain DETACH at a quiet time.",
    ].join("\n"),
  },
  examples: {
    setup:
      "CREATE TABLE events (id bigint, at date) PARTITION BY RANGE (at); CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');",
    bad: ["ALTER TABLE events DETACH PARTITION events_2024;"],
    good: ["ALTER TABLE events DETACH PARTITION events_2024 CONCURRENTLY;"],
  },
  check(statement, context) {
    const { state } = context;
    const table = existingAlteredTable(statement, state);
    if (!table) return;
    const detach = alterCommands(statement.ast).find((c) => c.subtype === "AT_DetachPartition");
    if (!detach || detach.def?.PartitionCmd?.concurrent || detach.def?.PartitionCmd?.finalize) return;
    const partition = relationName(detach.def?.PartitionCmd?.name);
    const supported = state.postgresVersion >= 14;
    const single = alterCommands(statement.ast).length === 1;
    const runs = concurrentRewriteRuns(statement, context);
    const edit = supported && single && runs ? appendToStatement(statement, " CONCURRENTLY") : undefined;
    return {
      message: `Detaching \`${partition}\` from \`${table}\` without CONCURRENTLY blocks all reads and writes of \`${table}\` while it waits for and holds its lock.`,
      locks: [lock(table, "ACCESS EXCLUSIVE"), lock(partition, "ACCESS EXCLUSIVE")],
      fix: edit && { description: "Detach concurrently", edits: [edit] },
      help: supported ? (runs ? undefined : concurrentRewriteHelp(context)) : `PostgreSQL ${state.postgresVersion} has no DETACH … CONCURRENTLY (added in 14): set a short lock_timeout and retry.`,
    };
  },
};

export default rule;
