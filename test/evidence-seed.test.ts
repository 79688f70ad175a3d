// Generated data that cannot lie, on real engines: an extension-using base (PGlite loads the
// contrib extensions the history creates), a data guard only generated rows trip, a one-row
// table under a self-join, composite foreign keys and a reference cycle.
import { describe, expect, it } from "vitest";
import type { EvidenceReport } from "../src/core/evidence/report.js";
import { runFixture, PG_URL } from "./evidence-helpers.js";

function expectHonestSeeding(report: EvidenceReport): void {
  const seeded = Object.fromEntries(report.environment.seeded.map((s) => [s.table, s]));
  expect(seeded["public.settings"]).toEqual({ table: "public.settings", rows: 1, problem: "a CHECK constraint allows one row" });
  for (const t of ["public.legacy_notes", "public.tenants", "public.projects", "public.tasks", "public.authors", "public.books", "public.media"]) {
    expect(seeded[t], t).toMatchObject({ rows: 500 });
    expect(seeded[t]!.problem, t).toBeUndefined();
  }
}

for (const engine of [
  { name: "PGlite", url: undefined },
  { name: "PostgreSQL 15", url: PG_URL },
]) {
  describe(`generated data on ${engine.name}`, () => {
    it("builds a base that creates pgcrypto and uuid-ossp, seeds a singleton, composite keys and a cycle, and tells a guard only generated rows trip from a failure", async () => {
      const { report } = await runFixture("seeded", { url: engine.url, last: 2, probe: false });
      expect(report.environment.problems).toEqual([]);
      expectHonestSeeding(report);
      // The self-join ran on the one settings row, not on 500.
      const selfJoin = report.migrations[0]!.forward.statements.find((s) => s.sql.startsWith("UPDATE settings"))!;
      expect(selfJoin).toMatchObject({ ok: true, rowsAffected: 1 });
      const guard = report.migrations[1]!;
      expect(guard.generatedData).toMatchObject({
        where: expect.stringMatching(/^000003_move_thumbnails\.up\.sql:2$/),
        message: expect.stringContaining("unmigrated thumbnails remain"),
        values: [expect.stringMatching(/^public\.media: id=.*thumbnail_url=https:\/\/example\.com\/thumbnail_url\/\d+/)],
        passedWithout: true,
      });
      expect(guard.forward.ok).toBe(true);
      expect(report.verdict.failures).toEqual([]);
      expect(report.verdict.warnings).toEqual([
        expect.stringMatching(/^fails only with generated data: 000003_move_thumbnails\.up\.sql:2: .*unmigrated thumbnails remain.*it passes on the same schema without generated rows/),
        "rollback is lossy: pre-existing rows did not come back in public.legacy_notes",
      ]);
      // A table the change drops is not an untouched table that lost its rows.
      expect(report.validation.find((c) => c.name === "untouched tables keep their rows")).toMatchObject({ ok: true });
      expect(report.steps.find((s) => s.name === "partial-failure")!.durationMs).toBeGreaterThan(0);
      // Switched off here: a step that did not run says so, and why.
      expect(report.steps.find((s) => s.name === "probe")).toMatchObject({ status: "skipped", summary: expect.stringContaining("blocking probe not run (disabled)") });
      expect(report.rollback).toMatchObject({ ran: true, schemaDiff: [] });
      expect(report.steps.find((s) => s.name === "forward-again")).toMatchObject({ status: "passed" });
    }, 240_000);

    it("fills a reference cycle through NOT NULL columns in one statement (and its dependent table), and takes those rows out together for a run without generated rows", async () => {
      const { report } = await runFixture("not-null-cycle", { url: engine.url, last: 1, probe: false });
      expect(report.environment.seeded.map((s) => [s.table, s.rows, s.problem])).toEqual(
        expect.arrayContaining([
          ["public.teams", 500, undefined],
          ["public.members", 500, undefined],
          ["public.projects", 500, undefined],
        ]),
      );
      const m = report.migrations[0]!;
      expect(m.generatedData).toMatchObject({ passedWithout: true, message: expect.stringContaining("teams exist") });
      expect(m.forward.ok).toBe(true);
      expect(report.verdict.failures).toEqual([]);
    }, 240_000);

    it("names a missing extension as a limit of the test database, with the fix, not as a failure of the change", async () => {
      const { report } = await runFixture("needs-postgis", { url: engine.url, last: 1, probe: false });
      const run = report.migrations[0]!.forward;
      expect(run.error).toMatchObject({ cause: "environment", message: expect.stringContaining('needs the extension "postgis"') });
      expect(run.error!.message).toContain("--database-url");
      expect(report.verdict.failures).toEqual([expect.stringMatching(/^environment: 000002_geom\.up\.sql:1: the migration needs the extension "postgis"/)]);
      expect(report.migrations[0]!.generatedData).toBeUndefined();
    }, 240_000);
  });
}
