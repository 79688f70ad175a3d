import type { Rule } from "../../src/core/analyze/rule.js";
import { names } from "../../src/core/analyze/pg-ast.js";
import { appendToStatement, isExisting } from "./_pg.js";

const rule: Rule = {
  id: "alter-domain-add-constraint",
  title: "Domain constraint added without NOT VALID",
  dialects: ["postgres"],
  severity: "warning",
  docs: {
    why: "`ALTER DOMAIN … ADD CONSTRAINT` checks every column of every table that uses the domain, locking each of those tables against writes during its scan. Which tables that is cannot be seen in the migration.",
    locks: [],
    work: "scan",
    safeAlternative: [
      "1. `ALTER DOMAIN <domain> ADD CONSTRAINT <name> CHECK (…) NOT VALID;` — new values are checked from now on.",
      "2. In a later transaction: `ALTER DOMAIN <domain> VALIDATE CONSTRAINT <name>;`.",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE DOMAIN positive_int AS int;",
    bad: ["ALTER DOMAIN positive_int ADD CONSTRAINT positive CHECK (VALUE > 0);"],
    good: ["ALTER DOMAIN positive_int ADD CONSTRAINT positive CHECK (VALUE > 0) NOT VALID;", "CREATE DOMAIN code AS text;\nALTER DOMAIN code ADD CONSTRAINT short CHECK (length(VALUE) < 10);"],
  },
  check(statement, { state }) {
    const { kind, ast } = statement;
    if (kind !== "AlterDomainStmt" || ast.subtype !== "C" || ast.def?.Constraint?.skip_validation) return;
    const domain = names(ast.typeName).join(".");
    if (!isExisting(state, domain)) return;
    return {
      message: `Adding a constraint to domain \`${domain}\` checks every column that uses it, blocking writes to each of those tables during the scan.`,
      fix: state.inTransaction ? undefined : { description: "Add the domain constraint NOT VALID", edits: [appendToStatement(statement, " NOT VALID")] },
      help: "Add it NOT VALID and VALIDATE it in a later transaction.",
    };
  },
};

export default rule;
