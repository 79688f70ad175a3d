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
  /** Why fewer rows than asked for (a one-row table, a one-to-one key, a CHECK-bounded key). */
  capped?: string;
  /**
   * Every table the statement fills, when it is more than `table`: the tables of a reference
   * cycle through NOT NULL columns, inserted by one statement (foreign keys are checked at its end).
   */
  tables?: string[];
}

/** A second pass: a nullable foreign key of a reference cycle or self-reference, filled once every table has rows. */
export interface SeedLink {
  table: string;
  columns: string[];
  refTable: string;
  sql: string;
}

export interface SeedPlan {
  steps: SeedStep[];
  links: SeedLink[];
}

export type SeedDialect = "postgres" | "mysql";

export function planSeed(
  tables: SeedTable[],
  rowsFor: (table: string) => number,
  dialect: SeedDialect,
): SeedStep[] {
  return planSeeding(tables, rowsFor, dialect).steps;
}

/** The inserts in dependency order, then the second-pass links that close reference cycles. */
export function planSeeding(tables: SeedTable[], rowsFor: (table: string) => number, dialect: SeedDialect): SeedPlan {
  const ordered = dependencyOrder(tables);
  const planned = new Map<string, number>();
  const steps: SeedStep[] = [];
  const links: SeedLink[] = [];
  const deferredLinks: { table: SeedTable; fk: SeedForeignKey }[] = [];
  const cycles = dialect === "postgres" ? notNullCycles(tables) : new Map<string, SeedTable[]>();
  const waiting = new Map<SeedTable[], number>();
  for (const { table, brokenCycle } of ordered) {
    const cycle = cycles.get(table.name);
    if (cycle) {
      // Planned once its last table comes: every parent outside the cycle has rows by then.
      const seen = (waiting.get(cycle) ?? 0) + 1;
      waiting.set(cycle, seen);
      if (seen === cycle.length) steps.push(cycleStep(cycle, planned, rowsFor, dialect));
      continue;
    }
    let rows = rowsFor(table.name);
    if (rows === 0) {
      steps.push({ table: table.name, rows: 0, skipped: "seed rows set to 0" });
      planned.set(table.name, 0);
      continue;
    }
    let capped: string | undefined;
    const keyRows = uniqueKeyCapacity(table);
    if (keyRows !== undefined && keyRows < rows) {
      rows = keyRows;
      capped = keyRows === 1 ? "a CHECK constraint allows one row" : `a CHECK constraint allows ${keyRows} distinct key value(s)`;
    }
    const nullFks = new Set<SeedForeignKey>();
    let skipped: string | undefined;
    let parentProduct = 1;
    for (const fk of orderedForeignKeys(table)) {
      const selfOrCycle = fk.refTable === table.name || brokenCycle.has(fk.refTable);
      const parentRows = planned.get(fk.refTable);
      if (selfOrCycle || parentRows === undefined || parentRows === 0) {
        if (fkNullable(table, fk)) {
          nullFks.add(fk);
          if (selfOrCycle) deferredLinks.push({ table, fk });
        } else skipped ??= `foreign key (${fk.columns.join(", ")}) needs rows in ${fk.refTable}, which ${selfOrCycle ? "is part of a reference cycle through NOT NULL columns" : "has no seeded rows"}`;
        continue;
      }
      if (coveredByLarger(table, fk)) continue;
      // Parent rows are combined like digits (see insertSql): a unique key over the foreign keys
      // can take at most the product of their parents' rows.
      parentProduct *= parentRows;
      if (table.uniques.some((u) => u.every((c) => foreignKeyColumns(table).includes(c)) && u.some((c) => fk.columns.includes(c))) && parentProduct < rows) {
        rows = parentProduct;
        capped = `a unique key over its foreign keys allows ${rows} row(s)`;
      }
    }
    if (skipped) {
      steps.push({ table: table.name, rows: 0, skipped });
      planned.set(table.name, 0);
      continue;
    }
    const unfillable = unfillableColumn(table, dialect);
    if (unfillable) {
      steps.push({ table: table.name, rows: 0, skipped: `no value generator for NOT NULL column ${unfillable.name} of type ${unfillable.type}` });
      planned.set(table.name, 0);
      continue;
    }
    steps.push({ table: table.name, rows, sql: insertSql(table, rows, nullFks, dialect), ...(capped ? { capped } : {}) });
    planned.set(table.name, rows);
  }
  for (const { table, fk } of deferredLinks) {
    if (!planned.get(table.name) || !planned.get(fk.refTable)) continue;
    const sql = linkSql(table, fk, dialect);
    if (sql) links.push({ table: table.name, columns: fk.columns, refTable: fk.refTable, sql });
  }
  return { steps, links };
}

/**
 * Tables that reference each other through NOT NULL foreign keys (a self-reference included):
 * no order of single-table inserts can fill them. Strongly connected components of those edges.
 */
export function notNullCycles(tables: SeedTable[]): Map<string, SeedTable[]> {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const required = (t: SeedTable) => t.foreignKeys.filter((fk) => byName.has(fk.refTable) && fk.columns.every((c) => columnOf(t, c)?.nullable === false));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: SeedTable[] = [];
  const out = new Map<string, SeedTable[]>();
  let counter = 0;
  const connect = (t: SeedTable) => {
    index.set(t.name, counter);
    low.set(t.name, counter++);
    stack.push(t);
    for (const fk of required(t)) {
      const parent = byName.get(fk.refTable)!;
      if (!index.has(parent.name)) {
        connect(parent);
        low.set(t.name, Math.min(low.get(t.name)!, low.get(parent.name)!));
      } else if (stack.includes(parent)) low.set(t.name, Math.min(low.get(t.name)!, index.get(parent.name)!));
    }
    if (low.get(t.name) !== index.get(t.name)) return;
    const component: SeedTable[] = [];
    for (let top = stack.pop()!; ; top = stack.pop()!) {
      component.push(top);
      if (top === t) break;
    }
    const selfReference = required(t).some((fk) => fk.refTable === t.name);
    if (component.length > 1 || selfReference) for (const member of component) out.set(member.name, component);
  };
  for (const t of [...tables].sort((a, b) => a.name.localeCompare(b.name))) if (!index.has(t.name)) connect(t);
  return out;
}

/**
 * One statement that inserts row 1…n of every table of a NOT NULL reference cycle (data-modifying
 * CTEs): row k's foreign keys into the cycle hold row k's key values there, and PostgreSQL checks
 * the foreign keys at the end of the statement, when every row exists.
 */
function cycleStep(cycle: SeedTable[], planned: Map<string, number>, rowsFor: (table: string) => number, dialect: SeedDialect): SeedStep {
  const names = cycle.map((t) => t.name);
  const inCycle = new Set(names);
  const skip = (why: string): SeedStep => {
    for (const name of names) planned.set(name, 0);
    return { table: names[0]!, rows: 0, skipped: why, tables: names };
  };
  const rows = Math.min(...names.map((n) => rowsFor(n)), ...cycle.map((t) => uniqueKeyCapacity(t) ?? Infinity));
  if (rows === 0) return skip("seed rows set to 0");
  const inserts: string[] = [];
  for (const table of cycle) {
    const nullFks = new Set<SeedForeignKey>();
    const fixed = new Map<string, string>();
    for (const fk of table.foreignKeys) {
      const nullable = fkNullable(table, fk);
      if (inCycle.has(fk.refTable)) {
        const parent = cycle.find((t) => t.name === fk.refTable)!;
        const values = fk.refColumns.map((rc) => parent.columns.find((c) => c.name === rc)).map((c) => (c && !c.databaseFilled ? valueExpression(c, parent, dialect) : undefined));
        if (values.every((v) => v !== undefined)) fk.columns.forEach((c, j) => fixed.set(c, values[j]!));
        else if (nullable) nullFks.add(fk);
        else return skip(`${table.name} and ${names.filter((n) => n !== table.name).join(", ") || "itself"} reference each other through NOT NULL columns, and the referenced key of ${fk.refTable} is filled by the database, so its values cannot be known in advance`);
        continue;
      }
      if (!planned.get(fk.refTable)) {
        if (nullable) nullFks.add(fk);
        else return skip(`foreign key (${fk.columns.join(", ")}) of ${table.name} needs rows in ${fk.refTable}, which has no seeded rows`);
      }
    }
    const unfillable = unfillableColumn(table, dialect);
    if (unfillable) return skip(`no value generator for NOT NULL column ${unfillable.name} of type ${unfillable.type} in ${table.name}`);
    inserts.push(insertSql(table, rows, nullFks, dialect, fixed));
  }
  for (const name of names) planned.set(name, rows);
  const sql = `WITH ${inserts.map((insert, i) => `cycle${i} AS (${insert} RETURNING 1)`).join(", ")} SELECT ${inserts.map((_, i) => `(SELECT count(*) FROM cycle${i})`).join(", ")}`;
  return { table: names[0]!, rows, sql, tables: names };
}

function foreignKeyColumns(table: SeedTable): string[] {
  return table.foreignKeys.flatMap((f) => f.columns);
}

/** Composite foreign keys first, so `(tenant_id, project_id)` decides tenant_id over a plain `(tenant_id)`. */
function orderedForeignKeys(table: SeedTable): SeedForeignKey[] {
  const unique = (fk: SeedForeignKey) => table.uniques.some((u) => u.every((c) => fk.columns.includes(c)));
  return [...table.foreignKeys].sort((a, b) => Number(unique(b)) - Number(unique(a)) || b.columns.length - a.columns.length);
}

/** A foreign key whose columns another, wider foreign key already fills (consistent through the parent's own key). */
function coveredByLarger(table: SeedTable, fk: SeedForeignKey): boolean {
  return table.foreignKeys.some((other) => other !== fk && other.columns.length > fk.columns.length && fk.columns.every((c) => other.columns.includes(c)));
}

/**
 * How many rows a unique key whose every column a CHECK pins to a finite set can hold: 1 for the
 * singleton `CHECK (id = 1)`, 2 for a unique boolean. Undefined when some unique key is unbounded.
 */
export function uniqueKeyCapacity(table: SeedTable): number | undefined {
  let best: number | undefined;
  for (const key of table.uniques) {
    let product = 1;
    for (const name of key) {
      const column = table.columns.find((c) => c.name === name);
      const allowed = checkValues(name, table.checks);
      const n = allowed && "values" in allowed ? allowed.values.length : column?.baseType === "bool" ? (table.checks.some((c) => new RegExp(`^CHECK \\(+"?${escapeRegex(name)}"?\\)+$`).test(c)) ? 1 : 2) : undefined;
      if (n === undefined) {
        product = Infinity;
        break;
      }
      product *= n;
    }
    if (product !== Infinity) best = Math.min(best ?? Infinity, product);
  }
  return best;
}

function columnOf(table: SeedTable, name: string): SeedColumn | undefined {
  return table.columns.find((c) => c.name === name);
}

/** A foreign key whose columns may all be NULL: a row can leave it unset. */
function fkNullable(table: SeedTable, fk: SeedForeignKey): boolean {
  return fk.columns.every((c) => columnOf(table, c)?.nullable);
}

/** A NOT NULL column no generator, default or the database fills (foreign keys are filled from parents). */
function unfillableColumn(table: SeedTable, dialect: SeedDialect): SeedColumn | undefined {
  return table.columns.find((c) => !c.nullable && !c.hasDefault && !c.databaseFilled && !isFkColumn(table, c) && valueExpression(c, table, dialect) === undefined);
}

function isFkColumn(table: SeedTable, column: SeedColumn): boolean {
  return table.foreignKeys.some((fk) => fk.columns.includes(column.name));
}

/**
 * Parents before children. A reference cycle is broken at a nullable foreign key where there is
 * one (that column is filled in a second pass); `brokenCycle` names the parents ordered later.
 */
export function dependencyOrder(tables: SeedTable[]): { table: SeedTable; brokenCycle: Set<string> }[] {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const state = new Map<string, "visiting" | "done">();
  const out: { table: SeedTable; brokenCycle: Set<string> }[] = [];
  /** Does `from` reach a table being visited through NOT NULL foreign keys only? */
  const reachesVisiting = (from: SeedTable, seen = new Set<string>()): boolean => {
    if (state.get(from.name) === "visiting") return true;
    if (seen.has(from.name) || state.get(from.name) === "done") return false;
    seen.add(from.name);
    return from.foreignKeys.some((fk) => {
      const parent = byName.get(fk.refTable);
      return parent && parent !== from && !fkNullable(from, fk) && reachesVisiting(parent, seen);
    });
  };
  const visit = (t: SeedTable) => {
    if (state.get(t.name) === "done") return;
    state.set(t.name, "visiting");
    const brokenCycle = new Set<string>();
    const hardFirst = [...t.foreignKeys].sort((a, b) => Number(fkNullable(t, a)) - Number(fkNullable(t, b)));
    for (const fk of hardFirst) {
      const parent = byName.get(fk.refTable);
      if (!parent || parent.name === t.name) continue;
      if (state.get(parent.name) === "visiting" || (fkNullable(t, fk) && state.get(parent.name) !== "done" && reachesVisiting(parent))) brokenCycle.add(parent.name);
      else visit(parent);
    }
    state.set(t.name, "done");
    out.push({ table: t, brokenCycle });
  };
  for (const t of [...tables].sort((a, b) => a.name.localeCompare(b.name))) visit(t);
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

function insertSql(table: SeedTable, rows: number, nullFks: Set<SeedForeignKey>, dialect: SeedDialect, fixed = new Map<string, string>()): string {
  const q = (n: string) => quote(n, dialect);
  const g = dialect === "postgres" ? "s.g" : "s.seq";
  const joins: string[] = [];
  // Foreign keys into the same cycle point at the row with the same number: known values.
  const fkValues = new Map([...fixed].map(([c, expr]) => [c, expr.replaceAll("{g}", g)]));
  // Parent rows combine like digits: the first foreign key cycles fastest, the next advances once
  // per full cycle of the first, so rows over two foreign keys form distinct pairs.
  let divisor = "";
  orderedForeignKeys(table).forEach((fk, i) => {
    if (nullFks.has(fk) || coveredByLarger(table, fk) || fk.columns.every((c) => fixed.has(c))) return;
    const alias = `fk${i}`;
    const cols = fk.refColumns.map((c, j) => `${q(c)} AS c${j}`).join(", ");
    const count = `(SELECT count(*) FROM ${q(fk.refTable)})`;
    const position = divisor ? (dialect === "postgres" ? `((${g} - 1) / (${divisor}))` : `((${g} - 1) DIV (${divisor}))`) : `(${g} - 1)`;
    joins.push(
      `JOIN (SELECT ${cols}, row_number() OVER (ORDER BY ${fk.refColumns.map((c) => q(c)).join(", ")}) AS rn FROM ${q(fk.refTable)}) AS ${alias} ON ${alias}.rn = 1 + ${position} % ${count}`,
    );
    divisor = divisor ? `${divisor} * ${count}` : count;
    fk.columns.forEach((c, j) => {
      if (!fkValues.has(c)) fkValues.set(c, `${alias}.c${j}`);
    });
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
  return `INSERT IGNORE INTO ${q(table.name)} (${names.join(", ")}) SELECT ${values.join(", ")} FROM ${mysqlRowNumbers(rows)} AS s ${joins.join(" ")}`;
}

/**
 * Row numbers 1..n as a derived table `seq` that MySQL 8 and MariaDB both accept (MariaDB's
 * `seq_1_to_N` engine is MariaDB-only; a recursive CTE stops at MySQL's cte_max_recursion_depth):
 * a cross join of ten-row digit tables.
 */
export function mysqlRowNumbers(n: number): string {
  const digits = Math.max(1, Math.ceil(Math.log10(Math.max(n, 1) + 1)));
  const digit = "(SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)";
  const parts = Array.from({ length: digits }, (_, i) => `${digit} AS d${i}`);
  const value = Array.from({ length: digits }, (_, i) => (i === 0 ? "d0.d" : `d${i}.d * ${10 ** i}`)).join(" + ");
  return `(SELECT 1 + ${value} AS seq FROM ${parts.join(" CROSS JOIN ")} WHERE ${value} < ${n})`;
}

/** Second pass of a reference cycle: point each row at a parent row (a self-reference at an earlier row, so trees stay trees). */
function linkSql(table: SeedTable, fk: SeedForeignKey, dialect: SeedDialect): string | undefined {
  if (dialect !== "postgres") return undefined;
  const q = (n: string) => quote(n, dialect);
  const refCols = fk.refColumns.map((c, j) => `${q(c)} AS c${j}`).join(", ");
  const order = fk.refColumns.map(q).join(", ");
  const self = fk.refTable === table.name;
  const target = self ? "p.rn = x.rn / 2" : `p.rn = 1 + (x.rn - 1) % (SELECT count(*) FROM ${q(fk.refTable)})`;
  const set = fk.columns.map((c, j) => `${q(c)} = p.c${j}`).join(", ");
  return (
    `UPDATE ${q(table.name)} AS t SET ${set} FROM (SELECT ctid AS id, row_number() OVER (ORDER BY ctid) AS rn FROM ${q(table.name)}) AS x, ` +
    `(SELECT ${refCols}, row_number() OVER (ORDER BY ${order}) AS rn FROM ${q(fk.refTable)}) AS p WHERE t.ctid = x.id AND ${target}`
  );
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

/** What a text column's name says it holds: a URL, an e-mail address, a UUID, JSON. */
export function textShape(column: string): "url" | "email" | "uuid" | "json" | undefined {
  const n = column.toLowerCase();
  if (/(^|_)(url|uri|link|href|website|homepage|avatar|image|thumbnail)s?($|_)/.test(n)) return "url";
  if (/(^|_)e?mail(_address)?($|_)/.test(n)) return "email";
  if (/(^|_)(uuid|guid)($|_)/.test(n)) return "uuid";
  if (/(^|_)(json|payload|metadata|meta|settings|config|options|attributes)($|_)/.test(n)) return "json";
  return undefined;
}

function postgresValue(c: SeedColumn, table: SeedTable): string | undefined {
  const t = c.baseType.toLowerCase();
  const shaped = (shape: ReturnType<typeof textShape>): string | undefined => {
    if (shape === "url") return `'https://example.com/${c.name}/' || {g}`;
    if (shape === "email") return `'user' || {g} || '@example.com'`;
    if (shape === "uuid") return `md5({g}::text || ${literal(table.name)})::uuid::text`;
    if (shape === "json") return `'{"n": ' || {g} || '}'`;
    return undefined;
  };
  const text = (max?: number) => {
    const value = shaped(textShape(c.name));
    if (value && (!max || max >= 36 + 8)) return value;
    return max && max < 12 ? `left(md5({g}::text || ${literal(c.name)}), ${max})` : `left(${literal(`${c.name}-`)} || {g}, ${max ?? 200})`;
  };
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
    // Dates in the past ten years, as stored data has.
    case "date":
      return "date '2015-01-01' + ({g} % 3650)";
    case "timestamp":
    case "timestamptz":
      return `(timestamp '2015-01-01' + ({g} % 5000000) * interval '1 minute')::${c.type}`;
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
      return mysqlText(c);
    case "binary":
    case "varbinary":
    case "blob":
    case "tinyblob":
    case "mediumblob":
    case "longblob":
      return `UNHEX(MD5({g}))`;
    case "date":
      return "DATE_ADD('2015-01-01', INTERVAL ({g} % 3650) DAY)";
    case "datetime":
    case "timestamp":
      return "DATE_ADD('2015-01-01 00:00:00', INTERVAL ({g} % 5000000) MINUTE)";
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

function mysqlText(c: SeedColumn): string {
  const max = c.maxLength;
  const shape = textShape(c.name);
  if (shape && (!max || max >= 44)) {
    if (shape === "url") return `CONCAT('https://example.com/${c.name}/', {g})`;
    if (shape === "email") return "CONCAT('user', {g}, '@example.com')";
    if (shape === "uuid") return "UUID()";
    return "CONCAT('{\"n\": ', {g}, '}')";
  }
  return max && max < 12 ? `LEFT(MD5(CONCAT({g}, ${literal(c.name)})), ${max})` : `LEFT(CONCAT(${literal(`${c.name}-`)}, {g}), ${max ?? 200})`;
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
    // `CHECK (id = 1)`: the singleton row's one value (not part of an OR, which allows more).
    const one = new RegExp(`\\(?${col}\\)?(?:::[\\w ]+)?\\s*=\\s*\\(?('(?:[^']|'')*'|-?\\d+(?:\\.\\d+)?|true|false)\\)?(?:::[\\w ]+)?\\)*$`, "i").exec(check);
    if (one && !/\bOR\b/i.test(check)) return { values: [one[1]!] };
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
