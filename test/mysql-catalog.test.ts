// MariaDB catalog reads and session upkeep done in fewer round trips, checked against what the
// one-query-at-a-time versions answered: the schema snapshot (key columns, CHECK clauses and
// constraints in flat queries joined in JavaScript), row counts and digests, the session reset.
import { describe, expect, it } from "vitest";
import { createScratchDatabase } from "../src/db/index.js";
import { mysqlChecksum, mysqlChecksums, mysqlRowCounts, readMysqlSnapshot } from "../src/db/mysql-catalog.js";
import { MARIADB_URL } from "./evidence-helpers.js";

/** The constraint read the snapshot used before (one query, a subquery per constraint). */
const CORRELATED = `SELECT tc.table_name AS tbl, tc.constraint_name AS name, tc.constraint_type AS type,
  (SELECT GROUP_CONCAT(CONCAT(k.column_name, COALESCE(CONCAT('->', k.referenced_table_name, '.', k.referenced_column_name), '')) ORDER BY k.ordinal_position)
     FROM information_schema.key_column_usage k WHERE k.table_schema = tc.table_schema AND k.table_name = tc.table_name AND k.constraint_name = tc.constraint_name) AS cols,
  (SELECT cc.check_clause FROM information_schema.check_constraints cc WHERE cc.constraint_schema = tc.table_schema AND cc.table_name = tc.table_name AND cc.constraint_name = tc.constraint_name) AS clause
  FROM information_schema.table_constraints tc WHERE tc.table_schema = DATABASE()`;

describe("MariaDB schema snapshot", () => {
  it("describes primary, unique, composite foreign keys and checks as the correlated query did, and triggers, views and routines as their own queries did", async () => {
    const db = await createScratchDatabase(MARIADB_URL, { allowExisting: true });
    try {
      const s = await db.connect();
      for (const sql of [
        "CREATE TABLE tenants (id INT NOT NULL, region CHAR(2) NOT NULL, name VARCHAR(50) NOT NULL, PRIMARY KEY (region, id), UNIQUE KEY tenants_name (name), CONSTRAINT name_len CHECK (CHAR_LENGTH(name) > 0))",
        "CREATE TABLE projects (id INT AUTO_INCREMENT PRIMARY KEY, tenant_id INT NOT NULL, region CHAR(2) NOT NULL, owner VARCHAR(50), budget INT CHECK (budget >= 0), " +
          "UNIQUE KEY projects_pair (tenant_id, id), KEY projects_owner (owner), " +
          "CONSTRAINT projects_tenant FOREIGN KEY (region, tenant_id) REFERENCES tenants (region, id) ON DELETE CASCADE, " +
          "CONSTRAINT projects_owner_fk FOREIGN KEY (owner) REFERENCES tenants (name))",
        "CREATE TABLE tasks (project_id INT NOT NULL, tenant_id INT NOT NULL, n INT NOT NULL, state ENUM('open','done') NOT NULL DEFAULT 'open', " +
          "PRIMARY KEY (project_id, n), CONSTRAINT tasks_project FOREIGN KEY (tenant_id, project_id) REFERENCES projects (tenant_id, id), CHECK (n > 0 AND n < 1000))",
        "CREATE TABLE tags (Name VARCHAR(20) PRIMARY KEY)",
        "ALTER TABLE tasks ADD CONSTRAINT Tasks_Big CHECK (n <> 7)",
        "CREATE VIEW open_tasks AS SELECT project_id, n FROM tasks WHERE state = 'open'",
        "CREATE TRIGGER tasks_n BEFORE INSERT ON tasks FOR EACH ROW SET NEW.n = NEW.n + 0",
        "CREATE FUNCTION twice(x INT) RETURNS INT DETERMINISTIC RETURN x * 2",
        "CREATE PROCEDURE nothing() BEGIN END",
      ])
        await s.query(sql);
      const snapshot = await readMysqlSnapshot(s);
      const expected: Record<string, Record<string, { type: string; definition: string; validated: boolean }>> = {};
      for (const r of (await s.query(CORRELATED)).rows as Record<string, unknown>[]) {
        const k = Object.fromEntries(Object.entries(r).map(([key, v]) => [key.toLowerCase(), v])) as Record<string, any>;
        (expected[k.tbl] ??= {})[k.name] = { type: String(k.type), definition: `${k.type} ${k.clause ?? `(${k.cols ?? ""})`}`, validated: true };
      }
      expect(Object.keys(snapshot.tables).sort()).toEqual(["projects", "tags", "tasks", "tenants"]);
      expect(Object.keys(snapshot.views)).toEqual(["open_tasks"]);
      for (const [t, table] of Object.entries(snapshot.tables)) expect(table.constraints, t).toEqual(expected[t] ?? {});
      // Triggers, views and routines as their three separate queries read them.
      const lower = (r: unknown) => Object.fromEntries(Object.entries(r as Record<string, unknown>).map(([key, v]) => [key.toLowerCase(), v])) as Record<string, any>;
      const triggers = (await s.query("SELECT trigger_name AS name, event_object_table AS tbl, action_timing AS timing, event_manipulation AS ev, action_statement AS body FROM information_schema.triggers WHERE trigger_schema = DATABASE()")).rows.map(lower);
      expect(triggers).toHaveLength(1);
      for (const tr of triggers) expect(snapshot.tables[tr.tbl]!.triggers).toEqual({ [tr.name]: `${tr.timing} ${tr.ev} ${tr.body}` });
      const views = (await s.query("SELECT table_name AS name, view_definition AS def FROM information_schema.views WHERE table_schema = DATABASE()")).rows.map(lower);
      expect(snapshot.views).toEqual(Object.fromEntries(views.map((v) => [v.name, { materialized: false, definition: String(v.def) }])));
      const routines = (await s.query("SELECT routine_name AS name, routine_type AS type, routine_definition AS def FROM information_schema.routines WHERE routine_schema = DATABASE()")).rows.map(lower);
      expect(snapshot.functions).toEqual(Object.fromEntries(routines.map((r) => [`${r.name}()`, `${r.type} ${r.def ?? ""}`])));
      expect(Object.keys(snapshot.functions).sort()).toEqual(["nothing()", "twice()"]);
      // The cases that matter, spelled out: composite keys in key order, references, checks by their clause.
      expect(snapshot.tables.projects!.constraints.projects_tenant!.definition).toBe("FOREIGN KEY (region->tenants.region,tenant_id->tenants.id)");
      expect(snapshot.tables.tenants!.constraints.PRIMARY!.definition).toBe("PRIMARY KEY (region,id)");
      expect(snapshot.tables.projects!.constraints.budget!.definition).toMatch(/^CHECK .*budget.* >= 0/);
      expect(snapshot.tables.tasks!.constraints.Tasks_Big!.definition).toMatch(/^CHECK .*<> 7/);
      expect(Object.keys(snapshot.tables.projects!.indexes).sort()).toEqual(["PRIMARY", "projects_owner", "projects_pair", "projects_tenant"]);
      await s.close();
    } finally {
      await db.drop();
    }
  }, 60_000);

  it("counts and digests many tables in UNION ALL statements with the per-table answers", async () => {
    const db = await createScratchDatabase(MARIADB_URL, { allowExisting: true });
    try {
      const s = await db.connect();
      const names = Array.from({ length: 70 }, (_, i) => `t${i}`);
      for (const [i, t] of names.entries()) {
        await s.query(`CREATE TABLE ${t} (id INT PRIMARY KEY, v VARCHAR(10))`);
        if (i % 3) await s.query(`INSERT INTO ${t} VALUES ${Array.from({ length: i }, (_, j) => `(${j}, ${j % 2 ? "NULL" : `'v${j}'`})`).join(", ")}`);
      }
      const counts = await mysqlRowCounts(s, names);
      expect([...counts]).toEqual(names.map((t, i) => [t, i % 3 ? i : 0]));
      const digests = await mysqlChecksums(s, names.map((table) => ({ table, columns: ["id", "v"] })));
      // The single-table statement the digests were read with before.
      const row = "CONCAT_WS('|', COALESCE(`id`, '\\\\N'), COALESCE(`v`, '\\\\N'))";
      for (const t of ["t0", "t1", "t5", "t69"]) {
        const r = (await s.query(`SELECT COUNT(*) AS n, COALESCE(BIT_XOR(CRC32(${row})), 0) AS x, COALESCE(SUM(CRC32(${row})), 0) AS s FROM ${t}`)).rows[0] as Record<string, unknown>;
        expect(digests.get(t), t).toEqual({ rows: Number(r.n), digest: `${r.x}:${r.s}` });
        expect(await mysqlChecksum(s, t, ["id", "v"]), t).toEqual(digests.get(t));
      }
      expect(new Set([...digests.values()].map((d) => d.digest)).size).toBeGreaterThan(40);
      await s.close();
    } finally {
      await db.drop();
    }
  }, 60_000);
});

describe("MariaDB session after a script", () => {
  it("is moved back to the scratch database and gets its limits again only when the script changed them", async () => {
    const db = await createScratchDatabase(MARIADB_URL, { allowExisting: true, limits: { statementMs: 4000, idleInTransactionMs: 2000, totalMs: 60_000 } });
    try {
      const s = await db.connect();
      const state = async () => (await s.query("SELECT DATABASE() AS db, @@SESSION.max_statement_time AS t, @@SESSION.idle_transaction_timeout AS i")).rows[0] as Record<string, unknown>;
      const home = { db: db.name, t: 4, i: 2 };
      const read = async () => {
        const r = await state();
        return { db: r.db, t: Number(r.t), i: Number(r.i) };
      };
      expect(await read()).toEqual(home);
      await s.reset!();
      expect(await read()).toEqual(home);
      for (const sql of ["USE information_schema", "SET SESSION max_statement_time = 0", "SET SESSION idle_transaction_timeout = 0"]) {
        await s.query(sql);
        expect(await read(), sql).not.toEqual(home);
        await s.reset!();
        expect(await read(), sql).toEqual(home);
      }
      await s.close();
    } finally {
      await db.drop();
    }
  }, 60_000);
});
