import type { Rule } from "../../src/core/analyze/rule.js";
import { alterCommands } from "../../src/core/analyze/pg-ast.js";
import { notValidFix, notValidHelp } from "./_constraints.js";
import { existingAlteredTable, lock, SIZE_NOTE, sizedSeverity, sizeHint } from "./_pg.js";

const rule: Rule = {
  id: "check-constraint-not-valid",
  title: "CHECK constraint added without NOT VALID on an existing table",
  dialects: ["postgres"],
  severity: "error",
  docs: {
    why: `\`ADD CONSTRAINT … CHECK\` verifies every existing row while holding an ACCESS EXCLUSIVE lock: no reads and no writes on the table until the scan ends.\n\n${SIZE_NOTE}`,
    locks: [{ on: "altered table", mode: "ACCESS EXCLUSIVE", relation: "orders" }],
    work: "scan",
    versions: "NOT VALID CHECK constraints exist in every supported version; VALIDATE CONSTRAINT takes only SHARE UPDATE EXCLUSIVE.",
    safeAlternative: [
      "1. `ALTER TABLE <table> ADD CONSTRAINT <name> CHECK (<expr>) NOT VALID;` — instant; new and updated rows are checked from now on.",
      "2. In a separate transaction: `ALTER TABLE <table> VALIDATE CONSTRAINT <name>;` — scans while reads and writes continue.",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TABLE orders (id bigint PRIMARY KEY, total numeric(10,2));",
    bad: [
      "ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0);",
      "ALTER TABLE orders ADD CHECK (total IS NOT NULL);",
    ],
    good: [
      "ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;",
      "CREATE TABLE refunds (id bigint, amount numeric);\nALTER TABLE refunds ADD CONSTRAINT refunds_amount_positive CHECK (amount > 0);",
    ],
  },
  check(statement, context) {
    const table = existingAlteredTable(statement, context.state);
    if (!table) return;
    return alterCommands(statement.ast)
      .map((cmd) => cmd.def?.Constraint)
      .filter((c) => c?.contype === "CONSTR_CHECK" && !c.skip_validation)
      .map((c) => {
        const name: string | undefined = c.conname || undefined;
        return {
          message: `CHECK constraint ${name ? `\`${name}\` ` : ""}on \`${table}\`${sizeHint(context.config, table)} is validated under an ACCESS EXCLUSIVE lock: all reads and writes wait while every row is checked.`,
          severity: sizedSeverity(context.config, table, "error"),
          locks: [lock(table, "ACCESS EXCLUSIVE")],
          fix: notValidFix(statement, context, table, name),
          help: notValidHelp(context, name),
        };
      });
  },
};

export default rule;
