// The analysis state the PostgreSQL rules read: transactions, lock_timeout, created relations,
// proven NOT NULL columns, column types — step by step, and through the engine across files.
import { beforeAll, describe, expect, it } from "vitest";
import { accessExclusiveHeld, advance, hasLockTimeout, initialState, isCreatedInChange, nextChange, startScript, type AnalysisState } from "../src/core/analyze/state.js";
import { loadParsers, parseScript } from "../src/core/parse/index.js";
import { analyzeFiles, ruleIds } from "./helpers/engine.js";

beforeAll(loadParsers);

/** The state after each statement of `sql`, starting from `from` (or a fresh PostgreSQL 15 state). */
function run(sql: string, { wraps = false, from }: { wraps?: boolean; from?: AnalysisState } = {}): AnalysisState[] {
  const script = parseScript({ file: "m.sql", text: sql, baseOffset: 0, baseLine: 1, dialect: "postgres" });
  expect(script.problems).toEqual([]);
  let state = startScript(from ?? initialState(15), wraps);
  const out: AnalysisState[] = [];
  for (const statement of script.statements) {
    state = advance(state, statement, wraps);
    out.push(snapshot(state));
  }
  return out;
}

/** `advance` mutates in place: copy every collection to keep a per-statement picture. */
function snapshot(state: AnalysisState): AnalysisState {
  const copy = { ...state } as Record<string, unknown>;
  for (const [key, value] of Object.entries(state)) {
    if (value instanceof Map) copy[key] = new Map(value);
    else if (value instanceof Set) copy[key] = new Set(value);
  }
  return copy as unknown as AnalysisState;
}

describe("lists derived from the held locks", () => {
  it("follow every lock change of a live state (they are memoized per change)", () => {
    const script = parseScript({
      file: "m.sql",
      text: "BEGIN;\nLOCK TABLE a IN SHARE MODE;\nCREATE TABLE b (id int);\nALTER TABLE b ADD COLUMN x int;\nALTER TABLE a ADD COLUMN y int;\nCOMMIT;\n",
      baseOffset: 0,
      baseLine: 1,
      dialect: "postgres",
    });
    let state = startScript(initialState(15), false);
    const seen: string[][] = [];
    for (const statement of script.statements) {
      state = advance(state, statement, false);
      seen.push([...accessExclusiveHeld(state)]);
    }
    // SHARE is not ACCESS EXCLUSIVE; b is created in the change; the upgrade of a counts; COMMIT releases.
    expect(seen).toEqual([[], [], [], [], ["a"], []]);
  });

  it("a held lock is reported once, on the statement that takes it, listing what runs under it", async () => {
    const tables = ["t1", "t2", "t3", "t4", "t5", "t6", "t7"];
    const sql = `SET lock_timeout = '2s';\nBEGIN;\n${tables.map((t) => `ALTER TABLE ${t} ADD COLUMN c int;`).join("\n")}\nUPDATE t1 SET c = 1;\nCOMMIT;\nUPDATE t2 SET c = 2;\n`;
    const report = await analyzeFiles(
      { "migrations/0001_x.sql": sql, "migrations/0001_x.down.sql": "SELECT 1;\n" },
      { config: { tables: { t1: { rows: 5_000_000 } } } },
    );
    const findings = report.migrations[0]!.findings.filter((f) => f.ruleId === "statement-after-access-exclusive");
    expect(findings).toHaveLength(1);
    const [finding] = findings;
    expect(finding!.span.startLine).toBe(3);
    expect(finding!.message).toContain("takes ACCESS EXCLUSIVE on `t1`, held until the transaction ends (with `t2`, `t3`, `t4`, `t5`, `t6` and 1 more locked after it), and 7 later statements run under the lock: line 4 (ALTER TABLE t2: must first wait for a lock on `t2`)");
    // The UPDATE after COMMIT runs without the lock; the one inside is estimated from the statistics.
    expect(finding!.message).toMatch(/Estimated time under the lock: at least \d+ s/);
    expect(finding!.message).not.toContain("\n");
    expect(finding!.locks.map((l) => l.relation)).toEqual(["t1", "t2", "t3", "t4", "t5"]);
  });
});

describe("transactions", () => {
  it("tracks explicit BEGIN/COMMIT and the locks held until COMMIT", () => {
    const s = run("BEGIN; ALTER TABLE orders ADD COLUMN a int; CREATE INDEX i ON customers (id); COMMIT; SELECT 1;");
    expect(s.map((x) => x.inTransaction)).toEqual([true, true, true, false, false]);
    expect(s[0]!.explicitTransaction).toBe(true);
    expect([...s[2]!.heldLocks]).toEqual([["orders", "ACCESS EXCLUSIVE"], ["customers", "SHARE"]]);
    expect(accessExclusiveHeld(s[2]!)).toEqual(["orders"]);
    expect(s[3]!.heldLocks.size).toBe(0);
  });

  it("a tool's per-file transaction holds locks until an explicit COMMIT ends it", () => {
    const s = run("ALTER TABLE orders ADD COLUMN a int; COMMIT; CREATE INDEX CONCURRENTLY i ON orders (a);", { wraps: true });
    expect(s.map((x) => x.inTransaction)).toEqual([true, false, false]);
    expect(s[0]!.toolTransaction).toBe(true);
    expect(s[0]!.statementsInTransaction).toBe(1);
  });

  it("BEGIN inside the tool's transaction keeps the locks already held", () => {
    const s = run("ALTER TABLE orders ADD COLUMN a int; BEGIN; SELECT 1;", { wraps: true });
    expect(s[1]!.heldLocks.get("orders")).toBe("ACCESS EXCLUSIVE");
  });

  it("counts ALTERs that scan or rewrite, per table and transaction, reset by VALIDATE and COMMIT", () => {
    const s = run(
      "BEGIN; ALTER TABLE t ALTER COLUMN a SET NOT NULL; ALTER TABLE t ADD COLUMN b int DEFAULT 0; ALTER TABLE t ALTER COLUMN b TYPE bigint; ALTER TABLE t VALIDATE CONSTRAINT c; ALTER TABLE t ADD COLUMN d serial; COMMIT; ALTER TABLE t ADD COLUMN e uuid DEFAULT gen_random_uuid();",
    );
    // ADD COLUMN … DEFAULT 0 only touches the catalog (PostgreSQL 11+): nothing to save by combining it.
    expect(s.map((x) => x.altersInScript.get("t") ?? 0)).toEqual([0, 1, 1, 2, 0, 1, 0, 1]);
  });
});

describe("lock_timeout", () => {
  it("follows SET, SET LOCAL (until COMMIT), 0 and RESET", () => {
    const s = run("SET lock_timeout = '2s'; BEGIN; SET LOCAL lock_timeout = '500ms'; COMMIT; SET lock_timeout = 0; RESET lock_timeout;");
    expect(s.map((x) => x.lockTimeoutMs)).toEqual([2000, 2000, 500, 2000, 0, undefined]);
    expect(s.map(hasLockTimeout)).toEqual([true, true, true, true, false, false]);
  });

  it("remembers that a blocking lock was requested without a timeout", () => {
    const s = run("CREATE TABLE n (id int); ALTER TABLE n ADD COLUMN a int; ALTER TABLE orders ADD COLUMN a int;");
    expect(s.map((x) => x.blockingLockWithoutTimeout)).toEqual([false, false, true]);
  });
});

describe("objects of the change", () => {
  it("records created tables, indexes, views, types, sequences and schemas, and renames of new tables", () => {
    const s = run(
      "CREATE TABLE public.a (id int); CREATE INDEX a_idx ON a (id); CREATE VIEW v AS SELECT id FROM a; CREATE TYPE mood AS ENUM ('ok'); CREATE SEQUENCE s; CREATE SCHEMA x; ALTER TABLE a RENAME TO b; ALTER TABLE orders RENAME TO purchases;",
    );
    const last = s[s.length - 1]!;
    for (const name of ["a", "public.a", "a_idx", "v", "mood", "s", "b"]) expect(isCreatedInChange(last, name), name).toBe(true);
    expect(last.createdRelations.has("schema:x")).toBe(true);
    expect(isCreatedInChange(last, "purchases")).toBe(false);
    expect([...last.viewDependencies.get("v")!.columns]).toEqual(["a.id"]);
  });

  it("proves NOT NULL from CHECK (col IS NOT NULL), directly or NOT VALID + VALIDATE", () => {
    const s = run(
      "ALTER TABLE t ADD CONSTRAINT c1 CHECK (a IS NOT NULL) NOT VALID; ALTER TABLE t VALIDATE CONSTRAINT c1; ALTER TABLE t ADD CONSTRAINT c2 CHECK (b IS NOT NULL); ALTER TABLE t ADD CONSTRAINT c3 CHECK (c IS NOT NULL) NOT VALID;",
    );
    expect([...s[0]!.notNullChecked]).toEqual([]);
    expect([...s[1]!.notNullChecked]).toEqual(["t.a"]);
    expect([...s[3]!.notNullChecked].sort()).toEqual(["t.a", "t.b"]);
    expect(s[3]!.pendingNotNullChecks.get("t:c3")).toBe("c");
  });

  it("keeps column types, and only them, into the next change", () => {
    const s = run("CREATE TABLE t (a varchar(20), b numeric(10,2)); ALTER TABLE t ALTER COLUMN a TYPE varchar(40); ALTER TABLE t RENAME COLUMN b TO c;");
    const last = s[s.length - 1]!;
    expect(Object.fromEntries(last.columnTypes)).toEqual({
      "t.a": { name: "varchar", mods: [40], array: false },
      "t.c": { name: "numeric", mods: [10, 2], array: false },
    });
    const next = nextChange(last);
    expect(next.createdRelations.size).toBe(0);
    expect(next.columnTypes.get("t.a")).toEqual({ name: "varchar", mods: [40], array: false });
  });

  it("never lets one script's objects leak into a sibling started from the same state", () => {
    const base = initialState(15);
    run("CREATE TABLE only_in_up (id int);", { from: base });
    expect(base.createdRelations.size).toBe(0);
  });
});

describe("through the engine", () => {
  const SET_NOT_NULL = "ALTER TABLE orders ALTER COLUMN status SET NOT NULL;\n";
  const CHECK = "ALTER TABLE orders ADD CONSTRAINT orders_status_nn CHECK (status IS NOT NULL) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_status_nn;\n";

  it("a CHECK validated earlier in the same migration satisfies SET NOT NULL on PostgreSQL 12+", async () => {
    const report = await analyzeFiles({ "migrations/0001_a.sql": CHECK + SET_NOT_NULL });
    expect(ruleIds(report)).not.toContain("set-not-null");
    const old = await analyzeFiles({ "migrations/0001_a.sql": CHECK + SET_NOT_NULL }, { config: { postgres_version: 11 } });
    expect(ruleIds(old)).toContain("set-not-null");
  });

  it("a CHECK validated in an earlier migration of the same change (with a base) counts too", async () => {
    const head = { "migrations/0001_a.sql": "SELECT 1;\n", "migrations/0002_check.sql": CHECK, "migrations/0003_not_null.sql": SET_NOT_NULL };
    const withBase = await analyzeFiles(head, { base: { "migrations/0001_a.sql": "SELECT 1;\n" } });
    expect(ruleIds(withBase)).not.toContain("set-not-null");
    // Without a base, each migration is its own change: the CHECK of 0002 may not be deployed yet.
    const alone = await analyzeFiles(head);
    expect(ruleIds(alone)).toContain("set-not-null");
  });

  it("a table created in an earlier migration of the change is new, one from the base is not", async () => {
    const head = { "migrations/0001_base.sql": "CREATE TABLE orders (id int);\n", "migrations/0002_new.sql": "CREATE TABLE refunds (id int);\n", "migrations/0003_idx.sql": "CREATE INDEX r_idx ON refunds (id);\nCREATE INDEX o_idx ON orders (id);\n" };
    const report = await analyzeFiles(head, { base: { "migrations/0001_base.sql": "CREATE TABLE orders (id int);\n" } });
    const messages = report.migrations.flatMap((m) => m.findings).filter((f) => f.ruleId === "require-concurrent-index").map((f) => f.message);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain("`orders`");
  });

  it("tables created by the up are new for the down migration", async () => {
    const report = await analyzeFiles({ "migrations/0001_a.sql": "CREATE TABLE refunds (id int);\n", "migrations/0001_a.down.sql": "DROP TABLE refunds;\n" });
    expect(ruleIds(report)).not.toContain("drop-table");
  });
});

describe("one finding per cause", () => {
  const BASE = "CREATE TABLE orders (id bigint PRIMARY KEY, status text);\nCREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\nCREATE TRIGGER orders_touch BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION touch();\nCREATE INDEX orders_status_idx ON orders (status);\n";
  const change = (sql: string) => analyzeFiles({ "migrations/0001_base.sql": BASE, "migrations/0002_change.sql": sql }, { base: { "migrations/0001_base.sql": BASE }, config: { transaction: "per-file" } });
  const findingsOf = (report: Awaited<ReturnType<typeof analyzeFiles>>, rule: string) => report.migrations.flatMap((m) => m.findings).filter((f) => f.ruleId === rule);

  it("a trigger dropped and created again in one transaction is one replacement, reported on the DROP", async () => {
    const report = await change("DROP TRIGGER orders_touch ON orders;\nCREATE TRIGGER orders_touch BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION touch();\n");
    const findings = findingsOf(report, "trigger-change-on-hot-table");
    expect(findings.map((f) => [f.span.startLine, f.message])).toEqual([
      [1, "Replacing trigger `orders_touch` on `orders` (dropped here, created again on line 2 in the same transaction) takes ACCESS EXCLUSIVE (waits for running writes, blocks new reads and writes), and from the commit on every write runs the new definition."],
    ]);
  });

  it("a trigger dropped in one transaction and created in the next is two changes", async () => {
    const report = await change("DROP TRIGGER orders_touch ON orders;\nCOMMIT;\nBEGIN;\nCREATE TRIGGER orders_touch BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION touch();\n");
    expect(findingsOf(report, "trigger-change-on-hot-table")).toHaveLength(2);
  });

  it("DROP INDEX locks the index's table, so a lock the transaction already holds on it covers the drop", async () => {
    const alone = await change("DROP INDEX orders_status_idx;\n");
    expect(findingsOf(alone, "require-concurrent-index-drop").flatMap((f) => f.locks?.map((l) => l.relation) ?? [])).toEqual(["orders"]);
    const underLock = await change("ALTER TABLE orders ADD COLUMN note text;\nDROP INDEX orders_status_idx;\n");
    expect(findingsOf(underLock, "require-concurrent-index-drop")).toEqual([]);
  });
});

it("dropping a materialized view is about its readers: its rows are derived, no data is lost", async () => {
  const BASE = "CREATE TABLE orders (id bigint PRIMARY KEY, total numeric);\nCREATE MATERIALIZED VIEW order_totals AS SELECT sum(total) FROM orders;\n";
  const report = await analyzeFiles({ "migrations/0001_base.sql": BASE, "migrations/0002_drop.sql": "DROP MATERIALIZED VIEW order_totals;\n" }, { base: { "migrations/0001_base.sql": BASE } });
  const messages = report.migrations.flatMap((m) => m.findings).filter((f) => f.ruleId === "drop-table").map((f) => f.message);
  expect(messages).toEqual(["Dropping materialized view `order_totals` breaks every query that still reads it (its rows are derived: no data is lost)."]);
});

it("a column whose enum was renamed before a new enum took its name is changed from the renamed type", async () => {
  const BASE = "CREATE TYPE status AS ENUM ('new', 'done');\nCREATE TABLE orders (id bigint PRIMARY KEY, status status);\n";
  const change = "ALTER TYPE status RENAME TO status_old;\nCREATE TYPE status AS ENUM ('new', 'paid', 'done');\nALTER TABLE orders ALTER COLUMN status TYPE status USING status::text::status;\n";
  const report = await analyzeFiles({ "migrations/0001_base.sql": BASE, "migrations/0002_enum.sql": change }, { base: { "migrations/0001_base.sql": BASE } });
  const messages = report.migrations.flatMap((m) => m.findings).filter((f) => f.ruleId === "alter-column-type").map((f) => f.message);
  expect(messages).toEqual(["Changing `orders.status` from status_old (renamed from status) to status rewrites the table and its indexes under an ACCESS EXCLUSIVE lock."]);
});

describe("ADD PRIMARY KEY USING INDEX across migrations", () => {
  const pk = async (table: string) => {
    const base = { "migrations/0001_base.sql": `${table}\nCREATE UNIQUE INDEX CONCURRENTLY coupons_id_idx ON coupons (id);\n` };
    const report = await analyzeFiles({ ...base, "migrations/0002_pk.sql": "ALTER TABLE coupons ADD CONSTRAINT coupons_pkey PRIMARY KEY USING INDEX coupons_id_idx;\n" }, { base });
    return report.migrations.flatMap((m) => m.findings).filter((f) => f.ruleId === "add-primary-key-using-index-nullable").map((f) => [f.severity, f.message]);
  };

  it("scans for NULLs when the index's column may hold them (measured: one seq scan on PG 15)", async () => {
    expect(await pk("CREATE TABLE coupons (id bigint, code text);")).toEqual([
      ["error", "`id` of `coupons` is nullable: ADD PRIMARY KEY USING INDEX coupons_id_idx sets NOT NULL and scans the whole table under an ACCESS EXCLUSIVE lock."],
    ]);
  });

  it("is metadata only when the column is NOT NULL already, declared or set by an earlier migration", async () => {
    expect(await pk("CREATE TABLE coupons (id bigint NOT NULL, code text);")).toEqual([]);
    expect(await pk("CREATE TABLE coupons (id bigint, code text);\nALTER TABLE coupons ALTER COLUMN id SET NOT NULL;")).toEqual([]);
  });
});
