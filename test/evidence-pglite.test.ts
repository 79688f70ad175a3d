// `migration-guard test` on embedded PGlite (the default engine): PostgreSQL 18 in-process.
import { describe, expect, it } from "vitest";
import { runFixture } from "./evidence-helpers.js";

describe("migration-guard test on PGlite", () => {
  it("runs a 5-migration change of the shop history end to end and says plainly that PGlite is not the production version", async () => {
    const { report, scratch } = await runFixture("shop", { last: 5 });
    expect(scratch.kind).toBe("pglite");
    expect(report.engine).toMatchObject({ kind: "pglite", majorVersion: 18, configuredVersion: "15" });
    expect(report.engine.versionWarning).toMatch(/^PGlite runs PostgreSQL 18\.\d+, but production is configured as PostgreSQL 15 \(postgres_version\)/);
    expect(report.engine.versionWarning).toContain("--database-url");
    expect(report.verdict).toEqual({ passed: true, failures: [], warnings: [] });
    expect(report.probe).toMatchObject({ enabled: false, reason: expect.stringContaining("single connection") });
    expect(report.rollback).toMatchObject({ ran: true, schemaDiff: [], lossy: false });
    const pf = report.migrations.map((m) => m.partialFailure!);
    expect(pf.filter((p) => p.method !== "skipped").every((p) => p.method === "rolled-back" && p.clean)).toBe(true);
    const addNote = report.migrations.flatMap((m) => m.forward.statements).find((s) => s.sql.startsWith("CREATE INDEX CONCURRENTLY"))!;
    expect(addNote).toMatchObject({ ok: true, mode: "no-transaction", indexesBuilt: ["public.orders_customer_placed_idx"] });
  }, 180_000);

  it("reports the schema drift of a down script that forgets an index, with the partial-failure step switched off in config", async () => {
    const { report } = await runFixture("risky", { last: 1, config: { test: { partial_failure: false } } });
    // 000004's down exists but drifts; with only it in the change, the drift is the whole story.
    expect(report.rollback.schemaDiff.map((d) => `${d.change} ${d.objectType} ${d.name}`)).toEqual(["added index public.ledger.ledger_booked_at_idx"]);
    expect(report.gates["rollback-validated"]).toBe(false);
    expect(report.settings.partialFailure).toBe(false);
    expect(report.steps.find((s) => s.name === "partial-failure")?.status).toBe("skipped");
  }, 180_000);
});
