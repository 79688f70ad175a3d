// Shared by add-unique-constraint and add-primary-key: the CREATE UNIQUE INDEX CONCURRENTLY + USING INDEX recipe.
import { alterCommands, columnConstraints, names } from "../../src/core/analyze/pg-ast.js";
import type { Statement } from "../../src/core/parse/index.js";

export interface KeyConstraint {
  name?: string;
  columns: string[];
}

/** UNIQUE or PRIMARY KEY constraints an ALTER TABLE adds that build a new index (not USING INDEX). */
export function addedKeyConstraints(statement: Statement, contype: "CONSTR_UNIQUE" | "CONSTR_PRIMARY"): KeyConstraint[] {
  const out: KeyConstraint[] = [];
  for (const cmd of alterCommands(statement.ast)) {
    const c = cmd.def?.Constraint;
    if (cmd.subtype === "AT_AddConstraint" && c?.contype === contype && !c.indexname) {
      out.push({ name: c.conname || undefined, columns: names(c.keys) });
    }
    if (cmd.subtype === "AT_AddColumn") {
      for (const cc of columnConstraints(cmd.def?.ColumnDef)) {
        if (cc.contype === contype) out.push({ columns: [cmd.def.ColumnDef.colname] });
      }
    }
  }
  return out;
}
