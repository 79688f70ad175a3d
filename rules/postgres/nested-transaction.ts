import type { Rule } from "../../src/core/analyze/rule.js";

const rule: Rule = {
  id: "nested-transaction",
  title: "BEGIN inside a transaction that is already open",
  dialects: ["postgres"],
  severity: "warning",
  docs: {
    why: "PostgreSQL has no nested transactions: a BEGIN inside an open transaction only warns (`there is already a transaction in progress`), and the next COMMIT commits the *outer* transaction. When the migration tool wraps the file in its own transaction, the file's own BEGIN … COMMIT therefore ends the tool's transaction early: statements after it run in autocommit, and a later failure can no longer be rolled back as a whole.",
    locks: [],
    work: "none",
    safeAlternative: [
      "1. Remove BEGIN/COMMIT from files the tool already wraps in a transaction.",
      "2. If the file must control its own transactions, configure the tool to run it without one (dbmate `transaction:false`, Flyway `executeInTransaction=false`, diesel `run_in_transaction = false`). golang-migrate and Prisma open no transaction: a BEGIN … COMMIT in their files is fine.",
      "3. Use SAVEPOINT for partial rollbacks inside one transaction.",
    ].join("\n"),
  },
  examples: {
    bad: [
      { sql: "BEGIN;\nCREATE TABLE a (id int);\nCOMMIT;", config: { transaction: "per-file" } },
      "BEGIN;\nBEGIN;\nCOMMIT;",
      { sql: "-- migrate:up\nBEGIN;\nCREATE TABLE a (id int);\nCOMMIT;\n\n-- migrate:down\nDROP TABLE a;\n", path: "db/migrations/20240101000000_create_a.sql", note: "dbmate wraps the section in its own transaction" },
    ],
    good: [
      "BEGIN;\nCREATE TABLE a (id int);\nCOMMIT;",
      { sql: "BEGIN;\nCREATE TABLE a (id int);\nCOMMIT;", path: "db/migrations/000001_create_a.up.sql", note: "golang-migrate opens no transaction of its own" },
      { sql: "CREATE TABLE a (id int);\nSAVEPOINT s;\nRELEASE SAVEPOINT s;", config: { transaction: "per-file" } }],
  },
  check(statement, { state }) {
    if (statement.kind !== "TransactionStmt" || !["TRANS_STMT_BEGIN", "TRANS_STMT_START"].includes(statement.ast.kind)) return;
    // Inside a multi-statement query's implicit block BEGIN starts a regular block: no nesting.
    if (!state.explicitTransaction && !state.toolTransaction) return;
    return {
      message: state.explicitTransaction
        ? "BEGIN inside an open BEGIN block: PostgreSQL ignores it, and the next COMMIT ends the outer transaction."
        : "BEGIN inside the transaction the migration tool wraps this file in: the following COMMIT commits the tool's transaction early, and later statements run without one.",
    };
  },
};

export default rule;
