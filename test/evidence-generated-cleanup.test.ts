// Taking generated rows away for the "fails only with generated data" retry when a migration of
// the change updated them first (their xmin is no longer the seeding's), seen on openmeter's
// history (BENCHMARKS.md, "Layouts on real repositories"): the cleanup used to stop at the
// parent table's foreign key and the test failed with the generated rows' failure. And a base
// migration PostgreSQL 15 runs but PGlite's PostgreSQL 18 refuses (an index whose predicate calls a
// function that calls an unqualified one: NVIDIA/ncx-infra-controller-core), said to be the version.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runFixture } from "./evidence-helpers.js";

describe("generated rows updated by the change (PGlite)", () => {
  it("are taken away with the rest, so a migration only they trip passes with the generated-data warning", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mg-cleanup-"));
    writeFileSync(join(dir, "000001_init.up.sql"), "CREATE TABLE accounts (id bigint PRIMARY KEY, name text NOT NULL);\nCREATE TABLE orders (id bigint PRIMARY KEY, account_id bigint NOT NULL REFERENCES accounts (id), note text);\n");
    writeFileSync(join(dir, "000001_init.down.sql"), "DROP TABLE orders;\nDROP TABLE accounts;\n");
    // Touches every generated order: their xmin is this migration's now.
    writeFileSync(join(dir, "000002_backfill_notes.up.sql"), "UPDATE orders SET note = 'imported' WHERE id > 0;\n");
    writeFileSync(join(dir, "000002_backfill_notes.down.sql"), "UPDATE orders SET note = NULL WHERE note = 'imported';\n");
    // Only generated rows break this guard (a real database here holds no account with id 0).
    writeFileSync(join(dir, "000003_guard.up.sql"), "ALTER TABLE accounts ADD CONSTRAINT accounts_id_positive CHECK (id > 1000000);\n");
    writeFileSync(join(dir, "000003_guard.down.sql"), "ALTER TABLE accounts DROP CONSTRAINT accounts_id_positive;\n");
    const { report } = await runFixture(dir, { last: 2, probe: false });
    const guard = report.migrations[1]!;
    expect(report.problems ?? []).toEqual([]);
    expect(guard.generatedData).toMatchObject({ message: expect.stringContaining("accounts_id_positive"), passedWithout: true });
    expect(guard.forward.ok).toBe(true);
    expect(report.verdict.failures).toEqual([]);
    expect(report.verdict.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/^fails only with generated data: 000003_guard\.up\.sql:1/)]));
  }, 60_000);
});

describe("an index build that needs the search_path PostgreSQL 17 took away (PGlite)", () => {
  it("is an environment problem naming the version difference and the fix, not a bare 'does not exist'", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mg-searchpath-"));
    writeFileSync(
      join(dir, "000001_init.up.sql"),
      "CREATE TABLE jobs (id int PRIMARY KEY);\nCREATE FUNCTION nil_id() RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT 0';\nCREATE FUNCTION is_real(i int) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT i <> nil_id()';\nCREATE INDEX jobs_real_idx ON jobs (id) WHERE is_real(id);\n",
    );
    writeFileSync(join(dir, "000001_init.down.sql"), "DROP TABLE jobs;\n");
    writeFileSync(join(dir, "000002_more.up.sql"), "ALTER TABLE jobs ADD COLUMN note text;\n");
    writeFileSync(join(dir, "000002_more.down.sql"), "ALTER TABLE jobs DROP COLUMN note;\n");
    const { report } = await runFixture(dir, { last: 1, probe: false });
    expect(report.environment.problems).toEqual([
      expect.objectContaining({
        where: expect.stringMatching(/^000001_init\.up\.sql:4$/),
        cause: "environment",
        message: expect.stringMatching(/function nil_id\(\) does not exist: since PostgreSQL 17 an index build .* search_path = pg_catalog, pg_temp.* PostgreSQL 15 \(postgres_version\) finds it/),
      }),
    ]);
  }, 60_000);
});
