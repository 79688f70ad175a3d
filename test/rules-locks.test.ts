// The lock-truth test: for every PostgreSQL rule that declares locks, run its bad examples on the
// real PostgreSQL 15 and compare what pg_locks shows with what the rule declares. Statements that
// cannot run in a transaction (CONCURRENTLY, VACUUM) are watched from a second connection while
// a third one holds them up; those that finish before they can be seen are skipped, with the reason.
/* eslint-disable @typescript-eslint/no-explicit-any */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { relationName } from "../src/core/analyze/pg-ast.js";
import { statementLocks } from "../src/core/analyze/pg-locks.js";
import { exampleSql, type Rule, type RuleExample, type RuleLockDoc } from "../src/core/analyze/rule.js";
import type { LockMode } from "../src/core/model.js";
import { loadParsers, parseScript, type Statement } from "../src/core/parse/index.js";
import { statementWork } from "../src/core/risk/work.js";
import { loadRules } from "../rules/index.js";
import { analyzeFiles } from "./helpers/engine.js";

const SERVER_VERSION = 15;
const rules = (await loadRules()).filter((r) => r.dialects.includes("postgres") && r.docs.locks.length > 0);
await loadParsers();

const database = `mg_locks_${process.pid}_${Date.now()}`;
const connect = (db: string) => new pg.Client({ host: "127.0.0.1", port: 5432, user: "postgres", database: db });
const admin = connect("test");
let runner: pg.Client;
let observer: pg.Client;
let blocker: pg.Client;
let runnerPid = 0;
const skipped: string[] = [];

beforeAll(async () => {
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  [runner, observer, blocker] = [connect(database), connect(database), connect(database)];
  await Promise.all([runner.connect(), observer.connect(), blocker.connect()]);
  runnerPid = (await runner.query("SELECT pg_backend_pid() AS pid")).rows[0].pid;
});

afterAll(async () => {
  if (skipped.length) console.log(`lock-truth: skipped examples\n${skipped.map((s) => `  - ${s}`).join("\n")}`);
  await Promise.all([runner, observer, blocker].map((c) => c?.end().catch(() => undefined)));
  await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.end();
});

interface SeenLock {
  relation: string;
  mode: LockMode;
  granted: boolean;
}

/** "ShareRowExclusiveLock" → "SHARE ROW EXCLUSIVE". */
function lockMode(pgMode: string): LockMode {
  return pgMode
    .replace(/Lock$/, "")
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .toUpperCase() as LockMode;
}

async function relationLocks(client: pg.Client, pid: number, namesBefore: Map<number, string>): Promise<SeenLock[]> {
  const result = await client.query(
    `SELECT l.relation::bigint AS oid, c.relname, l.mode, l.granted FROM pg_locks l LEFT JOIN pg_class c ON c.oid = l.relation
     WHERE l.pid = $1 AND l.locktype = 'relation' AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
       AND (c.oid IS NULL OR c.relnamespace <> 'pg_catalog'::regnamespace)`,
    [pid],
  );
  return result.rows
    .map((r) => ({ relation: namesBefore.get(Number(r.oid)) ?? r.relname, mode: lockMode(r.mode), granted: r.granted }))
    .filter((l) => l.relation);
}

function exampleFile(example: RuleExample): string {
  if (typeof example !== "string" && example.direction === "down") return "migrations/0001_example.down.sql";
  return (typeof example !== "string" && example.path) || "migrations/0001_example.sql";
}

/** The statement of the example the rule flags (the engine decides, exactly as in rule-examples). */
async function flaggedStatement(rule: Rule, example: RuleExample, statements: Statement[]): Promise<Statement | undefined> {
  const own = typeof example === "string" ? {} : (example.config ?? {});
  const file = exampleFile(example);
  const files: Record<string, string> = typeof example === "string" ? {} : { ...example.files };
  if (typeof example !== "string" && example.direction === "down") files["migrations/0001_example.sql"] = "SELECT 1;\n";
  files[file] = exampleSql(example);
  const report = await analyzeFiles(files, {
    config: { ...own, dialect: "postgres", rules: { ...(own.rules ?? {}), [rule.id]: rule.severity } },
    base: typeof example === "string" ? undefined : example.base,
  });
  const finding = report.migrations.flatMap((m) => m.findings).find((f) => f.ruleId === rule.id && f.span.file === file);
  if (!finding) return undefined;
  return statements.find((s) => finding.span.startOffset >= s.span.startOffset && finding.span.startOffset <= s.span.endOffset) ?? statements[0];
}

/** Maps a declared lock's `on` label to a relation of the statement when the rule gives no `relation`. */
function resolveRelation(lock: RuleLockDoc, statement: Statement): string | undefined {
  if (lock.relation) return lock.relation;
  const ast = statement.ast;
  const label = lock.on.toLowerCase();
  const bare = (name: string | undefined) => name?.replace(/^.*\./, "");
  if (/referenc|parent table of the foreign key/.test(label)) {
    let pk: string | undefined;
    JSON.stringify(ast, (_k, v) => {
      if (v?.pktable && !pk) pk = relationName(v.pktable);
      return v;
    });
    return bare(pk);
  }
  if (/\bindex\b/.test(label) && !/indexed table|table of the index/.test(label)) {
    if (statement.kind === "IndexStmt") return ast.idxname;
    if (statement.kind === "ReindexStmt" || statement.kind === "AlterTableStmt") return bare(relationName(ast.relation));
    if (statement.kind === "DropStmt") return bare(ast.objects?.[0]?.List?.items?.at(-1)?.String?.sval);
  }
  if (/partition/.test(label) && !/parent|partitioned table/.test(label)) {
    const cmd = ast.cmds?.[0]?.AlterTableCmd;
    return bare(relationName(cmd?.def?.PartitionCmd?.name));
  }
  if (ast.relation) return bare(relationName(ast.relation));
  return bare(statementLocks(statement)[0]?.relation);
}

const RANK: LockMode[] = ["ACCESS SHARE", "ROW SHARE", "ROW EXCLUSIVE", "SHARE UPDATE EXCLUSIVE", "SHARE", "SHARE ROW EXCLUSIVE", "EXCLUSIVE", "ACCESS EXCLUSIVE"];
const strongestOf = (modes: LockMode[]) => modes.sort((a, b) => RANK.indexOf(b) - RANK.indexOf(a))[0];

function cannotRunInTransaction(statement: Statement): boolean {
  return /\bCONCURRENTLY\b/i.test(statement.text) || statement.kind === "VacuumStmt";
}

/** Runs the statement while another session holds a ROW EXCLUSIVE lock on its table, and snapshots its locks while it waits. */
async function observeWhileBlocked(statement: Statement, table: string | undefined, namesBefore: Map<number, string>): Promise<SeenLock[] | undefined> {
  let held = false;
  if (table) {
    const base = await blocker.query(
      `SELECT COALESCE((SELECT t.relname FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid WHERE i.indexrelid = c.oid), c.relname) AS t
       FROM pg_class c WHERE c.relname = $1 AND c.relnamespace = 'public'::regnamespace`,
      [table],
    );
    if (base.rows[0]) {
      await blocker.query("BEGIN");
      await blocker.query(`LOCK TABLE ${base.rows[0].t} IN ROW EXCLUSIVE MODE`);
      held = true;
    }
  }
  let failure: unknown;
  let done = false;
  const running = runner.query(statement.text).then(
    () => void (done = true),
    (error) => void ((failure = error), (done = true)),
  );
  let seen: SeenLock[] | undefined;
  for (let i = 0; i < 250 && !done; i++) {
    const waiting = await observer.query("SELECT wait_event_type FROM pg_stat_activity WHERE pid = $1", [runnerPid]);
    if (waiting.rows[0]?.wait_event_type === "Lock") {
      seen = await relationLocks(observer, runnerPid, namesBefore);
      break;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  if (held) await blocker.query("COMMIT");
  await running;
  if (failure) throw failure;
  return seen;
}

/** Each example starts from an empty database: setup runs in a fresh `public` schema. */
async function prepareDatabase(setup: string | undefined): Promise<void> {
  if (setup) await runner.query(setup);
}

async function resetDatabase(): Promise<void> {
  await runner.query("ROLLBACK").catch(() => undefined);
  const schemas = await runner.query(
    "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'",
  );
  for (const { nspname } of schemas.rows) await runner.query(`DROP SCHEMA "${nspname}" CASCADE`);
  await runner.query("CREATE SCHEMA public");
}

/** Relation names by oid, taken before the statement runs: a DROP or RENAME changes pg_class. */
async function relationNames(): Promise<Map<number, string>> {
  const result = await runner.query("SELECT oid, relname FROM pg_class WHERE relnamespace <> 'pg_catalog'::regnamespace");
  return new Map(result.rows.map((r) => [Number(r.oid), r.relname as string]));
}

/** Tables (and materialized views) of the example's schema: the relations traffic reaches. */
async function tableNames(): Promise<Set<string>> {
  const result = await runner.query(
    "SELECT relname FROM pg_class WHERE relkind IN ('r', 'p', 'm') AND relnamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)",
  );
  return new Set(result.rows.map((r) => r.relname as string));
}

/**
 * Runs one bad example and compares pg_locks with the declared locks. Returns the mismatches,
 * or a skip reason. `target` overrides the statement the engine says the rule flags.
 */
async function checkExample(rule: Rule, example: RuleExample, target?: Statement): Promise<{ mismatches: string[]; skip?: string }> {
  const declared = (typeof example !== "string" && example.locks) || rule.docs.locks;
  const version = typeof example !== "string" ? example.config?.postgres_version : undefined;
  if (declared.length === 0) return { mismatches: [], skip: "the example declares no locks (locks: [])" };
  if (version !== undefined && version > SERVER_VERSION) return { mismatches: [], skip: `written for PostgreSQL ${version}` };

  const statements = parseScript({ file: exampleFile(example), text: exampleSql(example), baseOffset: 0, baseLine: 1, dialect: "postgres" }).statements;
  target ??= await flaggedStatement(rule, example, statements);
  if (!target) return { mismatches: [`${rule.id}: the rule does not flag its own bad example`] };
  const flagged = target;
  await prepareDatabase((typeof example !== "string" && example.setup) || rule.examples.setup);
  try {
    const before = statements.filter((s) => s.index < flagged.index && s.kind !== "TransactionStmt");
    const tables = await tableNames();
    let seen: SeenLock[];
    let already: SeenLock[] = [];
    if (cannotRunInTransaction(flagged)) {
      for (const s of before) await runner.query(s.text);
      const watched = await observeWhileBlocked(flagged, resolveRelation(declared[0]!, flagged), await relationNames());
      if (!watched) return { mismatches: [], skip: `${flagged.text.trim().split("\n")[0]} cannot run in a transaction and finished before it could be observed` };
      seen = watched;
    } else {
      await runner.query("BEGIN");
      for (const s of before) await runner.query(s.text);
      const names = await relationNames();
      already = await relationLocks(runner, runnerPid, names);
      await runner.query(flagged.text);
      seen = await relationLocks(runner, runnerPid, names);
    }
    const mismatches: string[] = [];
    const declaredRelations = new Set(declared.map((lock) => resolveRelation(lock, flagged)));
    // The other direction: a table the statement blocks traffic on must not go unmentioned.
    for (const l of seen) {
      const isTable = tables.has(l.relation);
      const blocking = ["SHARE", "SHARE ROW EXCLUSIVE", "EXCLUSIVE", "ACCESS EXCLUSIVE"].includes(l.mode);
      const fresh = !already.some((a) => a.relation === l.relation && a.mode === l.mode);
      if (isTable && blocking && fresh && !declaredRelations.has(l.relation)) {
        mismatches.push(`${rule.id}: PostgreSQL ${SERVER_VERSION} took ${l.mode} on ${l.relation}, which the rule does not declare`);
      }
    }
    for (const lock of declared) {
      const relation = resolveRelation(lock, flagged);
      if (!relation) {
        mismatches.push(`${rule.id}: cannot tell which relation "${lock.on}" is in \`${flagged.text.trim()}\` (give the lock a \`relation\`)`);
        continue;
      }
      // A declaration may mean the lock the flagged statement takes itself or the strongest one
      // held while it runs (rules about earlier locks in the transaction): either must match.
      const onRelation = seen.filter((l) => l.relation === relation);
      const taken = onRelation.filter((l) => !already.some((a) => a.relation === l.relation && a.mode === l.mode));
      const ownLock = strongestOf(taken.map((l) => l.mode));
      const heldLock = strongestOf(onRelation.map((l) => l.mode));
      if (ownLock !== lock.mode && heldLock !== lock.mode) {
        const modes = [...new Set(onRelation.map((l) => l.mode))];
        mismatches.push(
          `${rule.id}: declares ${lock.mode} on ${lock.on} (${relation}); PostgreSQL ${SERVER_VERSION} took ${ownLock ?? heldLock ?? "no lock"}${modes.length > 1 ? ` (all held: ${modes.join(", ")})` : ""}`,
        );
      }
    }
    return { mismatches };
  } finally {
    await resetDatabase();
  }
}

const cases = rules.flatMap((rule) => rule.examples.bad.map((example, i) => ({ rule, example, name: `${rule.id} bad example ${i + 1}` })));

describe("declared locks match pg_locks on PostgreSQL 15", () => {
  it("covers the PostgreSQL rules that declare locks", () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  it.each(cases.map((c) => [c.name, c] as const))("%s", async (name, { rule, example }) => {
    const result = await checkExample(rule, example);
    if (result.skip) skipped.push(`${name}: ${result.skip}`);
    expect(result.mismatches).toEqual([]);
  });
});

describe("the lock-truth machinery", () => {
  const probe = (sql: string, locks: RuleLockDoc[]): [Rule, RuleExample] => [
    {
      id: "probe",
      title: "probe rule",
      dialects: ["postgres"],
      severity: "error",
      docs: { why: "probe", locks, work: "none", safeAlternative: "none" },
      examples: { setup: "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint); INSERT INTO orders SELECT g, g FROM generate_series(1, 1000) g;", bad: [sql], good: [] },
    },
    sql,
  ];
  const lastStatement = (sql: string) => parseScript({ file: "probe.sql", text: sql, baseOffset: 0, baseLine: 1, dialect: "postgres" }).statements.at(-1)!;

  it("catches a wrong declaration, naming the rule and the lock", async () => {
    const sql = "CREATE INDEX orders_customer_idx ON orders (customer_id);";
    const [rule, example] = probe(sql, [{ on: "indexed table", mode: "ACCESS EXCLUSIVE" }]);
    expect((await checkExample(rule, example, lastStatement(sql))).mismatches).toEqual([
      "probe: declares ACCESS EXCLUSIVE on indexed table (orders); PostgreSQL 15 took SHARE",
    ]);
  });

  it("watches CREATE INDEX CONCURRENTLY from a second connection while a writer holds it up", async () => {
    const sql = "CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);";
    const [rule, example] = probe(sql, [{ on: "indexed table", mode: "SHARE UPDATE EXCLUSIVE" }]);
    expect(await checkExample(rule, example, lastStatement(sql))).toEqual({ mismatches: [] });
  });

  it("sees locks on relations the statement drops or renames", async () => {
    const sql = "ALTER TABLE orders RENAME TO purchases;";
    const [rule, example] = probe(sql, [{ on: "renamed table", mode: "ACCESS EXCLUSIVE", relation: "orders" }]);
    expect(await checkExample(rule, example, lastStatement(sql))).toEqual({ mismatches: [] });
  });
});

// Lock and work facts beyond the rules' own examples: each statement runs on the real
// PostgreSQL 15 and what it did is compared with what the tool declares. Locks: pg_locks seen
// from a second session while the statement's transaction is open. Work: a rewrite when the
// table's relfilenode changed, a scan when its seq_scan counter grew. Tables of the setup exist
// before the change; a statement that blocks writes on one while it scans or rewrites must be
// flagged by some rule (beyond the timeout rules).
interface Fact {
  name: string;
  setup: string;
  sql: string;
  /** Runs outside a transaction; its locks are seen while a writer on `blockOn` holds it up. */
  outsideTransaction?: { blockOn: string };
  /** The work is judged by a rule with schema knowledge, not statementWork (e.g. a type change). */
  judgedByRules?: boolean;
  /** A known gap: the measured risk is not flagged yet (why). Locks and work are still compared. */
  gap?: string;
}

const FACT_SETUP =
  "CREATE TABLE customers (id bigint PRIMARY KEY); CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, region text, total numeric(10,2), code int);" +
  " INSERT INTO customers SELECT g FROM generate_series(1, 500) g; INSERT INTO orders SELECT g, g, 'eu', g, g FROM generate_series(1, 500) g;";
const PARTITIONED =
  "CREATE TABLE events (id int, k int) PARTITION BY RANGE (k); CREATE TABLE events_0 PARTITION OF events FOR VALUES FROM (0) TO (10);" +
  " CREATE TABLE events_1 PARTITION OF events FOR VALUES FROM (10) TO (20); INSERT INTO events SELECT g, g % 20 FROM generate_series(1, 500) g;";

const FACTS: Fact[] = [
  { name: "COMMENT ON TABLE", setup: FACT_SETUP, sql: "COMMENT ON TABLE orders IS 'customer orders';" },
  { name: "COMMENT ON COLUMN", setup: FACT_SETUP, sql: "COMMENT ON COLUMN orders.region IS 'sales region';" },
  { name: "CREATE POLICY", setup: FACT_SETUP, sql: "CREATE POLICY orders_by_region ON orders USING (region = 'eu');" },
  { name: "CREATE STATISTICS", setup: FACT_SETUP, sql: "CREATE STATISTICS orders_region_code ON region, code FROM orders;" },
  { name: "CREATE TABLE … PARTITION OF", setup: PARTITIONED, sql: "CREATE TABLE events_2 PARTITION OF events FOR VALUES FROM (20) TO (30);" },
  { name: "DETACH PARTITION", setup: PARTITIONED, sql: "ALTER TABLE events DETACH PARTITION events_0;" },
  { name: "DETACH PARTITION CONCURRENTLY", setup: PARTITIONED, sql: "ALTER TABLE events DETACH PARTITION events_0 CONCURRENTLY;", outsideTransaction: { blockOn: "events_0" } },
  { name: "CREATE OR REPLACE VIEW", setup: `${FACT_SETUP} CREATE VIEW eu_orders AS SELECT id, region FROM orders;`, sql: "CREATE OR REPLACE VIEW eu_orders AS SELECT id, region, total FROM orders;" },
  {
    name: "ADD COLUMN of a domain with a CHECK",
    setup: `${FACT_SETUP} CREATE DOMAIN positive_int AS int CHECK (VALUE > 0);`,
    sql: "ALTER TABLE orders ADD COLUMN quantity positive_int;",
    judgedByRules: true,
  },
  { name: "ALTER COLUMN TYPE, collation only (no index)", setup: FACT_SETUP, sql: "ALTER TABLE orders ALTER COLUMN region TYPE text COLLATE \"C\";", judgedByRules: true },
  {
    name: "ALTER COLUMN TYPE, collation only (indexed column)",
    setup: `${FACT_SETUP} CREATE INDEX orders_region_idx ON orders (region);`,
    sql: "ALTER TABLE orders ALTER COLUMN region TYPE text COLLATE \"C\";",
    judgedByRules: true,
  },
  { name: "numeric precision up", setup: FACT_SETUP, sql: "ALTER TABLE orders ALTER COLUMN total TYPE numeric(12,2);", judgedByRules: true },
  { name: "numeric precision down", setup: FACT_SETUP, sql: "ALTER TABLE orders ALTER COLUMN total TYPE numeric(8,2);", judgedByRules: true },
  { name: "numeric scale up", setup: FACT_SETUP, sql: "ALTER TABLE orders ALTER COLUMN total TYPE numeric(12,4);", judgedByRules: true },
  { name: "numeric scale down", setup: FACT_SETUP, sql: "ALTER TABLE orders ALTER COLUMN total TYPE numeric(10,1);", judgedByRules: true },
  { name: "numeric to unconstrained numeric", setup: FACT_SETUP, sql: "ALTER TABLE orders ALTER COLUMN total TYPE numeric;", judgedByRules: true },
  {
    name: "ADD PRIMARY KEY USING INDEX on a nullable column",
    setup: "CREATE TABLE orders (id bigint, code int); INSERT INTO orders SELECT g, g FROM generate_series(1, 500) g; CREATE UNIQUE INDEX orders_code_key ON orders (code);",
    sql: "ALTER TABLE orders ADD PRIMARY KEY USING INDEX orders_code_key;",
  },
  { name: "DROP INDEX IF EXISTS of a missing index", setup: FACT_SETUP, sql: "DROP INDEX IF EXISTS orders_missing_idx;" },
  { name: "ADD COLUMN … REFERENCES without a default", setup: FACT_SETUP, sql: "ALTER TABLE orders ADD COLUMN buyer_id bigint REFERENCES customers (id);" },
  { name: "ADD CONSTRAINT FOREIGN KEY on a column just added", setup: `${FACT_SETUP} ALTER TABLE orders ADD COLUMN buyer_id bigint;`, sql: "ALTER TABLE orders ADD CONSTRAINT orders_buyer_fk FOREIGN KEY (buyer_id) REFERENCES customers (id);" },
];

type MeasuredWork = "rewrite" | "scan" | "none";

interface Measured {
  locks: Map<string, LockMode>;
  work: MeasuredWork;
  /** Tables (relkind r/p) that existed before the statement. */
  tables: Set<string>;
}

async function tableCounters(): Promise<Map<string, { relfilenode: number; seqScan: number }>> {
  await observer.query("SELECT pg_stat_clear_snapshot()");
  const result = await observer.query(
    `SELECT c.relname, c.relfilenode, COALESCE(s.seq_scan, 0) AS seq_scan FROM pg_class c LEFT JOIN pg_stat_all_tables s ON s.relid = c.oid
     WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'm')`,
  );
  return new Map(result.rows.map((r) => [r.relname as string, { relfilenode: Number(r.relfilenode), seqScan: Number(r.seq_scan) }]));
}

/** The strongest lock per table or view (indexes and weak read locks left out), as the tool names them. */
function tableLocks(seen: SeenLock[], kinds: Map<string, string>): Map<string, LockMode> {
  const locks = new Map<string, LockMode>();
  for (const l of seen) {
    if (!["r", "p", "v", "m", "f"].includes(kinds.get(l.relation) ?? "")) continue;
    if (RANK.indexOf(l.mode) < RANK.indexOf("SHARE UPDATE EXCLUSIVE")) continue;
    const held = locks.get(l.relation);
    if (!held || RANK.indexOf(l.mode) > RANK.indexOf(held)) locks.set(l.relation, l.mode);
  }
  return locks;
}

async function measureFact(fact: Fact, statement: Statement): Promise<Measured> {
  await prepareDatabase(fact.setup);
  try {
    const kinds = new Map(
      (await runner.query("SELECT relname, relkind FROM pg_class WHERE relnamespace = 'public'::regnamespace")).rows.map((r) => [r.relname as string, r.relkind as string]),
    );
    const tables = new Set([...kinds].filter(([, k]) => k === "r" || k === "p").map(([n]) => n));
    // Flush the setup's scan counters before the first snapshot (the next transaction end flushes).
    await runner.query("SELECT pg_stat_force_next_flush()");
    await runner.query("SELECT 1");
    const before = await tableCounters();
    const names = await relationNames();
    let seen: SeenLock[];
    if (fact.outsideTransaction) {
      seen = (await observeWhileBlocked(statement, fact.outsideTransaction.blockOn, names)) ?? [];
    } else {
      await runner.query("BEGIN");
      await runner.query(statement.text);
      seen = await relationLocks(observer, runnerPid, names);
      await runner.query("SELECT pg_stat_force_next_flush()");
      await runner.query("COMMIT");
    }
    await runner.query("SELECT pg_stat_force_next_flush()");
    await runner.query("SELECT 1");
    const after = await tableCounters();
    let work: MeasuredWork = "none";
    for (const [table, b] of before) {
      const a = after.get(table);
      if (!a) continue;
      if (a.relfilenode !== b.relfilenode) work = "rewrite";
      else if (a.seqScan > b.seqScan && work === "none") work = "scan";
    }
    return { locks: tableLocks(seen, kinds), work, tables };
  } finally {
    await resetDatabase();
  }
}

function declaredWork(statement: Statement): MeasuredWork {
  const work = statementWork(statement, SERVER_VERSION).work;
  if (work === "rewrite") return "rewrite";
  if (work === "none" || work === "metadata only") return "none";
  return "scan";
}

describe("lock and work facts measured on PostgreSQL 15", () => {
  it.each(FACTS.map((f) => [f.name, f] as const))("%s", async (_name, fact) => {
    const statement = parseScript({ file: "fact.sql", text: fact.sql, baseOffset: 0, baseLine: 1, dialect: "postgres" }).statements[0]!;
    const measured = await measureFact(fact, statement);
    const declared = new Map(
      statementLocks(statement)
        .filter((l) => RANK.indexOf(l.mode) >= RANK.indexOf("SHARE UPDATE EXCLUSIVE"))
        .map((l) => [l.relation.replace(/^public\./, ""), l.mode] as const)
        // A lock declared on a relation that is not there (DROP INDEX IF EXISTS of a missing index) takes nothing.
        .filter(([relation]) => measured.locks.has(relation) || !/IF EXISTS/i.test(fact.sql)),
    );
    expect(Object.fromEntries(declared), "declared locks (statementLocks) = pg_locks").toEqual(Object.fromEntries(measured.locks));
    if (!fact.judgedByRules) expect(declaredWork(statement), "declared work (statementWork) = relfilenode / seq_scan").toBe(measured.work);

    // The engine's findings on the statement, with the setup as an earlier, merged migration.
    const report = await analyzeFiles({ "migrations/0000_setup.sql": fact.setup, "migrations/0001_fact.sql": fact.sql });
    const findings = report.migrations.flatMap((m) => m.findings).filter((f) => f.span.file === "migrations/0001_fact.sql");
    const blocksWrites = [...measured.locks].some(([relation, mode]) => measured.tables.has(relation) && RANK.indexOf(mode) >= RANK.indexOf("SHARE"));
    const riskFindings = findings.filter((f) => (f.severity === "warning" || f.severity === "error") && !/^(require-(lock|statement)-timeout|missing-rollback)$/.test(f.ruleId));
    if (fact.gap) {
      skipped.push(`${fact.name}: not flagged yet (${fact.gap})`);
      return;
    }
    if (blocksWrites && measured.work !== "none") {
      expect(riskFindings.map((f) => f.ruleId), `${fact.sql} blocks writes while it does ${measured.work}: some rule must say so`).not.toEqual([]);
    }
    if (measured.work === "none") {
      // No work: no finding may claim a rewrite or a scan.
      const claims = riskFindings.filter((f) => /\b(rewrites?|scans?|checks every row|validat(es|ed) over)\b/i.test(f.message));
      expect(claims.map((f) => `${f.ruleId}: ${f.message}`)).toEqual([]);
    }
  });
});
