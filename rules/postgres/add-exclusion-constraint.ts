import type { Rule } from "../../src/core/analyze/rule.js";
import { alterCommands } from "../../src/core/analyze/pg-ast.js";
import { existingAlteredTable, lock, SIZE_NOTE, sizedSeverity, sizeHint } from "./_pg.js";

const rule: Rule = {
  id: "add-exclusion-constraint",
  title: "EXCLUDE constraint added to an existing table",
  dialects: ["postgres"],
  severity: "error",
  docs: {
    why: `\`ADD CONSTRAINT … EXCLUDE\` builds its index and checks every row under an ACCESS EXCLUSIVE lock. Unlike UNIQUE and PRIMARY KEY there is no \`USING INDEX\` form and no NOT VALID: PostgreSQL offers no online way to add one.\n\n${SIZE_NOTE}`,
    locks: [
      { on: "altered table", mode: "ACCESS EXCLUSIVE", relation: "bookings" },
      { on: "new index", mode: "ACCESS EXCLUSIVE", relation: "bookings_no_overlap" },
    ],
    work: "scan and index build",
    safeAlternative: [
      "1. Add it while the table is small, or in a maintenance window with a short `lock_timeout` and retries.",
      "2. Alternatively enforce the rule with a trigger on new rows first, clean existing data, then add the constraint at a quiet time.",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TABLE bookings (id bigint PRIMARY KEY, room int, during tstzrange);",
    bad: ["ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap EXCLUDE USING gist (during WITH &&);"],
    good: ["CREATE TABLE rentals (id bigint, during tstzrange);\nALTER TABLE rentals ADD CONSTRAINT rentals_no_overlap EXCLUDE USING gist (during WITH &&);"],
  },
  check(statement, { state, config }) {
    const table = existingAlteredTable(statement, state);
    if (!table) return;
    const added = alterCommands(statement.ast).some((c) => c.subtype === "AT_AddConstraint" && c.def?.Constraint?.contype === "CONSTR_EXCLUSION");
    if (!added) return;
    return {
      message: `Adding an EXCLUDE constraint on \`${table}\`${sizeHint(config, table)} builds its index and checks all rows under an ACCESS EXCLUSIVE lock; there is no online alternative.`,
      severity: sizedSeverity(config, table, "error"),
      locks: [lock(table, "ACCESS EXCLUSIVE")],
    };
  },
};

export default rule;
