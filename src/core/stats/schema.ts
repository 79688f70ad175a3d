// The table statistics file: what the query `migration-guard stats-query` prints, exported
// from production and read back by `check --stats` or `stats_file:` in the configuration.
import { z } from "zod";
import { Dialect } from "../model.js";
import { MAX_BYTES, MAX_ROWS } from "../config/schema.js";

/** A statistics file of 100,000 tables is about 50 MB; anything larger is not an export. */
export const MAX_STATS_BYTES = 64_000_000;

const Name = z.string().min(1).max(1000);
const Bytes = z.number().int().nonnegative().max(MAX_BYTES);

export const StatsIndex = z.object({
  name: Name,
  /** Null where the server does not expose per-index sizes (MySQL's information_schema). */
  bytes: Bytes.nullable().default(null),
  unique: z.boolean(),
  primary: z.boolean().default(false),
  valid: z.boolean().default(true),
  /** Key columns in order, null for an expression; absent in files exported by older versions. */
  columns: z.array(Name.nullable()).optional(),
  /** A partial index (WHERE …) cannot serve every foreign-key lookup. */
  partial: z.boolean().default(false),
});

export const StatsForeignKey = z.object({
  name: Name,
  columns: z.array(Name),
  references: z.object({ schema: Name, table: Name }),
  referenced_columns: z.array(Name).default([]),
});

/** A foreign key of another table that points at this one. */
export const StatsReferencingKey = z.object({
  name: Name,
  schema: Name,
  table: Name,
  columns: z.array(Name),
});

export const StatsTrigger = z.object({
  name: Name,
  function: z.string().nullable().default(null),
  enabled: z.boolean().default(true),
});

export const StatsView = z.object({
  schema: Name,
  name: Name,
  materialized: z.boolean().default(false),
  /** Columns of the table the view reads; null when it depends through another view. */
  columns: z.array(Name).nullable().optional(),
});

export const StatsTable = z.object({
  schema: Name,
  name: Name,
  kind: z.enum(["table", "partitioned table", "materialized view"]).default("table"),
  /** Planner estimate; null when the table was never analyzed. */
  rows: z.number().nonnegative().max(MAX_ROWS).nullable(),
  table_bytes: Bytes,
  index_bytes: Bytes,
  indexes: z.array(StatsIndex).default([]),
  foreign_keys: z.array(StatsForeignKey).default([]),
  referenced_by: z.array(StatsReferencingKey).default([]),
  triggers: z.array(StatsTrigger).default([]),
  /** Views that depend on the table, directly or through other views. */
  views: z.array(StatsView).default([]),
});

export const StatsFile = z
  .object({
    format: z.literal("migration-guard-stats"),
    version: z.literal(1),
    dialect: Dialect,
    server_version: z.string().optional(),
    generated_at: z.string().optional(),
    tables: z.array(StatsTable),
  })
  .strict();

export type StatsFile = z.infer<typeof StatsFile>;
export type StatsTable = z.infer<typeof StatsTable>;
