import type { Rule } from "../../src/core/analyze/rule.js";
import { alterCommands, columnConstraints, names, relationName, stripPublic } from "../../src/core/analyze/pg-ast.js";
import type { AnalysisState } from "../../src/core/analyze/state.js";
import type { ParsedScript, Statement } from "../../src/core/parse/index.js";
import { lookupTable, type StatsCatalog } from "../../src/core/stats/index.js";
import { statementsOnRelation } from "./_pg.js";

interface ForeignKey {
  table: string;
  columns: string[];
  parent: string;
}

function foreignKeys(statement: Statement): ForeignKey[] {
  const { kind, ast } = statement;
  const out: ForeignKey[] = [];
  const add = (table: string, c: any, column?: string) => {
    if (c?.contype !== "CONSTR_FOREIGN") return;
    out.push({ table: stripPublic(table), columns: column ? [column] : names(c.fk_attrs), parent: relationName(c.pktable) });
  };
  if (kind === "CreateStmt") {
    const table = relationName(ast.relation);
    for (const elt of ast.tableElts ?? []) {
      if (elt.Constraint) add(table, elt.Constraint);
      for (const c of columnConstraints(elt.ColumnDef)) add(table, c, elt.ColumnDef.colname);
    }
  }
  if (kind === "AlterTableStmt") {
    const table = relationName(ast.relation);
    for (const cmd of alterCommands(ast)) {
      if (cmd.subtype === "AT_AddConstraint") add(table, cmd.def?.Constraint);
      if (cmd.subtype === "AT_AddColumn") for (const c of columnConstraints(cmd.def?.ColumnDef)) add(table, c, cmd.def.ColumnDef.colname);
    }
  }
  return out;
}

/** Leading-column lists of indexes on `table` created later in this script. */
function laterIndexes(script: ParsedScript, after: number, table: string): string[][] {
  const out: string[][] = [];
  for (const s of statementsOnRelation(script, table)) {
    if (s.index <= after) continue;
    if (s.kind === "IndexStmt") {
      out.push((s.ast.indexParams ?? []).map((p: any) => p.IndexElem?.name ?? ""));
    }
    if (s.kind === "AlterTableStmt") {
      for (const cmd of alterCommands(s.ast)) {
        const c = cmd.def?.Constraint;
        if (c?.contype === "CONSTR_PRIMARY" || c?.contype === "CONSTR_UNIQUE") out.push(names(c.keys));
      }
    }
  }
  return out;
}

function covered(columns: string[], indexes: string[][]): boolean {
  return indexes.some((ix) => columns.every((col, i) => ix[i] === col) || (columns.length > 1 && new Set(ix.slice(0, columns.length)).size === columns.length && columns.every((c) => ix.slice(0, columns.length).includes(c))));
}

/** We know every index of tables created in the change, or of columns it added. */
function createdHere(state: AnalysisState, fk: ForeignKey, creates: string | undefined): boolean {
  return fk.table === creates || state.createdRelations.has(fk.table) || fk.columns.every((c) => state.columnsAddedInChange.has(`${fk.table}.${c}`));
}

/**
 * Production's usable indexes on an existing table, when the statistics file lists their
 * columns (files exported before it did, and `tables:` entries, do not: then we stay silent).
 */
function productionIndexes(stats: StatsCatalog, table: string): string[][] | undefined {
  const entry = lookupTable(stats, table);
  if (!entry || entry.source === "config" || entry.indexes.some((i) => i.columns === undefined)) return undefined;
  return entry.indexes.filter((i) => i.valid && !i.partial).map((i) => i.columns!.map((c) => c ?? ""));
}

const rule: Rule = {
  id: "fk-without-index",
  title: "Foreign key without an index on the referencing columns",
  dialects: ["postgres"],
  severity: "warning",
  docs: {
    why: "PostgreSQL does not index the referencing side of a foreign key. Without an index whose leading columns are the foreign-key columns, every DELETE or key UPDATE on the parent table scans the whole child table (under the parent row's lock), and joins from parent to child are slow. The rule checks tables and columns created in the change, where it knows every index (later statements of the same file count); for pre-existing tables it reads production's indexes from the statistics file (`migration-guard stats-query`), and without one it stays silent.",
    locks: [],
    work: "none",
    safeAlternative: [
      "1. `CREATE INDEX CONCURRENTLY <table>_<col>_idx ON <table> (<fk columns>);` (in the same migration for a new table: a plain CREATE INDEX is fine on a new, empty table).",
      "2. Then add the foreign key (NOT VALID + VALIDATE on existing tables).",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TABLE customers (id bigint PRIMARY KEY);",
    bad: [
      "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers (id));",
      "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id));\nCREATE INDEX orders_id_customer_idx ON orders (id, customer_id);",
    ],
    good: [
      "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers (id));\nCREATE INDEX orders_customer_idx ON orders (customer_id);",
      "CREATE TABLE orders (customer_id bigint REFERENCES customers (id), line int, PRIMARY KEY (customer_id, line));",
      { sql: "ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;", note: "existing column: production's indexes are unknown" },
    ],
  },
  check(statement, { state, script, stats }) {
    const fks = foreignKeys(statement);
    if (!fks.length) return;
    const creates = statement.kind === "CreateStmt" ? stripPublic(relationName(statement.ast.relation)) : undefined;
    const ownIndexes: string[][] = [];
    if (statement.kind === "CreateStmt") {
      for (const elt of statement.ast.tableElts ?? []) {
        const c = elt.Constraint;
        if (c?.contype === "CONSTR_PRIMARY" || c?.contype === "CONSTR_UNIQUE") ownIndexes.push(names(c.keys));
        for (const cc of columnConstraints(elt.ColumnDef)) {
          if (cc.contype === "CONSTR_PRIMARY" || cc.contype === "CONSTR_UNIQUE") ownIndexes.push([elt.ColumnDef.colname]);
        }
      }
    }
    const hits = [];
    for (const fk of fks) {
      const isNew = createdHere(state, fk, creates);
      const production = isNew ? [] : productionIndexes(stats, fk.table);
      if (!production) continue;
      const indexes = [...production, ...ownIndexes, ...(state.indexesInChange.get(fk.table) ?? [])];
      if (covered(fk.columns, indexes) || covered(fk.columns, laterIndexes(script, statement.index, fk.table))) continue;
      const where = isNew ? "" : " (none in production either, per the statistics file)";
      hits.push({
        message: `Foreign key \`${fk.table}\` (${fk.columns.join(", ")}) → \`${fk.parent}\` has no index on (${fk.columns.join(", ")})${where}: deletes and key updates on \`${fk.parent}\` will scan \`${fk.table}\`.`,
        help: `CREATE INDEX … ON ${fk.table} (${fk.columns.join(", ")});`,
      });
    }
    return hits;
  },
};

export default rule;
