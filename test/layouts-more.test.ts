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
