import type { Rule } from "../../src/core/analyze/rule.js";

const rule: Rule = {
  id: "uncommitted-transaction",
  title: "BEGIN without COMMIT at the end of the file",
  dialects: ["postgres"],
  severity: "error",
  docs: {
    why: "A file that opens a transaction with BEGIN and never commits leaves it open: with psql the changes are rolled back at disconnect, with a pooled connection the transaction — and every lock it took — stays open and blocks the table until someone kills the session.",
    locks: [],
    work: "none",
    safeAlternative: "1. End every BEGIN with COMMIT (or ROLLBACK) in the same file.",
  },
  examples: {
    bad: ["BEGIN;\nCREATE TABLE a (id int);", "CREATE TABLE a (id int);\nBEGIN;"],
    good: ["BEGIN;\nCREATE TABLE a (id int);\nCOMMIT;", "CREATE TABLE a (id int);"],
  },
  check(statement, { state, script }) {
    if (statement.index !== script.statements.length - 1 || statement.kind === "TransactionStmt" && ["TRANS_STMT_COMMIT", "TRANS_STMT_ROLLBACK"].includes(statement.ast.kind)) return;
    const opensHere = statement.kind === "TransactionStmt" && ["TRANS_STMT_BEGIN", "TRANS_STMT_START"].includes(statement.ast.kind);
    if (!opensHere && !state.explicitTransaction) return;
    return { message: "The file ends inside a transaction opened with BEGIN: add COMMIT, or the transaction and its locks stay open." };
  },
};

export default rule;
