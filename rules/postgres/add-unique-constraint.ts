import type { Rule } from "../../src/core/analyze/rule.js";
import { addedKeyConstraints } from "./_keys.js";
import { existingAlteredTable, lock, SIZE_NOTE, sizedSeverity, sizeHint } from "./_pg.js";

const rule: Rule = {
  id: "add-unique-constraint",
  title: "UNIQUE constraint that builds its index under ACCESS EXCLUSIVE",
  dialects: ["postgres"],
  severity: "error",
  docs: {
    why: `\`ADD CONSTRAINT … UNIQUE\` (or \`ADD COLUMN … UNIQUE\`) builds a new unique index while holding an ACCESS EXCLUSIVE lock on the table: no reads or writes until every row is indexed. It also fails if existing rows contain duplicates.\n\n${SIZE_NOTE}`,
    locks: [
      { on: "altered table", mode: "ACCESS EXCLUSIVE", relation: "orders" },
      { on: "new index", mode: "ACCESS EXCLUSIVE", relation: "orders_number_key" },
    ],
    work: "scan and index build",
    safeAlternative: [
      "1. `CREATE UNIQUE INDEX CONCURRENTLY <name> ON <table> (<cols>);` outside a transaction (reads and writes continue; fails on duplicates, leaving an INVALID index to drop).",
      "2. `ALTER TABLE <table> ADD CONSTRAINT <name> UNIQUE USING INDEX <name>;` — metadata only, brief ACCESS EXCLUSIVE.",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TABLE orders (id bigint PRIMARY KEY, number text);",
    bad: ["ALTER TABLE orders ADD CONSTRAINT orders_number_key UNIQUE (number);"],
    good: [
      "CREATE UNIQUE INDEX CONCURRENTLY orders_number_key ON orders (number);\nALTER TABLE orders ADD CONSTRAINT orders_number_key UNIQUE USING INDEX orders_number_key;",
      "CREATE TABLE coupons (id bigint, code text);\nALTER TABLE coupons ADD CONSTRAINT coupons_code_key UNIQUE (code);",
    ],
  },
  check(statement, { state, config }) {
    const table = existingAlteredTable(statement, state);
    if (!table) return;
    return addedKeyConstraints(statement, "CONSTR_UNIQUE").map((k) => ({
      message: `Adding UNIQUE (${k.columns.join(", ")}) on \`${table}\`${sizeHint(config, table)} builds the index under an ACCESS EXCLUSIVE lock: no reads or writes until it is built.`,
      severity: sizedSeverity(config, table, "error"),
      locks: [lock(table, "ACCESS EXCLUSIVE")],
      help: `CREATE UNIQUE INDEX CONCURRENTLY ${k.name ?? "<name>"} ON ${table} (${k.columns.join(", ")}); then ADD CONSTRAINT ${k.name ?? "<name>"} UNIQUE USING INDEX ${k.name ?? "<name>"}.`,
    }));
  },
};

export default rule;
