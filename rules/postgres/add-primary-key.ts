import type { Rule } from "../../src/core/analyze/rule.js";
import { addedKeyConstraints } from "./_keys.js";
import { existingAlteredTable, lock, SIZE_NOTE, sizedSeverity, sizeHint } from "./_pg.js";

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
    bad: ["ALTER TABLE orders ADD PRIMARY KEY (id);"],
    good: [
      "CREATE UNIQUE INDEX CONCURRENTLY orders_pkey ON orders (id);\nALTER TABLE orders ADD CONSTRAINT orders_pkey PRIMARY KEY USING INDEX orders_pkey;",
      "CREATE TABLE coupons (id bigint, code text);\nALTER TABLE coupons ADD PRIMARY KEY (id);",
    ],
  },
  check(statement, { state, config }) {
    const table = existingAlteredTable(statement, state);
    if (!table) return;
    return addedKeyConstraints(statement, "CONSTR_PRIMARY").map((k) => ({
      message: `Adding PRIMARY KEY (${k.columns.join(", ")}) on \`${table}\`${sizeHint(config, table)} builds the index (and checks NOT NULL) under an ACCESS EXCLUSIVE lock.`,
      severity: sizedSeverity(config, table, "error"),
      locks: [lock(table, "ACCESS EXCLUSIVE")],
      help: `CREATE UNIQUE INDEX CONCURRENTLY first, then ADD CONSTRAINT ${k.name ?? "<name>"} PRIMARY KEY USING INDEX <index>.`,
    }));
  },
};

export default rule;
