import type { Rule } from "../../src/core/analyze/rule.js";
import { alterCommands, relationName, stripPublic } from "../../src/core/analyze/pg-ast.js";
import type { AnalysisState } from "../../src/core/analyze/state.js";
import type { Statement } from "../../src/core/parse/index.js";
import { existingAlteredTable, laterInTransaction, lock } from "./_pg.js";

const rule: Rule = {
  id: "drop-constraint",
  title: "Dropping a constraint from an existing table",
  dialects: ["postgres"],
  severity: "warning",
  docs: {
    why: "`DROP CONSTRAINT` takes a brief ACCESS EXCLUSIVE lock on the table (and, for a foreign key, on the referenced table too), and removes a guarantee the data had: from the next write on, rows the constraint used to refuse (orphans, duplicates, out-of-range values) can appear, and putting the constraint back later needs a full validation. Dropping a primary key or unique constraint also drops its index, which can turn indexed lookups into sequential scans. A constraint dropped and re-created in the same transaction (same name, or the same kind as its default name says) is a replacement, not a removal: the rules for the new constraint judge it (its validation scan, its lock).",
    locks: [{ on: "altered table", mode: "ACCESS EXCLUSIVE", relation: "orders" }],
    work: "metadata only",
    safeAlternative: [
      "1. Make sure no code relies on the guarantee (error handling for unique violations, cascades, ON CONFLICT targets).",
      "2. If the constraint is being replaced, add the new one first (`NOT VALID`, then `VALIDATE CONSTRAINT`), and drop the old one in a later migration.",
      "3. For a primary key or unique constraint, build the replacement index `CONCURRENTLY` before dropping, so queries keep an index.",
      "4. Set `lock_timeout` so the brief ACCESS EXCLUSIVE lock cannot queue behind long transactions.",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TABLE customers (id bigint PRIMARY KEY);\nCREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint CONSTRAINT orders_customer_id_fkey REFERENCES customers (id), total numeric CONSTRAINT orders_total_check CHECK (total >= 0));",
    bad: [
      {
        sql: "ALTER TABLE orders DROP CONSTRAINT orders_customer_id_fkey;",
        note: "a foreign key: its triggers live on both tables, so the referenced table is locked too (measured on PostgreSQL 15)",
        locks: [
          { on: "altered table", mode: "ACCESS EXCLUSIVE", relation: "orders" },
          { on: "referenced table", mode: "ACCESS EXCLUSIVE", relation: "customers" },
        ],
      },
      "ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_total_check;",
      {
        sql: "ALTER TABLE orders DROP CONSTRAINT orders_total_check;\nCOMMIT;\nALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0) NOT VALID;",
        config: { transaction: "per-file" },
        note: "re-created after the transaction ended: in between, rows the constraint refused can be written",
      },
    ],
    good: [
      "CREATE TABLE drafts (id bigint, body text CONSTRAINT drafts_body_check CHECK (body <> ''));\nALTER TABLE drafts DROP CONSTRAINT drafts_body_check;",
      {
        sql: "ALTER TABLE orders DROP CONSTRAINT orders_status_check;",
        files: { "migrations/0001_example.sql": "ALTER TABLE orders ADD CONSTRAINT orders_status_check CHECK (status <> '') NOT VALID;" },
        path: "migrations/0001_example.down.sql",
        note: "the rollback drops the constraint its up migration added",
      },
      {
        sql: "ALTER TABLE orders DROP CONSTRAINT orders_total_check, ADD CONSTRAINT orders_total_check CHECK (total >= 0 AND total < 1000000) NOT VALID;",
        note: "a replacement in one statement: the new definition is judged (its validation), not a removal",
      },
      {
        sql: "BEGIN;\nALTER TABLE orders DROP CONSTRAINT orders_customer_id_fkey;\nALTER TABLE orders ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE NOT VALID;\nCOMMIT;",
        note: "dropped and re-created in the same transaction: no moment without the guarantee",
      },
    ],
  },
  check(statement, { state, script }) {
    const table = existingAlteredTable(statement, state);
    if (!table) return;
    const drops = alterCommands(statement.ast).filter((c) => c.subtype === "AT_DropConstraint" && !state.constraintsAddedInChange.has(`${stripPublic(table)}:${c.name}`));
    // The rest of the transaction is read only for a drop (it was read for every ALTER TABLE).
    if (!drops.length) return;
    const added = addedInSameTransaction(statement, script.statements, state, table);
    return drops
      .filter((c) => !replaces(c.name, added))
      .map((c) => ({
        message: `Dropping constraint \`${c.name}\` from \`${table}\` removes a guarantee the data had; restoring it later needs a full validation.`,
        locks: [lock(table, "ACCESS EXCLUSIVE")],
        help: "Add any replacement first and make sure no code relies on the guarantee; drop it in a later migration with lock_timeout set.",
      }));
  },
};

/** Constraints (name, kind) added to `table` by this statement or a later one of the same transaction. */
function addedInSameTransaction(statement: Statement, statements: Statement[], state: AnalysisState, table: string): { name?: string; contype: string }[] {
  const added: { name?: string; contype: string }[] = [];
  const collect = (s: Statement) => {
    if (s.kind !== "AlterTableStmt" || stripPublic(relationName(s.ast.relation)) !== stripPublic(table)) return;
    for (const cmd of alterCommands(s.ast)) {
      const constraint = cmd.def?.Constraint;
      if (cmd.subtype === "AT_AddConstraint" && constraint) added.push({ name: constraint.conname, contype: constraint.contype });
    }
  };
  collect(statement);
  // Outside a transaction the table is without the guarantee between the statements: not a replacement.
  laterInTransaction(statement, statements, state).forEach(collect);
  return added;
}

// PostgreSQL's default constraint names end in the kind: orders_total_check, orders_customer_id_fkey…
const KIND_BY_SUFFIX: [RegExp, string][] = [
  [/_check$/, "CONSTR_CHECK"],
  [/_fkey$/, "CONSTR_FOREIGN"],
  [/_pkey$/, "CONSTR_PRIMARY"],
  [/_key$/, "CONSTR_UNIQUE"],
  [/_excl$/, "CONSTR_EXCLUSION"],
];

/** The drop is a replacement: a constraint of that name, or of the kind its name says, is added back. */
function replaces(dropped: string | undefined, added: { name?: string; contype: string }[]): boolean {
  if (!dropped) return false;
  if (added.some((a) => a.name === dropped)) return true;
  const kind = KIND_BY_SUFFIX.find(([suffix]) => suffix.test(dropped))?.[1];
  return kind !== undefined && added.some((a) => a.contype === kind);
}

export default rule;
