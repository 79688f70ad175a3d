// Shared by the constraint rules: the mechanical NOT VALID + VALIDATE fix.
import type { RuleContext } from "../../src/core/analyze/rule.js";
import type { Fix } from "../../src/core/model.js";
import type { Statement } from "../../src/core/parse/index.js";
import { appendToStatement, ident, insertAfterStatement, qualified } from "./_pg.js";
import { nextStatementCommitsSeparately } from "../../src/core/analyze/transaction.js";

/**
 * `… NOT VALID;` then `ALTER TABLE t VALIDATE CONSTRAINT c;` as its own statement — only when
 * the file runs outside a transaction (so the VALIDATE commits separately, under the weaker
 * lock) and the statement adds just this one named constraint.
 */
export function notValidFix(statement: Statement, context: RuleContext, table: string, constraint: string | undefined): Fix | undefined {
  // The VALIDATE must reach the server as a statement of its own: not in a file sent as one query.
  if (!constraint || !nextStatementCommitsSeparately(context.transaction, statement.index) || (statement.ast.cmds ?? []).length !== 1) return undefined;
  return {
    description: "Add the constraint NOT VALID, then validate it in its own statement",
    edits: [
      appendToStatement(statement, " NOT VALID"),
      insertAfterStatement(statement, context.script, `ALTER TABLE ${qualified(table)} VALIDATE CONSTRAINT ${ident(constraint)};`),
    ],
  };
}

export function notValidHelp(context: RuleContext, constraint: string | undefined): string | undefined {
  if (context.state.inTransaction) {
    return "This file runs in a transaction: add the constraint NOT VALID here and VALIDATE it in a later migration, or the VALIDATE holds this statement's lock.";
  }
  if (!constraint) return "Name the constraint (ADD CONSTRAINT <name> …) so it can be validated by name.";
  return undefined;
}
