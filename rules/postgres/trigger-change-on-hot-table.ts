import type { Rule, RuleContext } from "../../src/core/analyze/rule.js";
import { alterCommands, names, relationName, stripPublic } from "../../src/core/analyze/pg-ast.js";
import type { Config } from "../../src/core/config/schema.js";
import type { LockMode } from "../../src/core/model.js";
import type { Statement } from "../../src/core/parse/index.js";
import { alteredTable, earlierInTransaction, isExisting, laterInTransaction, lock, tableSize } from "./_pg.js";

/** Writes per second from which a table counts as hot. */
const HOT_WRITES_PER_SECOND = 100;

const TRIGGER_ALTERS = new Set(["AT_EnableTrig", "AT_DisableTrig", "AT_EnableTrigAll", "AT_DisableTrigAll", "AT_EnableTrigUser", "AT_DisableTrigUser", "AT_EnableAlwaysTrig", "AT_EnableReplicaTrig"]);

function isHot(config: Config, table: string): boolean {
  const stats = config.tables[table] ?? config.tables[stripPublic(table)];
  const rows = tableSize(config, table)?.rows ?? 0;
  return (stats?.writes_per_second ?? 0) >= HOT_WRITES_PER_SECOND || rows >= config.thresholds.large_table_rows;
}

/** What the change does to later writes: a trigger that now runs in them, or one that no longer does. */
type TriggerEffect = "runs" | "stops" | "replaced";

interface TriggerChange {
  table: string;
  what: string;
  mode: LockMode;
  effect: TriggerEffect;
  /** Said after the table, e.g. where a dropped trigger is created again. */
  detail?: string;
}

/** The trigger a CREATE TRIGGER or DROP TRIGGER names, as `table:trigger`. */
function triggerKey(statement: Statement, kind: "CreateTrigStmt" | "DropStmt"): string | undefined {
  if (statement.kind !== kind) return undefined;
  if (kind === "CreateTrigStmt") return `${stripPublic(relationName(statement.ast.relation))}:${statement.ast.trigname}`;
  if (statement.ast.removeType !== "OBJECT_TRIGGER") return undefined;
  const parts = names(statement.ast.objects?.[0]?.List?.items);
  return `${stripPublic(parts.slice(0, -1).join("."))}:${parts[parts.length - 1]}`;
}

function triggerChange(statement: Statement, context: RuleContext): TriggerChange | undefined {
  const { kind, ast } = statement;
  const { state, script } = context;
  if (kind === "CreateTrigStmt") {
    // Re-created after a DROP in the same transaction: the DROP's finding already tells the replacement.
    const key = triggerKey(statement, "CreateTrigStmt");
    if (earlierInTransaction(statement, script.statements, state).some((s) => triggerKey(s, "DropStmt") === key)) return undefined;
    return { table: relationName(ast.relation), what: `${ast.replace ? "replacing" : "creating"} trigger \`${ast.trigname}\``, mode: "SHARE ROW EXCLUSIVE", effect: "runs" };
  }
  const dropped = triggerKey(statement, "DropStmt");
  if (dropped) {
    const parts = names(ast.objects?.[0]?.List?.items);
    const name = parts[parts.length - 1];
    const again = laterInTransaction(statement, script.statements, state).find((s) => triggerKey(s, "CreateTrigStmt") === dropped);
    if (again) return { table: parts.slice(0, -1).join("."), what: `replacing trigger \`${name}\``, detail: ` (dropped here, created again on line ${again.span.startLine} in the same transaction)`, mode: "ACCESS EXCLUSIVE", effect: "replaced" };
    return { table: parts.slice(0, -1).join("."), what: `dropping trigger \`${name}\``, mode: "ACCESS EXCLUSIVE", effect: "stops" };
  }
  const table = alteredTable(statement);
  const cmd = table ? alterCommands(ast).find((c) => TRIGGER_ALTERS.has(c.subtype)) : undefined;
  if (table && cmd) {
    const disables = /Disable/.test(cmd.subtype);
    return { table, what: `${disables ? "disabling" : "enabling"} trigger${cmd.name ? ` \`${cmd.name}\`` : "s"}`, mode: "SHARE ROW EXCLUSIVE", effect: disables ? "stops" : "runs" };
  }
  return undefined;
}

const EFFECT: Record<TriggerEffect, (plural: boolean) => string> = {
  runs: (plural) => `and the ${plural ? "triggers then run" : "trigger then runs"} inside every write`,
  replaced: () => "and from the commit on every write runs the new definition",
  stops: (plural) => `and from then on writes no longer run ${plural ? "them" : "it"}: whatever ${plural ? "they" : "it"} maintained (audit rows, timestamps, derived columns) stops being maintained`,
};

const rule: Rule = {
  id: "trigger-change-on-hot-table",
  title: "Trigger or trigger-function change on a busy table",
  dialects: ["postgres"],
  severity: "info",
  docs: {
    why: `Creating, replacing, enabling or disabling a trigger takes a SHARE ROW EXCLUSIVE lock (dropping one: ACCESS EXCLUSIVE, measured on PostgreSQL 15) — short, but it waits behind running writes and blocks writes queued behind it. After that, the trigger runs inside every write to the table: on a hot table a slow or failing trigger function slows or breaks every INSERT/UPDATE/DELETE. Replacing a trigger function (\`CREATE OR REPLACE FUNCTION … RETURNS trigger\`) changes every table that uses it at once, without any lock. Severity is \`info\`, raised to \`warning\` when \`tables:\` statistics mark the table hot (\`writes_per_second\` ≥ ${HOT_WRITES_PER_SECOND} or at least \`thresholds.large_table_rows\` rows).`,
    locks: [{ on: "table of the trigger", mode: "SHARE ROW EXCLUSIVE", relation: "orders" }],
    work: "metadata only",
    versions: "`CREATE OR REPLACE TRIGGER` exists since PostgreSQL 14.",
    safeAlternative: [
      "1. Set `lock_timeout` before the trigger DDL.",
      "2. Keep trigger functions small; test them against production-like write rates.",
      "3. Replace a trigger function in a migration of its own, with a rollback that restores the previous body.",
      "4. For backfill triggers, create the trigger first, then backfill in batches.",
    ].join("\n"),
  },
  examples: {
    setup:
      "CREATE TABLE orders (id bigint PRIMARY KEY, updated_at timestamptz); CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$; CREATE TRIGGER orders_touch BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION touch();",
    bad: [
      "CREATE TRIGGER orders_touch_insert BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION touch();",
      { sql: "DROP TRIGGER orders_touch ON orders;", config: { tables: { orders: { rows: 5_000_000, writes_per_second: 800 } } }, locks: [{ on: "table of the trigger", mode: "ACCESS EXCLUSIVE", relation: "orders" }] },
      {
        sql: "CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := clock_timestamp(); RETURN NEW; END $$;",
        files: { "migrations/0000_touch.sql": "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$;" },
        locks: [],
      },
      "ALTER TABLE orders DISABLE TRIGGER orders_touch;",
    ],
    good: [
      "CREATE TABLE audit (id bigint, at timestamptz);\nCREATE TRIGGER audit_touch BEFORE UPDATE ON audit FOR EACH ROW EXECUTE FUNCTION touch();",
      "CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;",
      { sql: "CREATE OR REPLACE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;", note: "no earlier migration defines it: this creates it" },
    ],
  },
  check(statement, context) {
    const { state, config } = context;
    if (statement.kind === "CreateFunctionStmt") {
      const name = names(statement.ast.funcname).join(".");
      const returnsTrigger = names(statement.ast.returnType?.names).at(-1) === "trigger";
      // Only a replacement of a function an earlier migration defined: the first CREATE OR REPLACE creates it.
      const key = stripPublic(name);
      if (!statement.ast.replace || !returnsTrigger || state.functionBodies.has(key) || !state.definedFunctions.has(key)) return;
      return { message: `Replacing trigger function \`${name}\`, defined by an earlier migration, changes the behaviour of every write to every table whose trigger calls it, immediately and without a lock.` };
    }
    const change = triggerChange(statement, context);
    if (!change || !isExisting(state, change.table)) return;
    const hot = isHot(config, change.table);
    return {
      message: `${change.what[0]!.toUpperCase()}${change.what.slice(1)} on \`${change.table}\`${change.detail ?? ""} takes ${change.mode} (waits for running writes, blocks new ${change.mode === "ACCESS EXCLUSIVE" ? "reads and writes" : "ones"})${hot ? " on a hot table" : ""}, ${EFFECT[change.effect](change.what.endsWith("triggers"))}.`,
      severity: hot ? "warning" : undefined,
      locks: [lock(change.table, change.mode)],
      help: "Set lock_timeout first; keep the trigger function fast.",
    };
  },
};

export default rule;
