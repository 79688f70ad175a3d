import type { Rule } from "../../src/core/analyze/rule.js";
import { relationName } from "../../src/core/analyze/pg-ast.js";
import { reindexConcurrent } from "../../src/core/analyze/pg-locks.js";
import { concurrentRewriteHelp, concurrentRewriteRuns, insertAfterMatch, isExisting, lock, SIZE_NOTE, sizedSeverity } from "./_pg.js";

const rule: Rule = {
  id: "require-concurrent-reindex",
  title: "REINDEX without CONCURRENTLY",
  dialects: ["postgres"],
  severity: "warning",
  docs: {
    why: `\`REINDEX\` rebuilds the index under a SHARE lock on its table (writes wait) and an ACCESS EXCLUSIVE lock on the index itself, so even reads that would use the index wait for the whole rebuild.\n\n${SIZE_NOTE}`,
    locks: [
      { on: "table", mode: "SHARE", relation: "orders" },
      { on: "rebuilt index", mode: "ACCESS EXCLUSIVE", relation: "orders_status_idx" },
    ],
    work: "index build",
    versions: "`REINDEX CONCURRENTLY` exists since PostgreSQL 12. Before 12, build a replacement with `CREATE INDEX CONCURRENTLY`, then drop the old index concurrently and rename the new one.",
    safeAlternative: [
      "1. PostgreSQL 12+: `REINDEX INDEX CONCURRENTLY <index>;` outside a transaction block.",
      "2. Older versions: `CREATE INDEX CONCURRENTLY <index>_new ON …` with the same definition.",
      "3. `DROP INDEX CONCURRENTLY <index>;` then `ALTER INDEX <index>_new RENAME TO <index>;`.",
      "4. If a concurrent rebuild fails, drop the leftover INVALID index (`<index>_ccnew`) and retry.",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TABLE orders (id bigint PRIMARY KEY, status text); CREATE INDEX orders_status_idx ON orders (status);",
    bad: ["REINDEX INDEX orders_status_idx;", { sql: "REINDEX TABLE orders;", note: "locks every index of the table" }],
    good: ["REINDEX INDEX CONCURRENTLY orders_status_idx;", "REINDEX SYSTEM;"],
  },
  check(statement, context) {
    const { state, config } = context;
    const { kind, ast } = statement;
    if (kind !== "ReindexStmt" || !ast.relation) return;
    if (reindexConcurrent(ast)) return;
    const target = relationName(ast.relation);
    if (!isExisting(state, target)) return;
    const onIndex = ast.kind === "REINDEX_OBJECT_INDEX";
    const supported = state.postgresVersion >= 12;
    const runs = concurrentRewriteRuns(statement, context);
    const edit = supported && runs ? insertAfterMatch(statement, /\b(INDEX|TABLE)\b/i, " CONCURRENTLY") : undefined;
    return {
      message: onIndex
        ? `REINDEX of \`${target}\` blocks writes to its table and every query that would use the index until the rebuild ends.`
        : `REINDEX of table \`${target}\` blocks its writes and locks each of its indexes in turn for the whole rebuild.`,
      severity: onIndex ? undefined : sizedSeverity(config, target, "warning"),
      locks: [lock(target, onIndex ? "ACCESS EXCLUSIVE" : "SHARE")],
      fix: edit && { description: "Rebuild concurrently", edits: [edit] },
      help: supported ? (runs ? undefined : concurrentRewriteHelp(context)) : `PostgreSQL ${state.postgresVersion} has no REINDEX CONCURRENTLY: build a replacement index concurrently and swap it.`,
    };
  },
};

export default rule;
