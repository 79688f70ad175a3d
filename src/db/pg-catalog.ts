// Catalog reads for PostgreSQL and PGlite: schema snapshots, seed metadata, relation state
// for lock/rewrite tracing, row counts and checksums, validation queries.
import type { SchemaSnapshot, TableSnapshot } from "../core/evidence/snapshot.js";
import type { SeedTable } from "../core/evidence/seed.js";
import type { Session } from "./session.js";

const USER_SCHEMA = (alias: string) => `${alias}.nspname NOT IN ('pg_catalog', 'information_schema') AND ${alias}.nspname NOT LIKE 'pg\\_%'`;
const NOT_EXTENSION = (oid: string, catalog: string) =>
  `NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = '${catalog}'::regclass AND e.objid = ${oid} AND e.deptype = 'e')`;

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** `schema.table` → `"schema"."table"`. */
export function quoteQualified(name: string): string {
  const i = name.indexOf(".");
  return i < 0 ? quoteIdent(name) : `${quoteIdent(name.slice(0, i))}.${quoteIdent(name.slice(i + 1))}`;
}

async function rows(session: Session, sql: string, params?: unknown[]): Promise<Record<string, any>[]> {
  return (await session.query(sql, params)).rows as Record<string, any>[];
}

export async function readPgSnapshot(session: Session, major: number): Promise<SchemaSnapshot> {
  const snapshot: SchemaSnapshot = { schemas: [], tables: {}, views: {}, functions: {}, sequences: {}, enums: {}, types: {}, extensions: {} };
  for (const r of await rows(session, `SELECT n.nspname FROM pg_namespace n WHERE ${USER_SCHEMA("n")} ORDER BY 1`)) snapshot.schemas.push(r.nspname);
  const tables = await rows(
    session,
    `SELECT c.oid::int8 AS oid, n.nspname || '.' || c.relname AS name, c.relkind,
            CASE WHEN c.relispartition THEN (SELECT pn.nspname || '.' || pc.relname FROM pg_inherits i JOIN pg_class pc ON pc.oid = i.inhparent
                                               JOIN pg_namespace pn ON pn.oid = pc.relnamespace WHERE i.inhrelid = c.oid)
                 || ' ' || pg_get_expr(c.relpartbound, c.oid) END AS partition_of
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p', 'f') AND ${USER_SCHEMA("n")} AND ${NOT_EXTENSION("c.oid", "pg_class")}`,
  );
  const byOid = new Map<string, TableSnapshot>();
  for (const t of tables) {
    const table: TableSnapshot = { kind: t.relkind, columns: {}, constraints: {}, indexes: {}, triggers: {} };
    if (t.partition_of) table.partitionOf = t.partition_of;
    snapshot.tables[t.name] = table;
    byOid.set(String(t.oid), table);
  }
  const generated = major >= 12 ? "a.attgenerated" : "''";
  for (const c of await rows(
    session,
    `SELECT a.attrelid::int8 AS rel, a.attname, format_type(a.atttypid, a.atttypmod) AS type, NOT a.attnotnull AS nullable,
            pg_get_expr(d.adbin, d.adrelid) AS def, a.attidentity, ${generated} AS generated,
            CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation THEN (SELECT collname FROM pg_collation WHERE oid = a.attcollation) END AS coll
     FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE a.attnum > 0 AND NOT a.attisdropped AND a.attrelid IN (SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p', 'f') AND ${USER_SCHEMA("n")})`,
  )) {
    const table = byOid.get(String(c.rel));
    if (!table) continue;
    const isGenerated = c.generated === "s" || c.generated === "v";
    table.columns[c.attname] = {
      type: c.type,
      nullable: c.nullable,
      ...(c.def !== null && !isGenerated ? { default: c.def } : {}),
      ...(c.attidentity === "a" ? { identity: "ALWAYS" } : c.attidentity === "d" ? { identity: "BY DEFAULT" } : {}),
      ...(isGenerated ? { generated: c.def } : {}),
      ...(c.coll ? { collation: c.coll } : {}),
    };
  }
  // Only the user tables' constraints, indexes and triggers: deparsing the system catalogs' ones cost
  // most of a snapshot, and the partial-failure step takes two per migration.
  const userOids = [...byOid.keys()];
  for (const c of await rows(session, `SELECT conrelid::int8 AS rel, conname, contype, pg_get_constraintdef(oid) AS def, convalidated FROM pg_constraint WHERE conrelid = ANY($1::int8[]::oid[])`, [userOids])) {
    const table = byOid.get(String(c.rel));
    if (table) table.constraints[c.conname] = { type: c.contype, definition: c.def, validated: c.convalidated };
  }
  for (const i of await rows(session, `SELECT x.indrelid::int8 AS rel, ic.relname, pg_get_indexdef(x.indexrelid) AS def, x.indisvalid FROM pg_index x JOIN pg_class ic ON ic.oid = x.indexrelid WHERE x.indrelid = ANY($1::int8[]::oid[])`, [userOids])) {
    const table = byOid.get(String(i.rel));
    if (table) table.indexes[i.relname] = { definition: i.def, valid: i.indisvalid };
  }
  for (const t of await rows(session, `SELECT tgrelid::int8 AS rel, tgname, pg_get_triggerdef(oid) AS def, tgenabled FROM pg_trigger WHERE NOT tgisinternal AND tgrelid = ANY($1::int8[]::oid[])`, [userOids])) {
    const table = byOid.get(String(t.rel));
    if (table) table.triggers[t.tgname] = `${t.def}${t.tgenabled === "D" ? " (DISABLED)" : ""}`;
  }
  for (const v of await rows(
    session,
    `SELECT n.nspname || '.' || c.relname AS name, c.relkind = 'm' AS materialized, pg_get_viewdef(c.oid) AS def
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('v', 'm') AND ${USER_SCHEMA("n")} AND ${NOT_EXTENSION("c.oid", "pg_class")}`,
  )) {
    snapshot.views[v.name] = { materialized: v.materialized, definition: String(v.def).trim() };
  }
  const plain = major >= 11 ? "p.prokind IN ('f', 'p')" : "NOT p.proisagg AND NOT p.proiswindow";
  for (const f of await rows(
    session,
    `SELECT n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')' AS sig,
            CASE WHEN ${plain} THEN pg_get_functiondef(p.oid) ELSE 'aggregate or window function' END AS def
     FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE ${USER_SCHEMA("n")} AND ${NOT_EXTENSION("p.oid", "pg_proc")}`,
  )) {
    snapshot.functions[f.sig] = String(f.def).trim();
  }
  for (const s of await rows(
    session,
    `SELECT n.nspname || '.' || c.relname AS name, format_type(s.seqtypid, NULL) AS type, s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcycle,
            (SELECT tn.nspname || '.' || tc.relname || '.' || a.attname FROM pg_depend d JOIN pg_class tc ON tc.oid = d.refobjid
               JOIN pg_namespace tn ON tn.oid = tc.relnamespace JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
             WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i') LIMIT 1) AS owned_by
     FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${USER_SCHEMA("n")} AND ${NOT_EXTENSION("c.oid", "pg_class")}`,
  )) {
    snapshot.sequences[s.name] =
      `${s.type} START ${s.seqstart} INCREMENT ${s.seqincrement} MINVALUE ${s.seqmin} MAXVALUE ${s.seqmax}${s.seqcycle ? " CYCLE" : ""}` +
      (s.owned_by ? ` OWNED BY ${s.owned_by}` : "");
  }
  for (const t of await rows(
    session,
    `SELECT n.nspname || '.' || t.typname AS name, t.typtype,
            (SELECT array_agg(e.enumlabel::text ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid) AS labels,
            CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) || CASE WHEN t.typnotnull THEN ' NOT NULL' ELSE '' END
                   || coalesce(' DEFAULT ' || t.typdefault, '')
                   || coalesce((SELECT ' ' || string_agg(pg_get_constraintdef(k.oid), ' ' ORDER BY k.conname) FROM pg_constraint k WHERE k.contypid = t.oid), '')
                 WHEN t.typtype = 'c' THEN '(' || (SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum)
                                                   FROM pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped) || ')'
                 WHEN t.typtype = 'r' THEN 'RANGE OF ' || (SELECT format_type(r.rngsubtype, NULL) FROM pg_range r WHERE r.rngtypid = t.oid)
            END AS def
     FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
     WHERE ${USER_SCHEMA("n")} AND ${NOT_EXTENSION("t.oid", "pg_type")} AND t.typtype IN ('e', 'd', 'c', 'r')
       AND (t.typtype <> 'c' OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')`,
  )) {
    if (t.typtype === "e") snapshot.enums[t.name] = t.labels ?? [];
    else snapshot.types[t.name] = String(t.def ?? t.typtype);
  }
  for (const e of await rows(session, `SELECT extname, extversion FROM pg_extension WHERE extname <> 'plpgsql'`)) snapshot.extensions[e.extname] = e.extversion;
  return snapshot;
}

export interface RelationState {
  oid: string;
  name: string;
  /** r, p, i, I, m */
  kind: string;
  filenode: string;
}

export interface OwnLock {
  oid: string;
  mode: string;
}

/** Relations and their files, plus the locks this session holds: one round trip per traced statement. */
export const TRACE_SQL = `
  SELECT
    (SELECT coalesce(json_agg(json_build_object('oid', l.relation::int8::text, 'mode', l.mode)), '[]'::json)
       FROM pg_locks l WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND l.granted
         AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())) AS locks,
    (SELECT coalesce(json_agg(json_build_object('oid', c.oid::int8::text, 'name', n.nspname || '.' || c.relname, 'kind', c.relkind, 'filenode', c.relfilenode::int8::text)), '[]'::json)
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p', 'i', 'I', 'm', 'v') AND ${USER_SCHEMA("n")}) AS rels`;

export async function readTrace(session: Session): Promise<{ locks: OwnLock[]; relations: Map<string, RelationState> }> {
  const row = (await session.query(TRACE_SQL)).rows[0]!;
  const parse = <T>(v: unknown): T => (typeof v === "string" ? JSON.parse(v) : v) as T;
  const relations = new Map<string, RelationState>();
  for (const r of parse<RelationState[]>(row.rels)) relations.set(r.oid, r);
  return { locks: parse<OwnLock[]>(row.locks), relations };
}

/** Locks another backend holds right now (the observer's view of a non-transactional statement). */
export async function locksOf(observer: Session, pid: number): Promise<{ name: string; mode: string }[]> {
  return (
    await observer.query(
      `SELECT n.nspname || '.' || c.relname AS name, l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE l.pid = $1 AND l.locktype = 'relation' AND l.granted AND ${USER_SCHEMA("n")}`,
      [pid],
    )
  ).rows as { name: string; mode: string }[];
}

/** Seed metadata of every user table that takes rows directly (partitions are filled through their parent). */
export async function readPgSeedTables(session: Session, major: number): Promise<SeedTable[]> {
  const isPartition = "c.relispartition";
  const generated = major >= 12 ? "a.attgenerated <> ''" : "false";
  const cols = await rows(
    session,
    `SELECT c.oid::int8::text AS rel, n.nspname || '.' || c.relname AS tbl, a.attname, format_type(a.atttypid, a.atttypmod) AS type,
            coalesce(bt.typname, t.typname) AS base, t.typcategory = 'A' AS is_array,
            CASE WHEN coalesce(bt.typname, t.typname) IN ('varchar', 'bpchar') AND coalesce(nullif(a.atttypmod, -1), t.typtypmod) > 4
                 THEN coalesce(nullif(a.atttypmod, -1), t.typtypmod) - 4 END AS maxlen,
            (SELECT array_agg(e.enumlabel::text ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = coalesce(bt.oid, t.oid)) AS labels,
            NOT a.attnotnull AS nullable, d.adbin IS NOT NULL AS has_default,
            (a.attidentity <> '' OR ${generated} OR coalesce(pg_get_expr(d.adbin, d.adrelid), '') LIKE 'nextval(%') AS db_filled
     FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     JOIN pg_type t ON t.oid = a.atttypid LEFT JOIN pg_type bt ON t.typtype = 'd' AND bt.oid = t.typbasetype
     LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE c.relkind IN ('r', 'p') AND NOT ${isPartition} AND ${USER_SCHEMA("n")} AND ${NOT_EXTENSION("c.oid", "pg_class")}
       AND a.attnum > 0 AND NOT a.attisdropped
     ORDER BY 2, a.attnum`,
  );
  const tables = new Map<string, SeedTable>();
  const oidToName = new Map<string, string>();
  for (const c of cols) {
    let t = tables.get(c.tbl);
    if (!t) tables.set(c.tbl, (t = { name: c.tbl, columns: [], uniques: [], checks: [], foreignKeys: [] }));
    oidToName.set(c.rel, c.tbl);
    t.columns.push({
      name: c.attname,
      type: c.type,
      baseType: String(c.base).replace(/^_/, ""),
      enumLabels: c.labels ?? undefined,
      maxLength: c.maxlen ?? undefined,
      isArray: c.is_array,
      nullable: c.nullable,
      hasDefault: c.has_default,
      databaseFilled: c.db_filled,
    });
  }
  const attnames = (rel: string, nums: string) => `ARRAY(SELECT a.attname::text FROM unnest(${nums}) WITH ORDINALITY u(num, ord) JOIN pg_attribute a ON a.attrelid = ${rel} AND a.attnum = u.num ORDER BY u.ord)`;
  for (const u of await rows(session, `SELECT x.indrelid::int8::text AS rel, ${attnames("x.indrelid", "x.indkey::int2[]")} AS cols, 0 = ANY(x.indkey::int2[]) AS has_expr FROM pg_index x WHERE x.indisunique`)) {
    const t = tables.get(oidToName.get(u.rel) ?? "");
    if (t && !u.has_expr) t.uniques.push(u.cols);
  }
  for (const k of await rows(
    session,
    `SELECT k.conrelid::int8::text AS rel, k.contype, pg_get_constraintdef(k.oid) AS def, ${attnames("k.conrelid", "k.conkey")} AS cols,
            ${attnames("k.confrelid", "k.confkey")} AS refcols,
            (SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = k.confrelid) AS reftable
     FROM pg_constraint k WHERE k.contype IN ('c', 'f') AND k.conrelid <> 0`,
  )) {
    const t = tables.get(oidToName.get(k.rel) ?? "");
    if (!t) continue;
    if (k.contype === "c") t.checks.push(k.def);
    else if (!t.foreignKeys.some((f) => f.columns.join() === k.cols.join())) t.foreignKeys.push({ columns: k.cols, refTable: k.reftable, refColumns: k.refcols });
  }
  for (const p of await rows(
    session,
    `SELECT pt.partrelid::int8::text AS rel, (SELECT a.attname FROM pg_attribute a WHERE a.attrelid = pt.partrelid AND a.attnum = pt.partattrs[0]) AS col,
            pt.partnatts, array_agg(pg_get_expr(c.relpartbound, c.oid)) AS bounds
     FROM pg_partitioned_table pt JOIN pg_inherits i ON i.inhparent = pt.partrelid JOIN pg_class c ON c.oid = i.inhrelid
     GROUP BY 1, 2, 3`,
  )) {
    const t = tables.get(oidToName.get(p.rel) ?? "");
    if (!t || p.partnatts !== 1 || !p.col) continue;
    const values = (p.bounds as string[]).flatMap(partitionLiterals);
    if (values.length) t.partitionValues = { [p.col]: values };
  }
  return [...tables.values()];
}

/** A literal inside each partition: the lower bound of a range, the values of a list. */
export function partitionLiterals(bound: string): string[] {
  const range = /FOR VALUES FROM \((.*?)\) TO/i.exec(bound);
  const list = /FOR VALUES IN \((.*)\)/i.exec(bound);
  const source = range?.[1] ?? list?.[1];
  if (!source || /MINVALUE|MAXVALUE/i.test(source)) return [];
  return [...source.matchAll(/'(?:[^']|'')*'|-?\d+(?:\.\d+)?/g)].map((m) => m[0]).slice(0, range ? 1 : undefined);
}

export async function rowCounts(session: Session, tables: string[]): Promise<Map<string, number>> {
  const counts = await countsOf(session, tables.map((t) => `SELECT count(*) FROM ${quoteQualified(t)}`));
  return new Map(tables.map((t, i) => [t, counts[i]!]));
}

/** The value of each `SELECT count(*) …` query, read in one round trip per hundred queries. */
async function countsOf(session: Session, queries: string[]): Promise<number[]> {
  const out: number[] = [];
  for (let at = 0; at < queries.length; at += 100) {
    const chunk = queries.slice(at, at + 100);
    const row = (await session.query(`SELECT ${chunk.map((q, i) => `(${q}) AS n${i}`).join(", ")}`)).rows[0]!;
    out.push(...chunk.map((_, i) => Number(row[`n${i}`])));
  }
  return out;
}

/**
 * Planner statistics for the user's tables, as after seeding in production: `ANALYZE` of the named
 * tables rather than of the whole database, whose system catalogs cost most of a plain `ANALYZE`
 * (0.1 s on an otherwise empty database) and say nothing about the change. (Analyzing the catalogs
 * also invalidates the server's cached catalog descriptions, so every session opened afterwards
 * starts slower.)
 */
export async function pgAnalyze(session: Session, major: number): Promise<void> {
  if (major < 11) {
    await session.query("ANALYZE");
    return;
  }
  const tables = await rows(session, `SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p', 'm') AND ${USER_SCHEMA("n")} ORDER BY 1`);
  if (tables.length) await session.query(`ANALYZE ${tables.map((t) => String(t.name)).join(", ")}`);
}

/**
 * Which row versions are visible: any committed insert, update or delete changes the set of
 * ctids, an aborted one does not. Cheap (no row text), so it runs around every interrupted migration.
 */
export async function pgRowVersions(session: Session, table: string): Promise<{ rows: number; digest: string }> {
  const r = (await session.query(`SELECT count(*) AS n, coalesce(sum(hashtext(ctid::text)::numeric), 0)::text AS digest FROM ${quoteQualified(table)}`)).rows[0]!;
  return { rows: Number(r.n), digest: String(r.digest) };
}

/**
 * Count and order-independent digest of a table's rows over the given columns: the sum of a
 * 64-bit hash per row (one scan, no sort; run before and after every interrupted migration).
 */
export async function pgChecksum(session: Session, table: string, columns: string[]): Promise<{ rows: number; digest: string }> {
  const row = columns.length ? `ROW(${columns.map(quoteIdent).join(", ")})::text` : "''";
  const r = (await session.query(`SELECT count(*) AS n, coalesce(sum(hashtextextended(${row}, 0)::numeric), 0)::text AS digest FROM ${quoteQualified(table)}`)).rows[0]!;
  return { rows: Number(r.n), digest: String(r.digest) };
}

/** Rows of each foreign key that point at no parent row (all FKs, validated or not). */
export async function foreignKeyOrphans(session: Session): Promise<{ constraint: string; table: string; orphans: number }[]> {
  const fks = await rows(
    session,
    `SELECT k.conname, cn.nspname || '.' || c.relname AS child, pn.nspname || '.' || p.relname AS parent,
            ARRAY(SELECT a.attname::text FROM unnest(k.conkey) WITH ORDINALITY u(n, o) JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n ORDER BY u.o) AS cols,
            ARRAY(SELECT a.attname::text FROM unnest(k.confkey) WITH ORDINALITY u(n, o) JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.n ORDER BY u.o) AS refcols
     FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace cn ON cn.oid = c.relnamespace
     JOIN pg_class p ON p.oid = k.confrelid JOIN pg_namespace pn ON pn.oid = p.relnamespace
     WHERE k.contype = 'f' AND NOT c.relispartition AND ${USER_SCHEMA("cn")}`,
  );
  const counts = await countsOf(
    session,
    fks.map((fk) => {
      const cols = fk.cols as string[];
      const refcols = fk.refcols as string[];
      const notNull = cols.map((c) => `ch.${quoteIdent(c)} IS NOT NULL`).join(" AND ");
      const match = cols.map((c, i) => `pa.${quoteIdent(refcols[i]!)} = ch.${quoteIdent(c)}`).join(" AND ");
      return `SELECT count(*) FROM ${quoteQualified(fk.child)} ch WHERE ${notNull} AND NOT EXISTS (SELECT 1 FROM ${quoteQualified(fk.parent)} pa WHERE ${match})`;
    }),
  );
  return fks.map((fk, i) => ({ constraint: fk.conname, table: fk.child, orphans: counts[i]! }));
}

/**
 * Keeps a digest of every row of `table` in a temporary table of `session` (invisible to
 * schema snapshots), so that rows lost later can be counted even when others were added.
 */
export async function pgCaptureRows(session: Session, key: string, table: string, columns: string[]): Promise<number> {
  const row = columns.length ? `ROW(${columns.map(quoteIdent).join(", ")})::text` : "''";
  await session.query(`DROP TABLE IF EXISTS pg_temp.${quoteIdent(key)}`);
  await session.query(`CREATE TEMP TABLE ${quoteIdent(key)} AS SELECT md5(${row}) AS h, count(*) AS n FROM ${quoteQualified(table)} GROUP BY 1`);
  return Number((await session.query(`SELECT coalesce(sum(n), 0) AS n FROM pg_temp.${quoteIdent(key)}`)).rows[0]!.n);
}

/** Rows captured by pgCaptureRows that are no longer in the table (duplicates counted). */
export async function pgLostRows(session: Session, key: string, table: string, columns: string[]): Promise<{ rows: number; lost: number }> {
  const row = columns.length ? `ROW(${columns.map(quoteIdent).join(", ")})::text` : "''";
  const r = (
    await session.query(
      `WITH now AS (SELECT md5(${row}) AS h, count(*) AS n FROM ${quoteQualified(table)} GROUP BY 1)
       SELECT (SELECT coalesce(sum(n), 0) FROM now) AS rows,
              (SELECT coalesce(sum(greatest(p.n - coalesce(c.n, 0), 0)), 0) FROM pg_temp.${quoteIdent(key)} p LEFT JOIN now c ON c.h = p.h) AS lost`,
    )
  ).rows[0]!;
  return { rows: Number(r.rows), lost: Number(r.lost) };
}

/**
 * Changes whenever a committed statement inserted, updated or deleted a row of a catalog the schema
 * snapshot reads (every such write leaves a tuple with a new xmin, or one tuple fewer). Equal
 * fingerprints mean an equal snapshot; a different one (autovacuum freezing included) only means
 * the full snapshot must be read.
 */
export async function pgCatalogFingerprint(session: Session): Promise<string> {
  const catalogs = ["pg_namespace", "pg_class", "pg_attribute", "pg_attrdef", "pg_constraint", "pg_index", "pg_trigger", "pg_rewrite", "pg_proc", "pg_type", "pg_enum", "pg_sequence", "pg_extension", "pg_inherits", "pg_collation"];
  const sql = `SELECT ${catalogs.map((c) => `(SELECT count(*) || ':' || coalesce(sum(xmin::text::int8), 0) FROM ${c})`).join(" || '/' || ")} AS fp`;
  return String((await session.query(sql)).rows[0]!.fp);
}
