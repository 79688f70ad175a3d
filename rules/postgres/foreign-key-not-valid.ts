import type { Rule } from "../../src/core/analyze/rule.js";
/* eslint-disable @typescript-eslint/no-explicit-any */
import { alterCommands, names, relationName, stripPublic } from "../../src/core/analyze/pg-ast.js";
import { notValidFix, notValidHelp } from "./_constraints.js";
import { existingAlteredTable, lock, SIZE_NOTE, sizedSeverity, sizeHint } from "./_pg.js";

const rule: Rule = {
  id: "foreign-key-not-valid",
  title: "Foreign key added without NOT VALID on an existing table",
  dialects: ["postgres"],
  severity: "error",
  docs: {
    why: `Adding a foreign key checks every existing row of the referencing table while holding SHARE ROW EXCLUSIVE locks on **both** tables: writes to the referencing table and to the referenced table (deletes, updates, inserts) wait for the whole scan. A foreign key added in one statement with its new column (\`ADD COLUMN … REFERENCES\`, no default) checks nothing: the column holds only NULLs, so PostgreSQL skips the scan (measured on PostgreSQL 15: no sequential scan, no rewrite). Added in a separate \`ADD CONSTRAINT\` after the column, it scans every row even though they are all NULL; with a non-null DEFAULT on the new column, the one-statement form scans too, under ACCESS EXCLUSIVE.\n\n${SIZE_NOTE}`,
    locks: [
      { on: "altered (referencing) table", mode: "SHARE ROW EXCLUSIVE", relation: "orders" },
      { on: "referenced table", mode: "SHARE ROW EXCLUSIVE", relation: "customers" },
    ],
    work: "scan",
    versions: "NOT VALID foreign keys exist in every supported version. VALIDATE CONSTRAINT takes SHARE UPDATE EXCLUSIVE on the referencing table and ROW SHARE on the referenced one: reads and writes continue.",
    safeAlternative: [
      "1. `ALTER TABLE <table> ADD CONSTRAINT <name> FOREIGN KEY (<cols>) REFERENCES <parent> (<cols>) NOT VALID;` — metadata only, new rows are checked from now on.",
      "2. In a separate transaction (or migration): `ALTER TABLE <table> VALIDATE CONSTRAINT <name>;` — scans without blocking reads or writes.",
      "3. For a new column without a default: one statement, `ALTER TABLE <table> ADD COLUMN <col> bigint REFERENCES <parent> (<cols>);`, adds the key without any scan. With a default: add the column first, then the constraint as in steps 1–2.",
      "4. Make sure the referencing columns are indexed (CREATE INDEX CONCURRENTLY) before deleting from the parent.",
    ].join("\n"),
  },
  examples: {
    setup:
      "CREATE TABLE customers (id bigint PRIMARY KEY); CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint); CREATE INDEX orders_customer_idx ON orders (customer_id);",
    bad: [
      "ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id);",
      {
        sql: "ALTER TABLE orders ADD COLUMN buyer_id bigint;\nALTER TABLE orders ADD CONSTRAINT orders_buyer_fk FOREIGN KEY (buyer_id) REFERENCES customers (id);",
        note: "the column is new, yet the separate ADD CONSTRAINT scans every row (measured on PostgreSQL 15)",
      },
      {
        sql: "ALTER TABLE orders ADD COLUMN buyer_id bigint DEFAULT 1 REFERENCES customers (id);",
        note: "a non-null default fills the column: the key is checked over every row",
        locks: [
          { on: "altered (referencing) table", mode: "ACCESS EXCLUSIVE", relation: "orders" },
          { on: "referenced table", mode: "SHARE ROW EXCLUSIVE", relation: "customers" },
        ],
      },
    ],
    good: [
      "ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_customer_fk;",
      "CREATE TABLE refunds (id bigint PRIMARY KEY, order_id bigint);\nALTER TABLE refunds ADD CONSTRAINT refunds_order_fk FOREIGN KEY (order_id) REFERENCES orders (id);",
      "CREATE TABLE payments (id bigint PRIMARY KEY, order_id bigint REFERENCES orders (id));",
      {
        sql: "ALTER TABLE orders ADD COLUMN buyer_id bigint REFERENCES customers (id);",
        note: "one statement, no default: the new column is all NULL and PostgreSQL skips the check (measured on PostgreSQL 15)",
      },
    ],
  },
  check(statement, context) {
    const table = existingAlteredTable(statement, context.state);
    if (!table) return;
    const hits = [];
    for (const cmd of alterCommands(statement.ast)) {
      const constraint = cmd.def?.Constraint;
      if (cmd.subtype === "AT_AddConstraint" && constraint?.contype === "CONSTR_FOREIGN" && !constraint.skip_validation) {
        const parent = relationName(constraint.pktable);
        const name: string | undefined = constraint.conname || undefined;
        const columns = names(constraint.fk_attrs);
        const newColumn = columns.length === 1 && context.state.columnsAddedInChange.has(`${stripPublic(table)}.${columns[0]}`);
        hits.push({
          message: `Foreign key ${name ? `\`${name}\` ` : ""}on \`${table}\`${sizeHint(context.config, table)} → \`${parent}\` is validated now: writes to both tables wait while every row is checked${newColumn ? ` (even though \`${columns[0]}\` was just added and holds only NULLs)` : ""}. Add it NOT VALID and VALIDATE it separately.`,
          severity: sizedSeverity(context.config, table, "error"),
          locks: [lock(table, "SHARE ROW EXCLUSIVE"), lock(parent, "SHARE ROW EXCLUSIVE")],
          fix: notValidFix(statement, context, table, name),
          help: newColumn
            ? `Declare the key with the column in one statement, \`ALTER TABLE ${table} ADD COLUMN ${columns[0]} … REFERENCES ${parent} (…)\`: a new column without a default is all NULL and PostgreSQL skips the scan. Or: ${notValidHelp(context, name)}`
            : notValidHelp(context, name),
        });
      }
      if (cmd.subtype === "AT_AddColumn") {
        const constraints = cmd.def?.ColumnDef?.constraints ?? [];
        // Without a value for existing rows the new column is all NULL: PostgreSQL checks nothing.
        if (!fillsExistingRows(cmd.def?.ColumnDef)) continue;
        for (const c of constraints) {
          if (c.Constraint?.contype !== "CONSTR_FOREIGN") continue;
          const parent = relationName(c.Constraint.pktable);
          const column = cmd.def.ColumnDef.colname;
          hits.push({
            message: `\`ADD COLUMN ${column} … REFERENCES ${parent}\` fills the new column for every row and checks the foreign key over all of them while \`${table}\` is locked ACCESS EXCLUSIVE and \`${parent}\` SHARE ROW EXCLUSIVE: add the column, then the constraint NOT VALID, then VALIDATE.`,
            severity: sizedSeverity(context.config, table, "warning") ?? "warning",
            locks: [lock(table, "ACCESS EXCLUSIVE"), lock(parent, "SHARE ROW EXCLUSIVE")],
            help: `ALTER TABLE ${table} ADD COLUMN ${column} ${names(cmd.def.ColumnDef.typeName?.names).slice(-1)[0] ?? "…"}; ALTER TABLE ${table} ADD CONSTRAINT … FOREIGN KEY (${column}) REFERENCES ${parent} NOT VALID; then VALIDATE CONSTRAINT in its own transaction.`,
          });
        }
      }
    }
    return hits;
  },
};

/** The new column gets a non-NULL value in existing rows (a default, identity, generated, serial). */
export function fillsExistingRows(column: any): boolean {
  if (/^(small|big)?serial[248]?$/.test(names(column?.typeName?.names).slice(-1)[0] ?? "")) return true;
  return (column?.constraints ?? []).some((c: any) => {
    const con = c.Constraint;
    if (con?.contype === "CONSTR_IDENTITY" || con?.contype === "CONSTR_GENERATED") return true;
    return con?.contype === "CONSTR_DEFAULT" && !con.raw_expr?.A_Const?.isnull;
  });
}

export default rule;
