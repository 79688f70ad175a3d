import type { Rule } from "../../src/core/analyze/rule.js";
import { names } from "../../src/core/analyze/pg-ast.js";

const rule: Rule = {
  id: "create-enum",
  title: "New enum type (consider a lookup table or a CHECK)",
  dialects: ["postgres"],
  severity: "warning",
  optIn: true,
  docs: {
    why: "Enum values can be added but never removed or reordered without recreating the type and rewriting every column that uses it; before PostgreSQL 12 `ADD VALUE` cannot run in a transaction, and from 12 a value added in a transaction cannot be used until it commits. A lookup table with a foreign key, or a `text` column with a CHECK, changes with ordinary, online DDL. Opt-in (Eugene W13): enums are fine for sets that never shrink.",
    locks: [],
    work: "none",
    safeAlternative: [
      "1. Create a lookup table: `CREATE TABLE order_statuses (name text PRIMARY KEY);` and insert the values.",
      "2. Reference it: `status text REFERENCES order_statuses (name)`, or use `status text CHECK (status IN (…))`.",
      "3. To add a value later insert a row (or replace the CHECK with `NOT VALID` + `VALIDATE`).",
    ].join("\n"),
  },
  examples: {
    bad: ["CREATE TYPE order_status AS ENUM ('new', 'paid', 'shipped');"],
    good: [
      "CREATE TABLE order_statuses (name text PRIMARY KEY);\nINSERT INTO order_statuses VALUES ('new'), ('paid'), ('shipped');",
      "CREATE TYPE money_amount AS (currency text, cents bigint);",
    ],
  },
  check(statement) {
    if (statement.kind !== "CreateEnumStmt") return;
    const name = names(statement.ast.typeName).join(".");
    return {
      message: `New enum type \`${name}\`: its values can never be removed or reordered without rewriting every column that uses it.`,
      help: "Prefer a lookup table with a foreign key, or a text column with a CHECK.",
    };
  },
};

export default rule;
