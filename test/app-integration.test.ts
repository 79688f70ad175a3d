// The App's integration with the other modules: table statistics from `stats_file` on the
// default branch feed the risk model; the changed migrations' text reaches the section providers
// (runbook, commit-format claims). Real Probot, real webhook payloads, nock for GitHub.
import nock from "nock";
import { describe, expect, it } from "vitest";
import { offlineGitHub } from "./helpers/nock.js";
import { sectionProviders, type SectionInput } from "../src/app/sections.js";
import { API, OWNER, REPO, mockGitHub, pullRequestPayload, scenario, type Scenario } from "./fixtures/github/scenario.js";
import { testApp } from "./fixtures/github/probot.js";

// Gates and commit format need API calls of their own (tested in gates-github.test.ts); the
// runbook section they provide is rendered either way.
const CONFIG = "transaction: none\ndelivery: per-statement\ngates:\n  enabled: false\ncommit_format:\n  enabled: false\n";
const WITH_STATS = `${CONFIG}stats_file: db/stats.json\n`;
const ORDERS_UP = "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint);\n";
const ORDERS_DOWN = "DROP TABLE orders;\n";
const INDEX_UP = "SET lock_timeout = '2s';\nCREATE INDEX orders_customer_idx ON orders (customer_id);\n";
const INDEX_DOWN = "DROP INDEX orders_customer_idx;\n";

function indexScenario(): Scenario {
  return scenario({
    base: {
      "db/migrations/20240101000000_create_orders.up.sql": ORDERS_UP,
      "db/migrations/20240101000000_create_orders.down.sql": ORDERS_DOWN,
    },
    changes: {
      "db/migrations/20240201000000_index_orders.up.sql": INDEX_UP,
      "db/migrations/20240201000000_index_orders.down.sql": INDEX_DOWN,
    },
  });
}

function statsFile(rows: number): Record<string, unknown> {
  return {
    format: "migration-guard-stats",
    version: 1,
    dialect: "postgres",
    tables: [{ schema: "public", name: "orders", rows, table_bytes: rows * 120, index_bytes: rows * 24, indexes: [{ name: "orders_pkey", bytes: rows * 24, unique: true, primary: true }] }],
  };
}

/** The stats file as GitHub's contents API serves it raw, from the default branch only. */
function serveStats(body: string | undefined, ref = "master"): nock.Scope {
  const scope = nock(API).get(`/repos/${OWNER}/${REPO}/contents/db%2Fstats.json`).query({ ref });
  return body === undefined ? scope.reply(404, { message: "Not Found" }) : scope.reply(200, body, { "content-type": "text/plain; charset=utf-8" });
}

offlineGitHub();

const review = (writes: { reviews: Record<string, any>[] }) => String(writes.reviews[0]?.body ?? "");
const checkRun = (writes: { checkRuns: Record<string, any>[] }) => writes.checkRuns[0]!;

describe("table statistics from stats_file", () => {
  it("reads the file from the default branch and feeds the risk model", async () => {
    const s = indexScenario();
    const { reads, writes } = mockGitHub(s, { config: WITH_STATS, readsChange: true });
    const stats = serveStats(JSON.stringify(statsFile(80_000_000)));
    const app = await testApp();
    await app.receive("pull_request", pullRequestPayload(s, "opened"));

    expect(reads.pendingMocks()).toEqual([]);
    expect(stats.isDone()).toBe(true);
    expect(checkRun(writes)).toMatchObject({ conclusion: "failure", external_id: "mg1 pr=2 outcome=done base=master" });
    const summary = String(checkRun(writes).output.summary);
    expect(summary).toContain("| `db/migrations/20240201000000_index_orders.up.sql` | 🔴 critical | `orders` SHARE (blocks writes, ~3 min) |");
    expect(summary).toContain("Creating an index on `orders` (80,000,000 rows) without CONCURRENTLY blocks all writes");
    expect(review(writes)).toContain("highest risk 🔴 **critical**");
  });

  it("reads nothing when stats_file is not set, and the risk model says the size is unknown", async () => {
    const s = indexScenario();
    const { reads, writes } = mockGitHub(s, { config: CONFIG, readsChange: true });
    const app = await testApp();
    await app.receive("pull_request", pullRequestPayload(s, "opened"));

    // Any request for a statistics file would have no interceptor and fail the review.
    expect(reads.pendingMocks()).toEqual([]);
    expect(checkRun(writes).conclusion).toBe("failure");
    const summary = String(checkRun(writes).output.summary);
    expect(summary).not.toContain("80,000,000");
    expect(summary).not.toContain("🔴 critical");
  });

  it("turns an invalid file into an action_required check run listing each problem, and posts no review", async () => {
    const s = indexScenario();
    const bad = statsFile(10);
    const table = (bad.tables as Record<string, unknown>[])[0]!;
    table.rows = "many";
    delete table.table_bytes;
    const { reads, writes } = mockGitHub(s, { config: WITH_STATS, readsChange: true });
    serveStats(JSON.stringify(bad));
    const app = await testApp();
    await app.receive("pull_request", pullRequestPayload(s, "opened"));

    expect(reads.pendingMocks()).toEqual([]);
    expect(writes.reviews).toEqual([]);
    expect(writes.checkRuns).toHaveLength(1);
    expect(checkRun(writes)).toMatchObject({
      name: "migration-guard",
      head_sha: s.headSha,
      status: "completed",
      conclusion: "action_required",
      external_id: "mg1 pr=2 outcome=config-error base=master",
      details_url: `https://github.com/${OWNER}/${REPO}/blob/master/db/stats.json`,
    });
    expect(checkRun(writes).output.title).toBe("Invalid statistics file: 2 problems");
    expect(checkRun(writes).output.summary).toMatchInlineSnapshot(`
      "\`db/stats.json\` (default branch \`master\`) is named by \`stats_file\` but is not a valid statistics file, so no migration was analyzed: the risk of each lock depends on these numbers. Regenerate it with the query \`migration-guard stats-query\` prints.

      - \`tables.0.rows\`: Invalid input: expected number, received string
      - \`tables.0.table_bytes\`: Invalid input: expected number, received undefined

      Fix the file on the default branch, then re-run this check."
    `);
    expect(app.logs.some((l) => l.level >= 50)).toBe(false);
  });

  it("says so when the file is missing on the default branch, or leaves the repository", async () => {
    const s = indexScenario();
    const first = mockGitHub(s, { config: WITH_STATS, readsChange: true });
    serveStats(undefined);
    const app = await testApp();
    await app.receive("pull_request", pullRequestPayload(s, "opened"));
    expect(first.reads.pendingMocks()).toEqual([]);
    expect(checkRun(first.writes).conclusion).toBe("action_required");
    expect(checkRun(first.writes).output.summary).toContain("- `stats_file`: `db/stats.json` does not exist on the default branch `master`");
    nock.cleanAll();

    const second = mockGitHub(s, { config: `${CONFIG}stats_file: ../secrets/stats.json\n`, readsChange: true, tokenAuth: true });
    await app.receive("pull_request", pullRequestPayload(s, "opened"));
    // Same base commit as the first delivery: its tree is not listed again.
    expect(second.reads.pendingMocks()).toEqual([expect.stringContaining("/git/trees/")]);
    expect(checkRun(second.writes).conclusion).toBe("action_required");
    expect(checkRun(second.writes).output.summary).toContain("- `stats_file`: `../secrets/stats.json` leaves the repository; name a file relative to the repository root");
  });

  it("refuses statistics exported from another database engine", async () => {
    const s = indexScenario();
    const { writes } = mockGitHub(s, { config: WITH_STATS, readsChange: true });
    serveStats(JSON.stringify({ ...statsFile(10), dialect: "mysql" }));
    const app = await testApp();
    await app.receive("pull_request", pullRequestPayload(s, "opened"));
    expect(checkRun(writes).conclusion).toBe("action_required");
    expect(checkRun(writes).output.summary).toContain("- `dialect`: statistics exported from mysql, but the configuration's dialect is postgres");
  });
});

describe("section providers get the changed migrations' text", () => {
  it("passes sources, so the runbook names the statements", async () => {
    const seen: SectionInput[] = [];
    const spy = async (input: SectionInput) => (seen.push(input), {});
    sectionProviders.unshift(spy);
    try {
      const s = indexScenario();
      const { writes } = mockGitHub(s, { config: CONFIG, readsChange: true });
      const app = await testApp();
      await app.receive("pull_request", pullRequestPayload(s, "opened"));

      expect(seen).toHaveLength(1);
      expect(Object.fromEntries(seen[0]!.sources!)).toEqual({
        "db/migrations/20240201000000_index_orders.up.sql": INDEX_UP,
        "db/migrations/20240201000000_index_orders.down.sql": INDEX_DOWN,
      });
      // The gates module's runbook, built from those statements (without them it lists "none"),
      // is posted in the check run (the review links to it).
      const posted = JSON.stringify(writes);
      expect(posted).toContain("create index orders_customer_idx on orders (customer_id)");
      expect(posted).toContain("SELECT 'orders_customer_idx' AS object, to_regclass('orders_customer_idx') IS NOT NULL AS present;");
    } finally {
      sectionProviders.splice(sectionProviders.indexOf(spy), 1);
    }
  });
});
