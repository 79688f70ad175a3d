import type { Rule } from "../../src/core/analyze/rule.js";
import { columnConstraints } from "../../src/core/analyze/pg-ast.js";
import { baseTypeName, columnsAddedToExistingTable, isSerialType, lock, SIZE_NOTE, sizedSeverity, sizeHint } from "./_pg.js";

const rule: Rule = {
  id: "add-column-serial-or-generated",
  title: "Serial, identity or stored generated column added to an existing table",
  dialects: ["postgres"],
  severity: "error",
  docs: {
    why: `A new \`serial\`/\`bigserial\` column, an \`IDENTITY\` column or a \`GENERATED … STORED\` column needs a value for every existing row, so PostgreSQL rewrites the whole table and its indexes under an ACCESS EXCLUSIVE lock (verified: the table's relfilenode changes). Virtual generated columns (PostgreSQL 18) are computed on read and do not rewrite.\n\n${SIZE_NOTE}`,
    locks: [{ on: "altered table", mode: "ACCESS EXCLUSIVE", relation: "orders" }],
    work: "rewrite",
    versions: "Stored generated columns exist since PostgreSQL 12, identity columns since 10, virtual generated columns (the default without STORED) since 18.",
    safeAlternative: [
      "1. Add a plain nullable column (`ADD COLUMN <col> bigint`).",
      "2. For identity/serial: create a sequence, `ALTER COLUMN <col> SET DEFAULT nextval('<seq>')` (metadata only), backfill old rows in batches.",
      "3. For a generated value: fill it from a trigger or the application, backfill in batches; on PostgreSQL 18 consider a VIRTUAL generated column.",
      "4. Add NOT NULL later with the CHECK … NOT VALID recipe.",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TABLE orders (id bigint PRIMARY KEY, total numeric(10,2));",
    bad: [
      "ALTER TABLE orders ADD COLUMN seq bigserial;",
      "ALTER TABLE orders ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;",
      "ALTER TABLE orders ADD COLUMN total_cents bigint GENERATED ALWAYS AS ((total * 100)::bigint) STORED;",
    ],
    good: [
      "ALTER TABLE orders ADD COLUMN seq bigint;",
      { sql: "ALTER TABLE orders ADD COLUMN total_cents bigint GENERATED ALWAYS AS ((total * 100)::bigint) VIRTUAL;", config: { postgres_version: 18 } },
      "CREATE TABLE refunds (id bigint);\nALTER TABLE refunds ADD COLUMN seq bigserial;",
    ],
  },
  check(statement, { state, config }) {
    const added = columnsAddedToExistingTable(statement, state);
    if (!added) return;
    const { table } = added;
    const hits = [];
    for (const def of added.defs) {
      const constraints = columnConstraints(def);
      const type = baseTypeName(def?.typeName);
      let what: string | undefined;
      if (isSerialType(type)) what = `a ${type} column`;
      else if (constraints.some((c) => c.contype === "CONSTR_IDENTITY")) what = "an identity column";
      else if (constraints.some((c) => c.contype === "CONSTR_GENERATED" && c.generated_kind === "s")) what = "a stored generated column";
      if (!what) continue;
      hits.push({
        message: `Adding \`${def.colname}\` as ${what} rewrites \`${table}\`${sizeHint(config, table)} and its indexes under an ACCESS EXCLUSIVE lock.`,
        severity: sizedSeverity(config, table, "error"),
        locks: [lock(table, "ACCESS EXCLUSIVE")],
        help: "Add a plain column, set its default for new rows, and backfill existing rows in batches.",
      });
    }
    return hits;
  },
};

export default rule;
