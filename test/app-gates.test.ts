// The review with the quality gates and the commit-format check on (the default), driven through
// the real app: the gates' reads (sticky comment, `migration-guard/gates` run, commits) come from
// the review's one GraphQL state query, and their two writes go out with the main check run as
// one GraphQL request of aliased mutations (src/github/write-batch.ts). Every request that
// reaches "GitHub" is recorded and asserted exactly.
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { offlineGitHub } from "./helpers/nock.js";
import { decodeMarker } from "../src/core/gates/state.js";
import {
  API,
  answerWriteBatch,
  batchedMutations,
  listedFiles,
  mockGitHub,
  OWNER,
  PULL_REQUEST_NODE_ID,
  pullRequestPayload,
  REPO,
  REPOSITORY_NODE_ID,
  scenario,
  type Scenario,
  type StateOptions,
} from "./fixtures/github/scenario.js";
import { testApp } from "./fixtures/github/probot.js";

// Gates and commit format are on by default; only the transaction rule is quieted.
const CONFIG = "transaction: none\ndelivery: per-statement\n";
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
      "db/migrations/20240201000000_index_orders.down.sql": "DROP INDEX CONCURRENTLY orders_customer_idx;\n",
    },
    ...extra,
  });
}

/** The PR's one commit: the head, with a message in the commit format. */
const headCommit = (s: Scenario): StateOptions => ({ commits: [{ oid: s.headSha, message: COMMIT_MESSAGE }] });

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

let recorder: ReturnType<typeof recordRequests>;
offlineGitHub();
beforeEach(() => {
  recorder = recordRequests();
});
afterEach(() => {
  recorder.restore();
});

async function deliver(s: Scenario, state: StateOptions, action = "opened", extra: Record<string, unknown> = {}) {
  const github = mockGitHub(s, { config: CONFIG, readsChange: true, state });
  const app = await testApp();
  await app.receive("pull_request", pullRequestPayload(s, action, extra));
  return { ...github, app };
}

const PR_URL = `https://github.com/${OWNER}/${REPO}/pull/2`;
/** The annotation of the scenario's one finding, as GraphQL's `CheckAnnotationData`. */
const INDEX_ANNOTATION = {
  path: "db/migrations/20240201000000_index_orders.up.sql",
  location: { startLine: 2, endLine: 2, startColumn: 1, endColumn: 56 },
  annotationLevel: "FAILURE",
  title: "require-concurrent-index (error)",
  message: [
    "Creating an index on orders without CONCURRENTLY blocks all writes to it until the build finishes.",
    "Takes SHARE on orders: blocks writes (INSERT, UPDATE, DELETE); reads continue.",
    "Fix: Build the index concurrently",
    "Docs: https://github.com/migration-guard/migration-guard/blob/main/docs/rules/require-concurrent-index.md",
  ].join("\n"),
  rawDetails: [
    "Build the index concurrently (line 2):",
    "- CREATE INDEX orders_customer_idx ON orders (customer_id);",
    "+ CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);",
  ].join("\n"),
};
const GATES_TITLE =
  "1/8 gates passed; failed: Migration scripts reviewed and tested; 6 waiting";
const GATES_WITHOUT_LINK = "Sign off with `/migration-guard sign-off <gate> [note]` in a comment on the pull request.";

const calls = () => recorder.sent.filter((r) => !r.path.endsWith("/access_tokens")).map((r) => `${r.method} ${r.path}`);

describe("a review with the quality gates on", () => {
  it("costs the review's four reads, one request for the three independent writes, and the review (first delivery of a PR)", async () => {
    const s = indexScenario();
    const { reads, writes, app } = await deliver(s, headCommit(s));

    expect(reads.pendingMocks()).toEqual([]);
    expect(calls().sort()).toEqual(
      [
        `GET ${repo}/contents/.github%2Fmigration-guard.yml`,
        "POST /graphql MigrationGuardState",
        `GET ${repo}/pulls/2/files`,
        `GET ${repo}/git/trees/${s.baseSha}`,
        // the merged migration, for schema context (once per app process: cached by blob SHA)
        "POST /graphql MigrationGuardBlobs",
        // the gates' sticky comment and `migration-guard/gates` run, and the main check run: one request
        "POST /graphql MigrationGuardWrites",
        // the review, which links to the check run
        `POST ${repo}/pulls/2/reviews`,
      ].sort(),
    );
    expect(app.logs.find((l) => l.outcome === "reviewed")!.apiCalls).toBe(7);
    expect(writes.checkRuns).toEqual([]);
    expect(writes.checkRunUpdates).toEqual([]);

    expect(writes.batches).toHaveLength(1);
    const batch = writes.batches[0]!;
    expect(batch.query).toBe(
      [
        "mutation MigrationGuardWrites($i0: AddCommentInput!, $i1: CreateCheckRunInput!, $i2: CreateCheckRunInput!) {",
        "  m0: addComment(input: $i0) { commentEdge { node { id databaseId url } } }",
        "  m1: createCheckRun(input: $i1) { checkRun { id databaseId url } }",
        "  m2: createCheckRun(input: $i2) { checkRun { id databaseId url } }",
        "}",
      ].join("\n"),
    );
    const [sticky, gatesRun, mainRun] = batchedMutations(batch).map((m) => m.input);
    // The sticky comment, new on the pull request's node, holds the signed state.
    expect(sticky).toEqual({ subjectId: PULL_REQUEST_NODE_ID, body: expect.stringMatching(/^<!-- migration-guard:gates -->\n### Quality gates\n/) });
    const state = decodeMarker(sticky!.body);
    expect(state.ok && state.state).toMatchObject({ pr: 2, seq: 1, headSha: s.headSha, signoffs: [], commitFormat: { headSha: s.headSha, enforced: false } });
    // The gates run links to the pull request: the new comment's address is not known yet.
    expect(gatesRun).toEqual({
      repositoryId: REPOSITORY_NODE_ID,
      name: "migration-guard/gates",
      headSha: s.headSha,
      status: "COMPLETED",
      conclusion: "FAILURE",
      externalId: "migration-guard-gates:seq=1",
      detailsUrl: PR_URL,
      output: { title: GATES_TITLE, summary: expect.stringMatching(/^### Quality gates\n\n❌ 1 of 8 required gates passed: merge blocked\n/) },
    });
    expect(gatesRun!.output.summary.endsWith(GATES_WITHOUT_LINK)).toBe(true);
    expect(mainRun).toEqual({
      repositoryId: REPOSITORY_NODE_ID,
      name: "migration-guard",
      headSha: s.headSha,
      status: "COMPLETED",
      conclusion: "FAILURE",
      externalId: "mg1 pr=2 outcome=done base=master",
      output: {
        title: "1 blocking finding in 1 migration",
        summary: expect.stringMatching(/^## ❌ migration-guard: 1 blocking finding\n/),
        text: expect.stringMatching(/^## Details per migration\n\n#### `db\/migrations\/20240201000000_index_orders\.up\.sql`\n/),
        annotations: [INDEX_ANNOTATION],
      },
    });
    // The gates' table is in the gates run only; the main check run links to it and holds the runbook.
    expect(gatesRun!.output.summary).toContain("| | Gate | Kind | Status |");
    expect(mainRun!.output.summary).not.toContain("| | Gate | Kind | Status |");
    expect(mainRun!.output.summary).toContain("### Quality gates: ❌ 1 of 8 required gates passed: merge blocked");
    expect(mainRun!.output.summary).toContain("### Commit format: ");
    expect(mainRun!.output.summary).toContain("<summary>Deployment runbook: checklist, steps, monitoring and rollback</summary>");

    // The review links to the new sticky comment, read from the mutation's answer.
    const review = writes.reviews[0]!;
    const answer = writes.batchAnswers[0]!.data;
    expect(review.body).toContain(`audit trail: [quality-gates comment](${answer.m0.commentEdge.node.url}).`);
    expect(review.body).toContain("### Commit format: ❌ commit `ec26c3e` does not follow the format: `Rollback tested:`, `Schema changes:` need a change\n");
  });

  it("on the next push, finds its sticky comment and gates run in the state query and updates them in place", async () => {
    const first = indexScenario();
    const { writes: firstWrites } = await deliver(first, headCommit(first));
    const stickyBody = batchedMutations(firstWrites.batches[0]!)[0]!.input.body as string;
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
    const { reads, writes, app } = await deliver(
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
        // the merged migration, for schema context (once per app process: cached by blob SHA)
        "POST /graphql MigrationGuardBlobs",
        `GET ${repo}/commits/${first.headSha}`,
        `GET ${repo}/commits/${NEXT_SHA}`,
        "POST /graphql MigrationGuardWrites",
        `POST ${repo}/pulls/2/reviews`,
      ].sort(),
    );
    expect(app.logs.find((l) => l.outcome === "reviewed")!.apiCalls).toBe(9);
    expect(writes.checkRuns).toEqual([]);
    expect(writes.checkRunUpdates).toEqual([]);
    // Comment and gates run updated in place by their node ids, the main check run created.
    const mutations = batchedMutations(writes.batches[0]!);
    expect(mutations.map((m) => m.field)).toEqual(["updateIssueComment", "updateCheckRun", "createCheckRun"]);
    const [sticky, gatesRun, mainRun] = mutations.map((m) => m.input);
    expect(sticky).toEqual({ id: "IC_7001", body: expect.stringMatching(/^<!-- migration-guard:gates -->\n/) });
    const state = decodeMarker(sticky!.body);
    expect(state.ok && state.state).toMatchObject({ pr: 2, seq: 2, headSha: NEXT_SHA, processed: [`push:${NEXT_SHA}`] });
    // The gates run links to the comment it already knows.
    expect(gatesRun).toEqual({
      repositoryId: REPOSITORY_NODE_ID,
      checkRunId: "CR_9001",
      status: "COMPLETED",
      conclusion: "FAILURE",
      externalId: "migration-guard-gates:seq=2",
      detailsUrl: `${PR_URL}#issuecomment-7001`,
      output: { title: expect.stringMatching(/^1\/8 gates passed; failed: /), summary: expect.stringMatching(/^### Quality gates\n/) },
    });
    expect(mainRun).toMatchObject({ repositoryId: REPOSITORY_NODE_ID, name: "migration-guard", headSha: NEXT_SHA, conclusion: "FAILURE", externalId: "mg1 pr=2 outcome=done base=master" });
    // The check run's gates section links to the comment it knows.
    expect(mainRun!.output.summary).toContain(`audit trail: [quality-gates comment](${PR_URL}#issuecomment-7001).`);
  });

  it("searches the comments through REST when the sticky comment may be past the first page", async () => {
    const s = indexScenario();
    const listed = nock(API)
      .get(`${repo}/issues/2/comments`)
      .query(true)
      .reply(200, [{ id: 5, body: "hello", user: { login: "Codertocat", type: "User" } }]);
    const { reads, writes } = await deliver(s, { ...headCommit(s), comments: [{ databaseId: 5, body: "hello", viewerDidAuthor: false }], moreComments: true });
    expect(reads.pendingMocks()).toEqual([]);
    expect(listed.pendingMocks()).toEqual([]);
    expect(calls()).toContain(`GET ${repo}/issues/2/comments`);
    // No sticky comment of ours there: a new one, in the batch.
    expect(batchedMutations(writes.batches[0]!).map((m) => m.field)).toEqual(["addComment", "createCheckRun", "createCheckRun"]);
  });
});

describe("when GitHub refuses one of the batched writes", () => {
  /** Answers the next batched write request, refusing the mutations `fail` picks (GitHub answers 200 with `errors`). */
  function refuseInBatch(fail: (field: string, input: Record<string, any>) => boolean) {
    const answers: Record<string, any>[] = [];
    nock(API)
      .post("/graphql", (body) => String(body.query).startsWith("mutation MigrationGuardWrites"))
      .reply(200, (_uri: string, body: any) => {
        const answer = answerWriteBatch(body, fail);
        answers.push(answer);
        return answer;
      });
    return answers;
  }

  it("the main check run refused: the gates' writes stand, and a failure check run says what failed", async () => {
    const s = indexScenario();
    const answers = refuseInBatch((field, input) => field === "createCheckRun" && input.name === "migration-guard");
    const { reads, writes, app } = await deliver(s, headCommit(s));

    expect(reads.pendingMocks()).toEqual([]);
    expect(calls().sort()).toEqual(
      [
        `GET ${repo}/contents/.github%2Fmigration-guard.yml`,
        "POST /graphql MigrationGuardState",
        `GET ${repo}/pulls/2/files`,
        `GET ${repo}/git/trees/${s.baseSha}`,
        // the merged migration, for schema context (once per app process: cached by blob SHA)
        "POST /graphql MigrationGuardBlobs",
        "POST /graphql MigrationGuardWrites",
        // the failure, reported through REST: no review is posted without its check run
        `POST ${repo}/check-runs`,
      ].sort(),
    );
    // The other two mutations of the request were written and are not sent again.
    expect(answers).toHaveLength(1);
    expect(answers[0]!.errors).toEqual([expect.objectContaining({ path: ["m2"] })]);
    expect(answers[0]!.data.m0.commentEdge.node.databaseId).toEqual(expect.any(Number));
    expect(answers[0]!.data.m1.checkRun.databaseId).toEqual(expect.any(Number));
    expect(writes.batches).toEqual([]);
    expect(writes.reviews).toEqual([]);
    expect(writes.checkRuns).toEqual([
      {
        name: "migration-guard",
        head_sha: s.headSha,
        status: "completed",
        conclusion: "failure",
        external_id: "mg1 pr=2 outcome=failed base=master",
        output: {
          title: "migration-guard could not finish: publishing the check run",
          summary: expect.stringContaining("GitHub refused createCheckRun: createCheckRun was refused"),
        },
      },
    ]);
    expect(app.logs.some((l) => l.level === 50 && /failed while publishing the check run: GitHub refused createCheckRun/.test(l.msg))).toBe(true);
  });

  it("the sticky comment refused: the check runs stand, the gates run keeps the comment's sequence number, and the check run and review say the gates were not updated", async () => {
    const s = indexScenario();
    refuseInBatch((field) => field === "addComment");
    const { reads, writes, app } = await deliver(s, headCommit(s));

    expect(reads.pendingMocks()).toEqual([]);
    expect(calls()).toEqual([
      // reads, in parallel, then the tree and the merged migration's text
      ...calls().slice(0, 5),
      "POST /graphql MigrationGuardWrites",
      // the gates run, written with seq=1, is put back to the comment's sequence number
      expect.stringMatching(new RegExp(`^PATCH ${repo}/check-runs/\\d+$`)),
      // the main check run, written with the gates as planned, now says they were not updated
      expect.stringMatching(new RegExp(`^PATCH ${repo}/check-runs/\\d+$`)),
      `POST ${repo}/pulls/2/reviews`,
    ]);
    expect(calls().slice(0, 5).sort()).toEqual(
      [`GET ${repo}/contents/.github%2Fmigration-guard.yml`, "POST /graphql MigrationGuardState", `GET ${repo}/pulls/2/files`, `GET ${repo}/git/trees/${s.baseSha}`, "POST /graphql MigrationGuardBlobs"].sort(),
    );
    const warning = "⚠️ The quality gates could not be updated for this commit";
    expect(writes.checkRunUpdates).toEqual([
      { external_id: "migration-guard-gates:seq=0" },
      { output: { title: "1 blocking finding in 1 migration", summary: expect.stringContaining(warning), text: expect.stringMatching(/^## Details per migration/) } },
    ]);
    expect(writes.checkRunUpdates[1]!.output.summary).not.toContain("Sign off");
    expect(writes.reviews).toHaveLength(1);
    expect(writes.reviews[0]!.body).toContain(`${warning} (see the app's logs): GitHub refused the quality-gates comment.`);
    expect(app.logs.find((l) => l.outcome === "reviewed")!.apiCalls).toBe(9);
    expect(app.logs.some((l) => l.level === 50 && /gates: could not update the quality gates for #2: GitHub refused addComment/.test(l.msg))).toBe(true);
  });
});
