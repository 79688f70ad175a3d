// The contract every file in rules/ implements. A rule is data (id, docs, lock facts,
// examples) plus a pure check over one statement (or one migration) in its context.
import type { Config, ConfigInput } from "../config/schema.js";
import type { Dialect, Fix, LockFact, LockMode, Migration, Severity, Span } from "../model.js";
import type { ParsedScript, Statement } from "../parse/index.js";
import type { StatsCatalog } from "../stats/index.js";
import type { AnalysisState } from "./state.js";
import type { TransactionContext } from "./transaction.js";

export type Direction = "up" | "down";

/** What a rule tells the reader about the locks a statement takes. */
export interface RuleLockDoc {
  /** Which relation: "altered table", "referenced table", "index", … */
  on: string;
  mode: LockMode;
  /**
   * The relation this lock falls on in the rule's bad examples (after `examples.setup`), e.g.
   * "orders". Lets the lock-truth test compare with pg_locks without guessing from `on`.
   */
  relation?: string;
}

export interface RuleDocs {
  /** One paragraph: why the statement is risky. */
  why: string;
  /** Locks per relation, as PostgreSQL (or InnoDB) takes them; checked against pg_locks in tests. */
  locks: RuleLockDoc[];
  /** What the statement does to the table's data while it holds the lock. */
  work: "rewrite" | "scan" | "index build" | "scan and index build" | "none" | "copy" | "metadata only";
  /** Version notes, e.g. "Since PostgreSQL 11 a constant default needs no rewrite." */
  versions?: string;
  /** The safe alternative as numbered steps (Markdown). */
  safeAlternative: string;
  /**
   * MySQL/MariaDB rules: how InnoDB runs the flagged operation of the bad examples, per server
   * and version range. The best algorithm and the weakest lock the server accepts; checked
   * against the real MariaDB in test/mysql-innodb.test.ts.
   */
  innodb?: InnodbDdlDoc[];
}

/** One row of the InnoDB online-DDL table for a rule's operation. */
export interface InnodbDdlDoc {
  server: "mysql" | "mariadb";
  /** Version range the row holds for, e.g. "8.0.29+", "5.7–8.0.28", "10.4+". */
  versions: string;
  /** The cheapest algorithm the server can use: INSTANT (metadata), INPLACE, or COPY. */
  algorithm: "INSTANT" | "INPLACE" | "COPY";
  /** The weakest LOCK the server accepts: NONE (reads and writes go on), SHARED (writes wait), EXCLUSIVE. */
  lock: "NONE" | "SHARED" | "EXCLUSIVE";
  /** Whether the table (clustered index) is rebuilt. */
  rebuildsTable: boolean;
}

/** An example runs as a test: bad ones must trigger the rule, good ones must not. */
export type RuleExample =
  | string
  | {
      sql: string;
      /** Overrides the rule's `setup` (schema that exists before the example runs). */
      setup?: string;
      config?: ConfigInput;
      direction?: Direction;
      note?: string;
      /**
       * The locks this bad example takes when they differ from the rule's `docs.locks` (e.g. a
       * column-level REFERENCES takes ACCESS EXCLUSIVE where a table-level FK takes SHARE ROW
       * EXCLUSIVE). The lock-truth test compares the example with these instead; `[]` = skip it.
       */
      locks?: RuleLockDoc[];
      /** Where `sql` lives (default `migrations/0001_example.sql`): lets an example use a layout's naming. */
      path?: string;
      /** More head files (path → content), e.g. a rollback or a second migration. */
      files?: Record<string, string>;
      /** The base branch's files (path → content); when given, the example runs as a change against it. */
      base?: Record<string, string>;
    };

export interface RuleHit {
  message: string;
  /** Defaults to the statement's span. */
  span?: Span;
  /** Overrides the rule's severity for this hit, e.g. raised by table statistics. */
  severity?: Severity;
  /** Locks this statement takes, per relation, for the risk summary. */
  locks?: LockFact[];
  fix?: Fix;
  help?: string;
}

/** Everything a rule may look at besides the statement itself. */
export interface RuleContext {
  config: Config;
  dialect: Dialect;
  direction: Direction;
  migration?: Migration;
  script: ParsedScript;
  /** Analysis state *before* the current statement (transactions, new tables, timeouts…). */
  state: AnalysisState;
  /** How the migration tool runs this script: transaction blocks per statement, its opt-out directive. */
  transaction: TransactionContext;
  /** Production's tables as the statistics file (and `tables:`) describe them; may be empty. */
  stats: StatsCatalog;
}

export interface Rule {
  /** Stable kebab-case id used in config, suppressions, docs URLs. */
  id: string;
  title: string;
  dialects: Dialect[];
  severity: Severity;
  /** Opt-in rules are only on in the `strict` preset or when enabled in config. */
  optIn?: boolean;
  docs: RuleDocs;
  examples: { setup?: string; bad: RuleExample[]; good: RuleExample[] };
  check?(statement: Statement, context: RuleContext): RuleHit | RuleHit[] | undefined | void;
  /** Runs once per migration, after every statement of its scripts was seen. */
  checkMigration?(migration: Migration, context: MigrationRuleContext): RuleHit | RuleHit[] | undefined | void;
}

export interface MigrationRuleContext {
  config: Config;
  up?: ParsedScript;
  down?: ParsedScript;
  /** Facts discovery established about this migration (edited after merge, ordering, …). */
  facts: MigrationFacts;
  /** Where to point a finding that is about the whole migration. */
  anchor: Span;
}

export interface MigrationFacts {
  /** The migration file exists on the base branch with other content. */
  editedAfterMerge: boolean;
  /** The migration existed on the base branch and is gone from the head. */
  deletedAfterMerge: boolean;
  /** Another migration has the same version. */
  duplicateVersionOf: string[];
  /** New migration sorted before the newest migration already on the base branch. */
  orderedBefore?: string;
  /** With `editedAfterMerge`: the first head line that differs from the base (when both contents were available). */
  editedAt?: Span;
  /** With `editedAfterMerge`: the tool's own record (atlas.sum) holds other content for the file. */
  editedRecord?: { record: string; consequence: string };
}

export function hitsOf(result: RuleHit | RuleHit[] | undefined | void): RuleHit[] {
  if (!result) return [];
  return Array.isArray(result) ? result : [result];
}

export function exampleSql(example: RuleExample): string {
  return typeof example === "string" ? example : example.sql;
}
