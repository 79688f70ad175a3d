import type { Rule } from "../../src/core/analyze/rule.js";
import { alterCommands, names, relationName, stripPublic } from "../../src/core/analyze/pg-ast.js";
import { type AnalysisState, functionBody } from "../../src/core/analyze/state.js";
import type { ParsedScript, Statement } from "../../src/core/parse/index.js";
import { alteredTable } from "./_pg.js";

interface Target {
  table: string;
  column?: string;
  action: "drop" | "rename" | "retype";
}

function targets(statement: Statement): Target[] {
  const { kind, ast } = statement;
  if (kind === "DropStmt" && ["OBJECT_TABLE", "OBJECT_VIEW", "OBJECT_MATVIEW"].includes(ast.removeType)) {
    return (ast.objects ?? []).map((o: any) => ({ table: stripPublic(names(o.List?.items).join(".")), action: "drop" as const }));
  }
  if (kind === "RenameStmt" && ["OBJECT_TABLE", "OBJECT_VIEW", "OBJECT_MATVIEW"].includes(ast.renameType)) {
    return [{ table: stripPublic(relationName(ast.relation)), action: "rename" }];
  }
  if (kind === "RenameStmt" && ast.renameType === "OBJECT_COLUMN") {
    return [{ table: stripPublic(relationName(ast.relation)), column: ast.subname, action: "rename" }];
  }
  const table = alteredTable(statement);
  if (!table) return [];
  return alterCommands(ast).flatMap((c): Target[] => {
    if (c.subtype === "AT_DropColumn") return [{ table: stripPublic(table), column: c.name, action: "drop" }];
    if (c.subtype === "AT_AlterColumnType") return [{ table: stripPublic(table), column: c.name, action: "retype" }];
    return [];
  });
}

function mentions(body: string, word: string): boolean {
  return new RegExp(`(^|[^a-z0-9_$])${word.toLowerCase().replace(/[.$]/g, "\\$&")}($|[^a-z0-9_$])`).test(body);
}

function dependents(state: AnalysisState, t: Target, dropping: Set<string>): { views: string[]; functions: string[] } {
  const views = [...state.viewDependencies]
    .filter(([view, deps]) => !dropping.has(view) && (t.column ? deps.columns.has(`${t.table}.${t.column}`) : deps.relations.has(t.table)))
    .map(([view]) => view);
  const bare = t.table.split(".").pop()!;
  const functions = [...state.functionBodies]
    .filter(([, body]) => mentions(body, bare) && (!t.column || mentions(body, t.column)))
    .map(([fn]) => fn);
  return { views, functions };
}

/**
 * Function bodies resolve names when they run: what the same transaction puts back before it
 * commits (the table re-created, the column re-added or renamed back, the function replaced
 * with a body that no longer names it, or dropped) breaks nothing.
 */
function fixedLaterInTransaction(script: ParsedScript, statement: Statement, t: Target, fn: string): boolean {
  const later = script.statements.slice(script.statements.indexOf(statement) + 1);
  const bare = t.table.split(".").pop()!;
  return later.some((s) => {
    const { kind, ast } = s;
    if (kind === "CreateFunctionStmt" && stripPublic(names(ast.funcname).join(".")) === fn) {
      const body = functionBody(ast);
      return !(mentions(body, bare) && (!t.column || mentions(body, t.column)));
    }
    if (kind === "DropStmt" && ast.removeType === "OBJECT_FUNCTION") {
      return (ast.objects ?? []).some((o: any) => stripPublic(names(o.ObjectWithArgs?.objname).join(".")) === fn);
    }
    if (t.action === "retype") return false;
    if (!t.column) {
      const created = kind === "CreateStmt" ? ast.relation : kind === "CreateTableAsStmt" ? ast.into?.rel : kind === "ViewStmt" ? ast.view : undefined;
      return created !== undefined && stripPublic(relationName(created)) === t.table;
    }
    if (kind === "RenameStmt" && ast.renameType === "OBJECT_COLUMN") return ast.newname === t.column && stripPublic(relationName(ast.relation)) === t.table;
    return alteredTable(s) !== undefined && stripPublic(alteredTable(s)!) === t.table &&
      alterCommands(ast).some((c) => c.subtype === "AT_AddColumn" && c.def?.ColumnDef?.colname === t.column);
  });
}

/**
 * A view CASCADE takes with it is not lost silently when the migration says what becomes of it:
 * a later statement drops it on purpose, or (in the same transaction) creates it again.
 */
function handledLater(script: ParsedScript, statement: Statement, view: string, inTransaction: boolean): boolean {
  const name = stripPublic(view);
  return script.statements.slice(script.statements.indexOf(statement) + 1).some((s) => {
    if (s.kind === "DropStmt" && ["OBJECT_VIEW", "OBJECT_MATVIEW"].includes(s.ast.removeType)) {
      return (s.ast.objects ?? []).some((o: any) => stripPublic(names(o.List?.items).join(".")) === name);
    }
    return inTransaction && s.kind === "ViewStmt" && stripPublic(relationName(s.ast.view)) === name;
  });
}

const rule: Rule = {
  id: "dependent-object-drop-or-rename",
  title: "Dropping, renaming or retyping something a view or function depends on",
  dialects: ["postgres"],
  severity: "error",
  docs: {
    why: "Views and functions created in this change depend on tables and columns. Dropping one of those (or changing a column's type) fails with `cannot drop … because other objects depend on it` — or, with CASCADE, silently drops the view. Views follow a rename, but SQL and PL/pgSQL function bodies refer to names as text: after a rename they fail at run time, not at migration time. The rule knows the views and functions created or replaced in the analyzed change and in merged migrations, and production's views from the statistics file (\`migration-guard stats-query\`: which views read which columns); functions that exist only in production are not visible to it.",
    locks: [],
    work: "none",
    safeAlternative: [
      "1. Drop or replace the dependent views first (`CREATE OR REPLACE VIEW` without the column), then change the table, then recreate them.",
      "2. Update function bodies that name the object in the same migration, before or after the rename.",
      "3. Never rely on CASCADE to clean up: list what it would drop.",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TABLE orders (id bigint PRIMARY KEY, status text, total numeric);",
    bad: [
      "CREATE VIEW open_orders AS SELECT id, status FROM orders WHERE status = 'open';\nALTER TABLE orders DROP COLUMN status;",
      "CREATE VIEW order_totals AS SELECT id, total FROM orders;\nALTER TABLE orders ALTER COLUMN total TYPE bigint;",
      "CREATE FUNCTION open_count() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM orders WHERE status = 'open' $$;\nALTER TABLE orders RENAME COLUMN status TO state;",
      {
        sql: "BEGIN;\nCREATE VIEW open_orders AS SELECT id, status FROM orders WHERE status = 'open';\nCREATE VIEW open_order_ids AS SELECT id FROM open_orders;\nDROP VIEW open_orders CASCADE;\nCREATE VIEW open_orders AS SELECT id, status, total FROM orders WHERE status = 'open';\nCOMMIT;",
        note: "CASCADE also drops open_order_ids, which nothing creates again",
      },
    ],
    good: [
      "CREATE VIEW open_orders AS SELECT id, status FROM orders;\nALTER TABLE orders RENAME TO purchases;",
      "CREATE VIEW open_orders AS SELECT id FROM orders;\nALTER TABLE orders DROP COLUMN total;",
      {
        sql: "CREATE TABLE customers (id bigint PRIMARY KEY, status text);\nCREATE VIEW order_customers AS SELECT o.id, c.status FROM orders o JOIN customers c ON c.id = o.id;\nALTER TABLE orders ALTER COLUMN status TYPE varchar(20);",
        note: "the view reads customers.status, not orders.status",
      },
      "CREATE VIEW open_orders AS SELECT id, status FROM orders;\nDROP VIEW open_orders;\nALTER TABLE orders DROP COLUMN status;",
      {
        sql: "BEGIN;\nCREATE TABLE order_stats AS SELECT 1 AS open;\nCREATE FUNCTION refresh_stats() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN DELETE FROM order_stats; RETURN NULL; END $$;\nDROP TABLE order_stats;\nCREATE TABLE order_stats AS SELECT count(*) AS open FROM orders;\nCOMMIT;",
        note: "the table is re-created before the transaction commits: the function finds it when it runs",
      },
      {
        sql: "BEGIN;\nCREATE VIEW open_orders AS SELECT id, status FROM orders WHERE status = 'open';\nCREATE VIEW open_order_ids AS SELECT id FROM open_orders;\nDROP VIEW open_orders CASCADE;\nCREATE VIEW open_orders AS SELECT id, status, total FROM orders WHERE status = 'open';\nCREATE VIEW open_order_ids AS SELECT id FROM open_orders;\nCOMMIT;",
        note: "the view CASCADE drops is created again before the transaction commits",
      },
      {
        sql: "CREATE VIEW open_orders AS SELECT id, status FROM orders WHERE status = 'open';\nCREATE VIEW open_order_ids AS SELECT id FROM open_orders;\nDROP VIEW IF EXISTS open_orders CASCADE;\nDROP VIEW IF EXISTS open_order_ids CASCADE;",
        note: "every view is dropped on purpose, one statement each",
      },
      {
        sql: "BEGIN;\nCREATE FUNCTION open_count() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM orders WHERE status = 'open' $$;\nALTER TABLE orders RENAME COLUMN status TO state;\nCREATE OR REPLACE FUNCTION open_count() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM orders WHERE state = 'open' $$;\nCOMMIT;",
        note: "the function is updated after the rename, in the same transaction",
      },
    ],
  },
  check(statement, { state, script }) {
    const list = targets(statement);
    if (!list.length) return;
    const dropping = new Set(list.filter((t) => t.action === "drop" && !t.column).map((t) => t.table));
    const hits = [];
    for (const t of list) {
      const { views, functions: named } = dependents(state, t, dropping);
      const functions = state.inTransaction ? named.filter((fn) => !fixedLaterInTransaction(script, statement, t, fn)) : named;
      const what = t.column ? `\`${t.table}.${t.column}\`` : `\`${t.table}\``;
      const cascade = statement.ast?.behavior === "DROP_CASCADE";
      const blockingViews = t.action === "rename" ? [] : cascade ? views.filter((v) => !handledLater(script, statement, v, state.inTransaction)) : views;
      if (blockingViews.length) {
        hits.push({
          message: `${t.action === "retype" ? "Changing the type of" : "Dropping"} ${what} ${cascade ? "silently drops" : "fails because of"} view${blockingViews.length > 1 ? "s" : ""} ${blockingViews.map((v) => `\`${v}\``).join(", ")}, which read${blockingViews.length > 1 ? "" : "s"} it.`,
        });
      }
      if (functions.length) {
        hits.push({
          message: `${t.action === "rename" ? "Renaming" : t.action === "drop" ? "Dropping" : "Changing the type of"} ${what} breaks function${functions.length > 1 ? "s" : ""} ${functions.map((f) => `\`${f}\``).join(", ")} at run time: their bodies still name it.`,
          severity: "warning" as const,
        });
      }
    }
    return hits;
  },
};

export default rule;
