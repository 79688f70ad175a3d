// The data that flows through the pure core: parse → discover → analyze → report.
// Every type here is derived from a zod schema, so the JSON output of `check`, the
// artifacts exchanged with GitHub Actions and the in-memory model are one contract.
import { z } from "zod";

export const Dialect = z.enum(["postgres", "mysql", "mariadb"]);
export type Dialect = z.infer<typeof Dialect>;

/** How loudly a finding speaks; `error` findings fail the check at the default fail level. */
export const Severity = z.enum(["info", "warning", "error"]);
export type Severity = z.infer<typeof Severity>;
export const SEVERITY_ORDER: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

export const RiskLevel = z.enum(["low", "medium", "high", "critical"]);
export type RiskLevel = z.infer<typeof RiskLevel>;

/** PostgreSQL table-level lock modes, weakest first (the order of the conflict table). */
export const LockMode = z.enum([
  "ACCESS SHARE",
  "ROW SHARE",
  "ROW EXCLUSIVE",
  "SHARE UPDATE EXCLUSIVE",
  "SHARE",
  "SHARE ROW EXCLUSIVE",
  "EXCLUSIVE",
  "ACCESS EXCLUSIVE",
]);
export type LockMode = z.infer<typeof LockMode>;

/** A place in a file. Lines and columns are 1-based; offsets are 0-based UTF-16 indexes. */
export const Span = z.object({
  file: z.string(),
  startLine: z.number().int().positive(),
  startColumn: z.number().int().positive(),
  endLine: z.number().int().positive(),
  endColumn: z.number().int().positive(),
  startOffset: z.number().int().nonnegative(),
  endOffset: z.number().int().nonnegative(),
});
export type Span = z.infer<typeof Span>;

/** A text replacement in one file; a rule's mechanical fix is a list of these. */
export const TextEdit = z.object({
  file: z.string(),
  startOffset: z.number().int().nonnegative(),
  endOffset: z.number().int().nonnegative(),
  replacement: z.string(),
});
export type TextEdit = z.infer<typeof TextEdit>;

export const Fix = z.object({
  description: z.string(),
  edits: z.array(TextEdit),
});
export type Fix = z.infer<typeof Fix>;

/** A lock a statement takes on one relation, as declared by a rule or measured by a trace. */
export const LockFact = z.object({
  relation: z.string(),
  mode: LockMode,
  blocks: z.string().optional(),
});
export type LockFact = z.infer<typeof LockFact>;

export const Finding = z.object({
  ruleId: z.string(),
  severity: Severity,
  message: z.string(),
  span: Span,
  /** Stable across pushes: rule + file + normalized statement text. */
  fingerprint: z.string(),
  /** Id of the migration the finding belongs to, when it belongs to one. */
  migrationId: z.string().optional(),
  help: z.string().optional(),
  docsUrl: z.string().optional(),
  locks: z.array(LockFact).default([]),
  fix: Fix.optional(),
  /** Set when an inline suppression silenced the finding; kept so reports can show it. */
  suppressed: z.object({ reason: z.string() }).optional(),
});
export type Finding = z.infer<typeof Finding>;

/** A psql meta-command (`\i`, `\set`, …): reported, never executed or parsed as SQL. */
export const MetaCommand = z.object({ text: z.string(), span: Span });
export type MetaCommand = z.infer<typeof MetaCommand>;

/** One file (or one section of a file, e.g. dbmate's `-- migrate:down`) as handed to the parser. */
export interface SqlSource {
  /** Repository-relative path, used in every span. */
  file: string;
  text: string;
  /** Offset of `text` inside the file, for sources cut out of a larger file. */
  baseOffset: number;
  /** Line of `text`'s first character inside the file (1-based). */
  baseLine: number;
  dialect: Dialect;
  /** Set when the SQL was cut out of code (TypeORM's `queryRunner.query("…")` strings). */
  embedded?: EmbeddedSql;
}

/**
 * SQL cut out of a code file: `text` is the file's own length with everything but the SQL blanked.
 * `literals` are the strings the SQL came from (content offsets, without the quotes; `exact` when
 * the content is the SQL character for character), `unanalyzable` what the code runs that cannot
 * be read from the file (an interpolated template, a call that builds its SQL at run time).
 */
export interface EmbeddedSql {
  literals: { start: number; end: number; quote: "'" | '"' | "`"; exact: boolean }[];
  unanalyzable: { start: number; end: number; message: string }[];
  /** Offset of the code the SQL belongs to (TypeORM: the `up()` / `down()` method), for findings about all of it. */
  anchor?: number;
}

/** A migration and its rollback, as discovered in a repository layout. */
export const ScriptRef = z.object({
  path: z.string(),
  /** For single-file layouts with sections (dbmate): which section. */
  section: z.enum(["up", "down"]).optional(),
  /** Liquibase formatted SQL: the changeset (`author:id`) this script is, in a file holding several. */
  changeset: z.string().optional(),
  /** TypeORM: the script is the SQL a migration class's `up()` / `down()` (`section`) passes to `queryRunner.query`. */
  code: z.enum(["typeorm"]).optional(),
});
export type ScriptRef = z.infer<typeof ScriptRef>;

export const ChangeStatus = z.enum(["added", "modified", "deleted", "unchanged"]);
export type ChangeStatus = z.infer<typeof ChangeStatus>;

export const Layout = z.enum([
  "plain",
  "flyway",
  "golang-migrate",
  "dbmate",
  "sqitch",
  "prisma",
  "up-down-dir",
  "goose",
  "popx",
  "liquibase",
  "drizzle",
  "atlas",
  "sqlx",
  "morph",
  "node-pg-migrate",
  "supabase",
  "typeorm",
]);
export type Layout = z.infer<typeof Layout>;

/** Whether the migration tool wraps each file in a transaction of its own (BEGIN … COMMIT). */
export const TransactionMode = z.enum(["per-file", "none"]);
export type TransactionMode = z.infer<typeof TransactionMode>;

/**
 * How the migration tool sends a file to the server. `whole-file`: the file (or section) is one
 * simple query (golang-migrate, dbmate, sqlx, diesel, Prisma, morph, popx): on PostgreSQL a query
 * holding one statement runs outside any transaction block, while several statements form one
 * implicit transaction even when the tool opened none. `per-statement`: the tool (psql, Flyway,
 * goose, Liquibase) splits the file and sends each statement on its own.
 */
export const Delivery = z.enum(["per-statement", "whole-file"]);
export type Delivery = z.infer<typeof Delivery>;

/**
 * Whether the tool itself looks for statements that cannot run in a transaction block.
 * `none`: it runs the file its usual way whatever it holds. `flyway`: Flyway's PostgreSQL parser
 * runs a file whose statements are all non-transactional (CREATE INDEX CONCURRENTLY, VACUUM, …)
 * without its transaction, and refuses a file that mixes both kinds unless `mixed` is true.
 * `supabase`: the Supabase CLI runs its list of such statements on their own, outside the file's
 * transaction, and the rest of the file inside it.
 */
export const NonTransactionalDetection = z.enum(["none", "flyway", "supabase"]);
export type NonTransactionalDetection = z.infer<typeof NonTransactionalDetection>;

export const Migration = z.object({
  id: z.string(),
  /** Sortable version as the tool orders it (numeric strings compare numerically). */
  version: z.string(),
  name: z.string(),
  layout: Layout,
  up: ScriptRef,
  down: ScriptRef.optional(),
  /** Flyway `R__` migrations are meant to be edited; they have no version order. */
  repeatable: z.boolean().default(false),
  /** Tools such as Prisma have no down migrations by design. */
  rollbackExpected: z.boolean().default(true),
  transaction: TransactionMode,
  delivery: Delivery.default("per-statement"),
  /** Absent: `none`. */
  nonTransactionalDetection: NonTransactionalDetection.optional(),
  status: ChangeStatus,
});
export type Migration = z.infer<typeof Migration>;

/** A file as the engine receives it: from disk, from git, or from the GitHub API. */
export interface SourceFile {
  path: string;
  /** Undefined when the content was not loaded (e.g. unchanged files only listed). */
  content?: string | Uint8Array;
  /** Why the content could not be read (a special file, too large, a broken link…), reported as `unreadable-file`. */
  unreadable?: string;
  /** Git blob SHA or any content hash; lets discovery compare base and head without content. */
  sha?: string;
}

/** What the engine analyzes: the head tree's migration files and, optionally, the base's. */
export interface ChangeInput {
  head: SourceFile[];
  /** The base branch's files; absent means "no base", so every migration counts as added. */
  base?: SourceFile[];
}
