// Discovery on realistic repository trees: which layout claims a folder, how ups pair with
// downs, the run order, the transaction mode, base/head statuses and the discovery findings.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { DEFAULT_CONFIG } from "../src/core/config/load.js";
import { discover, migrationCandidates } from "../src/core/discover/index.js";
import { compareVersions } from "../src/core/discover/layout.js";
import { flywayVersion } from "../src/core/discover/layouts/flyway.js";
import { parsePlan } from "../src/core/discover/layouts/sqitch.js";
import type { Migration, SourceFile } from "../src/core/model.js";
import { readFiles } from "../src/fs/files.js";
import { analyzeFiles } from "./helpers/engine.js";

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "layouts");

function tree(layout: string): SourceFile[] {
  return readFiles(["."], join(FIXTURES, layout));
}

function run(head: SourceFile[], options: { base?: SourceFile[]; layout?: typeof DEFAULT_CONFIG.layout } = {}) {
  return discover({ head, base: options.base }, { ...DEFAULT_CONFIG, layout: options.layout ?? "auto" });
}

const brief = (m: Migration) => ({ up: m.up.path, down: m.down?.path, version: m.version, transaction: m.transaction });

function findings(report: Awaited<ReturnType<typeof analyzeFiles>>) {
  return [...report.migrations.flatMap((m) => m.findings), ...report.otherFindings].map((f) => ({
    rule: f.ruleId,
    file: f.span.file,
    line: f.span.startLine,
  }));
}

function edit(files: SourceFile[], path: string, content: string): SourceFile[] {
  return files.map((f) => (f.path === path ? { path, content } : f));
}

describe("flyway", () => {
  const root = "src/main/resources/db/migration";
  const d = run(tree("flyway"));

  it("is detected for the Flyway folder", () => {
    expect(d.roots).toEqual([{ root, layout: "flyway" }]);
  });

  it("orders versions part by part and pairs U with V of the same (normalized) version", () => {
    const versioned = d.migrations.filter((m) => !m.repeatable).map(brief);
    expect(versioned).toEqual([
      { up: `${root}/V1__create_customers.sql`, down: `${root}/U1__create_customers.sql`, version: "1", transaction: "per-file" },
      { up: `${root}/V1_1__add_customer_email.sql`, down: `${root}/U1.1__add_customer_email.sql`, version: "1.1", transaction: "per-file" },
      { up: `${root}/V2__create_orders.sql`, down: `${root}/U2__create_orders.sql`, version: "2", transaction: "per-file" },
      { up: `${root}/V10__index_orders_customer.sql`, down: `${root}/U10__index_orders_customer.sql`, version: "10", transaction: "per-file" },
      { up: `${root}/V11__vacuum_orders.sql`, down: undefined, version: "11", transaction: "none" },
    ]);
  });

  it("treats R__ and B migrations as repeatable, with no rollback expected", () => {
    const repeatable = d.migrations.filter((m) => m.repeatable);
    expect(repeatable.map((m) => [m.up.path, m.rollbackExpected])).toEqual([
      [`${root}/B2__baseline.sql`, false],
      [`${root}/R__customer_orders_view.sql`, false],
    ]);
    expect(d.migrations.at(-1)!.up.path).toBe(`${root}/R__customer_orders_view.sql`);
  });

  it("reports files Flyway would skip and undo files without their migration", () => {
    expect(d.problems.map((p) => p.file)).toEqual([`${root}/U99__orphan_undo.sql`, `${root}/v12__lowercase_prefix.sql`]);
  });

  it("normalizes versions the way Flyway compares them", () => {
    expect(["1_2", "1.2", "01.02", "1.2.0"].map(flywayVersion)).toEqual(["1.2", "1.2", "1.2", "1.2"]);
    expect(compareVersions("1.10", "1.9")).toBe(1);
  });
});

describe("golang-migrate", () => {
  const d = run(tree("golang-migrate"));

  it("pairs .up.sql with .down.sql and orders numerically", () => {
    expect(d.roots).toEqual([{ root: "db/migrations", layout: "golang-migrate" }]);
    expect(d.migrations.map(brief)).toEqual([
      { up: "db/migrations/000001_create_invoices.up.sql", down: "db/migrations/000001_create_invoices.down.sql", version: "1", transaction: "none" },
      { up: "db/migrations/000002_add_due_on.up.sql", down: undefined, version: "2", transaction: "none" },
      { up: "db/migrations/000010_create_payments.up.sql", down: "db/migrations/000010_create_payments.down.sql", version: "10", transaction: "none" },
    ]);
  });

  it("reports misnamed files and downs without an up", () => {
    expect(d.problems.map((p) => [p.file, p.message])).toEqual([
      ["db/migrations/000003_add_paid.sql", expect.stringContaining("golang-migrate skips `000003_add_paid.sql`")],
      ["db/migrations/000005_create_refunds.down.sql", expect.stringContaining("has no 5_….up.sql")],
    ]);
  });
});

describe("dbmate", () => {
  const d = run(tree("dbmate"));

  it("reads both directions from sections of one file and honours transaction:false", () => {
    expect(d.roots).toEqual([{ root: "db/migrations", layout: "dbmate" }]);
    expect(d.migrations.map((m) => [m.up, m.down, m.transaction])).toEqual([
      [{ path: "db/migrations/20240101100000_create_products.sql", section: "up" }, { path: "db/migrations/20240101100000_create_products.sql", section: "down" }, "per-file"],
      [{ path: "db/migrations/20240102100000_index_products_sku.sql", section: "up" }, { path: "db/migrations/20240102100000_index_products_sku.sql", section: "down" }, "none"],
      [{ path: "db/migrations/20240103100000_add_weight.sql", section: "up" }, undefined, "per-file"],
    ]);
  });

  it("reports a file without `-- migrate:up`", () => {
    expect(d.problems.map((p) => p.file)).toEqual(["db/migrations/20240104100000_add_color.sql"]);
  });
});

describe("sqitch", () => {
  const d = run(tree("sqitch"));

  it("orders by sqitch.plan and maps reworked changes to their @tag scripts", () => {
    expect(d.roots).toEqual([{ root: "", layout: "sqitch" }]);
    expect(d.migrations.map((m) => [m.id, m.up.path, m.down?.path, m.transaction])).toEqual([
      ["sqitch.plan#appschema#1", "deploy/appschema.sql", "revert/appschema.sql", "none"],
      ["sqitch.plan#users#1", "deploy/users@v1.0.0-dev1.sql", "revert/users@v1.0.0-dev1.sql", "none"],
      ["sqitch.plan#flips#1", "deploy/flips.sql", undefined, "none"],
      ["sqitch.plan#users#2", "deploy/users.sql", "revert/users.sql", "none"],
    ]);
  });

  it("reports plan lines it cannot read, changes without a deploy script and scripts not in the plan", () => {
    expect(d.problems.map((p) => [p.file, p.line])).toEqual([
      ["deploy/stray.sql", 1],
      ["sqitch.plan", 11],
      ["sqitch.plan", 12],
    ]);
  });

  it("parses change lines with dependencies and notes", () => {
    const { changes, errors } = parsePlan("users [appschema] 2013-12-30T23:00:26Z Marge <m@example.com> # Creates users.\n@v1 2013-12-30T23:19:32Z Marge <m@example.com> # Tag.\n");
    expect(errors).toEqual([]);
    expect(changes).toEqual([{ name: "users", line: 1, note: "Creates users.", tagAfter: "v1" }]);
  });
});

describe("prisma", () => {
  const d = run(tree("prisma"));

  it("takes migration.sql per folder, expects no rollback and pairs a down.sql", () => {
    expect(d.roots).toEqual([{ root: "prisma/migrations", layout: "prisma" }]);
    expect(d.migrations.map((m) => [m.up.path, m.down?.path, m.rollbackExpected])).toEqual([
      ["prisma/migrations/20240301000000_init/migration.sql", undefined, false],
      ["prisma/migrations/20240310120000_add_posts/migration.sql", "prisma/migrations/20240310120000_add_posts/down.sql", false],
    ]);
    expect(d.problems.map((p) => p.file)).toEqual(["prisma/migrations/seed.sql"]);
  });
});

describe("up-down-dir (diesel)", () => {
  const d = run(tree("up-down-dir"));

  it("pairs up.sql and down.sql per folder, orders by the folder's version and reads metadata.toml", () => {
    expect(d.roots).toEqual([{ root: "migrations", layout: "up-down-dir" }]);
    expect(d.migrations.map(brief)).toEqual([
      { up: "migrations/00000000000000_diesel_initial_setup/up.sql", down: "migrations/00000000000000_diesel_initial_setup/down.sql", version: "00000000000000", transaction: "per-file" },
      { up: "migrations/2023-01-15-083000_create_users/up.sql", down: "migrations/2023-01-15-083000_create_users/down.sql", version: "2023-01-15-083000", transaction: "per-file" },
      { up: "migrations/2023-02-01-120000_index_users_email/up.sql", down: "migrations/2023-02-01-120000_index_users_email/down.sql", version: "2023-02-01-120000", transaction: "none" },
      { up: "migrations/2023-03-01-090000_add_users_bio/up.sql", down: undefined, version: "2023-03-01-090000", transaction: "per-file" },
    ]);
  });
});

describe("plain", () => {
  it("orders by name and finds .down.sql and down/ rollbacks", () => {
    const d = run(tree("plain"));
    expect(d.roots).toEqual([{ root: "sql", layout: "plain" }]);
    expect(d.migrations.map((m) => [m.up.path, m.down?.path])).toEqual([
      ["sql/001_accounts.sql", "sql/001_accounts.down.sql"],
      ["sql/002_account_plan.sql", "sql/down/002_account_plan.sql"],
      ["sql/010_account_region.sql", undefined],
    ]);
  });

  it("is used when the config forces it, whatever the files look like", () => {
    const d = run(tree("golang-migrate"), { layout: "plain" });
    expect(d.roots).toEqual([{ root: "db/migrations", layout: "plain" }]);
    expect(d.migrations.find((m) => m.up.path.endsWith("000001_create_invoices.up.sql"))?.down?.path).toBe("db/migrations/000001_create_invoices.down.sql");
  });
});

describe("several roots in one repository", () => {
  it("detects a layout per root", () => {
    const files = ["flyway", "dbmate", "sqitch"].flatMap((l) => tree(l).map((f) => ({ ...f, path: `${l}/${f.path}` })));
    expect(run(files).roots).toEqual([
      { root: "dbmate/db/migrations", layout: "dbmate" },
      { root: "flyway/src/main/resources/db/migration", layout: "flyway" },
      { root: "sqitch", layout: "sqitch" },
    ]);
  });

  it("brings layout files along only when SQL sits below them", () => {
    const paths = ["db/sqitch.plan", "db/deploy/a.sql", "other/sqitch.plan", "m/V1__a.sql.conf", "m/V1__a.sql", "docs/readme.md"];
    expect(migrationCandidates(paths, DEFAULT_CONFIG).sort()).toEqual(["db/deploy/a.sql", "db/sqitch.plan", "m/V1__a.sql", "m/V1__a.sql.conf"]);
  });
});

describe("base and head", () => {
  const base = tree("golang-migrate");

  it("marks unchanged, modified (down only), edited (up) and deleted migrations", () => {
    let head = edit(base, "db/migrations/000001_create_invoices.up.sql", "CREATE TABLE invoices (id bigint PRIMARY KEY);\nALTER TABLE invoices ADD COLUMN total bigint;\n");
    head = edit(head, "db/migrations/000010_create_payments.down.sql", "DROP TABLE IF EXISTS payments;\n");
    head = head.filter((f) => f.path !== "db/migrations/000002_add_due_on.up.sql");
    const d = run(head, { base });
    const status = Object.fromEntries(d.migrations.map((m) => [m.up.path, m.status]));
    expect(status).toEqual({
      "db/migrations/000001_create_invoices.up.sql": "modified",
      "db/migrations/000010_create_payments.up.sql": "modified",
      "db/migrations/000002_add_due_on.up.sql": "deleted",
    });
    const edited = d.facts.get("db/migrations/000001_create_invoices.up.sql")!;
    expect(edited.editedAfterMerge).toBe(true);
    expect(edited.editedAt).toMatchObject({ startLine: 2, endLine: 2, startOffset: 47 });
    expect(d.facts.get("db/migrations/000010_create_payments.up.sql")?.editedAfterMerge ?? false).toBe(false);
    expect(d.facts.get("db/migrations/000002_add_due_on.up.sql")?.deletedAfterMerge).toBe(true);
  });

  it("flags a new migration ordered before the newest base one, and duplicate versions", () => {
    const head = [
      ...base,
      { path: "db/migrations/000004_add_notes.up.sql", content: "ALTER TABLE invoices ADD COLUMN notes text;\n" },
      { path: "db/migrations/000004_add_notes.down.sql", content: "ALTER TABLE invoices DROP COLUMN notes;\n" },
      { path: "db/migrations/000010_add_currency.up.sql", content: "ALTER TABLE payments ADD COLUMN currency text;\n" },
    ];
    const d = run(head, { base });
    expect(d.facts.get("db/migrations/000004_add_notes.up.sql")?.orderedBefore).toBe("db/migrations/000010_create_payments.up.sql");
    expect(d.facts.get("db/migrations/000010_add_currency.up.sql")?.duplicateVersionOf).toEqual(["db/migrations/000010_create_payments.up.sql"]);
    expect(d.facts.get("db/migrations/000010_add_currency.up.sql")?.orderedBefore).toBeUndefined();
  });

  it("compares dbmate sections on their own: a down-only edit is no edit of the migration", () => {
    const dbBase = tree("dbmate");
    const path = "db/migrations/20240101100000_create_products.sql";
    const downOnly = edit(dbBase, path, "-- migrate:up\nCREATE TABLE products (id bigint PRIMARY KEY, sku text);\n\n-- migrate:down\nDROP TABLE IF EXISTS products;\n");
    const a = run(downOnly, { base: dbBase });
    expect(a.migrations.find((m) => m.id === path)?.status).toBe("modified");
    expect(a.facts.get(path)?.editedAfterMerge ?? false).toBe(false);
    const upEdit = edit(dbBase, path, "-- migrate:up\nCREATE TABLE products (id bigint PRIMARY KEY, sku text NOT NULL);\n\n-- migrate:down\nDROP TABLE products;\n");
    expect(run(upEdit, { base: dbBase }).facts.get(path)?.editedAt?.startLine).toBe(2);
  });

  it("follows a sqitch rework: the old instance moves to its @tag script unchanged", () => {
    const head = tree("sqitch");
    const plan = head.find((f) => f.path === "sqitch.plan")!;
    const planText = Buffer.from(plan.content as Uint8Array).toString("utf8");
    const basePlan = planText.split("\n").filter((l) => !/^(users \[users@|ghosts|this line|flips)/.test(l)).join("\n");
    const base = [
      { path: "sqitch.plan", content: basePlan },
      { path: "deploy/appschema.sql", content: head.find((f) => f.path === "deploy/appschema.sql")!.content },
      { path: "revert/appschema.sql", content: head.find((f) => f.path === "revert/appschema.sql")!.content },
      { path: "deploy/users.sql", content: head.find((f) => f.path === "deploy/users@v1.0.0-dev1.sql")!.content },
      { path: "revert/users.sql", content: head.find((f) => f.path === "revert/users@v1.0.0-dev1.sql")!.content },
    ] as SourceFile[];
    const d = run(head, { base });
    expect(d.migrations.map((m) => [m.id, m.status])).toEqual([
      ["sqitch.plan#appschema#1", "unchanged"],
      ["sqitch.plan#users#1", "unchanged"],
      ["sqitch.plan#flips#1", "added"],
      ["sqitch.plan#users#2", "added"],
    ]);
    expect([...d.facts.values()].some((f) => f.editedAfterMerge)).toBe(false);
  });

  it("lets a Flyway repeatable migration change without an edit fact", () => {
    const fw = tree("flyway");
    const path = "src/main/resources/db/migration/R__customer_orders_view.sql";
    const d = run(edit(fw, path, "CREATE OR REPLACE VIEW customer_orders AS SELECT 1 AS id;\n"), { base: fw });
    expect(d.migrations.find((m) => m.id === path)?.status).toBe("modified");
    expect(d.facts.get(path)?.editedAfterMerge ?? false).toBe(false);
  });
});

describe("discovery findings through the engine", () => {
  it("names the rollback each layout expects", async () => {
    const files = ["flyway", "golang-migrate", "dbmate", "sqitch", "prisma", "up-down-dir", "plain"].flatMap((l) => tree(l).map((f) => ({ ...f, path: `${l}/${f.path}` })));
    const report = await analyzeFiles(files);
    const missing = report.migrations.flatMap((m) => m.findings).filter((f) => f.ruleId === "missing-rollback").map((f) => f.message);
    expect(missing).toEqual(
      expect.arrayContaining([
        expect.stringContaining("expected an undo migration flyway/src/main/resources/db/migration/U11__vacuum_orders.sql"),
        expect.stringContaining("expected golang-migrate/db/migrations/000002_add_due_on.down.sql"),
        expect.stringContaining("expected a `-- migrate:down` section in dbmate/db/migrations/20240103100000_add_weight.sql"),
        expect.stringContaining("expected a revert script sqitch/revert/flips.sql"),
        expect.stringContaining("expected up-down-dir/migrations/2023-03-01-090000_add_users_bio/down.sql"),
        expect.stringContaining("expected plain/sql/010_account_region.down.sql"),
      ]),
    );
    expect(missing).toHaveLength(6);
    const unrecognized = report.otherFindings.filter((f) => f.ruleId === "unrecognized-migration-file").map((f) => `${f.span.file}:${f.span.startLine}`);
    expect(unrecognized).toEqual([
      "dbmate/db/migrations/20240104100000_add_color.sql:1",
      "flyway/src/main/resources/db/migration/U99__orphan_undo.sql:1",
      "flyway/src/main/resources/db/migration/v12__lowercase_prefix.sql:1",
      "golang-migrate/db/migrations/000003_add_paid.sql:1",
      "golang-migrate/db/migrations/000005_create_refunds.down.sql:1",
      "prisma/prisma/migrations/seed.sql:1",
      "sqitch/deploy/stray.sql:1",
      "sqitch/sqitch.plan:11",
      "sqitch/sqitch.plan:12",
    ]);
  });

  it("reports empty, comment-only and no-op rollbacks at their line, but not real ones", async () => {
    const report = await analyzeFiles({
      "db/migrations/000001_a.up.sql": "CREATE TABLE a (id int);\n",
      "db/migrations/000001_a.down.sql": "",
      "db/migrations/000002_b.up.sql": "CREATE TABLE b (id int);\n",
      "db/migrations/000002_b.down.sql": "-- irreversible\n/* really */\n",
      "db/migrations/000003_c.up.sql": "CREATE TABLE c (id int);\n",
      "db/migrations/000003_c.down.sql": "-- nothing\nSELECT 1;\nselect 'done'::text;\n",
      "db/migrations/000004_d.up.sql": "CREATE TABLE d (id int);\n",
      "db/migrations/000004_d.down.sql": "SELECT count(*) FROM d;\nDROP TABLE d;\n",
    });
    expect(findings(report).filter((f) => f.rule === "missing-rollback")).toEqual([
      { rule: "missing-rollback", file: "db/migrations/000001_a.down.sql", line: 1 },
      { rule: "missing-rollback", file: "db/migrations/000002_b.down.sql", line: 1 },
      { rule: "missing-rollback", file: "db/migrations/000003_c.down.sql", line: 2 },
    ]);
  });

  it("points an edited migration at its first changed line and a deleted one at its file", async () => {
    const base = {
      "db/migration/V1__customers.sql": "CREATE TABLE customers (\n  id bigint PRIMARY KEY\n);\n",
      "db/migration/U1__customers.sql": "DROP TABLE customers;\n",
      "db/migration/V2__orders.sql": "CREATE TABLE orders (id bigint PRIMARY KEY);\n",
      "db/migration/U2__orders.sql": "DROP TABLE orders;\n",
    };
    const head = {
      "db/migration/V1__customers.sql": "CREATE TABLE customers (\n  id bigint PRIMARY KEY,\n  email text\n);\n",
      "db/migration/U1__customers.sql": "DROP TABLE customers;\n",
    };
    const report = await analyzeFiles(head, { base });
    expect(findings(report)).toEqual(
      expect.arrayContaining([
        { rule: "edited-merged-migration", file: "db/migration/V1__customers.sql", line: 2 },
        { rule: "deleted-merged-migration", file: "db/migration/V2__orders.sql", line: 1 },
      ]),
    );
  });
});
