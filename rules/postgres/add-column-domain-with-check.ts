import type { Rule } from "../../src/core/analyze/rule.js";
import { names, stripPublic } from "../../src/core/analyze/pg-ast.js";
import { columnsAddedToExistingTable, lock, SIZE_NOTE, sizedSeverity, sizeHint } from "./_pg.js";

const SETUP = "CREATE TABLE orders (id bigint PRIMARY KEY);\nCREATE DOMAIN positive_int AS int CHECK (VALUE > 0);";

const rule: Rule = {
  id: "add-column-domain-with-check",
  title: "Column added with a domain type that has a CHECK",
  dialects: ["postgres"],
  severity: "error",
  docs: {
    why: `Adding a column whose type is a domain with a CHECK constraint rewrites the whole table and its indexes under an ACCESS EXCLUSIVE lock, even without a DEFAULT: PostgreSQL evaluates the domain's constraints for every existing row and does it by rewriting (measured on PostgreSQL 15: new relfilenode for the table and each index). The same column with the domain's base type is metadata only. The rule knows a domain has a CHECK when a migration it analyzed created it (or added the CHECK).\n\n${SIZE_NOTE}`,
    locks: [{ on: "altered table", mode: "ACCESS EXCLUSIVE", relation: "orders" }],
    work: "rewrite",
    safeAlternative: [
      "1. Add the column with the domain's base type: `ALTER TABLE <table> ADD COLUMN <col> int;` (metadata only).",
      "2. Add the rule as a table CHECK without a scan: `ALTER TABLE <table> ADD CONSTRAINT <name> CHECK (<col> > 0) NOT VALID;`, then `VALIDATE CONSTRAINT` in a later transaction.",
      "3. Switch the column to the domain later only if you need it, when the table is small or during a maintenance window.",
    ].join("\n"),
  },
  examples: {
    setup: SETUP,
    bad: [{ sql: "ALTER TABLE orders ADD COLUMN quantity positive_int;", files: { "migrations/0000_setup.sql": SETUP } }],
    good: [
      { sql: "ALTER TABLE orders ADD COLUMN quantity int;", files: { "migrations/0000_setup.sql": SETUP } },
      {
        sql: "CREATE DOMAIN order_code AS text;\nALTER TABLE orders ADD COLUMN code order_code;",
        files: { "migrations/0000_setup.sql": SETUP },
        note: "a domain without a CHECK: metadata only",
      },
      { sql: "CREATE TABLE refunds (id bigint);\nALTER TABLE refunds ADD COLUMN quantity positive_int;", files: { "migrations/0000_setup.sql": SETUP } },
    ],
  },
  check(statement, { state, config }) {
    const added = columnsAddedToExistingTable(statement, state);
    if (!added) return;
    const { table } = added;
    return added.defs
      .filter((def) => state.domainsWithCheck.has(stripPublic(names(def.typeName?.names).join("."))))
      .map((def) => ({
        message: `Adding \`${def.colname}\` of domain \`${names(def.typeName?.names).join(".")}\`, which has a CHECK, rewrites \`${table}\`${sizeHint(config, table)} and its indexes under an ACCESS EXCLUSIVE lock: no reads or writes until it ends.`,
        severity: sizedSeverity(config, table, "error"),
        locks: [lock(table, "ACCESS EXCLUSIVE")],
        help: `Add the column with the domain's base type and a CHECK … NOT VALID on the table, validated later.`,
      }));
  },
};

export default rule;
