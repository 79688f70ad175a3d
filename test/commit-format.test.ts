// The recipe's commit format: parsing, format problems, claims checked against the analysis and
// the test evidence, the generated message, and `migration-guard commit-check` on a real git repo.
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { checkCommitFormat } from "../src/core/commit-format/check.js";
import { CommitFormatConfig } from "../src/core/commit-format/config.js";
import { generateCommitMessage } from "../src/core/commit-format/generate.js";
import { parseCommitMessage } from "../src/core/commit-format/parse.js";
import { renderCommitFormatSection } from "../src/core/commit-format/render.js";
import { GateEvidence } from "../src/core/gates/evidence.js";
import { describeChanges } from "../src/core/runbook/changes.js";
import { analyzeFiles } from "./helpers/engine.js";

const config = CommitFormatConfig.parse({});
const UP = "SET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN status text;\nCREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);\n";
const FILES = {
  "db/migrations/000007_add_order_status.up.sql": UP,
  "db/migrations/000007_add_order_status.down.sql": "DROP INDEX CONCURRENTLY orders_status_idx;\nALTER TABLE orders DROP COLUMN status;\n",
};
const GOOD = `feat(SHOP-142): add order status

Migration: 000007
- Schema changes:
  - add column orders.status
  - index orders_status_idx
- Data transformations: none
- Performance impact: 40 ms on 10k rows, no blocking lock
- Rollback tested: Yes

Deployment window: Tuesday 06:00 UTC
`;
const rollbackPassed = GateEvidence.parse({ forward: { ok: true }, rollback: { ran: true, ok: true, schemaDiffEmpty: true } });

async function analysis() {
  const report = await analyzeFiles(FILES);
  return { report, changes: describeChanges(report, new Map(Object.entries(FILES))) };
}

describe("parsing", () => {
  it("reads the header and the fields, with nested lists as continuation", () => {
    const parsed = parseCommitMessage(GOOD);
    expect(parsed.header).toEqual({ type: "feat", scope: "SHOP-142", description: "add order status", raw: "feat(SHOP-142): add order status" });
    expect(parsed.fields.schema_changes).toEqual({ value: "add column orders.status\nindex orders_status_idx", line: 4 });
    expect(parsed.fields.rollback_tested).toEqual({ value: "Yes", line: 9 });
    expect(parsed.fields.deployment_window).toEqual({ value: "Tuesday 06:00 UTC", line: 11 });
  });
});

describe("checking", () => {
  it("accepts a complete message whose claims hold", async () => {
    const { report, changes } = await analysis();
    const result = checkCommitFormat([{ sha: "1".repeat(40), source: "commit", message: GOOD }], config, { report, changes, evidence: rollbackPassed });
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it("reports each format problem with the commit and what is wrong", () => {
    const message = "Add status column\n\nMigration: [Version number]\n- Rollback tested: No\n";
    const result = checkCommitFormat([{ sha: "abc1234def", source: "commit", message }], config);
    expect(result.problems.map((p) => `${p.sha}:${p.part}:${p.line}: ${p.message}`)).toEqual([
      "abc1234def:header:1: the subject must read `type(TICKET-ID): description`, e.g. `feat(DB-123): add orders.status`; found `Add status column`",
      "abc1234def:migration:3: `Migration:` is empty or still the template text",
      "abc1234def:schema_changes:1: `Schema changes:` is missing",
      "abc1234def:data_transformations:1: `Data transformations:` is missing",
      "abc1234def:performance_impact:1: `Performance impact:` is missing",
      "abc1234def:deployment_window:1: `Deployment window:` is missing",
      "abc1234def:rollback_tested:4: `Rollback tested: No`: a tested rollback is required (`Rollback tested: Yes`)",
    ]);
  });

  it("checks type, ticket pattern and subject length from the config", () => {
    const strict = CommitFormatConfig.parse({ types: ["feat"], ticket_pattern: "DB-\\d+", required_fields: [], max_subject_length: 30 });
    const result = checkCommitFormat([{ source: "pull_request", message: "fix(SHOP-1): a subject that is far too long for this" }], strict);
    expect(result.problems.map((p) => p.message)).toEqual([
      "type `fix` is not one of `feat`",
      "ticket id `SHOP-1` does not match `DB-\\d+`",
      "the subject is 52 characters long (limit 30)",
    ]);
  });

  it("flags claims the evidence does not back", async () => {
    const { report, changes } = await analysis();
    const claims = GOOD.replace("  - index orders_status_idx\n", "").replace("Migration: 000007", "Migration: 000006");
    const noEvidence = checkCommitFormat([{ sha: "2".repeat(40), source: "commit", message: claims }], config, { report, changes });
    expect(noEvidence.problems.map((p) => `${p.part}: ${p.message}`)).toEqual([
      "rollback_tested: claims `Rollback tested: Yes` but there is no test report for this commit",
      "schema_changes: `Schema changes:` does not mention what the migrations change: create index orders_status_idx on orders (status) concurrently",
      "migration: `Migration: 000006` names none of this change's migrations (7)",
    ]);
    const failedRollback = GateEvidence.parse({ forward: { ok: true }, rollback: { ran: true, ok: true, schemaDiffEmpty: false } });
    const result = checkCommitFormat([{ source: "commit", message: GOOD }], config, { report, changes, evidence: failedRollback });
    expect(result.problems.map((p) => p.message)).toEqual(["claims `Rollback tested: Yes` but the schema after rollback differs from before"]);
  });

  it("renders the review section with the problems and a suggested message", async () => {
    const { report, changes } = await analysis();
    const result = checkCommitFormat([{ sha: "abcdef1234567890", source: "commit", message: "wip" }], CommitFormatConfig.parse({ required_fields: ["rollback_tested"] }));
    const suggestion = generateCommitMessage(report, config, { changes, ticket: "SHOP-142" });
    expect(renderCommitFormatSection(result, suggestion)).toMatchSnapshot();
  });
});

describe("generated message", () => {
  it("fills schema changes, performance and rollback status from the analysis and evidence", async () => {
    const { report, changes } = await analysis();
    const evidence = GateEvidence.parse({
      engine: "PostgreSQL 15.8",
      forward: { ok: true },
      statements: [
        { migrationId: "m", durationMs: 12.4, lockWaitMs: 3 },
        { migrationId: "m", durationMs: 30.2, lockWaitMs: 9.6 },
      ],
      rollback: { ran: true, ok: true, schemaDiffEmpty: true },
    });
    const message = generateCommitMessage(report, config, { changes, evidence });
    expect(message).toBe(`feat(TICKET-ID): add order status

Migration: 7
- Schema changes:
  - add column orders.status (text)
  - create index orders_status_idx on orders (status) concurrently
- Data transformations: none
- Performance impact: measured 43 ms in total, longest lock wait 10 ms (PostgreSQL 15.8, seed data); ACCESS EXCLUSIVE lock on orders
- Rollback tested: Yes

Deployment window: [planned low-traffic window: this change blocks traffic]
`);
    // The generated message passes the format check except for the blanks left for a person.
    const check = checkCommitFormat([{ source: "commit", message }], config, { report, changes, evidence });
    expect(check.problems.map((p) => p.part)).toEqual(["header", "deployment_window"]);
  });
});

describe("migration-guard commit-check", () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const git = (cwd: string, ...args: string[]) =>
    execFileSync("git", args, { cwd, encoding: "utf8", env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@e", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@e" } });
  const run = async (cwd: string, args: string[]) => {
    const { code, stdout: out, stderr: err } = await runCli(cwd, ["commit-check", ...args]);
    return { code, out, err };
  };

  it("checks only the commits since the base that touch migrations, naming each SHA", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mg-commit-"));
    dirs.push(dir);
    git(dir, "init", "-q", "-b", "main");
    writeFileSync(join(dir, "README.md"), "app\n");
    git(dir, "add", ".");
    git(dir, "commit", "-q", "-m", "initial");
    git(dir, "checkout", "-q", "-b", "feature");
    mkdirSync(join(dir, "db/migrations"), { recursive: true });
    for (const [path, text] of Object.entries(FILES)) writeFileSync(join(dir, path), text);
    git(dir, "add", ".");
    git(dir, "commit", "-q", "-m", "add status column");
    writeFileSync(join(dir, "README.md"), "app, docs\n");
    git(dir, "commit", "-q", "-am", "docs only: not checked");
    const bad = git(dir, "rev-parse", "HEAD~1").trim();
    const result = await run(dir, ["--base", "main"]);
    expect(result.code).toBe(1);
    expect(result.out.split("\n")[0]).toBe(`FAIL ${bad.slice(0, 7)} add status column`);
    expect(result.out).toContain(`${bad.slice(0, 7)}:1 subject: the subject must read`);
    expect(result.out).not.toContain("docs only");
    expect(result.out).toContain("1 of 1 messages do not follow the format");

    writeFileSync(join(dir, "MSG"), GOOD.replace("- Rollback tested: Yes", "- Rollback tested: Yes") + "# comment lines are dropped\n");
    const hook = await run(dir, ["--message-file", "MSG"]);
    expect(hook.out).toContain("claims `Rollback tested: Yes` but there is no test report for this commit");
    expect(hook.code).toBe(1);

    const suggest = await run(dir, ["--suggest"]);
    expect(suggest.code).toBe(0);
    expect(suggest.out).toContain("- Schema changes:\n  - add column orders.status (text)");
  });

  it("says what is wrong with a bad invocation (exit 2)", async () => {
    const r = await run(tmpdir(), []);
    expect(r.code).toBe(2);
    expect(r.err).toContain("give --base <ref>, --message-file <file> or --suggest");
  });
});
