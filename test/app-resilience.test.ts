// Retries and throttling as the app runs in production: Probot's retry and throttling plugins
// enabled (they are off in the other app tests), plus the app's own secondary-rate-limit retry.
// These tests wait for real: ~1 s per retry and Probot's pacing of writes.
import nock from "nock";
import { describe, expect, it } from "vitest";
import { offlineGitHub } from "./helpers/nock.js";
import { secondaryRateLimitWait } from "../src/github/octokit.js";
import { API, OWNER, REPO, batchedMutations, emptyWrites, listedFiles, mockGitHub, pullRequestPayload, recordWrites, scenario } from "./fixtures/github/scenario.js";
import { testApp } from "./fixtures/github/probot.js";

const CONFIG = "transaction: none\n";
const s = scenario({
  base: { "db/migrations/0001_orders.up.sql": "CREATE TABLE orders (id bigint, customer_id bigint);\n", "db/migrations/0001_orders.down.sql": "DROP TABLE orders;\n" },
  changes: {
    "db/migrations/0002_index.up.sql": "CREATE INDEX orders_customer_idx ON orders (customer_id);\n",
    "db/migrations/0002_index.down.sql": "DROP INDEX CONCURRENTLY orders_customer_idx;\n",
  },
});

offlineGitHub();

describe("resilience with Probot's production Octokit", () => {
  it("retries a 5xx answer and then succeeds", async () => {
    const { reads, writes } = mockGitHub(s, { config: CONFIG, readsChange: true, listFiles: false });
    const flaky = nock(API)
      .get(`/repos/${OWNER}/${REPO}/pulls/2/files`)
      .query({ per_page: "100" })
      .reply(502, { message: "Bad Gateway" })
      .get(`/repos/${OWNER}/${REPO}/pulls/2/files`)
      .query({ per_page: "100" })
      .reply(200, listedFiles(s));
    const app = await testApp({ resilient: true });
    await app.receive("pull_request", pullRequestPayload(s, "opened"));
    expect(flaky.pendingMocks()).toEqual([]);
    expect(reads.pendingMocks()).toEqual([]);
    // With the gates on (the default), the check run goes out with the gates' writes in one GraphQL request.
    expect(writes.checkRuns).toEqual([]);
    expect(writes.batches).toHaveLength(1);
    const main = batchedMutations(writes.batches[0]!).find((m) => m.input.name === "migration-guard")!.input;
    expect(main.conclusion).toBe("FAILURE"); // the finding, not an app failure
    expect(main.externalId).toBe("mg1 pr=2 outcome=done base=master");
    expect(writes.reviews).toHaveLength(1);
  });

  it("waits out a secondary rate limit for the time GitHub asks (retry-after), then posts", async () => {
    const { reads } = mockGitHub(s, { config: CONFIG, readsChange: true, writes: false });
    const writes = emptyWrites();
    const limited = nock(API)
      .post(`/repos/${OWNER}/${REPO}/pulls/2/reviews`)
      .reply(403, { message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again." }, { "retry-after": "1" });
    recordWrites(writes);
    const app = await testApp({ resilient: true });
    await app.receive("pull_request", pullRequestPayload(s, "opened"));
    expect(limited.pendingMocks()).toEqual([]);
    expect(reads.pendingMocks()).toEqual([]);
    expect(writes.reviews).toHaveLength(1);
    expect(writes.checkRunUpdates).toEqual([]); // no failure reported
    // Probot's throttling plugin saw the limit (proof it is active) but does not retry it…
    expect(app.logs.some((l) => /Secondary quota detected for request POST/.test(String(l.msg)))).toBe(true);
    // …so the app does, after the time GitHub asked for.
    const warning = app.logs.find((l) => String(l.msg).startsWith("secondary rate limit"));
    expect(warning?.msg).toBe("secondary rate limit on POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews: retrying in 1 s (attempt 1 of 3)");
  });

  it("gives up on a secondary rate limit that asks for too long and says so in the check run", async () => {
    const { reads } = mockGitHub(s, { config: CONFIG, readsChange: true, writes: false });
    const writes = emptyWrites();
    nock(API)
      .post(`/repos/${OWNER}/${REPO}/pulls/2/reviews`)
      .reply(403, { message: "You have exceeded a secondary rate limit." }, { "retry-after": "3600" });
    recordWrites(writes);
    const app = await testApp({ resilient: true });
    await app.receive("pull_request", pullRequestPayload(s, "opened"));
    expect(reads.pendingMocks()).toEqual([]);
    expect(writes.reviews).toEqual([]);
    expect(writes.checkRunUpdates).toEqual([
      expect.objectContaining({ conclusion: "failure", output: expect.objectContaining({ title: "migration-guard could not finish: posting the review" }) }),
    ]);
    expect(writes.checkRunUpdates[0]!.output.summary).toContain("HTTP 403: You have exceeded a secondary rate limit.");
  });
});

describe("secondaryRateLimitWait", () => {
  const error = (status: number, message: string, headers: Record<string, string>) => Object.assign(new Error(message), { status, response: { headers } });
  it("reads retry-after from secondary limits only", () => {
    expect(secondaryRateLimitWait(error(403, "You have exceeded a secondary rate limit", { "retry-after": "30" }))).toBe(30);
    expect(secondaryRateLimitWait(error(429, "Too many requests", { "retry-after": "5" }))).toBe(5);
    // No retry-after: GitHub says wait at least a minute.
    expect(secondaryRateLimitWait(error(403, "You have exceeded a secondary rate limit", {}))).toBe(60);
    // Primary limit (remaining 0) is the throttling plugin's business; a plain 403 is no limit at all.
    expect(secondaryRateLimitWait(error(403, "API rate limit exceeded", { "x-ratelimit-remaining": "0", "retry-after": "9" }))).toBeUndefined();
    expect(secondaryRateLimitWait(error(403, "Resource not accessible by integration", {}))).toBeUndefined();
    expect(secondaryRateLimitWait(error(502, "Bad Gateway", { "retry-after": "1" }))).toBeUndefined();
  });
});
