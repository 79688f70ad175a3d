// Trace mode end to end on the real PostgreSQL 15: Knex's and node-pg-migrate's own CLIs (from
// npm) migrate a git repository whose pull request adds a migration; `test --command` runs them on
// the base commit and the head through the wire relay, replays what they sent with seed data and
// lock tracing, rolls back with the down command, and runs the rules on the captured SQL.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main, type CliIo } from "../src/cli/main.js";
import { EvidenceReport } from "../src/core/evidence/report.js";
import { analyzeChange } from "../src/core/analyze/engine.js";
import { ConfigSchema } from "../src/core/config/schema.js";
import { allFindings } from "../src/core/report.js";
import { loadParsers } from "../src/core/parse/index.js";
import { loadRules } from "../rules/index.js";
import { PG_URL } from "./evidence-helpers.js";

const REPO_MODULES = join(import.meta.dirname, "..", "node_modules");

function io(cwd: string): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { cwd, out, err, stdout: (t) => out.push(t), stderr: (t) => err.push(t), isTTY: false, env: {} };
}

const git = (cwd: string, ...args: string[]) => execFileSync("git", args, { cwd, stdio: "pipe", env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" } });

/** A repository whose main holds `base` and whose checked-out branch adds `change`. */
function repository(base: Record<string, string>, change: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "mg-trace-"));
  const write = (files: Record<string, string>) => {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(dir, path, ".."), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
  };
  git(dir, "init", "-q", "-b", "main");
  writeFileSync(join(dir, ".gitignore"), "node_modules\n");
  write(base);
  git(dir, "add", "-A");
  git(dir, "commit", "-qm", "base");
  git(dir, "checkout", "-qb", "pr");
  write(change);
  git(dir, "add", "-A");
  git(dir, "commit", "-qm", "change");
  // The tools as a project installs them (the base worktree shares them the same way).
  symlinkSync(REPO_MODULES, join(dir, "node_modules"), "dir");
  return dir;
}

async function traced(dir: string, args: string[]): Promise<{ code: number; report: EvidenceReport; human: string; err: string }> {
  const run = io(dir);
  const code = await main(["test", "--base", "main", "--database-url", PG_URL, "--output", "report.json", "--seed-rows", "200", ...args], run);
  const report = EvidenceReport.parse(JSON.parse(readFileSync(join(dir, "report.json"), "utf8")));
  return { code, report, human: run.out.join(""), err: run.err.join("") };
}

/** What `check` says about the same SQL written as a plain migration after the base's SQL. */
async function checkFindings(trace: NonNullable<EvidenceReport["trace"]>): Promise<string[]> {
  await loadParsers();
  const sql = (phase: string) => trace.commands.find((c) => c.phase === phase)?.sql;
  const config = ConfigSchema.parse({ layout: "plain" });
  const files = [{ path: "m/0-base.sql", content: sql("base") ?? "" }];
  const head = [...files, { path: "m/1-change.sql", content: sql("change")! }];
  if (sql("rollback")) head.push({ path: "m/1-change.down.sql", content: sql("rollback")! });
  const report = analyzeChange({ base: files, head }, config, await loadRules());
  return allFindings(report).filter((f) => f.span.file === "m/1-change.sql").map((f) => f.ruleId).sort();
}

const KNEXFILE = `module.exports = { client: "pg", connection: process.env.DATABASE_URL, migrations: { directory: "./migrations" } };\n`;

describe("test --command (trace mode) on PostgreSQL 15", () => {
  it("Knex: traces migrate:latest on the base and the head, replays the added migration with its locks, rolls it back, and runs the rules on what Knex sent", async () => {
    const dir = repository(
      {
        "knexfile.cjs": KNEXFILE,
        "migrations/20240101000000_users.cjs": `exports.up = (knex) => knex.schema.createTable("users", (t) => { t.increments("id"); t.string("email").notNullable(); });\nexports.down = (knex) => knex.schema.dropTable("users");\n`,
      },
      {
        "migrations/20240201000000_email_index.cjs": `exports.up = (knex) => knex.schema.alterTable("users", (t) => { t.index(["email"]); });\nexports.down = (knex) => knex.schema.alterTable("users", (t) => { t.dropIndex(["email"]); });\n`,
      },
    );
    const { code, report, human, err } = await traced(dir, ["--command", "npx knex --knexfile knexfile.cjs migrate:latest", "--down-command", "npx knex --knexfile knexfile.cjs migrate:rollback"]);
    expect(err).toContain("Batch 1 run: 1 migrations");
    expect(err).toContain("Batch 2 run: 1 migrations");
    const trace = report.trace!;
    expect(trace.commands.map((c) => [c.phase, c.exitCode])).toEqual([["base", 0], ["change", 0], ["rollback", 0]]);
    // The base built the users table (replayed as the environment and seeded); the change is only the index.
    expect(report.environment.source).toBe("migrations");
    expect(report.environment.seeded).toContainEqual(expect.objectContaining({ table: "public.users", rows: 200 }));
    const change = trace.commands.find((c) => c.phase === "change")!;
    expect(change.sql).toContain('create index "users_email_index" on "users" ("email")');
    expect(change.sql).not.toMatch(/knex_migrations|pg_class|information_schema/);
    expect(change.statements.bookkeeping).toBeGreaterThan(0);
    // Replayed like a migration file: the index build took SHARE on users, the rollback is exact.
    const forward = report.migrations[0]!.forward;
    const build = forward.statements.find((s) => /create index/i.test(s.sql))!;
    expect(build.locks).toContainEqual(expect.objectContaining({ relation: "public.users", mode: "SHARE" }));
    expect(report.rollback.ran).toBe(true);
    expect(report.rollback.schemaDiff).toEqual([]);
    // The rules see the same SQL check would: the non-concurrent index on an existing table.
    const onChange = trace.findings.filter((f) => f.file === "traced/1-change.sql");
    expect(onChange.map((f) => f.ruleId).sort()).toEqual(await checkFindings(trace));
    expect(onChange).toContainEqual(expect.objectContaining({ ruleId: "require-concurrent-index", statement: 'create index "users_email_index" on "users" ("email")' }));
    expect(human).toContain("findings on the traced SQL (");
    expect(code).toBe(report.verdict.passed ? 0 : 1);
  }, 120_000);

  it("node-pg-migrate: a JavaScript migration's generated SQL is traced, and a failing migration fails the test at the statement the server rejected", async () => {
    const dir = repository(
      {
        "migrations/1700000000000_accounts.js": `exports.up = (pgm) => { pgm.createTable("accounts", { id: "id", name: { type: "text", notNull: true } }); };\nexports.down = (pgm) => { pgm.dropTable("accounts"); };\n`,
      },
      {
        "migrations/1700000000001_balance.js": `exports.up = (pgm) => { pgm.addColumn("accounts", { balance: { type: "integer" } }); pgm.alterColumn("accounts", "balance", { notNull: true }); };\nexports.down = (pgm) => { pgm.dropColumn("accounts", "balance"); };\n`,
      },
    );
    const { code, report } = await traced(dir, ["--command", "npx node-pg-migrate up -m migrations", "--down-command", "npx node-pg-migrate down -m migrations"]);
    const trace = report.trace!;
    // SET NOT NULL on a column the change just added, without a default, fails on the seeded rows.
    expect(trace.commands.map((c) => [c.phase, c.exitCode])).toEqual([["base", 0], ["change", 0], ["rollback", 0]]);
    const change = trace.commands.find((c) => c.phase === "change")!;
    expect(change.sql).toMatch(/ALTER TABLE "accounts"\s+ADD "balance" integer/);
    expect(change.sql).toMatch(/ALTER "balance" SET NOT NULL/);
    expect(change.sql).not.toContain("pgmigrations");
    const forward = report.migrations[0]!.forward;
    expect(forward.ok).toBe(false);
    expect(forward.error?.message).toMatch(/contains null values/);
    expect(report.verdict.passed).toBe(false);
    expect(code).toBe(1);
    const onChange = trace.findings.filter((f) => f.file === "traced/1-change.sql");
    expect(onChange.map((f) => f.ruleId).sort()).toEqual(await checkFindings(trace));
    expect(onChange.length).toBeGreaterThan(0);
  }, 120_000);

  it("a down command that fails on a statement: the rollback fails at that statement with the server's error, and the captured rollback ends as the tool ended it (no unterminated transaction reported)", async () => {
    const dir = repository(
      {
        "knexfile.cjs": KNEXFILE,
        "migrations/20240101000000_users.cjs": `exports.up = (knex) => knex.schema.createTable("users", (t) => { t.increments("id"); t.string("email").notNullable(); });\nexports.down = (knex) => knex.schema.dropTable("users");\n`,
      },
      {
        // dropIndex takes column names: Knex derives another index name, which does not exist.
        "migrations/20240201000000_email_index.cjs": `exports.up = (knex) => knex.schema.raw("CREATE INDEX users_email_idx ON users (email)");\nexports.down = (knex) => knex.schema.table("users", (t) => { t.dropIndex("users_email_idx"); });\n`,
      },
    );
    const { code, report } = await traced(dir, ["--command", "npx knex --knexfile knexfile.cjs migrate:latest", "--down-command", "npx knex --knexfile knexfile.cjs migrate:rollback"]);
    expect(code).toBe(1);
    expect(report.trace!.commands.map((c) => [c.phase, c.exitCode])).toEqual([["base", 0], ["change", 0], ["rollback", 1]]);
    expect(report.migrations[0]!.rollback).toMatchObject({ ok: false, error: { message: expect.stringContaining('index "users_users_email_idx_index" does not exist') } });
    expect(report.trace!.findings.map((f) => f.ruleId)).not.toContain("uncommitted-transaction");
  }, 120_000);

  it("a command that fails fails the test with its exit code and output; --command without a PostgreSQL server is a usage error", async () => {
    const dir = repository({ "knexfile.cjs": KNEXFILE, "migrations/.keep": "" }, { "migrations/20240301000000_broken.cjs": `exports.up = () => { throw new Error("boom in the migration"); };\nexports.down = async () => {};\n` });
    const { code, report } = await traced(dir, ["--command", "npx knex --knexfile knexfile.cjs migrate:latest"]);
    expect(code).toBe(1);
    expect(report.verdict.passed).toBe(false);
    expect(report.verdict.failures[0]).toBe("`npx knex --knexfile knexfile.cjs migrate:latest` exited with code 1 applying the change");
    expect(report.problems[0]!.message).toContain("boom in the migration");
    expect(report.gates.tested).toBe(false);

    const pglite = io(dir);
    expect(await main(["test", "--command", "true"], pglite)).toBe(2);
    expect(pglite.err.join("")).toContain("--command needs --database-url postgres://");
  }, 120_000);
});
