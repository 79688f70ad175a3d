// The JSON Schema editors use to autocomplete and explain `.github/migration-guard.yml`, derived
// from the zod schema so the two can never disagree (a test compares it with the shipped file).
// The hover text of every property is below; a test fails when a property has none.
import { z } from "zod";
import { ConfigSchema } from "./schema.js";

export const SCHEMA_ID = "https://migration-guard.dev/schema/migration-guard.schema.json";

const SEVERITIES = "`off`, `info`, `warning`, `error`, or true (on, at the rule's severity) / false (off)";
const SIGNOFF = {
  permission: "Lowest repository permission a person needs to sign off (`triage`, `write`, `maintain`, `admin`).",
  users: "GitHub logins who may sign off, whatever their permission.",
  teams: "Teams (slugs of the repository owner's organization) whose members may sign off.",
  count: "How many different people must sign off.",
  allow_author: "May the pull request's author sign off their own change?",
};

/**
 * Hover text by property path; `*` stands for any key of a map and `[]` for any list item.
 * Paths not listed fall back to the last segment (`signoff.count` everywhere).
 */
const DESCRIPTIONS: Record<string, string> = {
  $schema: "The JSON Schema of this file, for editors.",
  _extends: "Inherit settings from another repository's `.github/migration-guard.yml` (e.g. `.github` or `octo-org/.github`); keys here override it.",
  paths: "Glob(s) of migration files. Default: the usual migration folders (db/migrations, migrations, db/migration, prisma/migrations, …).",
  exclude: "Globs of files to leave out.",
  layout: "Which migration tool's file layout the repository uses; `auto` detects it per folder.",
  dialect: "The production database: `postgres`, `mysql` or `mariadb`.",
  postgres_version: "Major version of the production PostgreSQL server (10–18): which statements lock less depends on it.",
  mysql_version: "Version of the production MySQL or MariaDB server, e.g. `8.0` or `10.11`.",
  transaction: "Does the migration tool wrap each file in a transaction? `auto`: as the layout does.",
  delivery: "Does the migration tool send a file as one query (`whole-file`: one statement runs outside a transaction block, several form one) or statement by statement (`per-statement`)? `auto`: as the layout does. golang-migrate with `x-multi-statement=true` in its database URL: `per-statement`.",
  flyway: "Flyway's own settings that change how it runs a script.",
  "flyway.mixed": "Flyway's `mixed` (flyway.mixed): a script may mix transactional and non-transactional statements, and then runs without a transaction.",
  preset: "Rule set: `recommended`, or `strict` (more rules, higher severities).",
  rules: `Per-rule settings, by rule id: ${SEVERITIES}.`,
  "rules.*": `Severity of this rule: ${SEVERITIES}.`,
  fail_level: "Findings at or above this severity fail the check (exit code 1 in the CLI, a request-changes review on GitHub).",
  tables: "Production size of tables, by name, for lock-duration estimates (or use `stats_file`).",
  "tables.*.rows": "Row count in production.",
  "tables.*.bytes": "Table size in production: bytes, or a size such as `40GB`.",
  "tables.*.index_bytes": "Size of the table's indexes: bytes, or a size such as `2GB`.",
  "tables.*.writes_per_second": "Writes per second at peak: raises the cost of locks that block writes.",
  stats_file: "JSON file of table sizes, exported by the query `migration-guard stats-query` prints.",
  thresholds: "What counts as large or slow in the risk estimates.",
  "thresholds.max_blocking_seconds": "A lock that blocks traffic for longer than this (estimated, seconds) raises the severity.",
  "thresholds.large_table_rows": "Rows above which an unbatched UPDATE/DELETE or a rewrite counts as large.",
  "thresholds.max_lock_timeout_ms": "Longest acceptable `lock_timeout` a migration sets (milliseconds).",
  "thresholds.rewrite_bytes_per_second": "Sequential throughput assumed for table rewrites and scans (bytes per second or a size such as `100MB`).",
  "thresholds.index_build_bytes_per_second": "Throughput assumed for index builds (bytes per second or a size such as `50MB`).",
  "thresholds.critical_blocking_seconds": "A traffic-blocking lock estimated to be held longer than this (seconds) makes the migration's risk critical.",
  "thresholds.average_row_bytes": "Bytes per row assumed when `tables:` gives rows but no bytes.",
  test: "`migration-guard test`: the scratch database run forward, validate, rollback, compare and forward again.",
  "test.command":
    "Your project's own migrate command (e.g. `npx knex migrate:latest`, `python manage.py migrate`): the test runs it against a capture database (DATABASE_URL and PG* variables set), on the base commit and then on the change, records every statement it sends and tests them like migration files. Needs a PostgreSQL server (--database-url).",
  "test.down_command": "The command that rolls the change back (e.g. `npx knex migrate:rollback`), traced the same way for the rollback step.",
  "test.schema_file": "SQL file with the schema before the change, loaded into the scratch database first.",
  "test.seed": "Rows generated into the scratch database before migrating.",
  "test.seed.rows": "Rows per table to generate.",
  "test.seed.tables": "Rows per table, by table name (overrides `rows`).",
  "test.seed.file": "SQL file that seeds the scratch database instead of generated rows.",
  "test.validate": "Queries that must return no rows after the migration (each names a broken invariant).",
  "test.validate.[].name": "What the query checks, shown when it fails.",
  "test.validate.[].sql": "The query; any row it returns is a failure.",
  "test.probe": "Application-like queries run while the migration runs, to measure how long they wait behind its locks.",
  "test.probe.enabled": "Run the probe queries.",
  "test.probe.queries": "The probe's queries; default: a read and a write on each affected table.",
  "test.partial_failure": "Also run each migration with a failure injected midway, and check the database is left consistent.",
  "test.timeouts": "Time limits of the test, so a stuck migration cannot run forever.",
  "test.timeouts.statement_ms": "Longest a single statement (of the change, the base or the seed) may run (ms).",
  "test.timeouts.idle_in_transaction_ms": "Longest a session may sit idle inside an open transaction (ms).",
  "test.timeouts.total_ms": "Longest the whole test may run: building the environment, every step, the rollback (ms).",
  "test.thresholds": "When the test's result says roll back.",
  "test.thresholds.max_error_rate_percent": "Rows failing to migrate above this share (%) fail the test.",
  "test.thresholds.max_slowdown_percent": "Probe queries slower than this (%) during the migration fail the test.",
  "test.thresholds.min_slowdown_ms": "Slow-downs smaller than this (ms) are noise and never fail the test.",
  "test.thresholds.max_blocking_ms": "A probe query waiting longer than this (ms) behind a migration's lock fails the test.",
  "test.thresholds.fail_on_corruption": "Fail when a validation query finds corrupted data.",
  "test.thresholds.fail_on_lossy_rollback": "Fail when rows do not come back identical after the rollback.",
  "test.thresholds.fail_on_schema_drift": "Fail when the schema after the rollback differs from the schema before.",
  gates: "Quality gates: which must pass, who signs off, and the thresholds of the automatic ones.",
  "gates.enabled": "Post the quality-gates comment and the `migration-guard/gates` check.",
  "gates.required": "Gate ids that must pass for the `migration-guard/gates` check to succeed (default: all gates). Add `commit-format` to make the commit-format check count.",
  "gates.signoff": "Who may sign off the manual gates (defaults for every gate).",
  "gates.per_gate": "Sign-off rules for one gate, by gate id.",
  "gates.per_gate.*.signoff": "Who may sign off this gate (overrides `gates.signoff`).",
  "gates.custom": "Extra manual gates of this repository (e.g. a DBA approval).",
  "gates.custom.[].id": "The gate's id, in kebab-case: what reviewers type after `/migration-guard sign-off`.",
  "gates.custom.[].title": "The gate's title in the checklist.",
  "gates.custom.[].description": "What signing off this gate means.",
  "gates.custom.[].signoff": "Who may sign off this gate (overrides `gates.signoff`).",
  "gates.reset_on_push": "A push that changes migration files clears the sign-offs.",
  "gates.thresholds": "Limits of the automatic gates (defaults: the rollback decision matrix).",
  "gates.thresholds.max_error_rate_percent": "Rows failing to migrate above this share (%) fail “Data integrity maintained”.",
  "gates.thresholds.max_slowdown_percent": "Queries slower than this (%) during the test fail “Performance impact acceptable”.",
  "gates.thresholds.max_critical_errors": "More critical errors than this fail “Data integrity maintained”.",
  "gates.thresholds.max_corruptions": "More corruptions than this fail “Data integrity maintained”.",
  "gates.thresholds.max_lock_wait_ms": "Longest acceptable wait of an application query behind a migration statement (measured, ms).",
  "gates.thresholds.max_lock_hold_seconds": "Longest acceptable estimated hold of a traffic-blocking lock in production (seconds).",
  "gates.thresholds.max_statement_seconds": "Longest acceptable single statement in the test (seconds, at seed volume).",
  "gates.data_loss_rules": "Rule-id globs whose findings count as destructive (“Zero data loss confirmed”).",
  "gates.incompatible_rules": "Rule-id globs whose findings break running application code (“Application compatibility verified”).",
  commit_format: "The commit message format: `type(TICKET-ID): description` and the Migration / Schema changes / … fields.",
  "commit_format.enabled": "Check the commit messages (or the pull request's title and description).",
  "commit_format.enforce": "Failures make the `migration-guard/gates` check fail (otherwise they are only reported).",
  "commit_format.check": "`commits`: each commit that changes migrations; `pull_request`: the title and description (squash merges; chosen automatically when only squash merging is allowed); `both`.",
  "commit_format.ticket_pattern": "Regular expression the ticket id in `type(TICKET-ID):` must match (the whole id).",
  "commit_format.types": "Allowed commit types (`feat`, `fix`, …).",
  "commit_format.required_fields": "Fields the message must fill in.",
  "commit_format.max_subject_length": "Longest allowed subject line.",
  overrides: "Other settings for the migrations below some paths (monorepos: services with different databases). A file takes the first override whose `paths` match; each override's files are a history of their own.",
  "overrides[].paths": "Globs of the files this override applies to, e.g. `services/billing/**`.",
  "overrides[].rules": "Per-rule settings merged over the top-level `rules:`.",
  "overrides[].thresholds": "Thresholds merged over the top-level `thresholds:`.",
  review_drafts: "Analyze draft pull requests too.",
  docs_url: "Base URL of the rule documentation linked from findings.",
  ...Object.fromEntries(Object.entries(SIGNOFF).map(([k, v]) => [`signoff.${k}`, v])),
};

export function configJsonSchema(ruleIds: readonly string[] = []): Record<string, unknown> {
  // "input": what users write (defaults make keys optional), not the parsed result.
  const schema = z.toJSONSchema(ConfigSchema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  const properties = schema.properties as Record<string, JsonSchema>;
  // Probot's config loader resolves `_extends` before the app reads the file.
  properties._extends = { type: "string" };
  if (ruleIds.length) {
    const named = (rules: JsonSchema) => ({ ...rules, propertyNames: { enum: [...ruleIds].sort() } });
    properties.rules = named(properties.rules!);
    const override = (properties.overrides?.items ?? {}) as { properties?: Record<string, JsonSchema> };
    if (override.properties?.rules) override.properties.rules = named(override.properties.rules);
  }
  describe(schema, "");
  return { ...schema, $id: SCHEMA_ID, title: "migration-guard configuration (.github/migration-guard.yml)" };
}

type JsonSchema = Record<string, unknown>;

/** Adds the hover text of every property, walking objects, maps, lists and unions. */
function describe(node: JsonSchema, path: string): void {
  if (path) {
    const text = DESCRIPTIONS[path] ?? DESCRIPTIONS[path.split(".").slice(-2).join(".")] ?? DESCRIPTIONS[path.split(".").at(-1)!];
    if (text && !node.description) node.description = text;
  }
  const prefix = path ? `${path}.` : "";
  for (const [key, child] of Object.entries((node.properties ?? {}) as Record<string, JsonSchema>)) describe(child, `${prefix}${key}`);
  if (node.additionalProperties && typeof node.additionalProperties === "object") describe(node.additionalProperties as JsonSchema, `${prefix}*`);
  if (node.items && typeof node.items === "object") describe(node.items as JsonSchema, `${prefix}[]`);
  for (const key of ["anyOf", "oneOf", "allOf"]) for (const option of (node[key] ?? []) as JsonSchema[]) describeInside(option, path);
}

/** A union's options describe the same property: their own properties are walked, not re-described. */
function describeInside(node: JsonSchema, path: string): void {
  const prefix = path ? `${path}.` : "";
  for (const [key, child] of Object.entries((node.properties ?? {}) as Record<string, JsonSchema>)) describe(child, `${prefix}${key}`);
  if (node.items && typeof node.items === "object") describe(node.items as JsonSchema, `${prefix}[]`);
}

/** Every property path of the schema that has no hover text (the test keeps this empty). */
export function undescribedProperties(schema: JsonSchema, path = ""): string[] {
  const missing: string[] = [];
  const prefix = path ? `${path}.` : "";
  for (const [key, child] of Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>)) {
    if (!child.description && key !== "_extends") missing.push(`${prefix}${key}`);
    missing.push(...undescribedProperties(child, `${prefix}${key}`));
  }
  if (schema.additionalProperties && typeof schema.additionalProperties === "object") missing.push(...undescribedProperties(schema.additionalProperties as JsonSchema, `${prefix}*`));
  if (schema.items && typeof schema.items === "object") missing.push(...undescribedProperties(schema.items as JsonSchema, `${prefix}[]`));
  for (const key of ["anyOf", "oneOf", "allOf"]) for (const option of (schema[key] ?? []) as JsonSchema[]) missing.push(...undescribedProperties(option, path));
  return missing;
}
