// `check` and `test` agree on how each migration tool runs a file: the ephemeral test applies a
// file exactly as the tool sends it, on real PostgreSQL 15 and on PGlite. golang-migrate sends a
// file as one query: one CONCURRENTLY statement alone runs outside any transaction block (and
// passes), two of them form one implicit transaction block, which PostgreSQL rejects (and fails).
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { analyzeFiles } from "./helpers/engine.js";
import { PG_URL, runFixture } from "./evidence-helpers.js";

const CREATE = "CREATE TABLE accounts (id bigint PRIMARY KEY, email text, region text);\n";
const dirs: string[] = [];

function history(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "mg-txn-"));
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const golang = (index: string) => ({
  "db/migrations/000001_create_accounts.up.sql": CREATE,
  "db/migrations/000001_create_accounts.down.sql": "DROP TABLE accounts;\n",
  "db/migrations/000002_index_accounts.up.sql": index,
  "db/migrations/000002_index_accounts.down.sql": "DROP INDEX IF EXISTS accounts_email_idx;\nDROP INDEX IF EXISTS accounts_region_idx;\n",
});
const TWO = "CREATE INDEX CONCURRENTLY accounts_email_idx ON accounts (email);\nCREATE INDEX CONCURRENTLY accounts_region_idx ON accounts (region);\n";
const ONE = "-- built online: golang-migrate sends this single statement on its own\nCREATE INDEX CONCURRENTLY accounts_email_idx ON accounts (email);\n";
const SET_THEN_ONE = "SET lock_timeout = '2s';\nCREATE INDEX CONCURRENTLY accounts_email_idx ON accounts (email);\n";

describe.each([
  ["PostgreSQL 15", PG_URL],
  ["PGlite", undefined],
] as const)("the ephemeral test on %s applies files as their tool runs them", (_engine, url) => {
  it("fails a golang-migrate file holding two CREATE INDEX CONCURRENTLY, as golang-migrate does, and check flags it too", async () => {
    const files = golang(TWO);
    const { report } = await runFixture(history(files), { url, last: 1, probe: false });
    const forward = report.migrations[0]!.forward;
    expect(forward.ok).toBe(false);
    expect(forward.error?.message).toMatch(/cannot run inside a transaction block/);
    expect(forward.note).toContain("one query of 2 statements");
    expect(report.verdict.passed).toBe(false);
    const check = await analyzeFiles(files);
    expect(check.migrations[1]!.findings.filter((f) => f.ruleId === "concurrently-in-transaction" && f.severity === "error")).toHaveLength(2);
  }, 300_000);

  it("passes a golang-migrate file holding one CREATE INDEX CONCURRENTLY, run outside any transaction block, and check agrees", async () => {
    const files = golang(ONE);
    const { report } = await runFixture(history(files), { url, last: 1, probe: false });
    const forward = report.migrations[0]!.forward;
    expect(forward).toMatchObject({ ok: true, execution: "per-statement" });
    expect(forward.statements).toMatchObject([{ ok: true, mode: "no-transaction", indexesBuilt: ["public.accounts_email_idx"] }]);
    const check = await analyzeFiles(files);
    expect(check.migrations[1]!.findings.filter((f) => f.severity === "error")).toEqual([]);
  }, 300_000);

  it("fails SET lock_timeout above a CONCURRENTLY statement in one golang-migrate file, and passes it with x-multi-statement (delivery: per-statement)", async () => {
    const files = golang(SET_THEN_ONE);
    const whole = await runFixture(history(files), { url, last: 1, probe: false });
    expect(whole.report.migrations[0]!.forward).toMatchObject({ ok: false, error: { message: expect.stringMatching(/cannot run inside a transaction block/) } });
    const split = await runFixture(history(files), { url, last: 1, probe: false, config: { delivery: "per-statement" } });
    expect(split.report.migrations[0]!.forward.ok).toBe(true);
    expect((await analyzeFiles(files, { config: { delivery: "per-statement" } })).migrations[1]!.findings.filter((f) => f.severity === "error")).toEqual([]);
  }, 300_000);

  it("does not run a Flyway script Flyway would refuse (mixed statements), and runs a lone CONCURRENTLY script without a transaction", async () => {
    const flyway = (v2: string) => ({ "db/migration/V1__create_accounts.sql": CREATE, "db/migration/V2__index_accounts.sql": v2 });
    const refused = await runFixture(history(flyway(SET_THEN_ONE)), { url, last: 1, probe: false });
    expect(refused.report.migrations[0]!.forward).toMatchObject({ ok: false, execution: "skipped", error: { message: expect.stringContaining("Flyway refuses this migration") } });
    const alone = await runFixture(history(flyway(ONE)), { url, last: 1, probe: false });
    expect(alone.report.migrations[0]!.forward).toMatchObject({ ok: true, statements: [{ mode: "no-transaction" }] });
  }, 300_000);
});
