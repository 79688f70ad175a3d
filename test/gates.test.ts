// Pure gate logic: config validation, automatic gates from real engine reports + evidence,
// manual gates from sign-offs, the signed marker, authority decisions, commands, rendering.
import { describe, expect, it } from "vitest";
import { validateConfig } from "../src/core/config/load.js";
import { decideAuthority } from "../src/core/gates/authority.js";
import { parseGateCommands, resolveGate } from "../src/core/gates/commands.js";
import { GatesConfig, SignoffPolicy } from "../src/core/gates/config.js";
import { configuredGates } from "../src/core/gates/definitions.js";
import { evaluateAutoGates, evaluateGates } from "../src/core/gates/evaluate.js";
import { GateEvidence, type GateEvidenceInput } from "../src/core/gates/evidence.js";
import { parseCheckboxes, renderGatesCheck, renderStickyComment } from "../src/core/gates/render.js";
import { addSignoff, decodeMarker, emptyState, encodeMarker, removeSignoff, resetSignoffs, type GateState } from "../src/core/gates/state.js";
import { RECIPE_THRESHOLDS, resolveThresholds } from "../src/core/gates/thresholds.js";
import { analyzeFiles } from "./helpers/engine.js";

const SAFE = {
  "db/migrations/000001_orders.up.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, total numeric NOT NULL);\n",
  "db/migrations/000001_orders.down.sql": "DROP TABLE orders;\n",
};
const DROPS_COLUMN = {
  "db/migrations/000002_drop_note.up.sql": "SET lock_timeout = '2s';\nALTER TABLE orders DROP COLUMN note;\n",
  "db/migrations/000002_drop_note.down.sql": "ALTER TABLE orders ADD COLUMN note text;\n",
};

const passingEvidence = (over: Partial<GateEvidenceInput> = {}): GateEvidence =>
  GateEvidence.parse({
    url: "https://github.com/o/r/actions/runs/1",
    engine: "PostgreSQL 15.8",
    forward: { ok: true },
    statements: [{ migrationId: "m", durationMs: 12, lockWaitMs: 3, rowsAffected: 100 }],
    validation: { ok: true },
    rollback: { ran: true, ok: true, schemaDiffEmpty: true, forwardAgainOk: true },
    ...over,
  });

const gatesConfig = (raw: unknown = {}) => GatesConfig.parse(raw);
const byGate = (records: { gate: string; status: string; detail: string }[]) => Object.fromEntries(records.map((r) => [r.gate, r]));

describe("gates configuration", () => {
  it("defaults to all eight recipe gates, required, write permission, one sign-off, no self sign-off", () => {
    const gates = configuredGates(gatesConfig());
    expect(gates.map((g) => `${g.id}:${g.kind}:${g.required}`)).toEqual([
      "scripts-reviewed:automatic:true",
      "rollback-validated:automatic:true",
      "performance-acceptable:automatic:true",
      "data-integrity:automatic:true",
      "zero-data-loss:automatic:true",
      "app-compatibility:automatic:true",
      "monitoring-configured:manual:true",
      "runbook-reviewed:manual:true",
    ]);
    expect(gates[7]!.signoff).toEqual({ permission: "write", users: [], teams: [], count: 1, allow_author: false });
  });

  it("merges per-gate overrides and custom gates over the default policy", () => {
    const gates = configuredGates(
      gatesConfig({
        signoff: { teams: ["dba"] },
        per_gate: { "runbook-reviewed": { signoff: { count: 2 } } },
        custom: [{ id: "dba-approval", title: "DBA approved the window", signoff: { users: ["alice"], permission: "maintain" } }],
        required: ["scripts-reviewed", "runbook-reviewed", "dba-approval"],
      }),
    );
    const runbook = gates.find((g) => g.id === "runbook-reviewed")!;
    expect(runbook.signoff).toMatchObject({ teams: ["dba"], count: 2 });
    expect(gates.find((g) => g.id === "dba-approval")!.signoff).toMatchObject({ users: ["alice"], teams: ["dba"], permission: "maintain" });
    expect(gates.filter((g) => g.required).map((g) => g.id)).toEqual(["scripts-reviewed", "runbook-reviewed", "dba-approval"]);
  });

  it("reports unknown gate ids, overrides of automatic gates and duplicate custom gates with their paths", () => {
    const result = validateConfig({
      gates: {
        required: ["runbok-reviewed"],
        per_gate: { "zero-data-loss": { signoff: { count: 2 } } },
        custom: [{ id: "scripts-reviewed", title: "x" }, { id: "a", title: "a" }, { id: "a", title: "b" }],
      },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => `${p.path}: ${p.message.split(" (")[0]}`)).toEqual([
      "gates.required.0: unknown gate `runbok-reviewed`",
      "gates.per_gate.zero-data-loss: `zero-data-loss` is decided from evidence and cannot be signed off",
      "gates.custom.0.id: `scripts-reviewed` is a built-in gate id",
      "gates.custom.2.id: duplicate custom gate `a`",
    ]);
  });

  it("takes thresholds from gates:, then test:/thresholds:, then the Decision Matrix", () => {
    expect(resolveThresholds({})).toEqual(RECIPE_THRESHOLDS);
    const resolved = resolveThresholds({
      gates: { thresholds: { max_slowdown_percent: 20 } },
      test: { thresholds: { max_error_rate_percent: 0.5, max_slowdown_percent: 80, max_blocking_ms: 300 } },
      thresholds: { max_blocking_seconds: 3 },
    });
    expect(resolved).toMatchObject({ max_slowdown_percent: 20, max_error_rate_percent: 0.5, max_lock_wait_ms: 300, max_lock_hold_seconds: 3 });
  });
});

describe("automatic gates", () => {
  const input = async (files: Record<string, string>, evidence?: GateEvidence, extra: { prBody?: string; config?: object } = {}) => ({
    report: await analyzeFiles(files, { config: extra.config }),
    evidence,
    config: gatesConfig(),
    thresholds: RECIPE_THRESHOLDS,
    headSha: "a".repeat(40),
    prBody: extra.prBody,
  });

  it("stay pending without evidence, and never pass on static analysis alone", async () => {
    const gates = byGate(evaluateAutoGates(await input(SAFE)));
    expect(gates["scripts-reviewed"]).toMatchObject({ status: "pending" });
    expect(gates["rollback-validated"]).toMatchObject({ status: "pending" });
    expect(gates["data-integrity"]).toMatchObject({ status: "pending" });
    expect(gates["app-compatibility"]).toMatchObject({ status: "passed" });
  });

  it("all pass with a passing, trusted test report for the head commit, linking the evidence", async () => {
    const records = evaluateAutoGates(await input(SAFE, passingEvidence({ headSha: "a".repeat(40) })));
    expect(records.map((r) => r.status)).toEqual(["passed", "passed", "passed", "passed", "passed", "passed"]);
    expect(records[0]!.evidenceUrl).toBe("https://github.com/o/r/actions/runs/1");
  });

  it("ignore evidence that is untrusted or for another commit", async () => {
    const untrusted = byGate(evaluateAutoGates(await input(SAFE, passingEvidence({ trusted: false, untrustedReason: "the PR changed .github/workflows/migration-guard.yml" }))));
    expect(untrusted["rollback-validated"]!.status).toBe("pending");
    expect(untrusted["rollback-validated"]!.detail).toContain("changed .github/workflows/migration-guard.yml");
    const stale = byGate(evaluateAutoGates(await input(SAFE, passingEvidence({ headSha: "b".repeat(40) }))));
    expect(stale["scripts-reviewed"]!.detail).toContain("not the head");
  });

  it("take nothing from a report that applied no migration or missed an added one", async () => {
    const none = evaluateAutoGates(await input(SAFE, passingEvidence({ headSha: "a".repeat(40), testedMigrations: [] })));
    expect(none.filter((r) => r.status === "passed").map((r) => r.gate)).toEqual(["app-compatibility"]);
    expect(byGate(none)["rollback-validated"]!.detail).toBe("the test report applied no migration, so it proves nothing about this change");
    const other = byGate(evaluateAutoGates(await input(SAFE, passingEvidence({ testedMigrations: ["000009_other.up.sql"] }))));
    expect(other["data-integrity"]).toMatchObject({ status: "pending", detail: "the test report does not cover `db/migrations/000001_orders.up.sql`: waiting for a run that tests them" });
    const covered = evaluateAutoGates(await input(SAFE, passingEvidence({ testedMigrations: ["migrations/000001_orders.up.sql"] })));
    expect(covered.map((r) => r.status)).toEqual(["passed", "passed", "passed", "passed", "passed", "passed"]);
  });

  it("let a report from a run that did not succeed fail gates but never pass them", async () => {
    const failuresOnly = "the workflow run ended `failure`, so its report can fail gates but not pass them";
    const passing = byGate(evaluateAutoGates(await input(SAFE, passingEvidence({ failuresOnly }))));
    expect(passing["rollback-validated"]).toMatchObject({ status: "pending", detail: failuresOnly });
    expect(passing["scripts-reviewed"]).toMatchObject({ status: "pending", detail: `no finding at the fail level; ${failuresOnly}` });
    const failing = byGate(evaluateAutoGates(await input(SAFE, passingEvidence({ failuresOnly, forward: { ok: false, error: "relation \"x\" does not exist" } }))));
    expect(failing["scripts-reviewed"]).toMatchObject({ status: "failed" });
    expect(failing["scripts-reviewed"]!.detail).toContain('relation "x" does not exist');
  });

  it("fail on evidence beyond the Decision Matrix thresholds", async () => {
    const gates = byGate(
      evaluateAutoGates(
        await input(
          SAFE,
          passingEvidence({
            statements: [{ migrationId: "m", file: "db/migrations/000001_orders.up.sql", line: 1, durationMs: 5, lockWaitMs: 450 }],
            rows: { checked: 1000, failed: 20 },
            rollback: { ran: true, ok: true, schemaDiffEmpty: false, diff: ["added column public.orders.total"] },
            slowdownPercent: 75,
          }),
        ),
      ),
    );
    expect(gates["performance-acceptable"]).toMatchObject({ status: "failed" });
    expect(gates["performance-acceptable"]!.detail).toBe(
      "application queries waited 450 ms behind db/migrations/000001_orders.up.sql:1 (limit 200 ms); queries were 75% slower during the migration (limit 50%)",
    );
    expect(gates["data-integrity"]!.detail).toBe("20 of 1000 rows failed to migrate (2.00%, limit 1%)");
    expect(gates["rollback-validated"]!.detail).toBe("the schema after rollback differs from the schema before: added column public.orders.total");
  });

  it("fail zero-data-loss and compatibility on a DROP COLUMN, unless suppressed with a reason or planned", async () => {
    const dropped = byGate(evaluateAutoGates(await input(DROPS_COLUMN, passingEvidence())));
    expect(dropped["zero-data-loss"]!.status).toBe("failed");
    expect(dropped["zero-data-loss"]!.detail).toContain("`drop-column` at db/migrations/000002_drop_note.up.sql:2");
    expect(dropped["app-compatibility"]!.status).toBe("failed");
    const planned = byGate(evaluateAutoGates(await input(DROPS_COLUMN, passingEvidence(), { prBody: "Why\n\n## Expand–contract plan\n1. stop reading note\n" })));
    expect(planned["app-compatibility"]!.status).toBe("passed");
    const suppressed = {
      ...DROPS_COLUMN,
      "db/migrations/000002_drop_note.up.sql":
        "SET lock_timeout = '2s';\n-- migration-guard:ignore drop-column -- note was never written, confirmed empty\nALTER TABLE orders DROP COLUMN note;\n",
    };
    expect(byGate(evaluateAutoGates(await input(suppressed, passingEvidence())))["zero-data-loss"]!.status).toBe("passed");
  });

  it("fail rollback-validated when a migration has no rollback", async () => {
    const gates = byGate(evaluateAutoGates(await input({ "db/migrations/000001_orders.up.sql": SAFE["db/migrations/000001_orders.up.sql"] }, passingEvidence())));
    expect(gates["rollback-validated"]!.status).toBe("failed");
    expect(gates["rollback-validated"]!.detail).toContain("000001_orders");
  });
});

describe("manual gates and the conclusion", () => {
  const head = "c".repeat(40);
  const gates = configuredGates(gatesConfig({ per_gate: { "runbook-reviewed": { signoff: { count: 2 } } } }));
  const allAutoPassed = (state: GateState): GateState => ({
    ...state,
    auto: { headSha: head, gates: gates.filter((g) => g.kind === "automatic").map((g) => ({ gate: g.id, status: "passed" as const, detail: "ok" })) },
  });
  const sign = (state: GateState, gate: string, user: string, userId: number) =>
    addSignoff(state, { gate, user, userId, at: "2025-01-02T03:04:05Z", via: "comment" });

  it("pass only with enough distinct sign-offs; success only when every required gate passed", () => {
    let state = allAutoPassed(emptyState(7, head));
    expect(evaluateGates(gates, state, head).conclusion).toBe("pending");
    state = sign(state, "monitoring-configured", "alice", 1);
    state = sign(state, "runbook-reviewed", "alice", 1);
    state = sign(state, "runbook-reviewed", "alice", 1);
    const partial = evaluateGates(gates, state, head);
    expect(partial.gates.find((g) => g.id === "runbook-reviewed")).toMatchObject({ status: "pending", detail: "1 of 2 sign-offs" });
    state = sign(state, "runbook-reviewed", "bob", 2);
    const done = evaluateGates(gates, state, head);
    expect(done.conclusion).toBe("success");
    expect(renderGatesCheck(done)).toMatchObject({ conclusion: "success", title: "All 8 required gates passed" });
  });

  it("treat automatic results of another head commit as pending", () => {
    const state = allAutoPassed(emptyState(7, head));
    const summary = evaluateGates(gates, state, "d".repeat(40));
    expect(summary.gates[0]).toMatchObject({ status: "pending", detail: "waiting for the analysis of the head commit" });
  });

  it("fail the check when an enforced commit format fails", () => {
    let state = allAutoPassed(emptyState(7, head));
    state = sign(sign(sign(state, "monitoring-configured", "a", 1), "runbook-reviewed", "a", 1), "runbook-reviewed", "b", 2);
    state = { ...state, commitFormat: { headSha: head, ok: false, problems: 2, enforced: true } };
    expect(evaluateGates(gates, state, head).conclusion).toBe("failure");
    expect(evaluateGates(gates, { ...state, commitFormat: { ...state.commitFormat!, enforced: false } }, head).conclusion).toBe("success");
  });

  it("revoke and reset keep the audit trail", () => {
    let state = sign(emptyState(7, head), "runbook-reviewed", "alice", 1);
    state = removeSignoff(state, { gate: "runbook-reviewed", userId: 1, by: "alice", at: "2025-01-02T04:00:00Z", via: "comment" });
    state = sign(state, "monitoring-configured", "bob", 2);
    state = resetSignoffs(state, { at: "2025-01-02T05:00:00Z", by: "carol", reason: "push 1234567 changed migration files" });
    expect(state.signoffs).toEqual([]);
    expect(state.audit.map((a) => `${a.action}:${a.user}:${a.gate ?? ""}:${a.detail ?? ""}`)).toEqual([
      "sign-off:alice:runbook-reviewed:",
      "revoke:alice:runbook-reviewed:",
      "sign-off:bob:monitoring-configured:",
      "reset:carol::push 1234567 changed migration files; 1 sign-off cleared",
    ]);
  });
});

describe("state marker", () => {
  const state = addSignoff(emptyState(3, "e".repeat(40)), { gate: "runbook-reviewed", user: "alice", userId: 1, at: "2025-01-01T00:00:00Z", via: "comment", note: "read it" });

  it("round-trips and verifies its HMAC signature", () => {
    const marker = encodeMarker(state, "secret");
    expect(decodeMarker(`text\n${marker}\n`, "secret")).toEqual({ ok: true, state });
    expect(decodeMarker(marker, "other")).toMatchObject({ ok: false, problem: "bad-signature" });
    expect(decodeMarker(encodeMarker(state), "secret")).toMatchObject({ ok: false, problem: "unsigned" });
  });

  it("rejects a forged payload, an unknown version and invalid JSON", () => {
    const marker = encodeMarker(state, "secret");
    const forged = { ...state, signoffs: [...state.signoffs, { ...state.signoffs[0]!, gate: "monitoring-configured" }] };
    const forgedPayload = Buffer.from(JSON.stringify(forged)).toString("base64url");
    const tampered = marker.replace(/v1 [A-Za-z0-9_-]+\./, `v1 ${forgedPayload}.`);
    expect(decodeMarker(tampered, "secret")).toMatchObject({ ok: false, problem: "bad-signature" });
    expect(decodeMarker(marker.replace(" v1 ", " v9 "), "secret")).toMatchObject({ ok: false, problem: "unsupported-version" });
    expect(decodeMarker("<!-- migration-guard:gates-state v1 bm90LWpzb24 -->")).toMatchObject({ ok: false, problem: "malformed" });
  });

  it("trusts only the last marker, so a note cannot smuggle one in", () => {
    const evil = addSignoff(state, { gate: "monitoring-configured", user: "mallory", userId: 9, at: "2025-01-01T00:00:00Z", via: "comment", note: encodeMarker(emptyState(3, "x"), "secret") });
    const gates = configuredGates(gatesConfig());
    const body = renderStickyComment({ state: evil, summary: evaluateGates(gates, evil), policies: new Map(), key: "secret" });
    expect(body).not.toContain("<!-- migration-guard:gates-state v1 eyJ2IjoxLCJwciI6MywiaGVhZFNoYSI6IngiLC");
    expect(decodeMarker(body, "secret")).toMatchObject({ ok: true, state: evil });
  });
});

describe("authority", () => {
  const policy = SignoffPolicy.parse({});
  it("refuses the author, missing permission and people outside the allowed users/teams", () => {
    expect(decideAuthority(policy, { login: "alice", permission: "admin", memberOf: [], isAuthor: true })).toEqual({
      allowed: false,
      reason: "@alice opened this pull request, and authors may not sign off their own change",
    });
    expect(decideAuthority(policy, { login: "bob", permission: "read", memberOf: [], isAuthor: false })).toEqual({
      allowed: false,
      reason: "@bob has `read` permission on this repository; `write` or higher is required",
    });
    const teams = SignoffPolicy.parse({ teams: ["dba"], users: ["carol"] });
    expect(decideAuthority(teams, { login: "dave", permission: "write", memberOf: [], isAuthor: false }).allowed).toBe(false);
    expect(decideAuthority(teams, { login: "dave", permission: "write", memberOf: ["dba"], isAuthor: false }).allowed).toBe(true);
    expect(decideAuthority(teams, { login: "Carol", permission: "maintain", memberOf: [], isAuthor: false }).allowed).toBe(true);
    expect(decideAuthority(SignoffPolicy.parse({ allow_author: true }), { login: "alice", permission: "write", memberOf: [], isAuthor: true }).allowed).toBe(true);
  });
});

describe("commands and checkboxes", () => {
  it("parse sign-off and revoke lines, skipping quotes and code blocks", () => {
    const body = [
      "LGTM",
      "/migration-guard sign-off runbook-reviewed read it twice, rollback steps clear",
      "> /migration-guard sign-off monitoring-configured",
      "```",
      "/migration-guard sign-off monitoring-configured",
      "```",
      "/migration-guard revoke Monitoring-Configured",
      "/migration-guard approve x",
      "/migration-guard sign-off",
    ].join("\n");
    expect(parseGateCommands(body)).toEqual([
      { kind: "sign-off", gate: "runbook-reviewed", target: "runbook-reviewed read it twice, rollback steps clear", note: "read it twice, rollback steps clear", line: 2 },
      { kind: "revoke", gate: "monitoring-configured", target: "Monitoring-Configured", line: 7 },
      { kind: "invalid", problem: "unknown command `approve` (use `sign-off <gate> [note]` or `revoke <gate>`)", line: 8 },
      { kind: "invalid", problem: "`sign-off` needs a gate id, e.g. `/migration-guard sign-off runbook-reviewed`", line: 9 },
    ]);
  });

  it("name a gate by its id or its visible title, quoted or not, in any case; a typo gets did-you-mean", () => {
    const gates = configuredGates(gatesConfig());
    const resolve = (text: string) => {
      const r = resolveGate(text, gates);
      return r.ok ? `${r.gate.id}${r.note ? ` | ${r.note}` : ""}` : r.problem;
    };
    expect(resolve("runbook-reviewed")).toBe("runbook-reviewed");
    expect(resolve("RUNBOOK-REVIEWED looks fine")).toBe("runbook-reviewed | looks fine");
    expect(resolve("Runbook peer-reviewed")).toBe("runbook-reviewed");
    expect(resolve("runbook peer reviewed, steps are clear")).toBe("runbook-reviewed | steps are clear");
    expect(resolve('"Monitoring alerts configured" dashboards in place')).toBe("monitoring-configured | dashboards in place");
    expect(resolve("“monitoring alerts configured”")).toBe("monitoring-configured");
    expect(resolve("runbok-reviewed")).toMatch(/^there is no gate `runbok-reviewed`; did you mean `runbook-reviewed`\? gates: /);
    expect(resolve("Monitoring alerts configred")).toMatch(/did you mean `monitoring-configured`\?/);
    expect(resolve("approve-everything")).toMatch(/^there is no gate `approve-everything`; gates: `scripts-reviewed`/);
  });

  it("render the sticky comment exactly, and read its boxes back", () => {
    const gates = configuredGates(gatesConfig());
    const head = "f".repeat(40);
    let state: GateState = {
      ...emptyState(12, head),
      auto: {
        headSha: head,
        gates: [
          { gate: "scripts-reviewed", status: "passed", detail: "no finding at the fail level; every migration applied on PostgreSQL 15.8", evidenceUrl: "https://example.test/run/1" },
          { gate: "rollback-validated", status: "failed", detail: "no usable rollback for `db/1.up.sql` (missing)" },
        ],
      },
    };
    state = addSignoff(state, { gate: "runbook-reviewed", user: "alice", userId: 1, at: "2025-03-04T05:06:07Z", via: "checkbox", note: "a <b>note</b> | with pipe" });
    const summary = evaluateGates(gates, state, head);
    const policies = new Map(gates.filter((g) => g.signoff).map((g) => [g.id, g.signoff!]));
    const body = renderStickyComment({ state, summary, policies, owner: "octo", notices: ["@bob: there is no gate `x`"] });
    expect(body.replace(/<!-- migration-guard:gates-state [^>]+ -->/, "<!-- marker -->")).toMatchSnapshot();
    const boxes = parseCheckboxes(body);
    // Automatic gates have no box: nobody can tick them.
    expect(Object.fromEntries(boxes)).toEqual({
      "monitoring-configured": false,
      "runbook-reviewed": true,
    });
  });
});
