import type { Rule } from "../../src/core/analyze/rule.js";
import { columnConstraints } from "../../src/core/analyze/pg-ast.js";
import { columnsAddedToExistingTable, lock, SIZE_NOTE, sizedSeverity, sizeHint, volatility } from "./_pg.js";

const rule: Rule = {
  id: "add-column-volatile-default",
  title: "Column added with a default that rewrites the table",
  dialects: ["postgres"],
  severity: "error",
  docs: {
    why: `Adding a column with a volatile DEFAULT (\`clock_timestamp()\`, \`gen_random_uuid()\`, \`random()\`, \`nextval()\`, a function we cannot see) makes PostgreSQL compute the value for every existing row: the whole table and all its indexes are rewritten under an ACCESS EXCLUSIVE lock. Before PostgreSQL 11 *any* non-NULL default did that. Non-volatile defaults — constants, \`now()\`, \`CURRENT_TIMESTAMP\`, casts — are stored once in the catalog since 11 and are safe. Volatility comes from PostgreSQL's own catalog (\`pg_proc.provolatile\`), not a hand-written list.\n\n${SIZE_NOTE}`,
    locks: [{ on: "altered table", mode: "ACCESS EXCLUSIVE", relation: "orders" }],
    work: "rewrite",
    versions: "PostgreSQL 11+: non-volatile defaults need no rewrite. PostgreSQL 10 and older: every non-NULL default rewrites the table.",
    safeAlternative: [
      "1. Add the column without a default: `ALTER TABLE <table> ADD COLUMN <col> <type>;`.",
      "2. Set the default for new rows: `ALTER TABLE <table> ALTER COLUMN <col> SET DEFAULT <expr>;` (metadata only).",
      "3. Backfill existing rows in batches (`UPDATE … WHERE id BETWEEN …`), outside the DDL transaction.",
      "4. Add NOT NULL afterwards with the CHECK … NOT VALID recipe if needed.",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TABLE orders (id bigint PRIMARY KEY);",
    bad: [
      "ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid();",
      "ALTER TABLE orders ADD COLUMN seen_at timestamptz DEFAULT clock_timestamp();",
      { sql: "ALTER TABLE orders ADD COLUMN currency text DEFAULT 'EUR';", config: { postgres_version: 10 }, note: "before 11 every default rewrites" },
      { sql: "ALTER TABLE orders ADD COLUMN code text DEFAULT make_code();", setup: "CREATE TABLE orders (id bigint PRIMARY KEY); CREATE FUNCTION make_code() RETURNS text LANGUAGE sql VOLATILE AS $$ SELECT md5(random()::text) $$;", note: "a function the catalog list does not know counts as volatile" },
    ],
    good: [
      "ALTER TABLE orders ADD COLUMN currency text DEFAULT 'EUR';",
      "ALTER TABLE orders ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();",
      "ALTER TABLE orders ADD COLUMN created_on date DEFAULT CURRENT_DATE;",
      "ALTER TABLE orders ADD COLUMN tags text[] DEFAULT ARRAY[]::text[];",
      "ALTER TABLE orders ADD COLUMN flagged boolean DEFAULT false;",
      "ALTER TABLE orders ADD COLUMN region text DEFAULT lower('EU');",
      { sql: "ALTER TABLE orders ADD COLUMN note text DEFAULT NULL;", config: { postgres_version: 10 } },
      "CREATE TABLE refunds (id bigint);\nALTER TABLE refunds ADD COLUMN token uuid DEFAULT gen_random_uuid();",
    ],
  },
  check(statement, { state, config }) {
    const added = columnsAddedToExistingTable(statement, state);
    if (!added) return;
    const { table } = added;
    const hits = [];
    for (const def of added.defs) {
      const expr = columnConstraints(def).find((c) => c.contype === "CONSTR_DEFAULT")?.raw_expr;
      if (!expr || expr.A_Const?.isnull) continue;
      const v = volatility(expr);
      const oldVersion = state.postgresVersion < 11;
      if (!v.volatile && !oldVersion) continue;
      const reason = v.volatile
        ? v.unknown
          ? `\`${v.culprit}()\` is not a built-in function, so it may be volatile`
          : `\`${v.culprit}\` is volatile`
        : `PostgreSQL ${state.postgresVersion} rewrites for every non-NULL default`;
      hits.push({
        message: `Adding \`${def.colname}\` with this default rewrites \`${table}\`${sizeHint(config, table)} under an ACCESS EXCLUSIVE lock: ${reason}.`,
        severity: sizedSeverity(config, table, "error"),
        locks: [lock(table, "ACCESS EXCLUSIVE")],
        help: "Add the column without a default, SET DEFAULT for new rows, then backfill in batches.",
      });
    }
    return hits;
  },
};

export default rule;
