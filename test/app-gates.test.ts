// The review with the quality gates and the commit-format check on (the default), driven through
// the real app: the gates' reads (sticky comment, `migration-guard/gates` run, commits) come from
// the review's one GraphQL state query, so a delivery costs the review's reads plus the writes
// the gates really need. Every request that reaches "GitHub" is recorded and asserted exactly.
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { decodeMarker } from "../src/core/gates/state.js";
import { API, listedFiles, mockGitHub, OWNER, pullRequestPayload, REPO, scenario, type Scenario, type StateOptions } from "./fixtures/github/scenario.js";
import { testApp } from "./fixtures/github/probot.js";

// Gates and commit format are on by default; only the transaction rule is quieted.
const CONFIG = "transaction: none\n";
const repo = `/repos/${OWNER}/${REPO}`;
const NEXT_SHA = "1111111111111111111111111111111111111111";

const COMMIT_MESSAGE = [
  "feat(DB-1234): index orders by customer",
  "",
  "Migration: 20240201000000 on orders",
  "Schema changes: an index",
  "Data transformations: none",
  "Performance impact: see the migration-guard review",
  "Rollback tested: No",
  "Deployment window: low traffic",
].join("\n");

function indexScenario(extra: Partial<Scenario> = {}): Scenario {
  return scenario({
    base: { "db/migrations/20240101000000_create_orders.up.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint);\n" },
    changes: {
      "db/migrations/20240201000000_index_orders.up.sql": "SET lock_timeout = '2s';\nCREATE INDEX orders_customer_idx ON orders (customer_id);\n",
      "db/migrations/20240201000000_index_orders.down.sql": "DROP INDEX orders_customer_idx;\n",
    },
    ...extra,
  });
}

interface Sent {
  method: string;
  path: string;
  body?: any;
}

/** Every request the app sends, in order (Octokit calls fetch; nock answers behind it). */
function recordRequests(): { sent: Sent[]; restore: () => void } {
  const sent: Sent[] = [];
  const original = globalThis.fetch;
  globalThis.fetch = async (input: any, init?: any) => {
    const url = new URL(typeof input === "string" || input instanceof URL ? String(input) : input.url);
    const body = typeof init?.body === "string" ? JSON.parse(init.body) : undefined;
    const name = url.pathname === "/graphql" ? ` ${/^(query|mutation) (\w+)/.exec(body?.query ?? "")?.[2] ?? "?"}` : "";
    sent.push({ method: init?.method ?? "GET", path: `${url.pathname}${name}`, body });
    return original(input, init);
  };
  return { sent, restore: () => void (globalThis.fetch = original) };
}

/** The gates' writes: sticky comment created or updated, in a persistent, recording mock. */
function mockGateWrites(stickyId = 7001) {
  const posted: any[] = [];
  const updated: any[] = [];
  nock(API)
    .post(`${repo}/issues/2/comments`, (body) => (posted.push(body), true))
    .reply(201, (_uri: string, body: any) => ({ id: stickyId, body: body.body, html_url: `https://github.com/${OWNER}/${REPO}/pull/2#issuecomment-${stickyId}`, user: { login: "migration-guard[bot]", type: "Bot" } }))
    .persist();
  nock(API)
    .patch(new RegExp(`${repo}/issues/comments/\\d+$`), (body) => (updated.push(body), true))
    .reply(200, (uri: string, body: any) => ({ id: Number(uri.split("/").at(-1)), body: body.body, html_url: `https://github.com/${OWNER}/${REPO}/pull/2#issuecomment-${uri.split("/").at(-1)}` }))
    .persist();
  return { posted, updated };
}

let recorder: ReturnType<typeof recordRequests>;
beforeEach(() => {
  nock.disableNetConnect();
  recorder = recordRequests();
});
afterEach(() => {
  recorder.restore();
  nock.cleanAll();
  nock.enableNetConnect();
});

async function deliver(s: Scenario, state: StateOptions, action = "opened", extra: Record<string, unknown> = {}) {
  const github = mockGitHub(s, { config: CONFIG, readsChange: true, state });
  const gates = mockGateWrites();
  const app = await testApp();
  await app.receive("pull_request", pullRequestPayload(s, action, extra));
  return { ...github, gates, app };
}

const calls = () => recorder.sent.filter((r) => !r.path.endsWith("/access_tokens")).map((r) => `${r.method} ${r.path}`);

describe("a review with the quality gates on", () => {
  it("costs the review's four reads and four writes, nothing more (first delivery of a PR)", async () => {
    const s = indexScenario();
    const { reads, writes, gates, app } = await deliver(s, { commits: [{ oid: s.headSha, message: COMMIT_MESSAGE }] });

    expect(reads.pendingMocks()).toEqual([]);
    expect(calls().sort()).toEqual(
      [
        `GET ${repo}/contents/.github%2Fmigration-guard.yml`,
        "POST /graphql MigrationGuardState",
        `GET ${repo}/pulls/2/files`,
        `GET ${repo}/git/trees/${s.baseSha}`,
        // the gates: sticky comment created, `migration-guard/gates` run created
        `POST ${repo}/issues/2/comments`,
        `POST ${repo}/check-runs`,
        // the review: check run, then the review
        `POST ${repo}/check-runs`,
        `POST ${repo}/pulls/2/reviews`,
      ].sort(),
    );
    expect(app.logs.find((l) => l.outcome === "reviewed")!.apiCalls).toBe(8);

    // What the gates wrote is complete: the sticky comment holds the state, the gates run its sequence number.
    expect(gates.posted).toHaveLength(1);
    expect(decodeMarker(gates.posted[0].body).ok).toBe(true);
    const gatesRun = writes.checkRuns.find((r) => r.name === "migration-guard/gates")!;
    expect(gatesRun).toMatchObject({ head_sha: s.headSha, external_id: "migration-guard-gates:seq=1" });
    // The commit-format check read the commit's message from the state query and its files from the listing.
    const review = writes.reviews[0]!;
    expect(review.body).toContain("### Quality gates");
    expect(review.body).toMatch(/Commit format[\s\S]*✅/);
  });

  it("on the next push, finds its sticky comment and gates run in the state query and updates them in place", async () => {
    const first = indexScenario();
    const { gates: firstGates } = await deliver(first, { commits: [{ oid: first.headSha, message: COMMIT_MESSAGE }] });
    const stickyBody = firstGates.posted[0].body as string;
    nock.cleanAll();
    recorder.sent.length = 0;

    const s = indexScenario({ headSha: NEXT_SHA });
    // Two commits: which of them changed migrations costs one call each (the listing covers the whole PR only).
    const commitFiles = { files: listedFiles(s).map((f) => ({ filename: f.filename })) };
    const commitReads = nock(API)
      .get(`${repo}/commits/${first.headSha}`)
      .query(true)
      .reply(200, commitFiles)
      .get(`${repo}/commits/${NEXT_SHA}`)
      .query(true)
      .reply(200, { files: [{ filename: "README.md" }] });
    const { reads, writes, gates } = await deliver(
      s,
      {
        commits: [
          { oid: first.headSha, message: COMMIT_MESSAGE },
          { oid: NEXT_SHA, message: "fix: typo in the README" },
        ],
        comments: [
          { databaseId: 6001, body: "Looks good to me", viewerDidAuthor: false },
          // A user's copy of the sticky comment is never taken for ours.
          { databaseId: 6002, body: stickyBody, viewerDidAuthor: false },
          { databaseId: 7001, body: stickyBody, viewerDidAuthor: true },
        ],
        // A sign-off command handled before this review already created the gates run of the new head.
        gatesRuns: [{ databaseId: 9001, externalId: "migration-guard-gates:seq=1" }],
      },
      "synchronize",
      { before: first.headSha, after: NEXT_SHA },
    );

    expect(reads.pendingMocks()).toEqual([]);
    expect(commitReads.pendingMocks()).toEqual([]);
    expect(calls().sort()).toEqual(
      [
        `GET ${repo}/contents/.github%2Fmigration-guard.yml`,
        "POST /graphql MigrationGuardState",
        `GET ${repo}/pulls/2/files`,
        `GET ${repo}/git/trees/${s.baseSha}`,
        `GET ${repo}/commits/${first.headSha}`,
        `GET ${repo}/commits/${NEXT_SHA}`,
        `PATCH ${repo}/issues/comments/7001`,
        `PATCH ${repo}/check-runs/9001`,
        `POST ${repo}/check-runs`,
        `POST ${repo}/pulls/2/reviews`,
      ].sort(),
    );
    expect(gates.posted).toEqual([]);
    expect(gates.updated).toHaveLength(1);
    expect(writes.checkRunUpdates).toEqual([expect.objectContaining({ external_id: "migration-guard-gates:seq=2" })]);
    expect(decodeMarker(gates.updated[0].body).ok).toBe(true);
  });

  it("searches the comments through REST when the sticky comment may be past the first page", async () => {
    const s = indexScenario();
    const listed = nock(API)
      .get(`${repo}/issues/2/comments`)
      .query(true)
      .reply(200, [{ id: 5, body: "hello", user: { login: "Codertocat", type: "User" } }]);
    const { reads, gates } = await deliver(s, { commits: [{ oid: s.headSha, message: COMMIT_MESSAGE }], comments: [{ databaseId: 5, body: "hello", viewerDidAuthor: false }], moreComments: true });
    expect(reads.pendingMocks()).toEqual([]);
    expect(listed.pendingMocks()).toEqual([]);
    expect(calls()).toContain(`GET ${repo}/issues/2/comments`);
    expect(gates.posted).toHaveLength(1);
  });
});
