import type { Rule } from "../../src/core/analyze/rule.js";
import { alterCommands, stripPublic } from "../../src/core/analyze/pg-ast.js";
import { tablePassWork } from "../../src/core/risk/work.js";
import { existingAlteredTable } from "./_pg.js";

const VERB: Partial<Record<string, string>> = { rewrite: "rewrites", copy: "copies", "index build": "builds an index over", "scan and index build": "scans and indexes" };
const SEPARATE_BY_DESIGN = new Set(["AT_ValidateConstraint", "AT_DropConstraint"]);

const rule: Rule = {
  id: "multiple-alters-same-table",
  title: "Several ALTER TABLE statements on one table in one transaction",
  dialects: ["postgres"],
  severity: "info",
  docs: {
    why: "Each ALTER TABLE that scans or rewrites an existing table (SET NOT NULL, a validated CHECK, a type change that rewrites, a volatile default) reads the whole table again, while the transaction holds its lock across all of them. One ALTER TABLE with comma-separated subcommands does that work in one pass. Only this work counts: a FOREIGN KEY check and an index build scan the table on their own whether or not the subcommands are combined (measured on PostgreSQL 15), catalog-only steps (ADD COLUMN with a constant default, DROP DEFAULT, RENAME) cost nothing to keep apart, and VALIDATE CONSTRAINT and DROP CONSTRAINT steps, which recipes keep separate on purpose, are not counted.",
    locks: [],
    work: "none",
    safeAlternative: "1. Combine the subcommands: `ALTER TABLE <table> ADD COLUMN a int, ADD COLUMN b text, ALTER COLUMN c SET DEFAULT 0;`.",
  },
  examples: {
    setup: "CREATE TABLE orders (id bigint PRIMARY KEY, region text, tier text);",
    bad: [
      { sql: "ALTER TABLE orders ALTER COLUMN region SET NOT NULL;\nALTER TABLE orders ALTER COLUMN tier SET NOT NULL;", config: { transaction: "per-file" } },
      { sql: "ALTER TABLE orders ALTER COLUMN id TYPE numeric;\nALTER TABLE orders ADD CONSTRAINT orders_tier_check CHECK (tier <> '');", config: { transaction: "per-file" } },
    ],
    good: [
      { sql: "ALTER TABLE orders ALTER COLUMN region SET NOT NULL, ALTER COLUMN tier SET NOT NULL;", config: { transaction: "per-file" } },
      "ALTER TABLE orders ALTER COLUMN region SET NOT NULL;\nALTER TABLE orders ALTER COLUMN tier SET NOT NULL;",
      {
        sql: "ALTER TABLE orders ADD COLUMN note text DEFAULT '';\nALTER TABLE orders ALTER COLUMN note DROP DEFAULT;",
        config: { transaction: "per-file" },
        note: "what Prisma generates: both only touch the catalog, nothing to save by combining them",
      },
      { sql: "ALTER TABLE orders ADD COLUMN note text;\nALTER TABLE orders ALTER COLUMN region SET NOT NULL;", config: { transaction: "per-file" } },
      {
        sql: "CREATE TABLE regions (code text PRIMARY KEY);\nALTER TABLE orders ALTER COLUMN tier SET NOT NULL;\nALTER TABLE orders ADD CONSTRAINT orders_region_fk FOREIGN KEY (region) REFERENCES regions (code);",
        config: { transaction: "per-file" },
        note: "the FOREIGN KEY check is its own scan: combining it with SET NOT NULL saves nothing",
      },
      {
        sql: "ALTER TABLE orders ALTER COLUMN tier SET NOT NULL;\nALTER TABLE orders ADD CONSTRAINT orders_region_key UNIQUE (region);",
        config: { transaction: "per-file" },
        note: "an index build is its own pass over the table",
      },
      {
        sql: "ALTER TABLE orders ADD CONSTRAINT orders_id_nn CHECK (id IS NOT NULL) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_id_nn;",
        config: { transaction: "per-file" },
      },
    ],
  },
  check(statement, { state }) {
    if (!state.inTransaction) return;
    const table = existingAlteredTable(statement, state);
    if (!table) return;
    if (alterCommands(statement.ast).every((c) => SEPARATE_BY_DESIGN.has(c.subtype))) return;
    const work = tablePassWork(statement, state.postgresVersion);
    if (!work) return;
    const earlier = state.altersInScript.get(stripPublic(table)) ?? 0;
    if (earlier < 1) return;
    return {
      message: `This ALTER TABLE ${VERB[work.work] ?? "scans"} \`${table}\`${work.note ? ` (${work.note})` : ""}, and ${earlier === 1 ? "1 earlier ALTER TABLE" : `${earlier} earlier ALTER TABLE statements`} of this transaction already ${earlier === 1 ? "scans or rewrites" : "scan or rewrite"} it: combine them into one ALTER TABLE so the table is read once.`,
    };
  },
};

export default rule;
