// The GitHub App end to end inside a real Probot: real webhook payloads in, the exact
// requests GitHub would receive out (nock, no network).
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseReviewState } from "../src/github/marker.js";
import {
  API,
  OWNER,
  REPO,
  baseTree,
  blobSha,
  example,
  listedFiles,
  mockGitHub,
  pullRequestPayload,
  recordWrites,
  emptyWrites,
  scenario,
  stateResponse,
  type Scenario,
} from "./fixtures/github/scenario.js";
import { testApp } from "./fixtures/github/probot.js";

const CONFIG = "transaction: none\n";
const ORDERS_UP = "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint);\n";
const ORDERS_DOWN = "DROP TABLE orders;\n";
const INDEX_UP = "-- lookups by customer\nCREATE INDEX orders_customer_idx\n  ON orders (customer_id);\n";
const INDEX_DOWN = "DROP INDEX CONCURRENTLY orders_customer_idx;\n";
const STATUS_UP = "ALTER TABLE orders ADD COLUMN status text;\n";
const STATUS_DOWN = "ALTER TABLE orders DROP COLUMN status;\n";

const BASE = {
  "db/migrations/20240101000000_create_orders.up.sql": ORDERS_UP,
  "db/migrations/20240101000000_create_orders.down.sql": ORDERS_DOWN,
};

function multiFile(extra: Partial<Scenario> = {}): Scenario {
  return scenario({
    base: BASE,
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

beforeEach(() => {
  nock.disableNetConnect();
});

afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

describe("pull_request.opened with several migrations", () => {
  it("posts one check run and one review with a suggestion on the exact line", async () => {
    const s = multiFile();
    const { reads, writes } = mockGitHub(s, { config: CONFIG, readsChange: true });
    const app = await testApp();
    await app.receive("pull_request", pullRequestPayload(s, "opened"));

    expect(reads.pendingMocks()).toEqual([]);
    // The state query asks about this PR and head.
    expect(writes.graphqlQueries[0]!.variables).toEqual({ owner: OWNER, name: REPO, number: 2, head: s.headSha, checkName: "migration-guard" });

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

    // Every added file's content came from its verified patch: no blob reads at all.
    const done = app.logs.find((l) => l.outcome === "reviewed")!;
    // config, state, files, tree, check run, review: the budget is files/100 + 6.
    expect(done.apiCalls).toBe(6);
  });
});
