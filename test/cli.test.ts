// The `check` command end to end: files from disk, the base from git or from a folder, and the
// one-line errors with exit code 2. Most cases call main() with a fake io; one spawns the CLI.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import type { AnalysisReport } from "../src/core/report.js";

const REPO = join(dirname(fileURLToPath(import.meta.url)), "..");
const scratch: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "mg-cli-"));
  scratch.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

const cli = (cwd: string, ...argv: string[]) => runCli(cwd, argv);

async function checkJson(cwd: string, ...argv: string[]) {
  const result = await cli(cwd, "check", ...argv, "--format", "json");
  return { ...result, report: JSON.parse(result.stdout) as AnalysisReport };
}

function located(report: AnalysisReport, rules?: string[]): string[] {
  return [...report.migrations.flatMap((m) => m.findings), ...report.otherFindings]
    .filter((f) => !rules || rules.includes(f.ruleId))
    .map((f) => `${f.ruleId} ${f.span.file}:${f.span.startLine}`)
    .sort();
}

function write(root: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

function git(cwd: string, ...args: string[]): void {
  execFileSync("git", args, { cwd, stdio: "ignore" });
}

const DISCOVERY_RULES = ["missing-rollback", "edited-merged-migration", "deleted-merged-migration", "migration-order-conflict", "duplicate-migration-version", "unrecognized-migration-file"];

describe("check examples --base-dir examples/.base --config examples/migration-guard.yml (the README's first command)", () => {
  it("reports every discovery problem of the examples with file and line", async () => {
    const { code, report } = await checkJson(REPO, "examples", "--base-dir", "examples/.base", "--config", "examples/migration-guard.yml");
    expect(code).toBe(1);
    expect(located(report, DISCOVERY_RULES)).toEqual([
      "edited-merged-migration examples/flyway/V1__create_customers.sql:6",
      "migration-order-conflict examples/dbmate/db/migrations/20240120083000_add_product_tags.sql:3",
      "missing-rollback examples/dbmate/db/migrations/20240220110000_drop_products_legacy_price.sql:4",
      "missing-rollback examples/flyway/V5__orders_reference_customers.sql:1",
      "missing-rollback examples/golang-migrate/000003_widen_invoice_amounts.down.sql:2",
      "unrecognized-migration-file examples/flyway/V6_add_coupon_code.sql:1",
    ]);
    expect(located(report)).toEqual(
      expect.arrayContaining([
        "require-concurrent-index examples/flyway/V4__index_orders_by_customer.sql:2",
        "require-concurrent-index examples/prisma/migrations/20240310120000_user_email_unique/migration.sql:2",
      ]),
    );
  });

  it("never analyzes the base snapshot as head migrations, and skips unchanged ones", async () => {
    const { report } = await checkJson(REPO, "examples", "--base-dir", "examples/.base");
    const paths = report.migrations.map((m) => m.migration.up.path);
    expect(paths.some((p) => p.includes(".base"))).toBe(false);
    expect(paths).not.toContain("examples/flyway/V2__create_orders.sql");
    expect(report.migrations.find((m) => m.migration.up.path === "examples/flyway/R__order_totals_view.sql")?.migration.status).toBe("modified");
  });

  it("without a base, checks every head migration and still skips the hidden snapshot", async () => {
    const { code, report } = await checkJson(REPO, "examples");
    expect(code).toBe(1);
    const paths = report.migrations.map((m) => m.migration.up.path);
    expect(paths).toContain("examples/flyway/V2__create_orders.sql");
    expect(paths.some((p) => p.includes(".base"))).toBe(false);
    expect(located(report, ["edited-merged-migration", "migration-order-conflict"])).toEqual([]);
  });
});

describe("check --base <ref> in a real git repository", () => {
  let repo: string;
  beforeAll(() => {
    repo = tempDir();
    git(repo, "init", "-q", "-b", "main");
    git(repo, "config", "user.email", "dev@example.com");
    git(repo, "config", "user.name", "Dev");
    write(repo, {
      "db/migrations/000001_create_orders.up.sql": "CREATE TABLE orders (\n  id bigint PRIMARY KEY\n);\n",
      "db/migrations/000001_create_orders.down.sql": "DROP TABLE orders;\n",
      "db/migrations/000002_create_customers.up.sql": "CREATE TABLE customers (id bigint PRIMARY KEY);\n",
      "db/migrations/000002_create_customers.down.sql": "DROP TABLE customers;\n",
      "db/migrations/000005_add_orders_note.up.sql": "ALTER TABLE orders ADD COLUMN note text;\n",
      "db/migrations/000005_add_orders_note.down.sql": "ALTER TABLE orders DROP COLUMN note;\n",
      "README.md": "# shop\n",
    });
    git(repo, "add", ".");
    git(repo, "commit", "-q", "-m", "base");
    git(repo, "checkout", "-q", "-b", "feature");
    write(repo, {
      "db/migrations/000001_create_orders.up.sql": "CREATE TABLE orders (\n  id bigint PRIMARY KEY,\n  total bigint\n);\n",
      "db/migrations/000003_index_orders.up.sql": "CREATE INDEX orders_total_idx ON orders (total);\n",
      "db/migrations/000006_add_customers_email.up.sql": "ALTER TABLE customers ADD COLUMN email text;\n",
      "db/migrations/000006_add_customers_email.down.sql": "ALTER TABLE customers DROP COLUMN email;\n",
    });
    rmSync(join(repo, "db/migrations/000002_create_customers.up.sql"));
    rmSync(join(repo, "db/migrations/000002_create_customers.down.sql"));
    git(repo, "add", "-A");
    git(repo, "commit", "-q", "-m", "feature");
    // An uncommitted edit counts too: the head is the working tree.
    write(repo, { "db/migrations/000005_add_orders_note.down.sql": "ALTER TABLE orders DROP COLUMN IF EXISTS note;\n" });
  });

  it("analyzes only what changed since the merge base and reports edits, deletions and order", async () => {
    const { code, report } = await checkJson(repo, "db", "--base", "main");
    expect(code).toBe(1);
    const status = Object.fromEntries(report.migrations.map((m) => [m.migration.up.path, m.migration.status]));
    expect(status).toEqual({
      "db/migrations/000001_create_orders.up.sql": "modified",
      "db/migrations/000002_create_customers.up.sql": "deleted",
      "db/migrations/000003_index_orders.up.sql": "added",
      "db/migrations/000005_add_orders_note.up.sql": "modified",
      "db/migrations/000006_add_customers_email.up.sql": "added",
    });
    expect(located(report, DISCOVERY_RULES)).toEqual([
      "deleted-merged-migration db/migrations/000002_create_customers.up.sql:1",
      "edited-merged-migration db/migrations/000001_create_orders.up.sql:2",
      "migration-order-conflict db/migrations/000003_index_orders.up.sql:1",
      "missing-rollback db/migrations/000003_index_orders.up.sql:1",
    ]);
  });

  it("works from a subfolder, with paths relative to it", async () => {
    const { report } = await checkJson(join(repo, "db"), ".", "--base", "main");
    expect(located(report, ["edited-merged-migration"])).toEqual(["edited-merged-migration migrations/000001_create_orders.up.sql:2"]);
  });

  it("rejects a ref that names no commit with one line and exit 2", async () => {
    const { code, stdout, stderr } = await cli(repo, "check", "db", "--base", "no-such-branch");
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toBe("migration-guard check: --base no-such-branch: no such branch, tag or commit in this repository\n");
  });

  it("rejects --base outside a git repository with one line and exit 2", async () => {
    const dir = tempDir();
    write(dir, { "m/001_a.sql": "SELECT 1;\n" });
    const { code, stderr } = await cli(dir, "check", "m", "--base", "main");
    expect(code).toBe(2);
    expect(stderr).toMatch(/^migration-guard check: git rev-parse: fatal: not a git repository[^\n]*\n$/);
  });
});

describe("check --base <ref> after the base branch moved on", () => {
  it("compares with the merge base, not with the branch's tip, and still runs with two merge bases", async () => {
    const repo = tempDir();
    git(repo, "init", "-q", "-b", "main");
    git(repo, "config", "user.email", "dev@example.com");
    git(repo, "config", "user.name", "Dev");
    write(repo, { "db/migrations/000001_create_orders.up.sql": "CREATE TABLE orders (id bigint PRIMARY KEY);\n", "db/migrations/000001_create_orders.down.sql": "DROP TABLE orders;\n" });
    git(repo, "add", ".");
    git(repo, "commit", "-q", "-m", "base");
    git(repo, "checkout", "-q", "-b", "feature");
    write(repo, { "db/migrations/000003_add_note.up.sql": "ALTER TABLE orders ADD COLUMN note text;\n", "db/migrations/000003_add_note.down.sql": "ALTER TABLE orders DROP COLUMN note;\n" });
    git(repo, "add", ".");
    git(repo, "commit", "-q", "-m", "feature");
    // main gets a migration after the fork: not part of this change, and not deleted by it.
    git(repo, "checkout", "-q", "main");
    write(repo, { "db/migrations/000002_add_total.up.sql": "ALTER TABLE orders ADD COLUMN total bigint;\n" });
    git(repo, "add", ".");
    git(repo, "commit", "-q", "-m", "main moves on");
    git(repo, "checkout", "-q", "feature");
    const { report } = await checkJson(repo, "db", "--base", "main");
    expect(report.migrations.map((m) => [m.migration.up.path, m.migration.status])).toEqual([["db/migrations/000003_add_note.up.sql", "added"]]);
    // Two merge bases (a criss-cross merge): git merge-base picks one, as before.
    git(repo, "checkout", "-q", "-b", "other", "main~1");
    write(repo, { "x.txt": "x\n" });
    git(repo, "add", ".");
    git(repo, "commit", "-q", "-m", "other");
    git(repo, "merge", "-q", "--no-edit", "main");
    git(repo, "checkout", "-q", "main");
    git(repo, "merge", "-q", "--no-edit", "other~1");
    const again = await checkJson(repo, "db", "--base", "other");
    expect(again.code).toBeLessThan(2);
  });
});

describe("check --base-dir <dir>", () => {
  it("compares <dir>/x with <folder>/x, wherever the base copy lives", async () => {
    const dir = tempDir();
    write(dir, {
      "service/db/V1__orders.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, total bigint);\n",
      "service/db/U1__orders.sql": "DROP TABLE orders;\n",
      "snapshots/main/db/V1__orders.sql": "CREATE TABLE orders (id bigint PRIMARY KEY);\n",
      "snapshots/main/db/U1__orders.sql": "DROP TABLE orders;\n",
      "snapshots/main/db/V2__gone.sql": "CREATE TABLE gone (id int);\n",
    });
    const { code, report } = await checkJson(dir, "service", "--base-dir", "snapshots/main");
    expect(code).toBe(1);
    expect(located(report, DISCOVERY_RULES)).toEqual([
      "deleted-merged-migration service/db/V2__gone.sql:1",
      "edited-merged-migration service/db/V1__orders.sql:1",
    ]);
  });

  it.each([
    [["check", "nowhere", "--base-dir", "base"], "migration-guard check: nowhere: --base-dir needs the checked path to be an existing folder\n"],
    [["check", "head", "--base-dir", "missing"], "migration-guard check: --base-dir missing: no such folder\n"],
    [["check", "head", "head", "--base-dir", "base"], "migration-guard check: --base-dir compares one checked folder with its base copy; got 2 paths\n"],
    [["check", "head", "--base-dir", "base", "--base", "main"], "migration-guard check: use either --base or --base-dir, not both\n"],
    [["check", "nowhere"], "migration-guard check: nowhere: no such file or directory\n"],
  ])("%j is a one-line error with exit 2", async (argv, message) => {
    const dir = tempDir();
    write(dir, { "head/001_a.sql": "SELECT 1;\n", "base/001_a.sql": "SELECT 1;\n" });
    const { code, stdout, stderr } = await cli(dir, ...argv);
    expect({ code, stdout, stderr }).toEqual({ code: 2, stdout: "", stderr: message });
  });
});

describe("unreadable files", () => {
  it("reports each file it cannot read, names why, and still analyzes the rest", async () => {
    const dir = tempDir();
    write(dir, { "db/V1__a.sql": "CREATE TABLE a (id int);\n", "db/V9__sentinel.sql": "DROP TABLE users;\n" });
    symlinkSync("V9__does_not_exist.sql", join(dir, "db/V2__broken_link.sql"));
    symlinkSync("V3__loop.sql", join(dir, "db/V3__loop.sql"));
    symlinkSync("/dev/zero", join(dir, "db/V4__zero.sql"));
    symlinkSync("/dev/urandom", join(dir, "db/V5__random.sql"));
    execFileSync("mkfifo", [join(dir, "db/V6__fifo.sql")]);
    writeFileSync(Buffer.from(join(dir, "db/V7__latin1_\xe9.sql"), "latin1"), "SELECT 1;\n");
    const { code, report, stderr } = await checkJson(dir, "db");
    expect({ code, stderr }).toEqual({ code: 1, stderr: "" });
    const unreadable = report.migrations.flatMap((m) => m.findings).filter((f) => f.ruleId === "unreadable-file").map((f) => f.message);
    expect(unreadable).toEqual([
      "db/V2__broken_link.sql: cannot read (no such file, or a symbolic link to nothing); not analyzed",
      "db/V3__loop.sql: cannot read (symbolic link loop); not analyzed",
      "db/V4__zero.sql: not a regular file (a character device); not analyzed",
      "db/V5__random.sql: not a regular file (a character device); not analyzed",
      "db/V6__fifo.sql: not a regular file (a named pipe); not analyzed",
      "db/V7__latin1_\ufffd.sql: file name is not valid UTF-8; rename the file",
    ]);
    expect(located(report, ["drop-table"])).toEqual(["drop-table db/V9__sentinel.sql:1"]);
  }, 30_000);

  it("reports a migration larger than the limit without reading it whole", async () => {
    const { MAX_SCRIPT_BYTES } = await import("../src/core/parse/index.js");
    const dir = tempDir();
    write(dir, { "db/V1__huge.sql": "SELECT 1;\n".repeat(MAX_SCRIPT_BYTES / 10 + 1), "db/V2__sentinel.sql": "DROP TABLE users;\n" });
    const { report } = await checkJson(dir, "db");
    const unreadable = report.migrations.flatMap((m) => m.findings).filter((f) => f.ruleId === "unreadable-file").map((f) => f.message);
    expect(unreadable).toEqual(["db/V1__huge.sql: too large (12 MB; the limit is 12 MB); not analyzed"]);
    expect(located(report, ["drop-table"])).toEqual(["drop-table db/V2__sentinel.sql:1"]);
  });

  it("never opens files that are not migration candidates", async () => {
    const dir = tempDir();
    write(dir, { "db/V1__a.sql": "CREATE TABLE a (id int);\n", "db/U1__a.sql": "DROP TABLE a;\n" });
    symlinkSync("nowhere.txt", join(dir, "db/notes.txt"));
    const { code, stderr } = await cli(dir, "check", "db");
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
  });
});

describe("paths and files named on the command line", () => {
  function project(): string {
    const dir = tempDir();
    write(dir, {
      "repo/db/V1__drop.sql": "DROP TABLE users;\n",
      "repo/conf/mg.yml": "fail_level: warning\n",
      "repo/stats.json": JSON.stringify({ format: "migration-guard-stats", version: 1, dialect: "postgres", tables: [] }),
      "elsewhere/notes.txt": "",
      "empty/readme.md": "",
    });
    return dir;
  }

  it("checks a folder outside the working directory, given absolute or as ../", async () => {
    const dir = project();
    const fromElsewhere = join(dir, "elsewhere");
    const absolute = await checkJson(fromElsewhere, join(dir, "repo/db"));
    expect(located(absolute.report, ["drop-table"])).toEqual(["drop-table ../repo/db/V1__drop.sql:1"]);
    const relative = await checkJson(fromElsewhere, "../repo/db");
    expect(located(relative.report, ["drop-table"])).toEqual(["drop-table ../repo/db/V1__drop.sql:1"]);
  });

  it("reads --config and --stats given as absolute paths", async () => {
    const dir = project();
    const run = await checkJson(join(dir, "elsewhere"), join(dir, "repo/db"), "--config", join(dir, "repo/conf/mg.yml"), "--stats", join(dir, "repo/stats.json"));
    expect(run.stderr).toBe("");
    expect(run.code).toBe(1); // fail_level: warning came from the absolute --config
  });

  it("reads --evidence given as an absolute path", async () => {
    const dir = project();
    const evidence = join(REPO, "test/fixtures/evidence/report.json");
    const run = await cli(join(dir, "elsewhere"), "runbook", join(dir, "repo/db"), "--evidence", evidence);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const missing = await cli(join(dir, "elsewhere"), "runbook", join(dir, "repo/db"), "--evidence", "/nonexistent/report.json");
    expect(missing.stderr).toBe("migration-guard runbook: /nonexistent/report.json: cannot read the test report: no such file, or a symbolic link to nothing\n");
  });

  it("exits 2 naming the paths that hold no migration file, never a clean pass", async () => {
    const dir = project();
    const run = await cli(dir, "check", "empty", "elsewhere/notes.txt", "repo/db");
    expect(run).toEqual({
      code: 2,
      stdout: "",
      stderr: "migration-guard check: empty, elsewhere/notes.txt: no migration files found (looked for *.sql files and TypeORM migrations); nothing was analyzed\n",
    });
  });

  it("says so when nothing changed against the base", async () => {
    const dir = project();
    mkdirSync(join(dir, "base"));
    writeFileSync(join(dir, "base/V1__drop.sql"), "DROP TABLE users;\n");
    const run = await cli(dir, "check", "repo/db", "--base-dir", "base");
    expect(run.stderr).toBe("note: no migration was added or changed compared with base; nothing was analyzed\n");
    expect(run.code).toBe(0);
  });

  it("accepts upper-case .SQL files or reports them, never skips them silently", async () => {
    const dir = tempDir();
    write(dir, { "db/V1__A.SQL": "DROP TABLE users;\n" });
    const { report } = await checkJson(dir, "db");
    expect(located(report)).not.toEqual([]);
  });

  it("rejects unreadable special files given as options with one line", async () => {
    const dir = project();
    const zero = await cli(join(dir, "repo"), "check", "db", "--stats", "/dev/zero");
    expect(zero).toEqual({ code: 2, stdout: "", stderr: "migration-guard check: /dev/zero: cannot read the statistics file: not a regular file (a character device)\n" });
    const missing = await cli(join(dir, "repo"), "check", "db", "--config", "/nonexistent/mg.yml");
    expect(missing.stderr).toBe("migration-guard check: /nonexistent/mg.yml: cannot read the configuration file: no such file, or a symbolic link to nothing\n");
  });

  it("says once to set the dialect when MySQL-looking files fail to parse as PostgreSQL", async () => {
    const dir = tempDir();
    const files: Record<string, string> = {};
    for (let i = 1; i <= 12; i++) files[`db/V${i}__t${i}.sql`] = `CREATE TABLE \`t${i}\` (\`id\` int NOT NULL AUTO_INCREMENT, PRIMARY KEY (\`id\`)) ENGINE=InnoDB;\n`;
    write(dir, files);
    const run = await cli(dir, "check", "db", "--format", "json");
    const notes = run.stderr.split("\n").filter(Boolean);
    expect(notes).toEqual([
      "note: 12 files that fail to parse (db/V1__t1.sql, …) look like MySQL/MariaDB (backticks, ENGINE=, AUTO_INCREMENT), but they were parsed as PostgreSQL: set `dialect: mysql` (or mariadb) in .github/migration-guard.yml or the --config file",
    ]);
  });
});

describe("a folder read with a guessed layout", () => {
  it("names the guessed layout and `layout:` when many migrations share a version", async () => {
    const dir = tempDir();
    const files: Record<string, string> = {};
    for (const version of ["20210101000000", "20210102000000"]) {
      for (const db of ["postgres", "mysql", "sqlite3"]) {
        files[`db/${version}_t.${db}.up.sql`] = "CREATE TABLE t (id int);\n";
        files[`db/${version}_t.${db}.down.sql`] = "DROP TABLE t;\n";
      }
    }
    write(dir, files);
    const run = await cli(dir, "check", "db", "--format", "json");
    const report = JSON.parse(run.stdout) as AnalysisReport;
    const duplicates = located(report, ["duplicate-migration-version"]).length;
    // Either the layout is understood (no duplicates) or the note says what was guessed.
    if (duplicates) expect(run.stderr).toMatch(/^note: db: \d+ migrations share a version when the folder is read as [a-z-]+ \(the layout guessed from its file names\); if another tool runs it, set `layout:`/m);
    else expect(run.stderr).toBe("");
  });
});

describe("a folder most of whose files the guessed layout does not run", () => {
  it("says which layout was guessed and how to set another, besides each file's finding", async () => {
    const dir = tempDir();
    const files: Record<string, string> = {
      "db/migrations/000001_init.up.sql": "CREATE TABLE t (id int);\n",
      "db/migrations/000001_init.down.sql": "DROP TABLE t;\n",
    };
    for (const name of ["add_a", "add_b", "add_c", "add_d"]) files[`db/migrations/${name}.up.sql`] = "ALTER TABLE t ADD COLUMN c int;\n";
    write(dir, files);
    const run = await cli(dir, "check", "db", "--format", "json");
    const report = JSON.parse(run.stdout) as AnalysisReport;
    expect(located(report, ["unrecognized-migration-file"])).toHaveLength(4);
    expect(run.stderr).toMatch(/^note: db\/migrations: 4 files do not follow golang-migrate's naming, the layout guessed for the folder \(1 do\): if another tool runs it, set `layout:`/m);
  });
});

describe("a folder of plain SQL files without any rollback", () => {
  it("says the tool may have no downs by design and how to name it", async () => {
    const dir = tempDir();
    write(dir, { "migrations/1_setup.sql": "CREATE TABLE t (id int);\n", "migrations/2_more.sql": "ALTER TABLE t ADD COLUMN c int;\n" });
    const run = await cli(dir, "check", "migrations", "--format", "json");
    expect(run.stderr).toMatch(/^note: migrations: read as plain SQL files \(no migration tool recognized\), and none of its 2 migrations has a rollback file: if the tool has no down migrations by design \(sqlx's simple migrations, Supabase, Drizzle, Atlas\), set `layout:`/m);
  });
});

describe("the built CLI", () => {
  it("runs the README's first command from a shell", () => {
    // tsc still emits when files owned by others fail to type-check; the run below is what counts.
    spawnSync("npx", ["tsc", "-p", "tsconfig.json"], { cwd: REPO, stdio: "ignore" });
    // bin/ runs the bundle (scripts/bundle.mjs), which must be rebuilt from what tsc emitted.
    expect(spawnSync(process.execPath, ["scripts/bundle.mjs"], { cwd: REPO, encoding: "utf8" }).status).toBe(0);
    const run = spawnSync(
      process.execPath,
      ["bin/migration-guard.js", "check", "examples", "--base-dir", "examples/.base", "--config", "examples/migration-guard.yml", "--no-color"],
      { cwd: REPO, encoding: "utf8" },
    );
    expect(run.status).toBe(1);
    // The risk summary: levels, lock hold estimates from the examples' table sizes, rollback complexity.
    expect(run.stdout).toMatch(/000003_widen_invoice_amounts\.up\.sql +critical risk · rollback irreversible · ACCESS EXCLUSIVE on invoices \(blocks reads and writes ~8 min\)/);
    expect(run.stdout).toContain("error[edited-merged-migration]: examples/flyway/V1__create_customers.sql");
    expect(run.stdout).toContain("--> examples/flyway/V1__create_customers.sql:6:1");
    const bad = spawnSync(process.execPath, ["bin/migration-guard.js", "check", "examples", "--base-dir", "examples/.nothing"], { cwd: REPO, encoding: "utf8" });
    expect({ status: bad.status, stderr: bad.stderr }).toEqual({ status: 2, stderr: "migration-guard check: --base-dir examples/.nothing: no such folder\n" });
    // Only what the command prints reaches stdout: a module writing there (libpg_query's WASM
    // aborts do) goes to stderr, so `--format json` stays one JSON document.
    const guarded = spawnSync(
      process.execPath,
      ["--input-type=module", "-e", 'const { processIo } = await import("./dist/cli/main.js"); const io = processIo(); console.log("native noise"); process.stdout.write("more noise\\n"); io.stdout("{}\\n");'],
      { cwd: REPO, encoding: "utf8" },
    );
    expect({ stdout: guarded.stdout, stderr: guarded.stderr }).toEqual({ stdout: "{}\n", stderr: "native noise\nmore noise\n" });
  }, 180_000);
});
