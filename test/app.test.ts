// The GitHub App end to end inside a real Probot: real webhook payloads in, the exact
// requests GitHub would receive out (nock, no network).
import nock from "nock";
import { describe, expect, it } from "vitest";
import { offlineGitHub } from "./helpers/nock.js";
import { parseReviewState } from "../src/github/marker.js";
import {
  API,
  OWNER,
  REPO,

  answerBlobs,
  blobSha,
  example,
  listedFiles,
  mockGitHub,
  pullRequestPayload,
  recordWrites,
  emptyWrites,
  scenario,

  type Scenario,
} from "./fixtures/github/scenario.js";
import { testApp } from "./fixtures/github/probot.js";

// The quality gates and commit-format check (src/github/gates) join every review with API calls
// of their own; they have their own tests, so these tests switch them off to pin the review path.
const CONFIG = "transaction: none\ndelivery: per-statement\ngates:\n  enabled: false\ncommit_format:\n  enabled: false\n";
const ORDERS_UP = "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint);\n";
const ORDERS_DOWN = "DROP TABLE orders;\n";
const INDEX_UP = "SET lock_timeout = '2s';\nCREATE INDEX orders_customer_idx\n  ON orders (customer_id);\n";
const INDEX_DOWN = "DROP INDEX CONCURRENTLY orders_customer_idx;\n";
const STATUS_UP = "SET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN status text;\n";
const STATUS_DOWN = "SET lock_timeout = '2s';\nALTER TABLE orders DROP COLUMN status;\n";

const BASE = {
  "db/migrations/20240101000000_create_orders.up.sql": ORDERS_UP,
  "db/migrations/20240101000000_create_orders.down.sql": ORDERS_DOWN,
};

function multiFile(extra: Partial<Scenario> = {}): Scenario {
  return scenario({
    base: { ...BASE },
    changes: {
      "db/migrations/20240201000000_index_orders.up.sql": INDEX_UP,
      "db/migrations/20240201000000_index_orders.down.sql": INDEX_DOWN,
      "db/migrations/20240202000000_add_status.up.sql": STATUS_UP,
      "db/migrations/20240202000000_add_status.down.sql": STATUS_DOWN,
      "README.md": "# Hello\n\nNow with orders.\n",
    },
    ...extra,
  });
}

offlineGitHub();

describe("pull_request.opened with several migrations", () => {
  it("posts one check run and one review with a suggestion on the exact line", async () => {
    const s = multiFile();
    const { reads, writes } = mockGitHub(s, { config: CONFIG, readsChange: true });
    const app = await testApp();
    await app.receive("pull_request", pullRequestPayload(s, "opened"));

    expect(reads.pendingMocks()).toEqual([]);
    // The state query asks about this PR and head.
    expect(writes.graphqlQueries[0]!.variables).toEqual({ owner: OWNER, name: REPO, number: 2, head: s.headSha, checkName: "migration-guard", gatesCheckName: "migration-guard/gates" });

    expect(writes.checkRuns).toHaveLength(1);
    const run = writes.checkRuns[0]!;
    expect(run).toMatchObject({
      name: "migration-guard",
      head_sha: s.headSha,
      status: "completed",
      conclusion: "failure",
      external_id: "mg1 pr=2 outcome=done base=master",
    });
    expect(run.output.summary.length).toBeLessThanOrEqual(65_535);
    expect(run.output.annotations).toEqual([
      expect.objectContaining({
        path: "db/migrations/20240201000000_index_orders.up.sql",
        start_line: 2,
        end_line: 3,
        annotation_level: "failure",
      }),
    ]);

    expect(writes.reviews).toHaveLength(1);
    const review = writes.reviews[0]!;
    expect(review.commit_id).toBe(s.headSha);
    expect(review.event).toBe("REQUEST_CHANGES");
    expect(review.comments).toHaveLength(1);
    const [comment] = review.comments;
    expect({ path: comment.path, line: comment.line, side: comment.side, start_line: comment.start_line }).toEqual({
      path: "db/migrations/20240201000000_index_orders.up.sql",
      line: 2,
      side: "RIGHT",
      start_line: undefined,
    });
    expect(comment.body).toContain("<!-- migration-guard:finding require-concurrent-index:");
    expect(comment.body).toContain("```suggestion\nCREATE INDEX CONCURRENTLY orders_customer_idx\n```");
    expect(comment.body).toContain("docs/rules/require-concurrent-index.md");
    // The body lists both migrations, links the check run, and carries the state marker.
    expect(review.body).toContain("20240201000000");
    expect(review.body).toContain("20240202000000");
    expect(review.body.length).toBeLessThanOrEqual(65_536);
    expect(parseReviewState(review.body)).toEqual({
      v: 1,
      head: s.headSha,
      base: "master",
      hash: expect.stringMatching(/^[0-9a-f]{16}$/),
      failed: true,
      migrations: true,
    });
    expect(writes.mutations).toEqual([]);
    expect(writes.checkRunUpdates).toEqual([]);

    // Every added file's content came from its verified patch; the one GraphQL read is the merged
    // migrations' text for schema context, cached by blob SHA for later deliveries.
    const done = app.logs.find((l) => l.outcome === "reviewed")!;
    // config, state, files, tree, merged context, check run, review: files/100 + 6, plus one per
    // 50 merged migrations not yet cached.
    expect(done.apiCalls).toBe(7);
  });
});

const INDEX_FILE = "db/migrations/20240201000000_index_orders.up.sql";
const NEXT_SHA = "1111111111111111111111111111111111111111";

/** Runs the multi-file scenario once and returns what the app posted (for follow-up pushes). */
async function firstReview() {
  const s = multiFile();
  const { writes } = mockGitHub(s, { config: CONFIG, readsChange: true });
  const app = await testApp();
  await app.receive("pull_request", pullRequestPayload(s, "opened"));
  nock.cleanAll();
  const review = writes.reviews[0]!;
  return { s, review, comment: review.comments[0], marker: parseReviewState(review.body)! };
}

describe("pull requests without migrations", () => {
  it("reports a passing check run, reads no tree and posts no review (no config: recommended preset)", async () => {
    const s = scenario({ changes: { "README.md": "# Hello\n", "src/app.ts": "export {};\n" } });
    const { reads, writes } = mockGitHub(s, {});
    const app = await testApp();
    await app.receive("pull_request", pullRequestPayload(s, "opened"));
    expect(reads.pendingMocks()).toEqual([]);
    expect(writes.checkRuns).toEqual([
      expect.objectContaining({
        conclusion: "success",
        external_id: "mg1 pr=2 outcome=no-migrations base=master",
        output: { title: "No migration changes", summary: "This pull request changes no migration files, so there is nothing to analyze." },
      }),
    ]);
    expect(writes.reviews).toEqual([]);
    expect(app.logs.find((l) => l.outcome === "no-migrations")!.apiCalls).toBe(5); // config ×2 (repo, owner's .github), state, files, check run
  });

  it("says so when a pull request stops touching migrations, and marks the earlier review outdated", async () => {
    const { marker, comment } = await firstReview();
    const s = scenario({ headSha: NEXT_SHA, changes: { "README.md": "# Hello\n" } });
    const earlierBody = `## earlier review\n\n<!-- migration-guard:state ${JSON.stringify(marker)} -->`;
    const { writes } = mockGitHub(s, {
      config: CONFIG,
      state: {
        reviews: [{ id: "PRR_1", databaseId: 81, state: "CHANGES_REQUESTED", viewerDidAuthor: true, body: earlierBody }],
        changesRequested: [{ id: "PRR_1", databaseId: 81, viewerDidAuthor: true }],
        threads: [{ id: "PRRT_1", isResolved: false, isOutdated: false, body: comment.body }],
      },
    });
    const app = await testApp();
    await app.receive("pull_request", pullRequestPayload(s, "synchronize"));
    expect(writes.checkRuns[0]).toMatchObject({
      conclusion: "success",
      output: { title: "No migration changes any more" },
    });
    expect(writes.checkRuns[0]!.output.summary).toContain(`no longer changes migration files (as of 1111111)`);
    expect(writes.reviewUpdates).toHaveLength(1);
    expect(writes.reviewUpdates[0]!.body).toMatch(/^> \*\*Outdated:\*\* as of 1111111 this pull request no longer changes migration files/);
    expect(parseReviewState(writes.reviewUpdates[0]!.body)).toMatchObject({ migrations: false, head: NEXT_SHA });
    expect(writes.mutations).toHaveLength(1);
    expect(writes.mutations[0]!.variables).toMatchObject({ t0: "PRRT_1", d0: "PRR_1" });
    expect(writes.mutations[0]!.query).toContain("resolveReviewThread(input: { threadId: $t0 })");
    expect(writes.mutations[0]!.query).toContain("dismissPullRequestReview(input: { pullRequestReviewId: $d0, message: $message })");
    expect(writes.reviews).toEqual([]);
  });
});

describe("configuration", () => {
  it("turns an invalid config into an action_required check run listing each problem", async () => {
    const s = multiFile();
    const { reads, writes } = mockGitHub(s, { config: "fail_level: fatal\nbogus_key: 1\n" });
    const app = await testApp();
    await app.receive("pull_request", pullRequestPayload(s, "opened"));
    expect(reads.pendingMocks()).toEqual([]);
    expect(writes.reviews).toEqual([]);
    expect(writes.checkRuns).toHaveLength(1);
    const run = writes.checkRuns[0]!;
    expect(run.conclusion).toBe("action_required");
    expect(run.details_url).toBe("https://github.com/Codertocat/Hello-World/blob/master/.github/migration-guard.yml");
    expect(run.output.title).toBe("Invalid configuration: 2 problems");
    expect(run.output.summary).toContain("- `bogus_key`: unknown key");
    expect(run.output.summary).toMatch(/- `fail_level`: .+/);
  });

  it("names the line of a YAML syntax error", async () => {
    const s = multiFile();
    const yaml = "preset: recommended\nrules: [unclosed\n";
    const { writes } = mockGitHub(s, { config: yaml });
    // The config plugin only says "invalid YAML"; the app re-reads the file for the line.
    nock(API).get(`/repos/${OWNER}/${REPO}/contents/.github%2Fmigration-guard.yml`).reply(200, yaml, { "content-type": "text/plain; charset=utf-8" });
    const app = await testApp();
    await app.receive("pull_request", pullRequestPayload(s, "opened"));
    const run = writes.checkRuns[0]!;
    expect(run.conclusion).toBe("action_required");
    expect(run.output.summary).toMatch(/- `\(file\)` \(line \d\): invalid YAML/);
  });
});

describe("idempotency and races", () => {
  it("changes nothing when the same head was already handled (re-delivery)", async () => {
    const s = multiFile();
    const { writes } = mockGitHub(s, {
      config: CONFIG,
      state: { checkRuns: [{ databaseId: 4242, externalId: "mg1 pr=2 outcome=done base=master" }] },
    });
    const app = await testApp();
    await app.receive("pull_request", pullRequestPayload(s, "synchronize"), "same-delivery");
    expect(writes.checkRuns).toEqual([]);
    expect(writes.reviews).toEqual([]);
    expect(writes.mutations).toEqual([]);
    expect(app.logs.some((l) => l.outcome === "already-done")).toBe(true);
  });

  it("drops the result of an older push when the pull request already moved on", async () => {
    // Push B (NEXT_SHA) was delivered and handled first; the slow delivery for push A arrives late.
    const s = multiFile();
    const { writes } = mockGitHub(s, { config: CONFIG, state: { headSha: NEXT_SHA } });
    const app = await testApp();
    await app.receive("pull_request", pullRequestPayload(s, "synchronize"));
    expect(writes.checkRuns).toEqual([]);
    expect(writes.reviews).toEqual([]);
    expect(app.logs.find((l) => l.outcome === "superseded")!.msg).toContain("moved on to 1111111");
  });

  it("never repeats an inline comment on the next push and resolves the threads of vanished findings", async () => {
    const { comment } = await firstReview();
    const s = multiFile({ headSha: NEXT_SHA });
    const vanished = "<!-- migration-guard:finding require-concurrent-index:deadbeef -->\n\nold";
    const { writes } = mockGitHub(s, {
      config: CONFIG,
      readsChange: true,
      state: {
        threads: [
          { id: "PRRT_kept", isResolved: false, isOutdated: false, body: comment.body },
          { id: "PRRT_gone", isResolved: false, isOutdated: true, body: vanished },
          { id: "PRRT_someone_else", isResolved: false, isOutdated: false, body: vanished, viewerDidAuthor: false },
        ],
      },
    });
    const app = await testApp();
    await app.receive("pull_request", pullRequestPayload(s, "synchronize"));
    expect(writes.reviews).toHaveLength(1);
    expect(writes.reviews[0]!.comments).toEqual([]);
    expect(writes.mutations).toHaveLength(1);
    expect(writes.mutations[0]!.variables).toEqual({ message: expect.any(String), t0: "PRRT_gone" });
  });

  it("does not post the same review again when nothing changed, but still reports the check run", async () => {
    const { comment, marker, review } = await firstReview();
    const s = multiFile({ headSha: NEXT_SHA });
    const { writes } = mockGitHub(s, {
      config: CONFIG,
      readsChange: true,
      state: {
        reviews: [{ id: "PRR_1", databaseId: 81, state: "CHANGES_REQUESTED", viewerDidAuthor: true, body: review.body }],
        changesRequested: [{ id: "PRR_1", databaseId: 81, viewerDidAuthor: true }],
        threads: [{ id: "PRRT_kept", isResolved: false, isOutdated: false, body: comment.body }],
      },
    });
    const app = await testApp();
    await app.receive("pull_request", pullRequestPayload(s, "synchronize"));
    expect(marker.failed).toBe(true);
    expect(writes.checkRuns).toHaveLength(1);
    expect(writes.checkRuns[0]!.head_sha).toBe(NEXT_SHA);
    expect(writes.reviews).toEqual([]);
    expect(writes.mutations).toEqual([]);
  });

  it("dismisses its request-changes review once a push fixes the findings", async () => {
    const { comment } = await firstReview();
    const fixed = "SET lock_timeout = '2s';\nCREATE INDEX CONCURRENTLY orders_customer_idx\n  ON orders (customer_id);\n";
    const s = multiFile({ headSha: NEXT_SHA });
    s.changes[INDEX_FILE] = fixed;
    const { writes } = mockGitHub(s, {
      config: CONFIG,
      readsChange: true,
      state: {
        changesRequested: [
          { id: "PRR_mine", databaseId: 81, viewerDidAuthor: true },
          { id: "PRR_a_human", databaseId: 82, viewerDidAuthor: false },
        ],
        threads: [{ id: "PRRT_index", isResolved: false, isOutdated: false, body: comment.body }],
      },
    });
    const app = await testApp();
    await app.receive("pull_request", pullRequestPayload(s, "synchronize"));
    expect(writes.reviews).toHaveLength(1);
    expect(writes.reviews[0]!.event).toBe("COMMENT");
    expect(writes.checkRuns[0]!.conclusion).not.toBe("failure");
    expect(writes.mutations).toHaveLength(1);
    expect(writes.mutations[0]!.variables).toEqual({ message: "Fixed in 1111111: no finding reaches the fail level any more.", t0: "PRRT_index", d0: "PRR_mine" });
  });
});

describe("the diff decides where comments go", () => {
  it("puts a finding on a line outside the diff in the body, never inline", async () => {
    // A merged migration gets one line appended: the risky statement (line 2) is not in the diff.
    const before = INDEX_UP;
    const after = `${INDEX_UP}-- reviewed by the DBA\n`;
    const s = scenario({
      base: { ...BASE, [INDEX_FILE]: before, "db/migrations/20240201000000_index_orders.down.sql": INDEX_DOWN },
      changes: { [INDEX_FILE]: after },
      // Without context lines (git diff -U0): only the new line 4 is part of the diff.
      patches: { [INDEX_FILE]: "@@ -3,0 +4 @@\n+-- reviewed by the DBA" },
    });
    const { writes } = mockGitHub(s, { config: CONFIG, readsChange: true });
    // A modified file is not rebuilt from its patch: the migration's up and (unchanged) down
    // come from one GraphQL query for both blobs.
    const blob = (text: string) => ({ oid: blobSha(text), byteSize: text.length, isBinary: false, isTruncated: false, text });
    nock(API)
      .post("/graphql", (body) => String(body.query).includes("query MigrationGuardBlobs") && body.variables.o0 === blobSha(INDEX_DOWN) && body.variables.o1 === blobSha(after))
      .reply(200, { data: { repository: { b0: blob(INDEX_DOWN), b1: blob(after) } } });
    const app = await testApp();
    await app.receive("pull_request", pullRequestPayload(s, "synchronize"));
    expect(nock.pendingMocks().filter((m) => !/check-runs|reviews|graphql/.test(m))).toEqual([]);
    expect(writes.reviews).toHaveLength(1);
    const review = writes.reviews[0]!;
    expect(review.comments).toEqual([]);
    expect(review.event).toBe("REQUEST_CHANGES");
    expect(review.body).toContain("require-concurrent-index");
    expect(review.body).toContain("edited-merged-migration");
  });

  it("posts the review without inline comments when GitHub still refuses them (422)", async () => {
    const s = multiFile();
    const { reads } = mockGitHub(s, { config: CONFIG, readsChange: true, writes: false });
    const writes = emptyWrites();
    nock(API)
      .post(`/repos/${OWNER}/${REPO}/pulls/2/reviews`, (body) => (writes.reviews.push(body), true))
      .reply(422, { message: "Unprocessable Entity", errors: ["Pull request review thread line must be part of the diff"] });
    recordWrites(writes);
    const app = await testApp();
    await app.receive("pull_request", pullRequestPayload(s, "opened"));
    expect(reads.pendingMocks()).toEqual([]);
    expect(writes.reviews).toHaveLength(2);
    expect(writes.reviews[0]!.comments).toHaveLength(1);
    expect(writes.reviews[1]!.comments).toEqual([]);
    expect(writes.reviews[1]!.body).toContain("`db/migrations/20240201000000_index_orders.up.sql:2` **require-concurrent-index**");
    expect(writes.checkRunUpdates).toEqual([]);
  });
});

describe("large pull requests", () => {
  it("pages through 3,000 files and says that GitHub listed no more", async () => {
    const s = multiFile({ changedFiles: 3512 });
    const migrations = listedFiles(s);
    const filler = Array.from({ length: 3000 - migrations.length }, (_, i) => ({
      sha: blobSha(String(i)),
      filename: `src/generated/file-${String(i).padStart(4, "0")}.ts`,
      status: "added",
      patch: "@@ -0,0 +1 @@\n+export {};",
    }));
    const all = [...migrations, ...filler];
    const { reads, writes } = mockGitHub(s, { config: CONFIG, readsChange: true, listFiles: false });
    const pages = nock(API);
    for (let page = 1; page <= 30; page++) {
      const link: Record<string, string> = page < 30 ? { link: `<${API}/repos/${OWNER}/${REPO}/pulls/2/files?per_page=100&page=${page + 1}>; rel="next"` } : {};
      pages
        .get(`/repos/${OWNER}/${REPO}/pulls/2/files`)
        .query(page === 1 ? { per_page: "100" } : { per_page: "100", page: String(page) })
        .reply(200, all.slice((page - 1) * 100, page * 100), link);
    }
    const app = await testApp();
    await app.receive("pull_request", pullRequestPayload(s, "opened"));
    expect(pages.pendingMocks()).toEqual([]);
    expect(reads.pendingMocks()).toEqual([]);
    const note = "This pull request changes 3512 files; GitHub lists only the first 3000";
    expect(writes.reviews[0]!.body).toContain(note);
    expect(writes.checkRuns[0]!.output.summary).toContain(note);
    // 30 pages + config, state, tree, merged context, check run, review = files/100 + 6.
    expect(app.logs.find((l) => l.outcome === "reviewed")!.apiCalls).toBe(36);
  });

  it("cuts a body over GitHub's limit with a pointer to the check run, and batches annotations by 50", async () => {
    const statements = Array.from({ length: 1200 }, (_, i) => `CREATE INDEX orders_idx_${i} ON orders (customer_id, id);`).join("\n") + "\n";
    const s = scenario({ base: BASE, changes: { "db/migrations/20240301000000_many_indexes.up.sql": statements } });
    const { writes } = mockGitHub(s, { config: CONFIG, readsChange: true });
    const app = await testApp();
    await app.receive("pull_request", pullRequestPayload(s, "opened"));
    const review = writes.reviews[0]!;
    expect(review.body.length).toBeLessThanOrEqual(65_536);
    expect(review.body).toContain("cut to stay within GitHub's");
    expect(review.body).toContain("https://github.com/Codertocat/Hello-World/runs/4242");
    expect(parseReviewState(review.body)).toBeDefined();
    expect(review.comments).toHaveLength(30);
    const run = writes.checkRuns[0]!;
    expect(run.output.summary.length).toBeLessThanOrEqual(65_535);
    const batches = [run.output.annotations, ...writes.checkRunUpdates.map((u) => u.output.annotations)];
    // 1,200 findings + missing-rollback; the first 1,000 annotations, 50 per request.
    expect(batches.map((b) => b.length)).toEqual(Array(20).fill(50));
    expect(new Set(batches.flat().map((a: any) => `${a.path}:${a.start_line}:${a.title}`)).size).toBe(1000);
    for (const update of writes.checkRunUpdates) {
      expect(update.output.title).toBe(run.output.title);
      expect(update.output.summary).toBe(run.output.summary);
    }
  });
});

describe("fork pull requests", () => {
  it("reads everything from the base repository at the head commit", async () => {
    const s = multiFile({ headRepo: "octo-fork/Hello-World" });
    // The modified README is not a migration; make one migration modified to force a blob read.
    s.base["db/migrations/20240202000000_add_status.down.sql"] = "-- placeholder\n";
    const { reads, writes } = mockGitHub(s, { config: CONFIG, readsChange: true, blobs: false });
    const blobs = nock(API)
      .post("/graphql", (body) => String(body.query).includes("query MigrationGuardBlobs") && body.variables.owner === OWNER && body.variables.name === REPO)
      .reply(200, { data: { repository: { b0: { oid: blobSha(STATUS_DOWN), byteSize: STATUS_DOWN.length, isBinary: false, isTruncated: false, text: STATUS_DOWN } } } });
    // The merged migration's text, for schema context, comes after the changed file's.
    answerBlobs(s);
    const app = await testApp();
    const payload = pullRequestPayload(s, "opened");
    expect(payload.pull_request.head.repo.full_name).toBe("octo-fork/Hello-World");
    await app.receive("pull_request", payload);
    expect(reads.pendingMocks()).toEqual([]);
    expect(blobs.pendingMocks()).toEqual([]);
    expect(writes.checkRuns[0]!.head_sha).toBe(s.headSha);
    expect(writes.reviews[0]!.commit_id).toBe(s.headSha);
  });
});

describe("drafts, edits and re-runs", () => {
  it("skips a draft unless review_drafts is set", async () => {
    const s = multiFile({ draft: true });
    const { writes } = mockGitHub(s, { config: CONFIG });
    const app = await testApp();
    await app.receive("pull_request", pullRequestPayload(s, "opened"));
    expect(writes.checkRuns).toEqual([
      expect.objectContaining({ conclusion: "skipped", external_id: "mg1 pr=2 outcome=draft base=master", output: expect.objectContaining({ title: "Draft pull request: not analyzed" }) }),
    ]);
    expect(writes.reviews).toEqual([]);
  });

  it("analyzes a draft when review_drafts is true, and a draft marked ready after being skipped", async () => {
    const s = multiFile({ draft: true });
    const { writes } = mockGitHub(s, { config: `${CONFIG}review_drafts: true\n`, readsChange: true });
    const app = await testApp();
    await app.receive("pull_request", pullRequestPayload(s, "opened"));
    expect(writes.reviews).toHaveLength(1);

    nock.cleanAll();
    const ready = multiFile();
    const second = mockGitHub(ready, {
      config: CONFIG,
      readsChange: true,
      state: { checkRuns: [{ databaseId: 1, externalId: "mg1 pr=2 outcome=draft base=master", conclusion: "SKIPPED" }] },
    });
    await app.receive("pull_request", pullRequestPayload(ready, "ready_for_review"));
    expect(second.writes.reviews).toHaveLength(1);
  });

  it("ignores an edit of the title but re-analyzes when the base branch changed", async () => {
    const app = await testApp();
    const s = multiFile();
    await app.receive("pull_request", pullRequestPayload(s, "opened", { action: "edited", changes: { title: { from: "old" } } }));
    expect(nock.pendingMocks()).toEqual([]);

    const moved = multiFile({ baseRef: "release" });
    const { writes } = mockGitHub(moved, {
      config: CONFIG,
      readsChange: true,
      // Handled before, but for the old base: a new base is a new analysis.
      state: { checkRuns: [{ databaseId: 1, externalId: "mg1 pr=2 outcome=done base=master" }] },
    });
    await app.receive("pull_request", pullRequestPayload(moved, "opened", { action: "edited", changes: { base: { ref: { from: "master" }, sha: { from: "abc" } } } }));
    expect(writes.checkRuns[0]!.external_id).toBe("mg1 pr=2 outcome=done base=release");
    expect(writes.reviews).toHaveLength(1);
  });

  it("re-runs on check_run.rerequested even though the head was handled, finding the PR from the external id", async () => {
    const s = multiFile();
    const payload = example("check_run", "rerequested");
    payload.repository = pullRequestPayload(s).repository;
    payload.installation = { id: 1 };
    Object.assign(payload.check_run, { name: "migration-guard", head_sha: s.headSha, external_id: "mg1 pr=2 outcome=done base=master", pull_requests: [] });
    const pr = pullRequestPayload(s).pull_request;
    const { reads, writes } = mockGitHub(s, {
      config: CONFIG,
      readsChange: true,
      state: { checkRuns: [{ databaseId: 1, externalId: "mg1 pr=2 outcome=done base=master" }] },
    });
    nock(API).get(`/repos/${OWNER}/${REPO}/pulls/2`).reply(200, pr);
    const app = await testApp();
    await app.receive("check_run", payload);
    expect(reads.pendingMocks()).toEqual([]);
    // The head's run is updated in place: one run per head.
    expect(writes.checkRuns).toHaveLength(0);
    expect(writes.checkRunUpdates).toHaveLength(1);
    expect(writes.checkRunUpdates[0]).toMatchObject({ status: "completed", external_id: "mg1 pr=2 outcome=done base=master" });
    expect(writes.reviews).toHaveLength(1);
  });
});

describe("failures leave a check run that says what failed", () => {
  it("before anything was posted: a new failure check run names the step", async () => {
    const s = multiFile();
    const { writes } = mockGitHub(s, { config: CONFIG });
    nock(API).get(`/repos/${OWNER}/${REPO}/git/trees/${s.baseSha}`).query({ recursive: "1" }).reply(404, { message: "Not Found" });
    const app = await testApp();
    await app.receive("pull_request", pullRequestPayload(s, "opened"));
    expect(writes.checkRuns).toHaveLength(1);
    expect(writes.checkRuns[0]).toMatchObject({
      conclusion: "failure",
      external_id: "mg1 pr=2 outcome=failed base=master",
      output: { title: "migration-guard could not finish: reading the base branch, the table statistics and the changed migrations" },
    });
    expect(writes.checkRuns[0]!.output.summary).toContain("HTTP 404: Not Found");
    expect(writes.reviews).toEqual([]);
  });

  it("after the check run was posted: the same check run turns into a failure", async () => {
    const s = multiFile();
    const { writes } = mockGitHub(s, { config: CONFIG, readsChange: true, writes: false });
    nock(API).post(`/repos/${OWNER}/${REPO}/pulls/2/reviews`).reply(500, { message: "Server Error" });
    recordWrites(writes);
    const app = await testApp();
    await app.receive("pull_request", pullRequestPayload(s, "opened"));
    expect(writes.checkRuns).toHaveLength(1);
    expect(writes.checkRunUpdates).toEqual([
      expect.objectContaining({
        status: "completed",
        conclusion: "failure",
        external_id: "mg1 pr=2 outcome=failed base=master",
        output: expect.objectContaining({ title: "migration-guard could not finish: posting the review" }),
      }),
    ]);
  });
});

describe("events handled by other modules", () => {
  // The evidence module (src/github/workflow-run.ts) has its own tests; this pins the routing.
  it("routes workflow_run.completed to the evidence module, which ignores a run that is not migration-guard's test", async () => {
    const writes = emptyWrites();
    recordWrites(writes);
    // The example is a run of another workflow: ignored before any call to GitHub.
    const payload = example("workflow_run", "completed");
    nock(API).post(/\/app\/installations\/\d+\/access_tokens$/).optionally().reply(200, { token: "ghs_test", permissions: {} });
    const app = await testApp();
    await app.receive("workflow_run", payload);
    expect(app.logs.map((l) => l.msg).some((m) => /workflow_run \d+: not a migration-guard test run/.test(m))).toBe(true);
    expect(writes).toEqual(emptyWrites());
  });
});

describe("logging", () => {
  it("never logs file contents or tokens at info level or above", async () => {
    const s = multiFile();
    mockGitHub(s, { config: CONFIG, readsChange: true });
    const app = await testApp();
    await app.receive("pull_request", pullRequestPayload(s, "opened"));
    const visible = app.logs.filter((l) => l.level >= 30).map((l) => JSON.stringify(l));
    expect(visible.length).toBeGreaterThan(0);
    for (const line of visible) {
      expect(line).not.toContain("orders_customer_idx");
      expect(line).not.toContain("ghs_test");
    }
  });
});
