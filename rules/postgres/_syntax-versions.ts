// SQL features with the PostgreSQL major version that introduced them, detected in libpg_query's
// (PostgreSQL 18 grammar) AST. Versions come from the PostgreSQL release notes; test/rules-syntax-
// versions.test.ts checks every example on a real PostgreSQL 15 (features ≤ 15 must run, newer
// ones must fail) and on PGlite (PostgreSQL 18: every feature must run).
/* eslint-disable @typescript-eslint/no-explicit-any */
import { names } from "../../src/core/analyze/pg-ast.js";
import { reindexConcurrent } from "../../src/core/analyze/pg-locks.js";

export interface SyntaxFeature {
  since: number;
  what: string;
  /** Runs on `since` and later; `setup` creates what it needs. */
  example: string;
  setup?: string;
  /** The libpg_query node types or field names under which the feature can appear. */
  on: string[];
  /** True when the node under `key` (one of `on`) uses the feature. */
  test(key: string, node: any): boolean;
}

const fn = (name: string) => (key: string, node: any) => key === "FuncCall" && names(node.funcname).at(-1) === name && names(node.funcname).length <= 2;
const node = (type: string) => (key: string) => key === type;
const cmd = (subtype: string) => (key: string, n: any) => key === "AlterTableCmd" && n.subtype === subtype;

const T = "CREATE TABLE t (id int PRIMARY KEY, a int, b text);";

export const SYNTAX_FEATURES: SyntaxFeature[] = [
  // PostgreSQL 11
  { since: 11, on: ["CreateFunctionStmt"], what: "CREATE PROCEDURE", example: "CREATE PROCEDURE p() LANGUAGE sql AS 'SELECT 1'", test: (k, n) => k === "CreateFunctionStmt" && Boolean(n.is_procedure) },
  { since: 11, on: ["CallStmt"], what: "CALL", example: "CALL p()", setup: "CREATE PROCEDURE p() LANGUAGE sql AS 'SELECT 1';", test: node("CallStmt") },
  { since: 11, on: ["IndexStmt",  "Constraint"], what: "covering index (INCLUDE)", example: "CREATE INDEX t_a_idx ON t (a) INCLUDE (b)", setup: T, test: (k, n) => (k === "IndexStmt" && Boolean(n.indexIncludingParams?.length)) || (k === "Constraint" && Boolean(n.including?.length)) },
  { since: 11, on: ["partspec"], what: "hash partitioning", example: "CREATE TABLE h (id int) PARTITION BY HASH (id)", test: (k, n) => k === "partspec" && n.strategy === "PARTITION_STRATEGY_HASH" },
  { since: 11, on: ["partbound"], what: "default partition", example: "CREATE TABLE r_default PARTITION OF r DEFAULT", setup: "CREATE TABLE r (d date) PARTITION BY RANGE (d);", test: (k, n) => k === "partbound" && Boolean(n.is_default) },
  // PostgreSQL 12
  { since: 12, on: ["Constraint"], what: "generated column", example: "CREATE TABLE g (a int, b int GENERATED ALWAYS AS (a * 2) STORED)", test: (k, n) => k === "Constraint" && n.contype === "CONSTR_GENERATED" && n.generated_kind !== "v" },
  { since: 12, on: ["ReindexStmt"], what: "REINDEX CONCURRENTLY", example: "REINDEX TABLE CONCURRENTLY t", setup: T, test: (k, n) => k === "ReindexStmt" && reindexConcurrent(n) },
  { since: 12, on: ["CreateStmt"], what: "table access method (USING)", example: "CREATE TABLE am (a int) USING heap", test: (k, n) => k === "CreateStmt" && Boolean(n.accessMethod) },
  { since: 12, on: ["CommonTableExpr"], what: "[NOT] MATERIALIZED common table expression", example: "WITH x AS MATERIALIZED (SELECT 1) SELECT * FROM x", test: (k, n) => k === "CommonTableExpr" && n.ctematerialized !== undefined && n.ctematerialized !== "CTEMaterializeDefault" },
  // PostgreSQL 13
  { since: 13, on: ["DropdbStmt"], what: "DROP DATABASE … WITH (FORCE)", example: "DROP DATABASE IF EXISTS mg_never_existed WITH (FORCE)", test: (k, n) => k === "DropdbStmt" && (n.options ?? []).some((o: any) => o.DefElem?.defname === "force") },
  { since: 13, on: ["SelectStmt"], what: "FETCH FIRST … WITH TIES", example: "SELECT 1 AS one ORDER BY 1 FETCH FIRST 1 ROWS WITH TIES", test: (k, n) => k === "SelectStmt" && n.limitOption === "LIMIT_OPTION_WITH_TIES" },
  { since: 13, on: ["AlterTableCmd"], what: "ALTER COLUMN … DROP EXPRESSION", example: "ALTER TABLE g ALTER COLUMN b DROP EXPRESSION", setup: "CREATE TABLE g (a int, b int GENERATED ALWAYS AS (a * 2) STORED);", test: cmd("AT_DropExpression") },
  { since: 13, on: ["FuncCall"], what: "built-in gen_random_uuid()", example: "SELECT gen_random_uuid()", test: fn("gen_random_uuid") },
  { since: 13, on: ["FuncCall"], what: "trim_scale()", example: "SELECT trim_scale(1.50)", test: fn("trim_scale") },
  { since: 13, on: ["FuncCall"], what: "min_scale()", example: "SELECT min_scale(1.50)", test: fn("min_scale") },
  { since: 13, on: ["FuncCall"], what: "gcd()", example: "SELECT gcd(4, 6)", test: fn("gcd") },
  { since: 13, on: ["FuncCall"], what: "lcm()", example: "SELECT lcm(4, 6)", test: fn("lcm") },
  // PostgreSQL 14
  { since: 14, on: ["CreateTrigStmt"], what: "CREATE OR REPLACE TRIGGER", example: "CREATE OR REPLACE TRIGGER t_noop BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION noop()", setup: `${T} CREATE FUNCTION noop() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';`, test: (k, n) => k === "CreateTrigStmt" && Boolean(n.replace) },
  { since: 14, on: ["PartitionCmd"], what: "DETACH PARTITION … CONCURRENTLY", example: "ALTER TABLE r DETACH PARTITION r_2024 CONCURRENTLY", setup: "CREATE TABLE r (d date) PARTITION BY RANGE (d); CREATE TABLE r_2024 PARTITION OF r FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');", test: (k, n) => k === "PartitionCmd" && Boolean(n.concurrent) },
  { since: 14, on: ["CreateFunctionStmt"], what: "SQL-standard function body (BEGIN ATOMIC / RETURN)", example: "CREATE FUNCTION one() RETURNS int LANGUAGE sql RETURN 1", test: (k, n) => k === "CreateFunctionStmt" && Boolean(n.sql_body) },
  { since: 14, on: ["CommonTableExpr"], what: "SEARCH / CYCLE clause of a recursive query", example: "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SEARCH DEPTH FIRST BY n SET ord SELECT * FROM r", test: (k, n) => k === "CommonTableExpr" && Boolean(n.search_clause || n.cycle_clause) },
  { since: 14, on: ["ColumnDef",  "AlterTableCmd"], what: "column COMPRESSION", example: "CREATE TABLE c (a text COMPRESSION pglz)", test: (k, n) => (k === "ColumnDef" && Boolean(n.compression)) || (k === "AlterTableCmd" && n.subtype === "AT_SetCompression") },
  { since: 14, on: ["FuncCall"], what: "string_to_table()", example: "SELECT string_to_table('a,b', ',')", test: fn("string_to_table") },
  { since: 14, on: ["FuncCall"], what: "date_bin()", example: "SELECT date_bin('15 minutes', now(), '2000-01-01')", test: fn("date_bin") },
  { since: 14, on: ["FuncCall"], what: "trim_array()", example: "SELECT trim_array(ARRAY[1, 2, 3], 1)", test: fn("trim_array") },
  { since: 14, on: ["FuncCall"], what: "unistr()", example: "SELECT unistr('\\0041')", test: fn("unistr") },
  { since: 14, on: ["FuncCall"], what: "bit_count()", example: "SELECT bit_count(B'101')", test: fn("bit_count") },
  { since: 14, on: ["FuncCall"], what: "range_agg()", example: "SELECT range_agg(int4range(1, 2))", test: fn("range_agg") },
  // PostgreSQL 15
  { since: 15, on: ["MergeStmt"], what: "MERGE", example: "MERGE INTO t USING (SELECT 1 AS id) s ON t.id = s.id WHEN NOT MATCHED THEN INSERT (id) VALUES (s.id)", setup: T, test: node("MergeStmt") },
  { since: 15, on: ["IndexStmt",  "Constraint"], what: "UNIQUE NULLS NOT DISTINCT", example: "CREATE UNIQUE INDEX t_b_key ON t (b) NULLS NOT DISTINCT", setup: T, test: (k, n) => (k === "IndexStmt" || k === "Constraint") && Boolean(n.nulls_not_distinct) },
  { since: 15, on: ["Constraint"], what: "ON DELETE SET NULL/DEFAULT with a column list", example: "CREATE TABLE child (id int, p int REFERENCES t (id) ON DELETE SET NULL (p))", setup: T, test: (k, n) => k === "Constraint" && Boolean(n.fk_del_set_cols?.length) },
  { since: 15, on: ["AlterTableCmd"], what: "ALTER TABLE … SET ACCESS METHOD", example: "ALTER TABLE t SET ACCESS METHOD heap", setup: T, test: cmd("AT_SetAccessMethod") },
  { since: 15, on: ["FuncCall"], what: "regexp_count()", example: "SELECT regexp_count('aaa', 'a')", test: fn("regexp_count") },
  { since: 15, on: ["FuncCall"], what: "regexp_like()", example: "SELECT regexp_like('abc', 'b')", test: fn("regexp_like") },
  { since: 15, on: ["FuncCall"], what: "regexp_substr()", example: "SELECT regexp_substr('abc', 'b')", test: fn("regexp_substr") },
  { since: 15, on: ["FuncCall"], what: "regexp_instr()", example: "SELECT regexp_instr('abc', 'b')", test: fn("regexp_instr") },
  // PostgreSQL 16
  { since: 16, on: ["RangeSubselect"], what: "subquery in FROM without an alias", example: "SELECT * FROM (SELECT 1)", test: (k, n) => k === "RangeSubselect" && !n.alias },
  { since: 16, on: ["JsonObjectConstructor",  "JsonArrayConstructor",  "JsonArrayQueryConstructor",  "JsonObjectAgg",  "JsonArrayAgg"], what: "SQL/JSON constructors (JSON_OBJECT, JSON_ARRAY, JSON_OBJECTAGG, JSON_ARRAYAGG)", example: "SELECT JSON_OBJECT('a' : 1)", test: (k) => ["JsonObjectConstructor", "JsonArrayConstructor", "JsonArrayQueryConstructor", "JsonObjectAgg", "JsonArrayAgg"].includes(k) },
  { since: 16, on: ["JsonIsPredicate"], what: "IS JSON predicate", example: "SELECT '{}' IS JSON", test: node("JsonIsPredicate") },
  { since: 16, on: ["FuncCall"], what: "SYSTEM_USER", example: "SELECT SYSTEM_USER", test: (k, n) => k === "FuncCall" && names(n.funcname).join(".") === "pg_catalog.system_user" },
  { since: 16, on: ["FuncCall"], what: "any_value()", example: "SELECT any_value(x) FROM (VALUES (1)) v(x)", test: fn("any_value") },
  { since: 16, on: ["FuncCall"], what: "random_normal()", example: "SELECT random_normal()", test: fn("random_normal") },
  { since: 16, on: ["FuncCall"], what: "array_sample()", example: "SELECT array_sample(ARRAY[1, 2, 3], 1)", test: fn("array_sample") },
  { since: 16, on: ["FuncCall"], what: "array_shuffle()", example: "SELECT array_shuffle(ARRAY[1, 2, 3])", test: fn("array_shuffle") },
  // PostgreSQL 17
  { since: 17, on: ["MergeWhenClause"], what: "MERGE … WHEN NOT MATCHED BY SOURCE", example: "MERGE INTO t USING (SELECT 1 AS id) s ON t.id = s.id WHEN NOT MATCHED BY SOURCE THEN DELETE", setup: T, test: (k, n) => k === "MergeWhenClause" && n.matchKind === "MERGE_WHEN_NOT_MATCHED_BY_SOURCE" },
  { since: 17, on: ["MergeStmt"], what: "MERGE … RETURNING", example: "MERGE INTO t USING (SELECT 1 AS id) s ON t.id = s.id WHEN MATCHED THEN DELETE RETURNING t.id", setup: T, test: (k, n) => k === "MergeStmt" && Boolean(n.returningList?.length || n.returningClause) },
  { since: 17, on: ["JsonTable"], what: "JSON_TABLE", example: "SELECT * FROM JSON_TABLE('[1]'::jsonb, '$[*]' COLUMNS (v int PATH '$')) AS j", test: node("JsonTable") },
  { since: 17, on: ["JsonFuncExpr"], what: "JSON_QUERY / JSON_VALUE / JSON_EXISTS", example: "SELECT JSON_VALUE('{\"a\": 1}'::jsonb, '$.a')", test: node("JsonFuncExpr") },
  { since: 17, on: ["JsonParseExpr",  "JsonScalarExpr",  "JsonSerializeExpr"], what: "JSON() / JSON_SCALAR() / JSON_SERIALIZE()", example: "SELECT JSON_SCALAR(1)", test: (k) => k === "JsonParseExpr" || k === "JsonScalarExpr" || k === "JsonSerializeExpr" },
  { since: 17, on: ["AlterTableCmd"], what: "ALTER COLUMN … SET EXPRESSION", example: "ALTER TABLE g ALTER COLUMN b SET EXPRESSION AS (a * 3)", setup: "CREATE TABLE g (a int, b int GENERATED ALWAYS AS (a * 2) STORED);", test: cmd("AT_SetExpression") },
  { since: 17, on: ["CopyStmt"], what: "COPY … ON_ERROR", example: "COPY t FROM '/dev/null' WITH (ON_ERROR ignore)", setup: T, test: (k, n) => k === "CopyStmt" && (n.options ?? []).some((o: any) => o.DefElem?.defname === "on_error") },
  { since: 17, on: ["VariableSetStmt"], what: "the transaction_timeout setting", example: "SET transaction_timeout = '5min'", test: (k, n) => k === "VariableSetStmt" && n.name === "transaction_timeout" },
  // PostgreSQL 18
  { since: 18, on: ["Constraint"], what: "named NOT NULL constraint (ADD CONSTRAINT … NOT NULL col)", example: "ALTER TABLE t ADD CONSTRAINT t_b_not_null NOT NULL b", setup: T, test: (k, n) => k === "Constraint" && n.contype === "CONSTR_NOTNULL" && Boolean(n.keys?.length) },
  { since: 18, on: ["Constraint"], what: "NOT NULL … NOT VALID", example: "ALTER TABLE t ADD CONSTRAINT t_b_not_null NOT NULL b NOT VALID", setup: T, test: (k, n) => k === "Constraint" && n.contype === "CONSTR_NOTNULL" && Boolean(n.skip_validation) },
  { since: 18, on: ["Constraint"], what: "virtual generated column", example: "CREATE TABLE gv (a int, b int GENERATED ALWAYS AS (a * 2) VIRTUAL)", test: (k, n) => k === "Constraint" && n.contype === "CONSTR_GENERATED" && n.generated_kind === "v" },
  { since: 18, on: ["returningClause"], what: "OLD/NEW in RETURNING", example: "UPDATE t SET a = 1 RETURNING old.a, new.a", setup: T, test: (k, n) => k === "returningClause" && (Boolean(n.options?.length) || JSON.stringify(n.exprs ?? []).match(/"fields":\[\{"String":\{"sval":"(old|new)"\}\},/) !== null) },
  { since: 18, on: ["Constraint"], what: "WITHOUT OVERLAPS / PERIOD (temporal keys)", example: "CREATE TABLE booking (room int, during tstzrange, PRIMARY KEY (room, during WITHOUT OVERLAPS))", setup: "CREATE EXTENSION IF NOT EXISTS btree_gist;", test: (k, n) => k === "Constraint" && Boolean(n.without_overlaps || n.fk_with_period || n.pk_with_period) },
  { since: 18, on: ["Constraint"], what: "NOT ENFORCED constraint", example: "ALTER TABLE t ADD CONSTRAINT t_a_positive CHECK (a > 0) NOT ENFORCED", setup: T, test: (k, n) => k === "Constraint" && (n.contype === "CONSTR_CHECK" || n.contype === "CONSTR_FOREIGN") && n.is_enforced !== true },
  { since: 18, on: ["CopyStmt"], what: "COPY … REJECT_LIMIT", example: "COPY t FROM '/dev/null' WITH (ON_ERROR ignore, REJECT_LIMIT 10)", setup: T, test: (k, n) => k === "CopyStmt" && (n.options ?? []).some((o: any) => o.DefElem?.defname === "reject_limit") },
  { since: 18, on: ["FuncCall"], what: "uuidv7()", example: "SELECT uuidv7()", test: fn("uuidv7") },
  { since: 18, on: ["FuncCall"], what: "uuidv4()", example: "SELECT uuidv4()", test: fn("uuidv4") },
  { since: 18, on: ["FuncCall"], what: "casefold()", example: "SELECT casefold('ABC')", test: fn("casefold") },
  { since: 18, on: ["FuncCall"], what: "array_sort()", example: "SELECT array_sort(ARRAY[3, 1, 2])", test: fn("array_sort") },
  { since: 18, on: ["FuncCall"], what: "array_reverse()", example: "SELECT array_reverse(ARRAY[1, 2])", test: fn("array_reverse") },
];

/**
 * Calls `visit(key, value)` for every object-valued property in the tree (keys are node types or
 * fields), in pre-order. Iterative: valid SQL nests deeper than the JS stack.
 */
export function walkKeyed(tree: any, visit: (key: string, value: any) => void): void {
  const stack: any[] = [tree];
  while (stack.length) {
    const node = stack.pop();
    if (node === null || typeof node !== "object") continue;
    if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) stack.push(node[i]);
      continue;
    }
    // for…in: Object.keys allocated an array per node, a third of this walk's time.
    const children: any[] = [];
    for (const key in node) {
      const value = node[key];
      if (value && typeof value === "object") {
        if (!Array.isArray(value)) visit(key, value);
        children.push(value);
      }
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
}

const BY_KEY = new Map<string, SyntaxFeature[]>();
for (const f of SYNTAX_FEATURES) for (const key of f.on) BY_KEY.set(key, [...(BY_KEY.get(key) ?? []), f]);

/** Features the statement uses, each once, newest first. */
export function featuresOf(kind: string, ast: any): SyntaxFeature[] {
  const found = new Set<SyntaxFeature>();
  const visit = (key: string, value: any) => {
    const candidates = BY_KEY.get(key);
    if (candidates) for (const f of candidates) if (!found.has(f) && f.test(key, value)) found.add(f);
  };
  visit(kind, ast);
  walkKeyed(ast, visit);
  return [...found].sort((a, b) => b.since - a.since);
}
