/* eslint-disable @typescript-eslint/no-explicit-any */
import type { Rule } from "../../src/core/analyze/rule.js";
import { names } from "../../src/core/analyze/pg-ast.js";

const rule: Rule = {
  id: "create-domain-with-constraint",
  title: "Domain with a CHECK constraint",
  dialects: ["postgres"],
  severity: "warning",
  optIn: true,
  docs: {
    why: "A CHECK on a domain is checked everywhere the domain is used, and changing it is hard online: `ALTER DOMAIN … ADD CONSTRAINT` scans every column of every table using the domain while holding SHARE locks on them, and a column of a constrained domain cannot be added without a rewrite of the table (PostgreSQL must check the default against the constraint for every row). A CHECK on the column itself can be replaced with `NOT VALID` + `VALIDATE`. Opt-in (squawk `ban-create-domain-with-constraint`).",
    locks: [],
    work: "none",
    safeAlternative: [
      "1. Create the domain without the constraint (or use the base type).",
      "2. Put the CHECK on each column: `ALTER TABLE <t> ADD CONSTRAINT <name> CHECK (…) NOT VALID;` then `ALTER TABLE <t> VALIDATE CONSTRAINT <name>;`.",
    ].join("\n"),
  },
  examples: {
    bad: ["CREATE DOMAIN positive_amount AS bigint CHECK (VALUE > 0);", "CREATE DOMAIN email AS text CONSTRAINT email_has_at CHECK (VALUE LIKE '%@%');"],
    good: ["CREATE DOMAIN amount AS bigint;", { sql: "CREATE DOMAIN customer_id AS bigint NOT NULL;", note: "NOT NULL is not a CHECK" }],
  },
  check(statement) {
    if (statement.kind !== "CreateDomainStmt") return;
    const checks = (statement.ast.constraints ?? []).map((c: any) => c.Constraint).filter((c: any) => c?.contype === "CONSTR_CHECK");
    if (!checks.length) return;
    return {
      message: `Domain \`${names(statement.ast.domainname).join(".")}\` has a CHECK constraint: changing it later scans every table using the domain under lock, and adding a column of this domain rewrites the table.`,
      help: "Put the CHECK on the columns instead (NOT VALID + VALIDATE).",
    };
  },
};

export default rule;
