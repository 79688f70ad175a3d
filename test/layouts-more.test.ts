// goose and Ory's popx: which files are migrations, their sections and rollbacks, the run order,
// the transaction mode, and the findings on files written the way each tool's users write them.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { DEFAULT_CONFIG } from "../src/core/config/load.js";
import { discover } from "../src/core/discover/index.js";
import type { Config } from "../src/core/config/schema.js";
import type { Migration, SourceFile } from "../src/core/model.js";
import { readFiles } from "../src/fs/files.js";
import { analyzeFiles } from "./helpers/engine.js";

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "layouts");
const tree = (layout: string): SourceFile[] => readFiles(["."], join(FIXTURES, layout));
const brief = (m: Migration) => ({ layout: m.layout, up: m.up, down: m.down, version: m.version, transaction: m.transaction, delivery: m.delivery });
const located = (report: Awaited<ReturnType<typeof analyzeFiles>>) =>
  [...report.migrations.flatMap((m) => m.findings), ...report.otherFindings].map((f) => `${f.ruleId} ${f.span.file}:${f.span.startLine}`).sort();

describe("goose", () => {
  const root = "db/migrations";

  it("reads both directions from one file, honours NO TRANSACTION and lists Go migrations as not analyzable", () => {
    const { migrations, problems } = discover({ head: tree("goose") }, { ...DEFAULT_CONFIG, layout: "auto" });
    expect(migrations.map(brief)).toEqual([
      { layout: "goose", up: { path: `${root}/20240101120000_create_accounts.sql`, section: "up" }, down: { path: `${root}/20240101120000_create_accounts.sql`, section: "down" }, version: "20240101120000", transaction: "per-file", delivery: "per-statement" },
      { layout: "goose", up: { path: `${root}/20240201090000_index_accounts_email.sql`, section: "up" }, down: { path: `${root}/20240201090000_index_accounts_email.sql`, section: "down" }, version: "20240201090000", transaction: "none", delivery: "per-statement" },
      { layout: "goose", up: { path: `${root}/20240301100000_accounts_plan.sql`, section: "up" }, down: { path: `${root}/20240301100000_accounts_plan.sql`, section: "down" }, version: "20240301100000", transaction: "per-file", delivery: "per-statement" },
    ]);
    expect(problems).toEqual([
      expect.objectContaining({ file: `${root}/20240401100000_seed_plans.go`, message: expect.stringContaining("written in Go: its SQL is built at run time and cannot be analyzed") }),
    ]);
  });

  it("does not lint the Down section as part of the change, and accepts CONCURRENTLY under NO TRANSACTION", async () => {
    const report = await analyzeFiles(tree("goose"));
    const located = report.migrations.flatMap((m) => m.findings).map((f) => `${f.ruleId} ${f.span.file}:${f.span.startLine}`);
    // The Down section's DROP TABLE / DROP COLUMN are the rollback, not destructive changes of the migration.
    expect(located.filter((l) => /^(drop-table|drop-column)/.test(l))).toEqual([]);
    expect(located.filter((l) => l.startsWith("concurrently-in-transaction"))).toEqual([]);
    expect(located.filter((l) => l.startsWith("missing-rollback"))).toEqual([]);
    expect(report.summary.migrations).toBe(3);
  });

  it("flags CONCURRENTLY in a goose file that runs in its transaction", async () => {
    const report = await analyzeFiles({
      "db/migrations/1_init.sql": "-- +goose Up\nCREATE TABLE a (id int);\n-- +goose Down\nDROP TABLE a;\n",
      "db/migrations/2_idx.sql": "-- +goose Up\nCREATE INDEX CONCURRENTLY a_id ON a (id);\n-- +goose Down\nDROP INDEX a_id;\n",
    });
    expect(located(report)).toContain("concurrently-in-transaction db/migrations/2_idx.sql:2");
  });

  it("a goose file without `-- +goose Up` is reported, not analyzed", () => {
    const head = [
      { path: "db/migrations/1_init.sql", content: "-- +goose Up\nCREATE TABLE a (id int);\n" },
      { path: "db/migrations/2_oops.sql", content: "CREATE TABLE b (id int);\n" },
    ];
    const { migrations, problems } = discover({ head }, { ...DEFAULT_CONFIG, layout: "goose" });
    expect(migrations.map((m) => m.id)).toEqual(["db/migrations/1_init.sql"]);
    expect(problems.map((p) => p.message)).toEqual(["goose refuses 2_oops.sql: it has no `-- +goose Up` annotation"]);
  });
});

describe("popx (one folder, one file per dialect)", () => {
  const root = "persistence/sql/migrations";
  const run = (dialect: Config["dialect"]) => discover({ head: tree("popx") }, { ...DEFAULT_CONFIG, dialect, layout: "auto" });

  it("takes the configured dialect's file over the generic one and never pairs across dialects", () => {
    const { migrations, problems } = run("postgres");
    expect(problems).toEqual([]);
    expect(migrations.map(brief)).toEqual([
      { layout: "popx", up: { path: `${root}/20210101000000_identities.postgres.up.sql` }, down: { path: `${root}/20210101000000_identities.postgres.down.sql` }, version: "20210101000000", transaction: "per-file", delivery: "whole-file" },
      { layout: "popx", up: { path: `${root}/20210201000000_identity_state.up.sql` }, down: { path: `${root}/20210201000000_identity_state.down.sql` }, version: "20210201000000", transaction: "per-file", delivery: "whole-file" },
      { layout: "popx", up: { path: `${root}/20210301000000_identity_state_idx.postgres.autocommit.up.sql` }, down: { path: `${root}/20210301000000_identity_state_idx.postgres.autocommit.down.sql` }, version: "20210301000000", transaction: "none", delivery: "whole-file" },
    ]);
  });

  it("on MySQL, the MySQL files and the generic ones", () => {
    expect(run("mysql").migrations.map((m) => m.up.path)).toEqual([
      `${root}/20210101000000_identities.mysql.up.sql`,
      `${root}/20210201000000_identity_state.up.sql`,
      `${root}/20210301000000_identity_state_idx.mysql.up.sql`,
    ]);
  });

  it("reports no duplicate versions and no CONCURRENTLY error for an .autocommit file", async () => {
    const report = await analyzeFiles(tree("popx"));
    const all = located(report);
    expect(all.filter((l) => l.startsWith("duplicate-migration-version"))).toEqual([]);
    expect(all.filter((l) => l.startsWith("concurrently-in-transaction"))).toEqual([]);
    expect(report.summary.migrations).toBe(3);
  });
});

describe("Liquibase formatted SQL", () => {
  const root = "src/main/resources/db/changelog/changes";
  const accounts = `${root}/001-accounts.sql`;
  const orders = `${root}/002-orders.sql`;

  it("finds every changeset in the master changelog's order, with its rollback and transaction mode", () => {
    const { migrations, problems } = discover({ head: tree("liquibase") }, { ...DEFAULT_CONFIG, layout: "auto" });
    expect(problems).toEqual([]);
    expect(migrations.map((m) => [m.name, m.layout, m.transaction, Boolean(m.down), m.repeatable])).toEqual([
      ["alice:1", "liquibase", "per-file", true, false],
      ["alice:2", "liquibase", "none", true, false],
      ["bob:orders-1", "liquibase", "per-file", true, false],
      ["bob:orders-2", "liquibase", "per-file", false, false],
      ["bob:orders-view", "liquibase", "per-file", true, true],
    ]);
    expect(migrations[0]!.up).toEqual({ path: accounts, changeset: "alice:1" });
    expect(migrations[0]!.down).toEqual({ path: accounts, changeset: "alice:1", section: "down" });
  });

  it("analyzes each changeset on its own, findings on the file's own lines; rollback lines and blocks are the rollback", async () => {
    const files = Object.fromEntries(tree("liquibase").map((f) => [f.path, String(f.content)]));
    const report = await analyzeFiles(files, { config: { layout: "auto" } });
    const at = located(report);
    // The CONCURRENTLY changeset runs in autocommit (runInTransaction:false): no transaction error.
    // Each changeset is its own migration: the plain index on orders, created by the changeset
    // before it (a change of its own without a base), is flagged on its line, and it alone has no rollback.
    expect(at.filter((l) => l.startsWith("concurrently-in-transaction"))).toEqual([]);
    expect(at).toContain(`require-concurrent-index ${orders}:10`);
    expect(at.filter((l) => l.startsWith("missing-rollback"))).toEqual([`missing-rollback ${orders}:10`]);
    // The rollback block's DROP TABLE is the down of bob:orders-1, read from inside the comment.
    const down = report.migrations.find((m) => m.migration.name === "bob:orders-1")!;
    expect(down.migration.down).toEqual({ path: orders, changeset: "bob:orders-1", section: "down" });
  });

  it("appending a changeset to a merged file edits nothing; changing a merged changeset does", async () => {
    const base = Object.fromEntries(tree("liquibase").map((f) => [f.path, String(f.content)]));
    const appended = { ...base, [accounts]: `${base[accounts]}\n--changeset alice:3\nALTER TABLE accounts ADD COLUMN note text;\n--rollback ALTER TABLE accounts DROP COLUMN note;\n` };
    const added = await analyzeFiles(appended, { base, config: { layout: "auto" } });
    expect(located(added).filter((l) => l.startsWith("edited-merged-migration"))).toEqual([]);
    expect(added.migrations.map((m) => m.migration.name)).toEqual(["alice:3"]);
    const edited = { ...base, [accounts]: base[accounts]!.replace("email text NOT NULL", "email text") };
    const changed = await analyzeFiles(edited, { base, config: { layout: "auto" } });
    expect(located(changed).filter((l) => l.startsWith("edited-merged-migration"))).toEqual([`edited-merged-migration ${accounts}:4`]);
  });
});

it("a Liquibase changeset's rollback is read from its --rollback lines and rollback block, on the file's lines", async () => {
  const { scriptSource } = await import("../src/core/discover/sections.js");
  const text = "--liquibase formatted sql\n--changeset a:1\nCREATE TABLE t (id int);\n--rollback DROP TABLE t;\n--changeset a:2\nCREATE TABLE u (id int);\n/* liquibase rollback\nDROP TABLE u;\n*/\n";
  const lines = (source: { text: string; baseLine: number }) =>
    source.text.split("\n").map((l, i) => [source.baseLine + i, l.trim()] as const).filter(([, l]) => l);
  expect(lines(scriptSource({ path: "x.sql", changeset: "a:1", section: "down" }, text, "postgres"))).toEqual([[4, "DROP TABLE t;"]]);
  expect(lines(scriptSource({ path: "x.sql", changeset: "a:2", section: "down" }, text, "postgres"))).toEqual([[8, "DROP TABLE u;"]]);
  expect(lines(scriptSource({ path: "x.sql", changeset: "a:2" }, text, "postgres"))).toEqual([[6, "CREATE TABLE u (id int);"]]);
});

it("an included SQL file without the Liquibase header is one raw-SQL changeset, not skipped; an unincluded one is said to never run", () => {
  const files: SourceFile[] = [
    { path: "db/changelog/master.yaml", content: "databaseChangeLog:\n  - include:\n      file: db/changelog/1.sql\n  - include:\n      file: db/changelog/2.sql\n" },
    { path: "db/changelog/1.sql", content: "--liquibase formatted sql\n--changeset a:1\nCREATE TABLE t (id int);\n" },
    { path: "db/changelog/2.sql", content: "ALTER TABLE t ADD COLUMN note text;\n" },
    { path: "db/changelog/3.sql", content: "--liquibase formatted sql\n--changeset a:3\nSELECT 1;\n" },
  ];
  const { migrations, problems } = discover({ head: files }, { ...DEFAULT_CONFIG, layout: "liquibase" });
  expect(migrations.map((m) => [m.id, m.up])).toEqual([
    ["db/changelog/1.sql::a:1", { path: "db/changelog/1.sql", changeset: "a:1" }],
    ["db/changelog/2.sql", { path: "db/changelog/2.sql" }],
    ["db/changelog/3.sql::a:3", { path: "db/changelog/3.sql", changeset: "a:3" }],
  ]);
  expect(problems.map((p) => p.message)).toEqual(["3.sql is not included by db/changelog/master.yaml, so Liquibase never runs it"]);
});

describe("Drizzle", () => {
  it("orders by meta/_journal.json, needs no downs, and says which file the migrator never runs", () => {
    const { migrations, problems } = discover({ head: tree("drizzle") }, { ...DEFAULT_CONFIG, layout: "auto" });
    expect(migrations.map((m) => [m.up.path, m.layout, m.transaction, m.rollbackExpected])).toEqual([
      ["drizzle/0000_create_accounts.sql", "drizzle", "per-file", false],
      ["drizzle/0001_index_accounts.sql", "drizzle", "per-file", false],
    ]);
    expect(problems.map((p) => `${p.file}: ${p.message}`)).toEqual(["drizzle/0002_not_in_journal.sql: 0002_not_in_journal.sql is not in drizzle/meta/_journal.json, so Drizzle's migrator never runs it"]);
  });

  it("CONCURRENTLY always fails under Drizzle's transaction; no missing-rollback", async () => {
    const files = Object.fromEntries(tree("drizzle").map((f) => [f.path, String(f.content)]));
    const at = located(await analyzeFiles(files, { config: { layout: "auto" } }));
    expect(at).toContain("concurrently-in-transaction drizzle/0001_index_accounts.sql:1");
    expect(at.filter((l) => l.startsWith("missing-rollback"))).toEqual([]);
  });
});

describe("Atlas", () => {
  it("reads atlas.sum and the txmode directive; CONCURRENTLY is right only with txmode none", async () => {
    const { migrations } = discover({ head: tree("atlas") }, { ...DEFAULT_CONFIG, layout: "auto" });
    expect(migrations.map((m) => [m.name, m.layout, m.transaction, m.rollbackExpected])).toEqual([
      ["create_accounts", "atlas", "per-file", false],
      ["index_accounts", "atlas", "none", false],
      ["index_again", "atlas", "per-file", false],
    ]);
    const files = Object.fromEntries(tree("atlas").map((f) => [f.path, String(f.content)]));
    const at = located(await analyzeFiles(files, { config: { layout: "auto" } }));
    expect(at.filter((l) => l.startsWith("concurrently-in-transaction"))).toEqual(["concurrently-in-transaction migrations/20240301000000_index_again.sql:1"]);
    expect(at.filter((l) => l.startsWith("missing-rollback"))).toEqual([]);
  });

  it("a file atlas.sum does not list is said to stop `atlas migrate apply`", () => {
    const files = [...tree("atlas"), { path: "migrations/20240401000000_new.sql", content: "SELECT 1;\n" }];
    const { problems } = discover({ head: files }, { ...DEFAULT_CONFIG, layout: "auto" });
    expect(problems.map((p) => p.message)).toEqual([
      '20240401000000_new.sql is not in atlas.sum: `atlas migrate validate` fails with "You have a checksum error in your migration directory. L5: 20240401000000_new.sql was added", and `atlas migrate apply` refuses the folder until `atlas migrate hash` is run',
    ]);
  });
});

describe("sqlx", () => {
  const files: SourceFile[] = [
    { path: "migrations/20240101000000_accounts.up.sql", content: "CREATE TABLE accounts (id bigint PRIMARY KEY, email text);\n" },
    { path: "migrations/20240101000000_accounts.down.sql", content: "DROP TABLE accounts;\n" },
    { path: "migrations/20240201000000_email_idx.sql", content: "-- no-transaction\nCREATE INDEX CONCURRENTLY accounts_email_idx ON accounts (email);\n" },
    { path: "migrations/20240301000000_id_idx.sql", content: "CREATE INDEX CONCURRENTLY accounts_id_idx ON accounts (id);\n" },
  ];

  it("is taken for sqlx by its `-- no-transaction` directive: simple and reversible migrations, each file in a transaction unless it opts out", () => {
    const { migrations, problems } = discover({ head: files }, { ...DEFAULT_CONFIG, layout: "auto" });
    expect(problems).toEqual([]);
    expect(migrations.map((m) => [m.name, m.layout, m.transaction, m.delivery, Boolean(m.down), m.rollbackExpected])).toEqual([
      ["accounts", "sqlx", "per-file", "whole-file", true, true],
      ["email_idx", "sqlx", "none", "whole-file", false, false],
      ["id_idx", "sqlx", "per-file", "whole-file", false, false],
    ]);
  });

  it("a lone CONCURRENTLY statement fails in sqlx's transaction and runs with `-- no-transaction`", async () => {
    const at = located(await analyzeFiles(Object.fromEntries(files.map((f) => [f.path, String(f.content)])), { config: { layout: "auto" } }));
    expect(at.filter((l) => l.startsWith("concurrently-in-transaction"))).toEqual(["concurrently-in-transaction migrations/20240301000000_id_idx.sql:1"]);
    expect(at.filter((l) => l.startsWith("missing-rollback"))).toEqual([]);
  });

  it("without the directive the same reversible files stay golang-migrate's", () => {
    const { migrations } = discover({ head: files.slice(0, 2) }, { ...DEFAULT_CONFIG, layout: "auto" });
    expect(migrations.map((m) => m.layout)).toEqual(["golang-migrate"]);
  });
});

describe("morph and node-pg-migrate", () => {
  it("morph: a transaction per file unless `-- morph:nontransactional`, chosen by that directive", async () => {
    const files: SourceFile[] = [
      { path: "db/migrations/postgres/000001_create_accounts.up.sql", content: "CREATE TABLE accounts (id bigint PRIMARY KEY, email text);\n" },
      { path: "db/migrations/postgres/000001_create_accounts.down.sql", content: "DROP TABLE accounts;\n" },
      { path: "db/migrations/postgres/000002_email_idx.up.sql", content: "-- morph:nontransactional\nCREATE INDEX CONCURRENTLY accounts_email_idx ON accounts (email);\n" },
      { path: "db/migrations/postgres/000002_email_idx.down.sql", content: "-- morph:nontransactional\nDROP INDEX CONCURRENTLY accounts_email_idx;\n" },
      { path: "db/migrations/postgres/000003_id_idx.up.sql", content: "CREATE INDEX CONCURRENTLY accounts_id_idx ON accounts (id);\n" },
      { path: "db/migrations/postgres/000003_id_idx.down.sql", content: "DROP INDEX accounts_id_idx;\n" },
    ];
    const { migrations } = discover({ head: files }, { ...DEFAULT_CONFIG, layout: "auto" });
    expect(migrations.map((m) => [m.name, m.layout, m.transaction])).toEqual([
      ["create_accounts", "morph", "per-file"],
      ["email_idx", "morph", "none"],
      ["id_idx", "morph", "per-file"],
    ]);
    const at = located(await analyzeFiles(Object.fromEntries(files.map((f) => [f.path, String(f.content)])), { config: { layout: "auto" } }));
    expect(at.filter((l) => l.startsWith("concurrently-in-transaction"))).toEqual(["concurrently-in-transaction db/migrations/postgres/000003_id_idx.up.sql:1"]);
  });

  it("node-pg-migrate: both directions from the `-- Up Migration` / `-- Down Migration` sections, CONCURRENTLY always in its transaction", async () => {
    const text = "-- Up Migration\nCREATE INDEX CONCURRENTLY accounts_email_idx ON accounts (email);\n\n-- Down Migration\nDROP INDEX accounts_email_idx;\n";
    const files = { "migrations/1717000000000_email-idx.sql": text, "migrations/1716000000000_accounts.sql": "-- Up Migration\nCREATE TABLE accounts (id bigint, email text);\n-- Down Migration\nDROP TABLE accounts;\n" };
    const { migrations } = discover({ head: Object.entries(files).map(([path, content]) => ({ path, content })) }, { ...DEFAULT_CONFIG, layout: "auto" });
    expect(migrations.map((m) => [m.name, m.layout, m.up.section, m.down?.section])).toEqual([
      ["accounts", "node-pg-migrate", "up", "down"],
      ["email-idx", "node-pg-migrate", "up", "down"],
    ]);
    const at = located(await analyzeFiles(files, { config: { layout: "auto" } }));
    expect(at).toContain("concurrently-in-transaction migrations/1717000000000_email-idx.sql:2");
    // The down section is the rollback, not part of the forward change.
    expect(at.filter((l) => l.startsWith("missing-rollback"))).toEqual([]);
  });
});

describe("Supabase", () => {
  const root = "supabase/migrations";

  it("takes supabase/migrations for the Supabase CLI: timestamp order, one transaction per file, no downs by design", async () => {
    const { migrations, roots } = discover({ head: tree("supabase") }, { ...DEFAULT_CONFIG, layout: "auto" });
    expect(roots).toEqual([{ root, layout: "supabase" }]);
    expect(migrations.map((m) => [m.version, m.transaction, m.delivery, m.rollbackExpected])).toEqual([
      ["20240101120000", "per-file", "per-statement", false],
      ["20240201120000", "per-file", "per-statement", false],
      ["20240301120000", "per-file", "per-statement", false],
    ]);
    const report = await analyzeFiles(tree("supabase"));
    expect(located(report).filter((l) => l.startsWith("missing-rollback"))).toEqual([]);
  });

  it("knows the CLI runs CONCURRENTLY on its own, outside the file's transaction, but not CREATE DATABASE", async () => {
    const report = await analyzeFiles(tree("supabase"));
    const flagged = located(report).filter((l) => l.startsWith("concurrently-in-transaction"));
    expect(flagged).toEqual([`concurrently-in-transaction ${root}/20240301120000_analytics.sql:2`]);
    // The CONCURRENTLY build is not told to leave a transaction it is not in.
    expect(located(report).filter((l) => l.includes("20240201120000") && /concurrent|transaction/.test(l))).toEqual([]);
  });
});

describe("Supabase in the migration test (PGlite)", () => {
  it("commits the file's batch, runs the CONCURRENTLY build on its own and passes, with no data warning", async () => {
    const { mkdtempSync, cpSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { runCli } = await import("./helpers/cli.js");
    const dir = mkdtempSync(join(tmpdir(), "mg-supabase-"));
    cpSync(join(FIXTURES, "supabase"), dir, { recursive: true });
    // CREATE DATABASE fails inside the CLI's transaction: keep the two files that run.
    rmSync(join(dir, "supabase/migrations/20240301120000_analytics.sql"));
    const run = await runCli(dir, ["test", ".", "--last", "1", "--format", "json"]);
    const report = JSON.parse(run.stdout);
    expect(report.verdict.passed).toBe(true);
    expect(report.verdict.warnings.filter((w: string) => w.includes("generated data"))).toEqual([]);
    const forward = report.migrations[0].forward;
    expect(forward.ok).toBe(true);
    expect(forward.statements.map((s: { mode: string }) => s.mode)).toEqual(["file-transaction", "no-transaction", "file-transaction"]);
    expect(report.migrations[0].generatedData).toBeUndefined();
  }, 60_000);
});

describe("missing-rollback names where each section layout's tool looks for the rollback", () => {
  const messageFor = async (files: Record<string, string>, layout: string) => {
    const report = await analyzeFiles(files, { config: { layout } });
    return report.migrations.flatMap((m) => m.findings).filter((f) => f.ruleId === "missing-rollback").map((f) => f.message);
  };

  it("node-pg-migrate and goose: a Down section of the same file, not a .down.sql file (freshlytics' init migration)", async () => {
    expect(await messageFor({ "migrations/1561030715992_init.sql": "-- up migration\nCREATE TABLE users (id int PRIMARY KEY);\n" }, "node-pg-migrate")).toEqual([
      "migrations/1561030715992_init.sql has no rollback: expected a `-- Down Migration` section in migrations/1561030715992_init.sql.",
    ]);
    expect(await messageFor({ "db/migrations/1_init.sql": "-- +goose Up\nCREATE TABLE users (id int PRIMARY KEY);\n" }, "goose")).toEqual([
      "db/migrations/1_init.sql has no rollback: expected a `-- +goose Down` section in db/migrations/1_init.sql.",
    ]);
  });

  it("Liquibase: the changeset's --rollback lines", async () => {
    const text = "--liquibase formatted sql\n\n--changeset alice:1\nCREATE TABLE users (id int PRIMARY KEY);\n";
    expect(await messageFor({ "db/changelog/001.sql": text }, "liquibase")).toEqual([
      "db/changelog/001.sql has no rollback: expected `--rollback` lines (or a `/* liquibase rollback */` block) in changeset alice:1 of db/changelog/001.sql.",
    ]);
  });
});
