// The Phase 6 runbook: exact text for a realistic change, the commands per migration tool,
// non-transactional statements split out, and `migration-guard runbook` on the shipped examples.
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { GateEvidence } from "../src/core/gates/evidence.js";
import { RECIPE_THRESHOLDS } from "../src/core/gates/thresholds.js";
import { describeChanges } from "../src/core/runbook/changes.js";
import { renderRunbook } from "../src/core/runbook/runbook.js";
import { analyzeFiles } from "./helpers/engine.js";

const CHANGE = {
  "db/migrations/000010_order_status.up.sql": [
    "SET lock_timeout = '2s';",
    "ALTER TABLE orders ADD COLUMN status text;",
    "ALTER TABLE orders ADD CONSTRAINT orders_status_check CHECK (status IN ('new', 'paid', 'shipped')) NOT VALID;",
    "",
  ].join("\n"),
  "db/migrations/000010_order_status.down.sql": "ALTER TABLE orders DROP COLUMN status;\n",
  "db/migrations/000011_index_order_status.up.sql": "CREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);\n",
  "db/migrations/000011_index_order_status.down.sql": "DROP INDEX CONCURRENTLY orders_status_idx;\n",
  "db/migrations/000012_backfill_status.up.sql": "UPDATE orders SET status = 'new' WHERE status IS NULL AND id < 100000;\n",
  "db/migrations/000012_backfill_status.down.sql": "UPDATE orders SET status = NULL WHERE id < 100000;\n",
};

async function runbookFor(files: Record<string, string>, options: { evidence?: GateEvidence; config?: object } = {}) {
  const report = await analyzeFiles(files, { config: options.config });
  return renderRunbook(report, { sources: new Map(Object.entries(files)), thresholds: RECIPE_THRESHOLDS, evidence: options.evidence });
}

describe("runbook", () => {
  it("renders the full runbook for a realistic golang-migrate change", async () => {
    const evidence = GateEvidence.parse({ engine: "PostgreSQL 15.8", forward: { ok: true }, statements: [{ migrationId: "m", durationMs: 1234 }, { migrationId: "m", durationMs: 766 }] });
    // Risk levels, hold-time estimates and rollback classes belong to the risk model (tested on its
    // own, and still changing): they are pinned here so the snapshot checks the runbook's own text.
    const report = await analyzeFiles(CHANGE);
    report.summary.highestRisk = "high";
    for (const m of report.migrations) {
      m.risk = { ...m.risk!, level: "high", rollback: "reversible", rollbackReasons: [], locks: m.risk!.locks.map(({ estimatedSeconds: _e, ...l }) => l) };
    }
    report.migrations[2]!.risk = { ...report.migrations[2]!.risk!, rollback: "lossy", rollbackReasons: ["the down sets status back to NULL for every row"] };
    expect(renderRunbook(report, { sources: new Map(Object.entries(CHANGE)), thresholds: RECIPE_THRESHOLDS, evidence })).toMatchSnapshot();
  });

  it("splits out statements that cannot run in a transaction, with a retry loop", async () => {
    const text = await runbookFor(CHANGE);
    expect(text).toContain(
      "4. Statements that cannot run in a transaction block. Make sure the tool runs them outside one (put the statement alone in its own migration file: a multi-statement file runs as one implicit transaction); when one times out on a lock, re-run it by hand with the loop below:",
    );
    expect(text).toContain("   - `db/migrations/000011_index_order_status.up.sql:1` create index orders_status_idx on orders (status) concurrently");
    expect(text).toContain("stmt_1='CREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);'");
    expect(text).toContain("# A failed CREATE INDEX CONCURRENTLY leaves an INVALID index: drop it (DROP INDEX CONCURRENTLY) before retrying.");
  });

  it("knows which statements PostgreSQL refuses inside a transaction block, by version", async () => {
    const files = { "db/1.sql": "VACUUM orders;\nREINDEX INDEX CONCURRENTLY orders_pkey;\nALTER TYPE mood ADD VALUE 'meh';\nCREATE TABLE t (id int);\n" };
    const transactional = async (version: number) => {
      const report = await analyzeFiles(files, { config: { postgres_version: version } });
      return describeChanges(report, new Map(Object.entries(files)))[0]!.changes.map((c) => c.transactional);
    };
    expect(await transactional(15)).toEqual([false, false, true, true]);
    expect(await transactional(11)).toEqual([false, false, false, true]);
  });

  it("uses each migration tool's commands", async () => {
    const cases: [Record<string, string>, string[]][] = [
      [
        { "sql/V5__add_status.sql": "ALTER TABLE orders ADD COLUMN status text;\n", "sql/U5__add_status.sql": "ALTER TABLE orders DROP COLUMN status;\n" },
        ["flyway -locations=filesystem:sql migrate -target=5", `export FLYWAY_INIT_SQL="SET lock_timeout = '2000ms'"`, "psql \"$DATABASE_URL\" -v ON_ERROR_STOP=1 --single-transaction -f sql/U5__add_status.sql"],
      ],
      [
        { "db/migrations/20240105120000_add_status.sql": "-- migrate:up\nALTER TABLE orders ADD COLUMN status text;\n\n-- migrate:down\nALTER TABLE orders DROP COLUMN status;\n" },
        ["dbmate --migrations-dir db/migrations --no-dump-schema up", "dbmate --migrations-dir db/migrations rollback   # undoes add_status"],
      ],
      [
        {
          "sqitch.plan": "%syntax-version=1.0.0\n%project=shop\n\nadd_status 2024-01-05T12:00:00Z Dev <dev@example.com> # add status\n",
          "deploy/add_status.sql": "BEGIN;\nALTER TABLE orders ADD COLUMN status text;\nCOMMIT;\n",
          "revert/add_status.sql": "BEGIN;\nALTER TABLE orders DROP COLUMN status;\nCOMMIT;\n",
        },
        ["sqitch deploy --chdir . --verify db:pg: --to add_status", "sqitch revert --chdir . -y db:pg: --to @HEAD~1", "export PGOPTIONS='-c lock_timeout=2000ms'"],
      ],
      [
        { "prisma/migrations/20240105120000_add_status/migration.sql": "ALTER TABLE \"orders\" ADD COLUMN \"status\" TEXT;\n" },
        ["npx prisma migrate deploy", "npx prisma migrate resolve --rolled-back 20240105120000_add_status", "rollback is **not-expected**"],
      ],
    ];
    for (const [files, expected] of cases) {
      const text = await runbookFor(files);
      for (const line of expected) expect(text, Object.keys(files)[0]).toContain(line);
    }
  });

  it("gives MySQL monitoring and validation SQL for a MySQL change", async () => {
    const text = await runbookFor({ "db/1_add_status.up.sql": "ALTER TABLE orders ADD COLUMN status varchar(20);\n", "db/1_add_status.down.sql": "ALTER TABLE orders DROP COLUMN status;\n" }, { config: { dialect: "mysql" } });
    expect(text).toContain("performance_schema.data_lock_waits");
    expect(text).toContain("information_schema.innodb_trx");
    expect(text).not.toContain("pg_stat_activity");
  });

  it("says so when there is nothing to deploy", async () => {
    expect(await runbookFor({ "README.md": "# app\n" })).toBe("## Deployment runbook\n\nNo migration to deploy in this change.\n");
  });
});

describe("migration-guard runbook", () => {
  const run = async (args: string[]) => {
    const { code, stdout: out, stderr: err } = await runCli(process.cwd(), ["runbook", ...args]);
    return { code, out, err };
  };

  it("prints the runbook for the shipped Flyway example", async () => {
    const r = await run(["examples/flyway"]);
    expect(r.code).toBe(0);
    for (const heading of ["1. Pre-deployment checklist", "2. Deployment steps", "3. Monitoring checkpoints", "4. Validation queries", "5. Rollback triggers", "6. Rollback steps", "7. Post-deployment validation", "8. Documentation updates"]) {
      expect(r.out).toContain(`### ${heading}`);
    }
    expect(r.out).toContain("flyway -locations=filesystem:examples/flyway migrate");
  });

  it("rejects a bad evidence file and a bad lock timeout with exit 2", async () => {
    const missing = await run(["examples/flyway", "--evidence", "no-such-report.json"]);
    expect(missing.code).toBe(2);
    expect(missing.err).toBe("migration-guard runbook: no-such-report.json: cannot read the test report: no such file, or a symbolic link to nothing\n");
    const notReport = await run(["examples/flyway", "--evidence", "package.json"]);
    expect(notReport.code).toBe(2);
    expect(notReport.err).toContain("package.json: not a migration-guard test report");
    const timeout = await run(["examples/flyway", "--lock-timeout", "soon"]);
    expect(timeout.err).toBe("migration-guard runbook: --lock-timeout must be a positive number of milliseconds, got `soon`\n");
  });
});
