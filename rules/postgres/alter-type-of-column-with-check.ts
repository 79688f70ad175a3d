/* eslint-disable @typescript-eslint/no-explicit-any */
import type { Rule } from "../../src/core/analyze/rule.js";
import { alterCommands, columnConstraints, stripPublic, walk } from "../../src/core/analyze/pg-ast.js";
import { columnType } from "../../src/core/analyze/state.js";
import type { ParsedScript, Statement } from "../../src/core/parse/index.js";
import { alteredTable, existingAlteredTable, lock, SIZE_NOTE, sizedSeverity, sizeHint, statementsOnRelation } from "./_pg.js";
import { typeChange, usingIsNoop } from "./_types.js";

function referencesColumn(expr: any, column: string): boolean {
  let found = false;
  walk(expr, (n) => {
    const fields = n?.ColumnRef?.fields;
    if (Array.isArray(fields) && fields.at(-1)?.String?.sval === column) found = true;
  });
  return found;
}

/**
 * Validated CHECK constraints on `table.column` that earlier statements of the script added to
 * the existing table (ADD CONSTRAINT … CHECK, ADD COLUMN … CHECK, or NOT VALID then VALIDATE)
 * and did not drop again. A CHECK still NOT VALID is not re-checked (verified on PostgreSQL 15).
 */
function checksDeclaredEarlier(script: ParsedScript, before: Statement, table: string, column: string): string[] {
  const checks = new Map<string, boolean>();
  const notValid = new Set<string>();
  for (const s of statementsOnRelation(script, table)) {
    if (s.index >= before.index) break;
    if (!alteredTable(s)) continue;
    for (const cmd of alterCommands(s.ast)) {
      const c = cmd.def?.Constraint;
      if (cmd.subtype === "AT_AddConstraint" && c?.contype === "CONSTR_CHECK" && referencesColumn(c.raw_expr, column)) {
        const name = c.conname || `CHECK at line ${s.span.startLine}`;
        if (c.skip_validation) notValid.add(name);
        else checks.set(name, true);
      }
      if (cmd.subtype === "AT_ValidateConstraint" && notValid.delete(cmd.name)) checks.set(cmd.name, true);
      if (cmd.subtype === "AT_AddColumn" && cmd.def?.ColumnDef?.colname === column) {
        for (const cc of columnConstraints(cmd.def.ColumnDef)) {
          if (cc.contype === "CONSTR_CHECK") checks.set(cc.conname || `CHECK at line ${s.span.startLine}`, true);
        }
      }
      if (cmd.subtype === "AT_DropConstraint") {
        checks.delete(cmd.name);
        notValid.delete(cmd.name);
      }
      if (cmd.subtype === "AT_DropColumn" && cmd.name === column) {
        checks.clear();
        notValid.clear();
      }
    }
  }
  return [...checks.keys()];
}

const rule: Rule = {
  id: "alter-type-of-column-with-check",
  title: "Type change of a column with a CHECK constraint (re-checked under ACCESS EXCLUSIVE)",
  dialects: ["postgres"],
  severity: "warning",
  docs: {
    why: `Even a type change that needs no rewrite (varchar(10) → varchar(20), varchar → text) drops and re-creates the CHECK constraints on the column, and PostgreSQL re-checks them by scanning the whole table while it holds the ACCESS EXCLUSIVE lock of the ALTER: no reads or writes meanwhile. Verified on PostgreSQL 15: varchar(10) → varchar(20) keeps the relfilenode (no rewrite) but scans the table when the column has a validated CHECK, and does not when it has none, or only a NOT VALID one, or a CHECK on another column. Reported only when the validated CHECK was added earlier in the analyzed change and the type change is not a rewrite anyway (alter-column-type reports those).\n\n${SIZE_NOTE}`,
    locks: [{ on: "altered table", mode: "ACCESS EXCLUSIVE", relation: "orders" }],
    work: "scan",
    safeAlternative: [
      "1. Change the type first, before adding the CHECK (a binary-coercible change is then metadata only); or",
      "2. Drop the CHECK, change the type, then re-add the CHECK `NOT VALID` and `VALIDATE CONSTRAINT` it in a separate transaction (the validation takes only SHARE UPDATE EXCLUSIVE).",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TABLE orders (id bigint PRIMARY KEY, code varchar(10), note text);",
    bad: [
      {
        sql: "ALTER TABLE orders ADD CONSTRAINT orders_code_present CHECK (length(code) > 0);\nALTER TABLE orders ALTER COLUMN code TYPE varchar(20);",
        files: { "migrations/0000_orders.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, code varchar(10), note text);" },
      },
      "ALTER TABLE orders ADD CONSTRAINT orders_code_present CHECK (code <> '') NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_code_present;\nALTER TABLE orders ALTER COLUMN code TYPE text;",
    ],
    good: [
      {
        sql: "ALTER TABLE orders ADD CONSTRAINT orders_note_present CHECK (note <> '');\nALTER TABLE orders ALTER COLUMN code TYPE varchar(20);",
        files: { "migrations/0000_orders.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, code varchar(10), note text);" },
        note: "the CHECK is on another column",
      },
      {
        sql: "ALTER TABLE orders ALTER COLUMN code TYPE varchar(20);\nALTER TABLE orders ADD CONSTRAINT orders_code_present CHECK (length(code) > 0) NOT VALID;",
        files: { "migrations/0000_orders.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, code varchar(10), note text);" },
        note: "type changed before the CHECK exists",
      },
      {
        sql: "ALTER TABLE orders ADD CONSTRAINT orders_code_present CHECK (length(code) > 0);\nALTER TABLE orders DROP CONSTRAINT orders_code_present;\nALTER TABLE orders ALTER COLUMN code TYPE varchar(20);",
        files: { "migrations/0000_orders.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, code varchar(10), note text);" },
      },
      { sql: "ALTER TABLE orders ADD CONSTRAINT orders_code_present CHECK (code <> '') NOT VALID;\nALTER TABLE orders ALTER COLUMN code TYPE text;", note: "a NOT VALID CHECK is not re-checked" },
      "CREATE TABLE coupons (id bigint, code varchar(10) CHECK (code <> ''));\nALTER TABLE coupons ALTER COLUMN code TYPE varchar(20);",
    ],
  },
  check(statement, { state, script, config }) {
    const table = existingAlteredTable(statement, state);
    if (!table) return;
    const bare = stripPublic(table);
    const hits = [];
    for (const cmd of alterCommands(statement.ast)) {
      if (cmd.subtype !== "AT_AlterColumnType") continue;
      const to = columnType(cmd.def?.ColumnDef?.typeName);
      const from = state.columnTypes.get(`${bare}.${cmd.name}`);
      const rewrites = !usingIsNoop(cmd.def?.ColumnDef?.raw_default, cmd.name) || typeChange(from, to) === "rewrite";
      if (rewrites) continue;
      const checks = checksDeclaredEarlier(script, statement, bare, cmd.name);
      if (!checks.length) continue;
      hits.push({
        message: `\`${table}.${cmd.name}\`${sizeHint(config, table)} has CHECK ${checks.map((c) => `\`${c}\``).join(", ")}: changing its type re-checks ${checks.length > 1 ? "them" : "it"} with a full scan while the ACCESS EXCLUSIVE lock blocks reads and writes, even though the type change itself needs no rewrite.`,
        severity: sizedSeverity(config, table, "warning"),
        locks: [lock(table, "ACCESS EXCLUSIVE")],
        help: "Change the type before adding the CHECK, or drop it and re-add it NOT VALID + VALIDATE afterwards.",
      });
    }
    return hits;
  },
};

export default rule;
