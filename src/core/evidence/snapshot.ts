// A database schema as plain data, read from the catalogs by src/db, and the exact difference
// between two of them. Ownership-free and state-free (sequence positions, statistics are left
// out) so that "after rollback" compares equal to "before the change" when nothing drifted.
import { z } from "zod";

export const ColumnSnapshot = z.object({
  type: z.string(),
  nullable: z.boolean(),
  default: z.string().optional(),
  /** `always` / `by default` identity, or a generated expression. */
  identity: z.string().optional(),
  generated: z.string().optional(),
  collation: z.string().optional(),
});

export const ConstraintSnapshot = z.object({
  /** p (primary key), u, f, c, x (exclusion), t (constraint trigger), n (not null, PG 18). */
  type: z.string(),
  definition: z.string(),
  validated: z.boolean(),
});

export const IndexSnapshot = z.object({
  definition: z.string(),
  valid: z.boolean(),
});

export const TableSnapshot = z.object({
  /** r table, p partitioned table, f foreign table. */
  kind: z.string(),
  /** `PARTITION OF parent FOR VALUES …` for a partition. */
  partitionOf: z.string().optional(),
  columns: z.record(z.string(), ColumnSnapshot),
  constraints: z.record(z.string(), ConstraintSnapshot),
  indexes: z.record(z.string(), IndexSnapshot),
  triggers: z.record(z.string(), z.string()),
});
export type TableSnapshot = z.infer<typeof TableSnapshot>;

export const SchemaSnapshot = z.object({
  schemas: z.array(z.string()),
  tables: z.record(z.string(), TableSnapshot),
  views: z.record(z.string(), z.object({ materialized: z.boolean(), definition: z.string() })),
  /** Keyed by signature `schema.name(arg types)`; the value is the full definition. */
  functions: z.record(z.string(), z.string()),
  sequences: z.record(z.string(), z.string()),
  enums: z.record(z.string(), z.array(z.string())),
  /** Domains and other user types, keyed by name, described in one line. */
  types: z.record(z.string(), z.string()),
  extensions: z.record(z.string(), z.string()),
});
export type SchemaSnapshot = z.infer<typeof SchemaSnapshot>;

export const SchemaObjectType = z.enum([
  "schema",
  "table",
  "column",
  "constraint",
  "index",
  "trigger",
  "view",
  "function",
  "sequence",
  "enum",
  "type",
  "extension",
]);
export type SchemaObjectType = z.infer<typeof SchemaObjectType>;

export const SchemaChange = z.object({
  change: z.enum(["added", "removed", "changed"]),
  objectType: SchemaObjectType,
  /** Qualified name: `public.orders`, `public.orders.total` (column), `public.orders.orders_pkey` (constraint). */
  name: z.string(),
  before: z.string().optional(),
  after: z.string().optional(),
});
export type SchemaChange = z.infer<typeof SchemaChange>;

export function emptySnapshot(): SchemaSnapshot {
  return { schemas: [], tables: {}, views: {}, functions: {}, sequences: {}, enums: {}, types: {}, extensions: {} };
}

interface FlatObject {
  objectType: SchemaObjectType;
  name: string;
  value: string;
}

/** Every schema object as one line of text, so a diff is a comparison of two maps. */
export function flattenSnapshot(s: SchemaSnapshot): Map<string, FlatObject> {
  const out = new Map<string, FlatObject>();
  const put = (objectType: SchemaObjectType, name: string, value: string) =>
    out.set(`${objectType}\u0000${name}`, { objectType, name, value });
  for (const name of s.schemas) put("schema", name, "");
  for (const [table, t] of Object.entries(s.tables)) {
    put("table", table, t.partitionOf ? `${kindName(t.kind)} PARTITION OF ${t.partitionOf}` : kindName(t.kind));
    for (const [col, c] of Object.entries(t.columns)) put("column", `${table}.${col}`, describeColumn(c));
    for (const [name, c] of Object.entries(t.constraints)) {
      put("constraint", `${table}.${name}`, `${c.definition}${c.validated ? "" : " (NOT VALID)"}`);
    }
    for (const [name, i] of Object.entries(t.indexes)) put("index", `${table}.${name}`, `${i.definition}${i.valid ? "" : " (INVALID)"}`);
    for (const [name, def] of Object.entries(t.triggers)) put("trigger", `${table}.${name}`, def);
  }
  for (const [name, v] of Object.entries(s.views)) put("view", name, `${v.materialized ? "MATERIALIZED " : ""}${v.definition}`);
  for (const [name, def] of Object.entries(s.functions)) put("function", name, def);
  for (const [name, def] of Object.entries(s.sequences)) put("sequence", name, def);
  for (const [name, labels] of Object.entries(s.enums)) put("enum", name, labels.map((l) => `'${l}'`).join(", "));
  for (const [name, def] of Object.entries(s.types)) put("type", name, def);
  for (const [name, version] of Object.entries(s.extensions)) put("extension", name, version);
  return out;
}

function kindName(kind: string): string {
  return { r: "TABLE", p: "PARTITIONED TABLE", f: "FOREIGN TABLE" }[kind] ?? `relkind ${kind}`;
}

function describeColumn(c: z.infer<typeof ColumnSnapshot>): string {
  return [
    c.type,
    c.collation ? `COLLATE ${c.collation}` : "",
    c.nullable ? "" : "NOT NULL",
    c.default !== undefined ? `DEFAULT ${c.default}` : "",
    c.identity ? `GENERATED ${c.identity} AS IDENTITY` : "",
    c.generated ? `GENERATED ALWAYS AS (${c.generated}) STORED` : "",
  ]
    .filter(Boolean)
    .join(" ");
}

const TYPE_ORDER = SchemaObjectType.options;

/** What differs from `before` to `after`, in a stable order (object type, then name). */
export function diffSnapshots(before: SchemaSnapshot, after: SchemaSnapshot): SchemaChange[] {
  const a = flattenSnapshot(before);
  const b = flattenSnapshot(after);
  const changes: SchemaChange[] = [];
  for (const [key, x] of a) {
    const y = b.get(key);
    if (!y) changes.push({ change: "removed", objectType: x.objectType, name: x.name, before: x.value });
    else if (y.value !== x.value) changes.push({ change: "changed", objectType: x.objectType, name: x.name, before: x.value, after: y.value });
  }
  for (const [key, y] of b) {
    if (!a.has(key)) changes.push({ change: "added", objectType: y.objectType, name: y.name, after: y.value });
  }
  return changes.sort(
    (p, q) => TYPE_ORDER.indexOf(p.objectType) - TYPE_ORDER.indexOf(q.objectType) || p.name.localeCompare(q.name) || p.change.localeCompare(q.change),
  );
}

/**
 * SQL that removes what an interrupted non-transactional migration left behind, for the
 * objects a mechanical drop can undo; the rest is named for a human in `manual`.
 */
export function cleanupSql(leftovers: SchemaChange[], dialect: "postgres" | "mysql"): { sql: string[]; manual: string[] } {
  const sql: string[] = [];
  const manual: string[] = [];
  const q = (name: string) => name.split(".").map((p) => (dialect === "postgres" ? `"${p.replace(/"/g, '""')}"` : `\`${p}\``)).join(".");
  const split = (name: string) => {
    const i = name.lastIndexOf(".");
    return [name.slice(0, i), name.slice(i + 1)] as const;
  };
  const addedTables = new Set(leftovers.filter((c) => c.change === "added" && c.objectType === "table").map((c) => c.name));
  for (const c of leftovers) {
    // Dropping an added table takes its columns, indexes, constraints and triggers with it.
    if (c.change === "added" && c.objectType !== "table" && addedTables.has(split(c.name)[0])) continue;
    if (c.change !== "added") {
      manual.push(`${c.objectType} ${c.name} was ${c.change}: restore it by hand (${c.before ?? ""})`);
      continue;
    }
    const [owner, leaf] = split(c.name);
    switch (c.objectType) {
      case "index": {
        const schema = owner.split(".")[0]!;
        sql.push(dialect === "postgres" ? `DROP INDEX CONCURRENTLY IF EXISTS ${q(`${schema}.${leaf}`)};` : `DROP INDEX ${q(leaf)} ON ${q(owner)};`);
        break;
      }
      case "table":
        sql.push(`DROP TABLE IF EXISTS ${q(c.name)};`);
        break;
      case "column":
        sql.push(`ALTER TABLE ${q(owner)} DROP COLUMN ${q(leaf)};`);
        break;
      case "constraint":
        sql.push(dialect === "postgres" ? `ALTER TABLE ${q(owner)} DROP CONSTRAINT IF EXISTS ${q(leaf)};` : `ALTER TABLE ${q(owner)} DROP CONSTRAINT ${q(leaf)};`);
        break;
      case "trigger":
        sql.push(dialect === "postgres" ? `DROP TRIGGER IF EXISTS ${q(leaf)} ON ${q(owner)};` : `DROP TRIGGER IF EXISTS ${q(leaf)};`);
        break;
      case "view":
        sql.push(`DROP ${c.after?.startsWith("MATERIALIZED") ? "MATERIALIZED VIEW" : "VIEW"} IF EXISTS ${q(c.name)};`);
        break;
      case "sequence":
        sql.push(`DROP SEQUENCE IF EXISTS ${q(c.name)};`);
        break;
      case "function":
        sql.push(`DROP FUNCTION IF EXISTS ${c.name};`);
        break;
      case "enum":
      case "type":
        sql.push(`DROP TYPE IF EXISTS ${q(c.name)};`);
        break;
      default:
        manual.push(`${c.objectType} ${c.name} was added: drop it by hand`);
    }
  }
  // Dependent objects first: triggers, constraints, indexes and columns before their tables.
  const rank = (s: string) => (/^DROP (TRIGGER|INDEX)|DROP CONSTRAINT/.test(s) ? 0 : /DROP COLUMN|VIEW/.test(s) ? 1 : /^DROP TABLE/.test(s) ? 2 : 3);
  return { sql: sql.sort((a, b) => rank(a) - rank(b)), manual };
}
