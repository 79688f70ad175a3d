// Seed planning: from column metadata read out of the catalogs, one set-based INSERT per table
// that satisfies types, NOT NULL, simple CHECKs, unique keys (values derive from the row number)
// and foreign keys (rows point at existing parent rows), in dependency order. Pure: the runner
// executes the SQL and reports what each table really received.

export interface SeedColumn {
  name: string;
  /** Formatted type, e.g. `character varying(20)`, `public.order_status`, `integer[]`. */
  type: string;
  /** Base type name without modifiers or schema: `varchar`, `int4`, `order_status`, `enum`… */
  baseType: string;
  /** Enum labels when the column (or its domain) is an enum. */
  enumLabels?: string[];
  maxLength?: number;
  isArray: boolean;
  nullable: boolean;
  hasDefault: boolean;
  /** Identity, serial (nextval default), auto_increment or generated: the database fills it. */
  databaseFilled: boolean;
}

export interface SeedForeignKey {
  columns: string[];
  refTable: string;
  refColumns: string[];
}

export interface SeedTable {
  /** Qualified name as the report shows it: `public.orders` (PostgreSQL) or `orders` (MariaDB). */
  name: string;
  columns: SeedColumn[];
  /** Column lists of primary keys and unique constraints/indexes. */
  uniques: string[][];
  /** CHECK constraint definitions as the catalog prints them. */
  checks: string[];
  foreignKeys: SeedForeignKey[];
  /** Literal values per partition key column that land in an existing partition. */
  partitionValues?: Record<string, string[]>;
}

export interface SeedStep {
  table: string;
  rows: number;
  sql?: string;
  /** Why the table gets no generated rows. */
  skipped?: string;
}

export type SeedDialect = "postgres" | "mysql";

export function planSeed(
  tables: SeedTable[],
  rowsFor: (table: string) => number,
  dialect: SeedDialect,
): SeedStep[] {
  const ordered = dependencyOrder(tables);
  const planned = new Map<string, number>();
  const steps: SeedStep[] = [];
  for (const { table, brokenCycle } of ordered) {
    let rows = rowsFor(table.name);
    if (rows === 0) {
      steps.push({ table: table.name, rows: 0, skipped: "seed rows set to 0" });
      planned.set(table.name, 0);
      continue;
    }
    const nullFks = new Set<SeedForeignKey>();
    let skipped: string | undefined;
    for (const fk of table.foreignKeys) {
      const selfOrCycle = fk.refTable === table.name || brokenCycle.has(fk.refTable);
      const parentRows = planned.get(fk.refTable);
      if (selfOrCycle || parentRows === undefined || parentRows === 0) {
        const nullable = fk.columns.every((c) => table.columns.find((col) => col.name === c)?.nullable);
        if (nullable) nullFks.add(fk);
        else skipped ??= `foreign key (${fk.columns.join(", ")}) needs rows in ${fk.refTable}, which ${selfOrCycle ? "is part of a reference cycle" : "has no seeded rows"}`;
        continue;
      }
      // A unique foreign key (one-to-one) can take at most one row per parent row.
      if (table.uniques.some((u) => u.every((c) => fk.columns.includes(c)))) rows = Math.min(rows, parentRows);
    }
    if (skipped) {
      steps.push({ table: table.name, rows: 0, skipped });
      planned.set(table.name, 0);
      continue;
    }
    const unfillable = table.columns.find((c) => !c.nullable && !c.hasDefault && !c.databaseFilled && !isFkColumn(table, c) && valueExpression(c, table, dialect) === undefined);
    if (unfillable) {
      steps.push({ table: table.name, rows: 0, skipped: `no value generator for NOT NULL column ${unfillable.name} of type ${unfillable.type}` });
      planned.set(table.name, 0);
      continue;
    }
    steps.push({ table: table.name, rows, sql: insertSql(table, rows, nullFks, dialect) });
    planned.set(table.name, rows);
  }
  return steps;
}

function isFkColumn(table: SeedTable, column: SeedColumn): boolean {
  return table.foreignKeys.some((fk) => fk.columns.includes(column.name));
}

/** Parents before children; tables in a reference cycle are ordered as found, with the cycle noted. */
export function dependencyOrder(tables: SeedTable[]): { table: SeedTable; brokenCycle: Set<string> }[] {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const state = new Map<string, "visiting" | "done">();
  const out: { table: SeedTable; brokenCycle: Set<string> }[] = [];
  const visit = (t: SeedTable, stack: string[]) => {
    if (state.get(t.name) === "done") return;
    state.set(t.name, "visiting");
    const brokenCycle = new Set<string>();
    for (const fk of t.foreignKeys) {
      const parent = byName.get(fk.refTable);
      if (!parent || parent.name === t.name) continue;
      if (state.get(parent.name) === "visiting") brokenCycle.add(parent.name);
      else visit(parent, [...stack, t.name]);
    }
    state.set(t.name, "done");
    out.push({ table: t, brokenCycle });
  };
  for (const t of [...tables].sort((a, b) => a.name.localeCompare(b.name))) visit(t, []);
  return out;
}

function quote(name: string, dialect: SeedDialect): string {
  return name
    .split(".")
    .map((p) => (dialect === "postgres" ? `"${p.replace(/"/g, '""')}"` : `\`${p.replace(/`/g, "``")}\``))
    .join(".");
}

function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function insertSql(table: SeedTable, rows: number, nullFks: Set<SeedForeignKey>, dialect: SeedDialect): string {
  const q = (n: string) => quote(n, dialect);
  const g = dialect === "postgres" ? "s.g" : "s.seq";
  const joins: string[] = [];
  const fkValues = new Map<string, string>();
  table.foreignKeys.forEach((fk, i) => {
    if (nullFks.has(fk)) return;
    const alias = `fk${i}`;
    const cols = fk.refColumns.map((c, j) => `${q(c)} AS c${j}`).join(", ");
    const count = `(SELECT count(*) FROM ${q(fk.refTable)})`;
    // Spread children over parents with a stride so composite unique keys over two FKs rarely collide.
    joins.push(
      `JOIN (SELECT ${cols}, row_number() OVER (ORDER BY ${fk.refColumns.map((c) => q(c)).join(", ")}) AS rn FROM ${q(fk.refTable)}) AS ${alias} ON ${alias}.rn = 1 + ((${g} - 1) * ${i + 1}) % ${count}`,
    );
    fk.columns.forEach((c, j) => fkValues.set(c, `${alias}.c${j}`));
  });
  const names: string[] = [];
  const values: string[] = [];
  for (const c of table.columns) {
    if (c.databaseFilled) continue;
    const fk = fkValues.get(c.name);
    if (fk) {
      names.push(q(c.name));
      values.push(fk);
      continue;
    }
    if (table.foreignKeys.some((f) => nullFks.has(f) && f.columns.includes(c.name))) continue;
    const expr = valueExpression(c, table, dialect);
    if (expr === undefined) continue;
    names.push(q(c.name));
    values.push(expr.replaceAll("{g}", g));
  }
  if (dialect === "postgres") {
    const select = names.length ? values.join(", ") : "";
    if (!names.length) return `INSERT INTO ${q(table.name)} SELECT FROM generate_series(1, ${rows}) AS s(g) ON CONFLICT DO NOTHING`;
    return `INSERT INTO ${q(table.name)} (${names.join(", ")}) SELECT ${select} FROM generate_series(1, ${rows}) AS s(g) ${joins.join(" ")} ON CONFLICT DO NOTHING`;
  }
  return `INSERT IGNORE INTO ${q(table.name)} (${names.join(", ")}) SELECT ${values.join(", ")} FROM seq_1_to_${rows} AS s ${joins.join(" ")}`;
}

/** A SQL expression in `{g}` (the row number, from 1) producing a valid, row-unique value, or undefined. */
export function valueExpression(c: SeedColumn, table: SeedTable, dialect: SeedDialect): string | undefined {
  const pick = (values: string[]) =>
    dialect === "postgres" ? `(ARRAY[${values.join(", ")}])[1 + ({g} % ${values.length})]::${c.type}` : `ELT(1 + ({g} % ${values.length}), ${values.join(", ")})`;
  const allowed = checkValues(c.name, table.checks);
  if (allowed && "values" in allowed) return pick(allowed.values);
  if (allowed) return dialect === "postgres" ? `${allowed.range}::${c.type}` : allowed.range;
  const partition = table.partitionValues?.[c.name];
  if (partition?.length) return pick(partition);
  if (c.isArray) return dialect === "postgres" ? `'{}'::${c.type}` : undefined;
  if (c.enumLabels?.length) {
    const labels = c.enumLabels.map(literal);
    return dialect === "postgres"
      ? `(ARRAY[${labels.join(", ")}])[1 + ({g} % ${labels.length})]::${c.type}`
      : `ELT(1 + ({g} % ${labels.length}), ${labels.join(", ")})`;
  }
  return dialect === "postgres" ? postgresValue(c, table) : mysqlValue(c);
}

function postgresValue(c: SeedColumn, table: SeedTable): string | undefined {
  const t = c.baseType.toLowerCase();
  const text = (max?: number) =>
    max && max < 12 ? `left(md5({g}::text || ${literal(c.name)}), ${max})` : `left(${literal(`${c.name}-`)} || {g}, ${max ?? 200})`;
  switch (t) {
    case "int2":
      return "({g} % 32000)::smallint";
    case "int4":
    case "int8":
    case "oid":
      return `{g}::${t}`;
    case "numeric":
    case "float4":
    case "float8":
    case "money":
      return `({g} % 100000)::${c.type}`;
    case "text":
    case "varchar":
    case "bpchar":
    case "citext":
    case "name":
      return `${text(c.maxLength)}::${c.type}`;
    case "bool":
      return "({g} % 2 = 0)";
    case "date":
      return "date '2024-01-01' + ({g} % 3650)";
    case "timestamp":
    case "timestamptz":
      return `(timestamp '2024-01-01' + {g} * interval '1 minute')::${c.type}`;
    case "time":
    case "timetz":
      return `(time '00:00' + ({g} % 86400) * interval '1 second')::${c.type}`;
    case "interval":
      return "{g} * interval '1 second'";
    case "uuid":
      return `md5({g}::text || ${literal(table.name)})::uuid`;
    case "json":
    case "jsonb":
      return `json_build_object('n', {g})::${t}`;
    case "bytea":
      return "decode(md5({g}::text), 'hex')";
    case "inet":
    case "cidr":
      return `('10.' || ({g} / 65536) % 256 || '.' || ({g} / 256) % 256 || '.' || {g} % 256)::${t}`;
    case "macaddr":
      return "('08:00:2b:' || lpad(to_hex(({g} / 65536) % 256), 2, '0') || ':' || lpad(to_hex(({g} / 256) % 256), 2, '0') || ':' || lpad(to_hex({g} % 256), 2, '0'))::macaddr";
    case "tsvector":
      return "to_tsvector('simple', 'word' || {g})";
    case "int4range":
    case "int8range":
      return `${t}({g}, {g} + 10)`;
    case "tstzrange":
    case "tsrange":
      return `${t}(timestamp '2024-01-01' + {g} * interval '1 hour', timestamp '2024-01-01' + ({g} + 1) * interval '1 hour')`;
    case "daterange":
      return "daterange(date '2024-01-01' + {g}, date '2024-01-01' + {g} + 1)";
    case "xml":
      return "xmlparse(content '<n>' || {g} || '</n>')";
    default:
      return undefined;
  }
}

function mysqlValue(c: SeedColumn): string | undefined {
  const t = c.baseType.toLowerCase();
  switch (t) {
    case "tinyint":
      return c.type.startsWith("tinyint(1)") ? "({g} % 2)" : "({g} % 100)";
    case "smallint":
      return "({g} % 30000)";
    case "mediumint":
    case "int":
    case "integer":
    case "bigint":
    case "decimal":
    case "float":
    case "double":
      return "{g}";
    case "bit":
      return "({g} % 2)";
    case "char":
    case "varchar":
    case "text":
    case "tinytext":
    case "mediumtext":
    case "longtext":
      return c.maxLength && c.maxLength < 12 ? `LEFT(MD5(CONCAT({g}, ${literal(c.name)})), ${c.maxLength})` : `LEFT(CONCAT(${literal(`${c.name}-`)}, {g}), ${c.maxLength ?? 200})`;
    case "binary":
    case "varbinary":
    case "blob":
    case "tinyblob":
    case "mediumblob":
    case "longblob":
      return `UNHEX(MD5({g}))`;
    case "date":
      return "DATE_ADD('2024-01-01', INTERVAL ({g} % 3650) DAY)";
    case "datetime":
    case "timestamp":
      return "DATE_ADD('2024-01-01 00:00:00', INTERVAL {g} MINUTE)";
    case "time":
      return "SEC_TO_TIME({g} % 86400)";
    case "year":
      return "(1970 + {g} % 150)";
    case "json":
    case "longtext json":
      return "JSON_OBJECT('n', {g})";
    case "uuid":
      return "UUID()";
    default:
      return undefined;
  }
}

/**
 * Values a simple CHECK constraint allows for a column: an IN / = ANY list, or a range from
 * comparisons with numeric constants. Other checks are left to the database to reject.
 */
export function checkValues(column: string, checks: string[]): { values: string[] } | { range: string } | undefined {
  const col = `(?:"${escapeRegex(column)}"|\`${escapeRegex(column)}\`|\\b${escapeRegex(column)}\\b)`;
  for (const check of checks) {
    const list =
      new RegExp(`\\(?${col}\\)?(?:::[\\w ]+)?\\s*=\\s*ANY\\s*\\(\\(?ARRAY\\[(.*?)\\]`, "i").exec(check) ??
      new RegExp(`${col}\\s+IN\\s*\\((.*?)\\)`, "i").exec(check);
    if (list) {
      const values = [...list[1]!.matchAll(/'((?:[^']|'')*)'|(-?\d+(?:\.\d+)?)/g)].map((m) => (m[1] !== undefined ? literal(m[1].replace(/''/g, "'")) : m[2]!));
      if (values.length) return { values };
    }
  }
  let low: number | undefined;
  let high: number | undefined;
  for (const check of checks) {
    for (const m of check.matchAll(new RegExp(`${col}\\s*(>=|>|<=|<)\\s*\\(?(-?\\d+(?:\\.\\d+)?)\\)?`, "gi"))) {
      const n = Number(m[2]);
      if (m[1] === ">") low = Math.max(low ?? -Infinity, Math.floor(n) + 1);
      if (m[1] === ">=") low = Math.max(low ?? -Infinity, Math.ceil(n));
      if (m[1] === "<") high = Math.min(high ?? Infinity, Math.ceil(n) - 1);
      if (m[1] === "<=") high = Math.min(high ?? Infinity, Math.floor(n));
    }
  }
  if (low === undefined && high === undefined) return undefined;
  const from = low ?? Math.min(0, high!);
  if (high === undefined) return { range: `(${from} + {g})` };
  const span = high - from + 1;
  return span > 0 ? { range: `(${from} + {g} % ${span})` } : undefined;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
