/* eslint-disable @typescript-eslint/no-explicit-any */
import type { Rule } from "../../src/core/analyze/rule.js";
import { alterCommands, columnConstraints, stripPublic } from "../../src/core/analyze/pg-ast.js";
import type { AnalysisState } from "../../src/core/analyze/state.js";
import type { ParsedScript, Statement } from "../../src/core/parse/index.js";
import { alteredTable, existingAlteredTable, lock, notNullProven, SIZE_NOTE, sizedSeverity, sizeHint, statementsOnRelation } from "./_pg.js";

/** The columns of index `name` on `table` when an earlier statement of the script created it. */
function indexColumns(script: ParsedScript, before: Statement, table: string, name: string): string[] | undefined {
  let columns: string[] | undefined;
  for (const s of statementsOnRelation(script, table)) {
    if (s.index >= before.index) break;
    if (s.kind === "IndexStmt" && s.ast.idxname === name) {
      const params = (s.ast.indexParams ?? []).map((p: any) => p.IndexElem?.name);
      columns = params.every((p: unknown) => typeof p === "string") ? params : undefined; // expressions cannot be a PK
    }
  }
  return columns;
}

/**
 * Whether earlier statements of the script show `table.column` nullable: added without NOT NULL
 * (or given DROP NOT NULL) and not made NOT NULL since. Undefined when the script does not say.
 */
function nullableInScript(script: ParsedScript, before: Statement, table: string, column: string): boolean | undefined {
  let nullable: boolean | undefined;
  for (const s of statementsOnRelation(script, table)) {
    if (s.index >= before.index) break;
    if (!alteredTable(s)) continue;
    for (const cmd of alterCommands(s.ast)) {
      const def = cmd.def?.ColumnDef;
      if (cmd.subtype === "AT_AddColumn" && def?.colname === column) {
        nullable = !columnConstraints(def).some((c) => c.contype === "CONSTR_NOTNULL" || c.contype === "CONSTR_PRIMARY");
      }
      if (cmd.name !== column) continue;
      if (cmd.subtype === "AT_SetNotNull") nullable = false;
      if (cmd.subtype === "AT_DropNotNull") nullable = true;
      if (cmd.subtype === "AT_DropColumn") nullable = undefined;
    }
  }
  return nullable;
}

const NULLABLE_VOUCHERS = "CREATE TABLE vouchers (id bigint, code text);\nCREATE UNIQUE INDEX vouchers_id_idx ON vouchers (id);";
const NOT_NULL_VOUCHERS = "CREATE TABLE vouchers (id bigint NOT NULL, code text);\nCREATE UNIQUE INDEX vouchers_id_idx ON vouchers (id);";

/** Nullable by the earlier migrations: their definition of the column is known and it is not NOT NULL. */
function nullableInHistory(state: AnalysisState, table: string, column: string): boolean | undefined {
  const key = `${table}.${column}`;
  if (!state.columnTypes.has(key)) return undefined;
  return !state.notNullColumns.has(key);
}

const rule: Rule = {
  id: "add-primary-key-using-index-nullable",
  title: "ADD PRIMARY KEY USING INDEX on nullable columns (implicit SET NOT NULL scan)",
  dialects: ["postgres"],
  severity: "error",
  docs: {
    why: `\`ALTER TABLE … ADD PRIMARY KEY USING INDEX\` is meant to be metadata only, but a primary key needs NOT NULL columns: when an index column is nullable, PostgreSQL sets it NOT NULL on the spot and scans the whole table to prove it while holding ACCESS EXCLUSIVE — no reads or writes until the scan ends (Eugene W14). Verified on PostgreSQL 15: the nullable column gets \`attnotnull\` and the table a sequential scan; a NOT NULL column, or one with a validated \`CHECK (col IS NOT NULL)\`, gets none. The rule reports only columns the analyzed migrations show nullable (added or created without NOT NULL, in this change or an earlier migration); it stays silent when it cannot know.\n\n${SIZE_NOTE}`,
    locks: [{ on: "altered table", mode: "ACCESS EXCLUSIVE", relation: "orders" }],
    work: "scan",
    versions: "The validated CHECK (col IS NOT NULL) shortcut exists since PostgreSQL 12.",
    safeAlternative: [
      "1. `ALTER TABLE <t> ADD CONSTRAINT <t>_<col>_not_null CHECK (<col> IS NOT NULL) NOT VALID;`",
      "2. `ALTER TABLE <t> VALIDATE CONSTRAINT <t>_<col>_not_null;` (SHARE UPDATE EXCLUSIVE: reads and writes continue).",
      "3. `ALTER TABLE <t> ADD PRIMARY KEY USING INDEX <index>;` — PostgreSQL 12+ uses the CHECK and skips the scan.",
      "4. Optionally drop the CHECK afterwards.",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TABLE orders (id bigint, number text);",
    bad: [
      "ALTER TABLE orders ADD COLUMN uuid uuid;\nCREATE UNIQUE INDEX orders_uuid_idx ON orders (uuid);\nALTER TABLE orders ADD PRIMARY KEY USING INDEX orders_uuid_idx;",
      "ALTER TABLE orders ADD COLUMN uuid uuid NOT NULL DEFAULT gen_random_uuid();\nALTER TABLE orders ALTER COLUMN uuid DROP NOT NULL;\nCREATE UNIQUE INDEX orders_uuid_idx ON orders (uuid);\nALTER TABLE orders ADD CONSTRAINT orders_pkey PRIMARY KEY USING INDEX orders_uuid_idx;",
      {
        sql: "ALTER TABLE vouchers ADD CONSTRAINT vouchers_pkey PRIMARY KEY USING INDEX vouchers_id_idx;",
        files: { "migrations/0000_vouchers.sql": NULLABLE_VOUCHERS },
        base: { "migrations/0000_vouchers.sql": NULLABLE_VOUCHERS },
        setup: NULLABLE_VOUCHERS,
        locks: [{ on: "altered table", mode: "ACCESS EXCLUSIVE", relation: "vouchers" }],
        note: "an earlier migration built the index concurrently on a nullable column: the key still scans for NULLs",
      },
    ],
    good: [
      "ALTER TABLE orders ADD COLUMN uuid uuid NOT NULL DEFAULT gen_random_uuid();\nCREATE UNIQUE INDEX orders_uuid_idx ON orders (uuid);\nALTER TABLE orders ADD PRIMARY KEY USING INDEX orders_uuid_idx;",
      "ALTER TABLE orders ADD COLUMN uuid uuid;\nCREATE UNIQUE INDEX orders_uuid_idx ON orders (uuid);\nALTER TABLE orders ADD CONSTRAINT orders_uuid_not_null CHECK (uuid IS NOT NULL) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_uuid_not_null;\nALTER TABLE orders ADD PRIMARY KEY USING INDEX orders_uuid_idx;",
      { sql: "ALTER TABLE orders ADD PRIMARY KEY USING INDEX orders_number_idx;", note: "the index and its columns are not in the change: unknown, so silent" },
      "CREATE TABLE coupons (code text);\nCREATE UNIQUE INDEX coupons_code_idx ON coupons (code);\nALTER TABLE coupons ADD PRIMARY KEY USING INDEX coupons_code_idx;",
      {
        sql: "ALTER TABLE vouchers ADD CONSTRAINT vouchers_pkey PRIMARY KEY USING INDEX vouchers_id_idx;",
        files: { "migrations/0000_vouchers.sql": NOT_NULL_VOUCHERS },
        base: { "migrations/0000_vouchers.sql": NOT_NULL_VOUCHERS },
        note: "an earlier migration declared `id` NOT NULL: the key only takes over the index",
      },
    ],
  },
  check(statement, { state, script, config }) {
    const table = existingAlteredTable(statement, state);
    if (!table) return;
    const bare = stripPublic(table);
    const hits = [];
    for (const cmd of alterCommands(statement.ast)) {
      const c = cmd.def?.Constraint;
      if (cmd.subtype !== "AT_AddConstraint" || c?.contype !== "CONSTR_PRIMARY" || !c.indexname) continue;
      // The script's own statements first; else what earlier migrations said about the index and its columns.
      const schema = statement.ast.relation?.schemaname;
      const columns = indexColumns(script, statement, bare, c.indexname) ?? state.indexColumns.get(stripPublic(schema ? `${schema}.${c.indexname}` : c.indexname)) ?? [];
      const nullable = columns.filter((col) => (nullableInScript(script, statement, bare, col) ?? nullableInHistory(state, bare, col)) === true && !notNullProven(state, bare, col));
      if (!nullable.length) continue;
      hits.push({
        message: `${nullable.map((col) => `\`${col}\``).join(", ")} of \`${table}\`${sizeHint(config, table)} ${nullable.length > 1 ? "are" : "is"} nullable: ADD PRIMARY KEY USING INDEX ${c.indexname} sets NOT NULL and scans the whole table under an ACCESS EXCLUSIVE lock.`,
        severity: sizedSeverity(config, table, "error"),
        locks: [lock(table, "ACCESS EXCLUSIVE")],
        help: `Add CHECK (${nullable[0]} IS NOT NULL) NOT VALID, VALIDATE it, then ADD PRIMARY KEY USING INDEX (PostgreSQL 12+ skips the scan).`,
      });
    }
    return hits;
  },
};

export default rule;
