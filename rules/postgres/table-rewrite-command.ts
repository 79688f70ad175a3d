import type { Rule } from "../../src/core/analyze/rule.js";
import { alterCommands, relationName } from "../../src/core/analyze/pg-ast.js";
import type { Statement } from "../../src/core/parse/index.js";
import { alteredTable, isExisting, lock, SIZE_NOTE, sizedSeverity, sizeHint } from "./_pg.js";

const REWRITING_ALTERS: Record<string, string> = {
  AT_SetLogged: "SET LOGGED",
  AT_SetUnLogged: "SET UNLOGGED",
  AT_SetAccessMethod: "SET ACCESS METHOD",
  AT_SetTableSpace: "SET TABLESPACE",
};

function rewrite(statement: Statement): { table: string; what: string } | undefined {
  const { kind, ast } = statement;
  if (kind === "VacuumStmt" && (ast.options ?? []).some((o: any) => o.DefElem?.defname === "full")) {
    const table = relationName(ast.rels?.[0]?.VacuumRelation?.relation);
    return table ? { table, what: "VACUUM FULL" } : undefined;
  }
  if (kind === "ClusterStmt" && ast.relation) return { table: relationName(ast.relation), what: "CLUSTER" };
  const table = alteredTable(statement);
  const cmd = table ? alterCommands(ast).find((c) => REWRITING_ALTERS[c.subtype]) : undefined;
  return table && cmd ? { table, what: `ALTER TABLE … ${REWRITING_ALTERS[cmd.subtype]}` } : undefined;
}

const rule: Rule = {
  id: "table-rewrite-command",
  title: "VACUUM FULL, CLUSTER, SET LOGGED/UNLOGGED, SET ACCESS METHOD or SET TABLESPACE on an existing table",
  dialects: ["postgres"],
  severity: "error",
  docs: {
    why: `These commands rewrite the whole table and all its indexes (verified on PostgreSQL 15: new relfilenodes) under an ACCESS EXCLUSIVE lock: no reads or writes until the copy is done. SET TABLESPACE copies the files block by block under the same lock.\n\n${SIZE_NOTE}`,
    locks: [{ on: "rewritten table", mode: "ACCESS EXCLUSIVE", relation: "orders" }],
    work: "rewrite",
    versions: "SET ACCESS METHOD exists since PostgreSQL 15. `REPACK (CONCURRENTLY)` is planned for PostgreSQL 19; until then use the pg_repack or pg_squeeze extensions.",
    safeAlternative: [
      "1. To reclaim space or reorder rows online, use `pg_repack` / `pg_squeeze` outside the migration.",
      "2. For LOGGED/UNLOGGED, access method or tablespace changes: create the new table, copy in batches with dual writes, then swap names in a short transaction.",
      "3. If the table is small, run it with a short `lock_timeout` at a quiet time.",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TABLE orders (id bigint PRIMARY KEY); CREATE INDEX orders_id_idx ON orders (id);",
    bad: [
      "CLUSTER orders USING orders_id_idx;",
      "ALTER TABLE orders SET UNLOGGED;",
      { sql: "VACUUM FULL orders;", locks: [], note: "VACUUM cannot run in a transaction block: not compared with pg_locks" },
    ],
    good: ["VACUUM (ANALYZE) orders;", "CREATE TABLE staging (id bigint);\nALTER TABLE staging SET UNLOGGED;"],
  },
  check(statement, { state, config }) {
    const found = rewrite(statement);
    if (!found || !isExisting(state, found.table)) return;
    return {
      message: `${found.what} rewrites \`${found.table}\`${sizeHint(config, found.table)} and its indexes under an ACCESS EXCLUSIVE lock: no reads or writes until it finishes.`,
      severity: sizedSeverity(config, found.table, "error"),
      locks: [lock(found.table, "ACCESS EXCLUSIVE")],
    };
  },
};

export default rule;
