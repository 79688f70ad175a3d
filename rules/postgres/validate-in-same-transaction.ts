import type { Rule } from "../../src/core/analyze/rule.js";
import { alterCommands } from "../../src/core/analyze/pg-ast.js";
import { existingAlteredTable, lock } from "./_pg.js";

const rule: Rule = {
  id: "validate-in-same-transaction",
  title: "VALIDATE CONSTRAINT in the same transaction as its NOT VALID",
  dialects: ["postgres"],
  severity: "error",
  docs: {
    why: "Adding a constraint NOT VALID and validating it later exists so that the validation scan runs under a weak lock. Validated in the same transaction, the scan runs while the transaction still holds the lock the ADD took (ACCESS EXCLUSIVE for a CHECK, SHARE ROW EXCLUSIVE on both tables for a foreign key): nothing was gained.",
    locks: [{ on: "altered table (held since the ADD)", mode: "ACCESS EXCLUSIVE", relation: "orders" }],
    work: "scan",
    safeAlternative: [
      "1. Commit after `ADD CONSTRAINT … NOT VALID` (or put it in its own migration).",
      "2. Run `ALTER TABLE <table> VALIDATE CONSTRAINT <name>;` in a new transaction, ideally a later migration.",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TABLE orders (id bigint PRIMARY KEY, total numeric(10,2));",
    bad: [
      {
        sql: "ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;",
        config: { transaction: "per-file" },
        note: "the tool wraps the file in one transaction",
      },
    ],
    good: [
      "ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;",
      "BEGIN;\nALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0) NOT VALID;\nCOMMIT;\nALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;",
      {
        sql: "CREATE TABLE refunds (id bigint, amount numeric);\nALTER TABLE refunds ADD CONSTRAINT refunds_amount_positive CHECK (amount > 0) NOT VALID;\nALTER TABLE refunds VALIDATE CONSTRAINT refunds_amount_positive;",
        config: { transaction: "per-file" },
        note: "the table is created in the same migration: empty, nothing to scan",
      },
    ],
  },
  check(statement, { state }) {
    // A table created earlier in the change is empty: its validation scans nothing.
    const table = existingAlteredTable(statement, state);
    if (!table || !state.inTransaction) return;
    for (const cmd of alterCommands(statement.ast)) {
      if (cmd.subtype !== "AT_ValidateConstraint" || !state.notValidInTransaction.has(cmd.name)) continue;
      const held = state.heldLocks.get(table) ?? "ACCESS EXCLUSIVE";
      return {
        message: `\`${cmd.name}\` is validated in the same transaction that added it NOT VALID: the scan runs while the ${held} lock from the ADD is still held.`,
        locks: [lock(table, held)],
        help: "Commit between the ADD … NOT VALID and the VALIDATE, or validate in a later migration.",
      };
    }
    return undefined;
  },
};

export default rule;
