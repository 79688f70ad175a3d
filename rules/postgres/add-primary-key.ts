import type { Rule } from "../../src/core/analyze/rule.js";
import { alterCommands, stripPublic } from "../../src/core/analyze/pg-ast.js";
import type { AnalysisState } from "../../src/core/analyze/state.js";
import type { Config } from "../../src/core/config/schema.js";
import type { Statement } from "../../src/core/parse/index.js";
import { addedKeyConstraints } from "./_keys.js";
import { existingAlteredTable, lock, SIZE_NOTE, sizedSeverity, sizeHint } from "./_pg.js";

const NULLABLE_COUPONS = "CREATE TABLE coupons (id bigint, code text);\nCREATE UNIQUE INDEX CONCURRENTLY coupons_id_idx ON coupons (id);";
const NOT_NULL_ORDERS = "CREATE TABLE orders (id bigint NOT NULL, total numeric);\nCREATE UNIQUE INDEX CONCURRENTLY orders_id_idx ON orders (id);";

const rule: Rule = {
  id: "add-primary-key",
  title: "PRIMARY KEY that builds its index under ACCESS EXCLUSIVE",
  dialects: ["postgres"],
  severity: "error",
  docs: {
    why: `\`ADD PRIMARY KEY\` builds a unique index under an ACCESS EXCLUSIVE lock, and on nullable columns also runs an implicit SET NOT NULL scan: no reads or writes until both finish. \`ADD … PRIMARY KEY USING INDEX\` on nullable columns still scans for NULLs.\n\n${SIZE_NOTE}`,
    locks: [
      { on: "altered table", mode: "ACCESS EXCLUSIVE", relation: "orders" },
      { on: "new index", mode: "ACCESS EXCLUSIVE", relation: "orders_pkey" },
    ],
    work: "scan and index build",
    safeAlternative: [
      "1. Make the key columns NOT NULL without a long lock (CHECK (col IS NOT NULL) NOT VALID → VALIDATE → SET NOT NULL, PostgreSQL 12+).",
      "2. `CREATE UNIQUE INDEX CONCURRENTLY <table>_pkey ON <table> (<cols>);` outside a transaction.",
      "3. `ALTER TABLE <table> ADD CONSTRAINT <table>_pkey PRIMARY KEY USING INDEX <table>_pkey;` — metadata only.",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TABLE orders (id bigint NOT NULL, total numeric);",
    bad: [
      "ALTER TABLE orders ADD PRIMARY KEY (id);",
      {
        sql: "ALTER TABLE coupons ADD CONSTRAINT coupons_pkey PRIMARY KEY USING INDEX coupons_id_idx;",
        files: { "migrations/0000_coupons.sql": NULLABLE_COUPONS },
        base: { "migrations/0000_coupons.sql": NULLABLE_COUPONS },
        note: "the index was built concurrently by an earlier migration, but `id` may hold NULLs: making it NOT NULL scans the table",
      },
    ],
    good: [
      "CREATE UNIQUE INDEX CONCURRENTLY orders_pkey ON orders (id);\nALTER TABLE orders ADD CONSTRAINT orders_pkey PRIMARY KEY USING INDEX orders_pkey;",
      {
        sql: "ALTER TABLE orders ADD CONSTRAINT orders_pkey PRIMARY KEY USING INDEX orders_id_idx;",
        files: { "migrations/0000_orders.sql": NOT_NULL_ORDERS },
        base: { "migrations/0000_orders.sql": NOT_NULL_ORDERS },
        note: "`id` is already NOT NULL: the key only takes over the index (metadata only)",
      },
      "CREATE TABLE coupons (id bigint, code text);\nALTER TABLE coupons ADD PRIMARY KEY (id);",
    ],
  },
  check(statement, { state, config }) {
    const table = existingAlteredTable(statement, state);
    if (!table) return;
    const built = addedKeyConstraints(statement, "CONSTR_PRIMARY").map((k) => ({
      message: `Adding PRIMARY KEY (${k.columns.join(", ")}) on \`${table}\`${sizeHint(config, table)} builds the index (and checks NOT NULL) under an ACCESS EXCLUSIVE lock.`,
      severity: sizedSeverity(config, table, "error"),
      locks: [lock(table, "ACCESS EXCLUSIVE")],
      help: `CREATE UNIQUE INDEX CONCURRENTLY first, then ADD CONSTRAINT ${k.name ?? "<name>"} PRIMARY KEY USING INDEX <index>.`,
    }));
    return [...built, ...usingIndexScans(statement, state, table, config)];
  },
};

/**
 * `ADD PRIMARY KEY USING INDEX` on columns not known to be NOT NULL runs SET NOT NULL on them: a
 * full scan under ACCESS EXCLUSIVE (measured on PostgreSQL 15: one seq scan on nullable columns,
 * none on NOT NULL ones). Silent when the index's columns or their definitions are not known (precision first).
 */
function usingIndexScans(statement: Statement, state: AnalysisState, table: string, config: Config) {
  const out = [];
  for (const cmd of alterCommands(statement.ast)) {
    const c = cmd.def?.Constraint;
    if (cmd.subtype !== "AT_AddConstraint" || c?.contype !== "CONSTR_PRIMARY" || !c.indexname) continue;
    const schema = statement.ast.relation?.schemaname;
    const columns = state.indexColumns.get(stripPublic(schema ? `${schema}.${c.indexname}` : c.indexname));
    const key = (column: string) => `${stripPublic(table)}.${column}`;
    const proven = (column: string) => state.notNullColumns.has(key(column)) || (state.postgresVersion >= 12 && state.notNullChecked.has(key(column)));
    // Only columns whose definition the analyzed migrations hold can be known nullable.
    const nullable = (columns ?? []).filter((column) => state.columnTypes.has(key(column)) && !proven(column));
    if (!nullable.length) continue;
    out.push({
      message: `PRIMARY KEY USING INDEX \`${c.indexname}\` on \`${table}\`${sizeHint(config, table)} makes ${nullable.map((n) => `\`${n}\``).join(", ")} NOT NULL, which scans every row under an ACCESS EXCLUSIVE lock (no reads or writes meanwhile).`,
      severity: sizedSeverity(config, table, "error"),
      locks: [lock(table, "ACCESS EXCLUSIVE")],
      help: `First prove the column${nullable.length > 1 ? "s" : ""} NOT NULL without a long lock: ADD CONSTRAINT … CHECK (${nullable[0]} IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT it, then SET NOT NULL (PostgreSQL 12+ skips the scan) before adding the key.`,
    });
  }
  return out;
}

export default rule;
