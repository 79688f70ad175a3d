// The catalog queries `migration-guard stats-query` prints. They read only system catalogs
// (no table data), run in milliseconds, and print one JSON document in the StatsFile shape.
import type { Dialect } from "../model.js";

const POSTGRES = `-- migration-guard table statistics (PostgreSQL 10+). Reads only the system catalogs.
-- Run against production (a read replica is fine) and save the single line it prints:
--   psql "$DATABASE_URL" -XAtq -f stats.sql > .github/migration-guard-stats.json
WITH RECURSIVE
tables AS (
  SELECT c.oid, n.nspname AS schema_name, c.relname, c.relkind, c.reltuples
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'm')
    AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname NOT LIKE 'pg\\_toast%'
    AND n.nspname NOT LIKE 'pg\\_temp%'
),
view_deps (table_oid, view_oid) AS (
  SELECT d.refobjid, r.ev_class
  FROM pg_depend d
  JOIN pg_rewrite r ON r.oid = d.objid
  WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass
    AND d.deptype = 'n' AND r.ev_class <> d.refobjid
  UNION
  SELECT vd.table_oid, r.ev_class
  FROM view_deps vd
  JOIN pg_depend d ON d.refobjid = vd.view_oid AND d.classid = 'pg_rewrite'::regclass
    AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'n'
  JOIN pg_rewrite r ON r.oid = d.objid
  WHERE r.ev_class <> d.refobjid
)
SELECT jsonb_build_object(
  'format', 'migration-guard-stats',
  'version', 1,
  'dialect', 'postgres',
  'server_version', current_setting('server_version'),
  'generated_at', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
  'tables', COALESCE((
    SELECT jsonb_agg(jsonb_build_object(
      'schema', t.schema_name,
      'name', t.relname,
      'kind', CASE t.relkind WHEN 'p' THEN 'partitioned table' WHEN 'm' THEN 'materialized view' ELSE 'table' END,
      'rows', CASE WHEN t.reltuples < 0 THEN NULL ELSE t.reltuples::bigint END,
      'table_bytes', pg_table_size(t.oid),
      'index_bytes', pg_indexes_size(t.oid),
      'indexes', COALESCE((
        SELECT jsonb_agg(jsonb_build_object(
          'name', ic.relname, 'bytes', pg_relation_size(ic.oid),
          'unique', i.indisunique, 'primary', i.indisprimary, 'valid', i.indisvalid,
          'partial', i.indpred IS NOT NULL,
          'columns', (SELECT jsonb_agg(a.attname ORDER BY k.ord)
                      FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
                      LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum)) ORDER BY ic.relname)
        FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
        WHERE i.indrelid = t.oid), '[]'::jsonb),
      'foreign_keys', COALESCE((
        SELECT jsonb_agg(jsonb_build_object(
          'name', con.conname,
          'columns', (SELECT jsonb_agg(a.attname ORDER BY k.ord)
                      FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
                      JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum),
          'references', jsonb_build_object('schema', rn.nspname, 'table', rc.relname),
          'referenced_columns', (SELECT jsonb_agg(a.attname ORDER BY k.ord)
                                 FROM unnest(con.confkey) WITH ORDINALITY AS k(attnum, ord)
                                 JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum)
        ) ORDER BY con.conname)
        FROM pg_constraint con
        JOIN pg_class rc ON rc.oid = con.confrelid
        JOIN pg_namespace rn ON rn.oid = rc.relnamespace
        WHERE con.contype = 'f' AND con.conrelid = t.oid), '[]'::jsonb),
      'referenced_by', COALESCE((
        SELECT jsonb_agg(jsonb_build_object(
          'name', con.conname, 'schema', sn.nspname, 'table', sc.relname,
          'columns', (SELECT jsonb_agg(a.attname ORDER BY k.ord)
                      FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
                      JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum)
        ) ORDER BY sc.relname, con.conname)
        FROM pg_constraint con
        JOIN pg_class sc ON sc.oid = con.conrelid
        JOIN pg_namespace sn ON sn.oid = sc.relnamespace
        WHERE con.contype = 'f' AND con.confrelid = t.oid), '[]'::jsonb),
      'triggers', COALESCE((
        SELECT jsonb_agg(jsonb_build_object('name', tg.tgname, 'function', p.proname, 'enabled', tg.tgenabled <> 'D') ORDER BY tg.tgname)
        FROM pg_trigger tg JOIN pg_proc p ON p.oid = tg.tgfoid
        WHERE tg.tgrelid = t.oid AND NOT tg.tgisinternal), '[]'::jsonb),
      'views', COALESCE((
        SELECT jsonb_agg(jsonb_build_object('schema', vn.nspname, 'name', v.relname, 'materialized', v.relkind = 'm',
          'columns', (SELECT jsonb_agg(DISTINCT a.attname ORDER BY a.attname)
                      FROM pg_depend d
                      JOIN pg_rewrite r ON r.oid = d.objid
                      JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                      WHERE d.classid = 'pg_rewrite'::regclass AND d.refobjid = t.oid
                        AND r.ev_class = v.oid AND d.refobjsubid > 0)) ORDER BY vn.nspname, v.relname)
        FROM (SELECT DISTINCT view_oid FROM view_deps WHERE table_oid = t.oid) deps
        JOIN pg_class v ON v.oid = deps.view_oid
        JOIN pg_namespace vn ON vn.oid = v.relnamespace), '[]'::jsonb)
    ) ORDER BY t.schema_name, t.relname)
    FROM tables t), '[]'::jsonb)
)::text AS migration_guard_stats;
`;

// MySQL 8.0 / MariaDB 10.5+: JSON_ARRAYAGG. Sizes and row counts are InnoDB estimates;
// dependent views are found by name in their definitions (MariaDB has no VIEW_TABLE_USAGE).
const MYSQL = `-- migration-guard table statistics (MySQL 8.0+ / MariaDB 10.5+), for the current database.
-- Reads only information_schema. Run against production and save the single line it prints:
--   mysql --batch --raw --skip-column-names -e "$(migration-guard stats-query --dialect mysql)" mydb > .github/migration-guard-stats.json
SET SESSION group_concat_max_len = 67108864;
SELECT JSON_OBJECT(
  'format', 'migration-guard-stats',
  'version', 1,
  'dialect', IF(VERSION() LIKE '%MariaDB%', 'mariadb', 'mysql'),
  'server_version', VERSION(),
  'generated_at', DATE_FORMAT(UTC_TIMESTAMP(), '%Y-%m-%dT%H:%i:%sZ'),
  'tables', JSON_EXTRACT(IFNULL((
    SELECT JSON_ARRAYAGG(JSON_OBJECT(
      'schema', t.TABLE_SCHEMA,
      'name', t.TABLE_NAME,
      'kind', 'table',
      'rows', t.TABLE_ROWS,
      'table_bytes', IFNULL(t.DATA_LENGTH, 0),
      'index_bytes', IFNULL(t.INDEX_LENGTH, 0),
      'indexes', JSON_EXTRACT(IFNULL((
        SELECT JSON_ARRAYAGG(JSON_OBJECT(
          'name', s.INDEX_NAME, 'bytes', NULL,
          'unique', IF(s.NON_UNIQUE = 0, TRUE, FALSE), 'primary', IF(s.INDEX_NAME = 'PRIMARY', TRUE, FALSE)))
        FROM information_schema.STATISTICS s
        WHERE s.TABLE_SCHEMA = t.TABLE_SCHEMA AND s.TABLE_NAME = t.TABLE_NAME AND s.SEQ_IN_INDEX = 1), '[]'), '$'),
      'foreign_keys', JSON_EXTRACT(IFNULL((
        SELECT JSON_ARRAYAGG(JSON_OBJECT(
          'name', rc.CONSTRAINT_NAME,
          'columns', JSON_EXTRACT((
            SELECT JSON_ARRAYAGG(k.COLUMN_NAME) FROM information_schema.KEY_COLUMN_USAGE k
            WHERE k.CONSTRAINT_SCHEMA = rc.CONSTRAINT_SCHEMA AND k.CONSTRAINT_NAME = rc.CONSTRAINT_NAME
              AND k.TABLE_NAME = rc.TABLE_NAME), '$'),
          'references', JSON_OBJECT('schema', rc.UNIQUE_CONSTRAINT_SCHEMA, 'table', rc.REFERENCED_TABLE_NAME),
          'referenced_columns', JSON_EXTRACT((
            SELECT JSON_ARRAYAGG(k.REFERENCED_COLUMN_NAME) FROM information_schema.KEY_COLUMN_USAGE k
            WHERE k.CONSTRAINT_SCHEMA = rc.CONSTRAINT_SCHEMA AND k.CONSTRAINT_NAME = rc.CONSTRAINT_NAME
              AND k.TABLE_NAME = rc.TABLE_NAME), '$')))
        FROM information_schema.REFERENTIAL_CONSTRAINTS rc
        WHERE rc.CONSTRAINT_SCHEMA = t.TABLE_SCHEMA AND rc.TABLE_NAME = t.TABLE_NAME), '[]'), '$'),
      'referenced_by', JSON_EXTRACT(IFNULL((
        SELECT JSON_ARRAYAGG(JSON_OBJECT(
          'name', rc.CONSTRAINT_NAME, 'schema', rc.CONSTRAINT_SCHEMA, 'table', rc.TABLE_NAME,
          'columns', JSON_EXTRACT((
            SELECT JSON_ARRAYAGG(k.COLUMN_NAME) FROM information_schema.KEY_COLUMN_USAGE k
            WHERE k.CONSTRAINT_SCHEMA = rc.CONSTRAINT_SCHEMA AND k.CONSTRAINT_NAME = rc.CONSTRAINT_NAME
              AND k.TABLE_NAME = rc.TABLE_NAME), '$')))
        FROM information_schema.REFERENTIAL_CONSTRAINTS rc
        WHERE rc.UNIQUE_CONSTRAINT_SCHEMA = t.TABLE_SCHEMA AND rc.REFERENCED_TABLE_NAME = t.TABLE_NAME), '[]'), '$'),
      'triggers', JSON_EXTRACT(IFNULL((
        SELECT JSON_ARRAYAGG(JSON_OBJECT('name', tg.TRIGGER_NAME, 'function', NULL, 'enabled', TRUE))
        FROM information_schema.TRIGGERS tg
        WHERE tg.EVENT_OBJECT_SCHEMA = t.TABLE_SCHEMA AND tg.EVENT_OBJECT_TABLE = t.TABLE_NAME), '[]'), '$'),
      'views', JSON_EXTRACT(IFNULL((
        SELECT JSON_ARRAYAGG(JSON_OBJECT('schema', v.TABLE_SCHEMA, 'name', v.TABLE_NAME, 'materialized', FALSE))
        FROM information_schema.VIEWS v
        WHERE v.TABLE_SCHEMA = t.TABLE_SCHEMA
          AND LOCATE(CONCAT('\`', t.TABLE_NAME, '\`'), v.VIEW_DEFINITION) > 0), '[]'), '$')))
    FROM information_schema.TABLES t
    WHERE t.TABLE_SCHEMA = DATABASE() AND t.TABLE_TYPE = 'BASE TABLE'), '[]'), '$')
) AS migration_guard_stats;
`;

/** The statistics query for a dialect, ready to paste into psql or mysql. */
export function statsQuery(dialect: Dialect): string {
  return dialect === "postgres" ? POSTGRES : MYSQL;
}
