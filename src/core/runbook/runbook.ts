// The recipe's Phase 6 deployment runbook for one change, generated from the analysis: what to
// check before, the commands in order (statements that cannot run in a transaction split out,
// lock_timeout and retries), what to watch while it runs, how to validate, when and how to roll
// back, and the Phase 7 documentation updates. Pure: report + sources in, Markdown out.
import { stripPublic } from "../analyze/pg-ast.js";
import { blocksTraffic } from "../analyze/pg-locks.js";
import type { ResolvedThresholds } from "../gates/thresholds.js";
import type { GateEvidence } from "../gates/evidence.js";
import type { Dialect, Layout, Migration } from "../model.js";
import { serversOf, type AnalysisReport, type MigrationReport } from "../report.js";
import { formatElapsed } from "../risk/estimate.js";
import { describeChanges, type ChangeItem, type MigrationChanges } from "./changes.js";
import { toolCommands } from "./tools.js";

export interface RunbookOptions {
  /** File contents by path (the migrations' up scripts). */
  sources: Map<string, string>;
  thresholds: ResolvedThresholds;
  /** lock_timeout to recommend per statement (milliseconds). */
  lockTimeoutMs?: number;
  /** Retries of a statement that hit lock_timeout. */
  retries?: number;
  evidence?: GateEvidence;
  /** Heading level of the title (2 for the CLI, 3 inside the review). */
  headingLevel?: number;
}

/** The runbook folded under a review's section heading (the fold's summary replaces its title). */
export function renderFoldedRunbook(report: AnalysisReport, options: RunbookOptions): string {
  const body = renderRunbook(report, options).replace(/^#{1,6} Deployment runbook\n+/, "");
  return `<details><summary>Deployment runbook: checklist, steps, monitoring and rollback</summary>\n\n${body}\n</details>`;
}

export function renderRunbook(report: AnalysisReport, options: RunbookOptions): string {
  const h = "#".repeat(options.headingLevel ?? 2);
  const hh = `${h}#`;
  const changes = describeChanges(report, options.sources);
  const live = report.migrations.filter((m) => m.migration.status !== "deleted");
  if (!live.length) return `${h} Deployment runbook\n\nNo migration to deploy in this change.\n`;
  const tables = affectedTables(report, changes);
  const ctx: Ctx = { report, options, changes, tables, dialect: report.settings.dialect, lockTimeoutMs: options.lockTimeoutMs ?? 2000, retries: options.retries ?? 5 };
  const sections = [
    `${h} Deployment runbook`,
    overview(ctx),
    `${hh} 1. Pre-deployment checklist`,
    preDeployment(ctx),
    `${hh} 2. Deployment steps`,
    deploymentSteps(ctx),
    `${hh} 3. Monitoring checkpoints`,
    monitoring(ctx),
    `${hh} 4. Validation queries`,
    validation(ctx),
    `${hh} 5. Rollback triggers`,
    rollbackTriggers(ctx),
    `${hh} 6. Rollback steps`,
    rollbackSteps(ctx),
    `${hh} 7. Post-deployment validation`,
    postDeployment(ctx),
    `${hh} 8. Documentation updates`,
    documentation(ctx),
  ];
  return sections.join("\n\n") + "\n";
}

interface Ctx {
  report: AnalysisReport;
  options: RunbookOptions;
  changes: MigrationChanges[];
  tables: string[];
  dialect: Dialect;
  lockTimeoutMs: number;
  retries: number;
}

const sqlBlock = (sql: string) => "```sql\n" + sql.trim() + "\n```";
const shBlock = (lines: string[]) => "```sh\n" + lines.join("\n") + "\n```";
const quoteList = (names: string[]) => names.map((n) => `'${n.replace(/'/g, "''")}'`).join(", ");

function affectedTables(report: AnalysisReport, changes: MigrationChanges[]): string[] {
  const names = new Set<string>();
  for (const m of report.migrations) for (const t of m.risk?.affected.tables ?? []) names.add(stripPublic(t));
  for (const m of changes) for (const c of m.changes) if (c.category === "data" || c.category === "table") names.add(c.objects.at(-1) ?? "");
  names.delete("");
  return [...names].sort();
}

function overview(ctx: Ctx): string {
  const { report } = ctx;
  const lines = [
    `${report.migrations.length} migration${report.migrations.length === 1 ? "" : "s"}, highest risk **${report.summary.highestRisk ?? "unknown"}**, ${serversOf(report)}.`,
    "",
    "| Migration | Tool | Risk | Strongest locks | Rollback |",
    "|---|---|---|---|---|",
  ];
  for (const m of report.migrations) {
    const locks = (m.risk?.locks ?? []).map((l) => `${l.mode} on ${l.relation}${l.estimatedSeconds !== undefined ? ` (~${formatElapsed(l.estimatedSeconds)})` : ""}`).join("; ") || "–";
    lines.push(`| \`${m.migration.id}\` | ${m.migration.layout} | ${m.risk?.level ?? "–"} | ${locks} | ${m.risk?.rollback ?? "–"} |`);
  }
  const measured = ctx.options.evidence?.statements.reduce((n, s) => n + s.durationMs, 0);
  if (measured !== undefined && ctx.options.evidence?.statements.length) {
    lines.push("", `Measured in the ephemeral test${ctx.options.evidence.engine ? ` (${ctx.options.evidence.engine})` : ""}: ${formatElapsed(measured / 1000)} in total at seed volume. Plan for at least twice the expected time in production.`);
  } else {
    lines.push("", "Plan for at least twice the expected migration time.");
  }
  return lines.join("\n");
}

function preDeployment(ctx: Ctx): string {
  const blocking = ctx.report.migrations.flatMap((m) => (m.risk?.locks ?? []).filter((l) => blocksTraffic(l.mode)).map((l) => l.relation));
  const lines = [
    "- [ ] **Backup verified**: the latest backup finished after the last write you care about, and a restore of it was tested; point-in-time recovery is on.",
    "- [ ] **Service health**: error rate and latency normal; no replica lag; no long-running transaction on the affected tables (query below).",
    `- [ ] **Team notified**: on-call, the owners of services using ${ctx.tables.length ? ctx.tables.map((t) => `\`${t}\``).join(", ") : "the affected tables"}, and support know the window and the rollback plan.`,
    "- [ ] **The exact commit is deployed to staging** and the migration ran there.",
  ];
  if (blocking.length) lines.push(`- [ ] **Low-traffic window booked**: the change takes locks that block traffic on ${[...new Set(blocking)].map((t) => `\`${t}\``).join(", ")}.`);
  lines.push("- [ ] **Disk space**: free space exceeds the size of every table rewritten and index built (they are copied).");
  if (ctx.dialect === "postgres") {
    lines.push("", sqlBlock(`-- Replica lag and long transactions (run before starting)
SELECT client_addr, state, replay_lag FROM pg_stat_replication;
SELECT pid, usename, now() - xact_start AS xact_age, state, left(query, 80) AS query
FROM pg_stat_activity
WHERE xact_start < now() - interval '1 minute'
ORDER BY xact_start;`));
  } else {
    lines.push("", sqlBlock(`-- Long transactions (run before starting)
SELECT trx_mysql_thread_id, trx_started, TIMESTAMPDIFF(SECOND, trx_started, NOW()) AS age_s, LEFT(trx_query, 80) AS query
FROM information_schema.innodb_trx ORDER BY trx_started;`));
  }
  return lines.join("\n");
}

function deploymentSteps(ctx: Ctx): string {
  const out: string[] = [];
  const byLayout = new Map<Layout, Migration[]>();
  for (const m of ctx.report.migrations) {
    if (m.migration.status === "deleted") continue;
    byLayout.set(m.migration.layout, [...(byLayout.get(m.migration.layout) ?? []), m.migration]);
  }
  const nonTx = ctx.changes.flatMap((m) => m.changes.filter((c) => !c.transactional).map((c) => ({ ...c, migration: m.migration })));
  let step = 1;
  for (const [layout, migrations] of byLayout) {
    const tool = toolCommands(layout, migrations);
    out.push(`${step++}. Check the tool's view of the database (${tool.tool}):`, "", indent(shBlock(tool.status)), "");
    if (ctx.dialect === "postgres") {
      const setup = tool.lockTimeout(ctx.lockTimeoutMs);
      out.push(
        `${step++}. Set a short \`lock_timeout\` for the deploy, so a statement waiting for a lock fails after ${ctx.lockTimeoutMs} ms instead of queueing every query behind it (${setup.how}):`,
        "",
        indent(shBlock(setup.commands)),
        "",
      );
    }
    const transactionalNote = nonTx.some((c) => migrations.includes(c.migration)) ? " (the statements listed in the next step must not run inside the tool's transaction)" : "";
    out.push(`${step++}. Apply${transactionalNote}:`, "", indent(shBlock(tool.apply)), "");
    const own = nonTx.filter((c) => migrations.includes(c.migration));
    if (own.length) {
      out.push(
        `${step++}. Statements that cannot run in a transaction block. Make sure the tool runs them outside one (${tool.nonTransactional}); when one times out on a lock, re-run it by hand with the loop below:`,
        "",
        ...own.map((c) => indent(`- \`${c.span.file}:${c.span.startLine}\` ${c.text}`)),
        "",
        indent(retryLoop(own, ctx)),
        "",
      );
    }
  }
  out.push(
    `${step++}. On a lock timeout (\`canceling statement due to lock timeout\`): nothing was changed by that statement. Find the blocker with the monitoring query below, wait for it or end it, then retry (up to ${ctx.retries} times with a growing pause). Never raise lock_timeout to get through.`,
    `${step++}. Service restart sequence: deploy the application version that works with both the old and new schema first; restart services that cache the schema (prepared statements, ORMs with schema caches) after the migration; keep the old version deployable until the post-deployment validation passed.`,
  );
  return out.join("\n");
}

function retryLoop(items: ChangeItem[], ctx: Ctx): string {
  const statements = items.map((c) => c.sql.replace(/'/g, "'\\''"));
  const lines = [
    "# one statement at a time, outside any transaction, retried on lock timeout",
    ...statements.map((sql, i) => `stmt_${i + 1}='${sql};'`),
    `for stmt in ${statements.map((_, i) => `"$stmt_${i + 1}"`).join(" ")}; do`,
    `  for attempt in $(seq 1 ${ctx.retries}); do`,
    `    psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -c "SET lock_timeout = '${ctx.lockTimeoutMs}ms'" -c "$stmt" && break`,
    `    [ "$attempt" = ${ctx.retries} ] && { echo "giving up: $stmt"; exit 1; }`,
    `    sleep $((attempt * 5))`,
    "  done",
    "done",
  ];
  const concurrentIndex = items.some((c) => /\bconcurrently\b/i.test(c.sql) && c.category === "index");
  if (concurrentIndex) lines.push("# A failed CREATE INDEX CONCURRENTLY leaves an INVALID index: drop it (DROP INDEX CONCURRENTLY) before retrying.");
  return shBlock(lines);
}

function monitoring(ctx: Ctx): string {
  if (ctx.dialect !== "postgres") {
    return [
      "Run these every few seconds in a second session while the migration runs:",
      "",
      sqlBlock(`-- Who waits for which lock, and who holds it
SELECT r.trx_mysql_thread_id AS waiting_thread, LEFT(r.trx_query, 80) AS waiting_query,
       b.trx_mysql_thread_id AS blocking_thread, LEFT(b.trx_query, 80) AS blocking_query
FROM performance_schema.data_lock_waits w
JOIN information_schema.innodb_trx r ON r.trx_id = w.REQUESTING_ENGINE_TRANSACTION_ID
JOIN information_schema.innodb_trx b ON b.trx_id = w.BLOCKING_ENGINE_TRANSACTION_ID;
-- Metadata locks (ALTER TABLE waits here)
SELECT OBJECT_NAME, LOCK_TYPE, LOCK_STATUS, OWNER_THREAD_ID FROM performance_schema.metadata_locks WHERE OBJECT_SCHEMA = DATABASE();
SHOW FULL PROCESSLIST;`),
    ].join("\n");
  }
  const tableFilter = ctx.tables.length ? `\nWHERE l.relation::regclass::text IN (${quoteList(ctx.tables)})` : "";
  const parts = [
    "Run these every few seconds in a second session while the migration runs. Stop and roll back when a trigger in section 5 fires.",
    sqlBlock(`-- Blocked sessions and who blocks them
SELECT pid, pg_blocking_pids(pid) AS blocked_by, wait_event_type, wait_event,
       now() - query_start AS waiting_for, left(query, 80) AS query
FROM pg_stat_activity
WHERE cardinality(pg_blocking_pids(pid)) > 0
ORDER BY query_start;`),
    sqlBlock(`-- Locks on the affected tables (granted = false means someone is queued)
SELECT l.relation::regclass AS relation, l.mode, l.granted, a.pid,
       now() - a.query_start AS for, left(a.query, 80) AS query
FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid${tableFilter}
ORDER BY l.granted, a.query_start;`),
    sqlBlock(`-- Long transactions (they block the migration, and the migration's locks block others)
SELECT pid, usename, now() - xact_start AS xact_age, state, left(query, 80) AS query
FROM pg_stat_activity
WHERE xact_start < now() - interval '30 seconds' AND pid <> pg_backend_pid()
ORDER BY xact_start;`),
  ];
  if (ctx.changes.some((m) => m.changes.some((c) => c.category === "index" && c.text.startsWith("create")))) {
    parts.push(sqlBlock(`-- Index build progress
SELECT pid, relid::regclass AS table, index_relid::regclass AS index, phase,
       blocks_done, blocks_total, tuples_done, tuples_total
FROM pg_stat_progress_create_index;`));
  }
  return parts.join("\n\n");
}

function validation(ctx: Ctx): string {
  const created = ctx.changes.flatMap((m) => m.changes);
  const indexes = created.filter((c) => c.category === "index" && c.text.startsWith("create")).map((c) => c.objects[0]!).filter((n) => !n.startsWith("("));
  const constraints = created.filter((c) => c.category === "constraint" && c.text.startsWith("add")).map((c) => c.objects[0]!).filter((n) => !n.startsWith("("));
  if (ctx.dialect !== "postgres") {
    return sqlBlock(`-- Row counts of the affected tables (compare with the numbers taken before)
${ctx.tables.map((t) => `SELECT '${t}' AS table_name, COUNT(*) AS row_count FROM ${t}`).join("\nUNION ALL\n") || "SELECT 1"};
-- Indexes and foreign keys exist
SELECT TABLE_NAME, INDEX_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE()${ctx.tables.length ? ` AND TABLE_NAME IN (${quoteList(ctx.tables)})` : ""};`);
  }
  const parts = [
    "Run right after the deploy; every query must return no rows unless noted.",
    sqlBlock(`-- Invalid indexes (a failed CONCURRENTLY build leaves one behind)
SELECT indexrelid::regclass AS index, indrelid::regclass AS table FROM pg_index WHERE NOT indisvalid;`),
    sqlBlock(`-- Constraints not validated yet (NOT VALID without a later VALIDATE)
SELECT conrelid::regclass AS table, conname FROM pg_constraint WHERE NOT convalidated;`),
  ];
  if (indexes.length || constraints.length) {
    parts.push(sqlBlock(`-- Objects this change creates: each row must say true
${[...indexes.map((i) => `SELECT '${i}' AS object, to_regclass('${i}') IS NOT NULL AS present`), ...constraints.map((c) => `SELECT '${c}', EXISTS (SELECT 1 FROM pg_constraint WHERE conname = '${c}' AND convalidated)`)].join("\nUNION ALL\n")};`));
  }
  if (ctx.tables.length) {
    parts.push(sqlBlock(`-- Row counts of the affected tables: take them before and after and compare
-- (estimates from the planner; use count(*) on small tables)
SELECT relname AS table, reltuples::bigint AS estimated_rows
FROM pg_class WHERE relkind IN ('r', 'p') AND relname IN (${quoteList(ctx.tables.map((t) => t.split(".").at(-1)!))});`));
  }
  return parts.join("\n\n");
}

function rollbackTriggers(ctx: Ctx): string {
  const t = ctx.options.thresholds;
  return [
    "| Indicator | Threshold | Action |",
    "|---|---|---|",
    `| Migration errors | > ${t.max_error_rate_percent}% of records | Immediate rollback |`,
    `| Performance degradation | > ${t.max_slowdown_percent}% slower | Rollback after analysis |`,
    `| Application errors | ${t.max_critical_errors === 0 ? "any critical" : `> ${t.max_critical_errors} critical`} | Immediate rollback |`,
    `| Data corruption | ${t.max_corruptions === 0 ? "any detected" : `> ${t.max_corruptions}`} | Immediate rollback |`,
    `| Queries blocked behind the migration | > ${t.max_lock_wait_ms} ms, growing | Cancel the statement (\`SELECT pg_cancel_backend(<pid>)\`), investigate |`,
    `| A single statement runs longer than planned | > 2× the expected time | Cancel, roll back, reschedule |`,
  ].join("\n");
}

function rollbackSteps(ctx: Ctx): string {
  const out = ["1. Stop or drain application traffic to the affected tables if the rollback takes blocking locks."];
  const byLayout = new Map<Layout, Migration[]>();
  for (const m of ctx.report.migrations) {
    if (m.migration.status === "deleted") continue;
    byLayout.set(m.migration.layout, [...(byLayout.get(m.migration.layout) ?? []), m.migration]);
  }
  const commands = [...byLayout].flatMap(([layout, migrations]) => toolCommands(layout, migrations).rollback);
  out.push("2. Execute the rollback, newest migration first:", "", indent(shBlock(commands)), "");
  const warnings = ctx.report.migrations.filter((m) => ["lossy", "irreversible", "missing", "not-expected"].includes(m.risk?.rollback ?? ""));
  for (const m of warnings) out.push(indent(`> ⚠️ \`${m.migration.id}\`: rollback is **${m.risk!.rollback}**${rollbackReason(m)}; data removed by the migration comes back only from the backup.`));
  if (warnings.length) out.push("");
  out.push(
    "3. Validate data restoration: run the validation queries of section 4 and compare row counts with the numbers taken before the deploy.",
    "4. Restart services, in the order of the deployment steps, with the previous application version.",
    "5. Verify application health: error rate and latency back to the baseline.",
    "6. Document the incident: what triggered the rollback, timeline, what to change before trying again.",
  );
  return out.join("\n");
}

function rollbackReason(m: MigrationReport): string {
  const reasons = m.risk?.rollbackReasons ?? [];
  return reasons.length ? ` (${reasons.join("; ")})` : "";
}

function postDeployment(ctx: Ctx): string {
  return [
    "- [ ] **Data integrity**: the validation queries (section 4) return what they should; row counts match.",
    "- [ ] **Application functionality**: smoke tests of the features that read and write " + (ctx.tables.length ? ctx.tables.map((t) => `\`${t}\``).join(", ") : "the affected tables") + " pass; no new errors in the logs.",
    "- [ ] **Performance baselines**: latency of the queries on the affected tables is within the threshold of the pre-deploy baseline" + (ctx.dialect === "postgres" ? " (`pg_stat_statements`: compare `mean_exec_time`)" : "") + ".",
    "- [ ] **Statistics**: `ANALYZE` the tables that were rewritten or got new indexes, so the planner uses them.",
    "- [ ] **Monitor for 24 hours**: locks, errors, latency, replication lag.",
  ].join("\n");
}

function documentation(ctx: Ctx): string {
  const all = ctx.changes.flatMap((m) => m.changes).filter((c) => c.category !== "setting" && c.category !== "other");
  const group = (cats: ChangeItem["category"][]) => all.filter((c) => cats.includes(c.category)).map((c) => `  - ${c.text}`);
  const schema = group(["table", "column", "type", "view", "function", "trigger"]);
  const indexes = group(["index", "constraint"]);
  const data = group(["data"]);
  const unavailable = ctx.changes.filter((m) => m.problem).map((m) => `  - ${m.problem}`);
  const lines = [
    "- [ ] **Database documentation: schema changes**",
    ...(schema.length ? schema : ["  - none"]),
    "- [ ] **New indexes and constraints**",
    ...(indexes.length ? indexes : ["  - none"]),
    "- [ ] **Data dictionary**: describe new and changed columns (meaning, allowed values, who writes them).",
  ];
  if (data.length) lines.push("- [ ] **Data transformations** (record what changed and why)", ...data);
  lines.push(
    "- [ ] **PROJECT_CONTEXT.md**: database version, new capabilities, performance characteristics measured above.",
    "- [ ] **Operations documentation**: monitoring updates, backup considerations (new large tables or indexes), recovery procedures for this change.",
  );
  if (unavailable.length) lines.push("", "Not described (content not available):", ...unavailable);
  return lines.join("\n");
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => (l ? `   ${l}` : l))
    .join("\n");
}

