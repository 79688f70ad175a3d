// Two deliveries of the same pull request state at the same instant (`opened` and a redelivery,
// GitHub retrying) both read GitHub before either writes; only the review locks keep them from
// both posting. In one process, and across app instances through the real Redis on 127.0.0.1.
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { offlineGitHub } from "./helpers/nock.js";
import { migrationGuard } from "../src/app/index.js";
import { createReviewLocks, reviewLockKey, type ReviewKey, type ReviewLocks } from "../src/app/review-lock.js";
import { mockGitHub, pullRequestPayload, scenario, type Scenario } from "./fixtures/github/scenario.js";
import { testApp } from "./fixtures/github/probot.js";

const REDIS_URL = "redis://127.0.0.1:6379";
const CONFIG = "transaction: none\ngates:\n  enabled: false\ncommit_format:\n  enabled: false\n";

/** A PR with one migration; a fresh head SHA per test so runs sharing Redis never meet. */
function migrationPr(): Scenario {
  return scenario({
    headSha: randomBytes(20).toString("hex"),
    changes: { "db/migrations/20240201000000_index_orders.up.sql": "CREATE INDEX orders_customer_idx ON orders (customer_id);\n" },
  });
}

/** Reads for two full runs (so a missing lock shows as two posts, not as a mock error); writes recorded once. */
function mockTwoRuns(s: Scenario) {
  const first = mockGitHub(s, { config: CONFIG, readsChange: true });
  mockGitHub(s, { config: CONFIG, readsChange: true, writes: false });
  return first.writes;
}

const quiet = pino({ level: "silent" });
const key = (headSha = randomBytes(20).toString("hex")): ReviewKey => ({ owner: "o", repo: "r", number: 1, headSha, baseRef: "main" });
const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

let redis: Redis;
const opened: ReviewLocks[] = [];
beforeAll(async () => {
  redis = new Redis(REDIS_URL, { lazyConnect: true });
  await redis.connect();
});
afterAll(async () => {
  await Promise.all(opened.map((l) => l.close()));
  await redis.quit();
});
offlineGitHub(/127\.0\.0\.1/);

describe("two deliveries of the same state at once", () => {
  it("in one process: one check run and one review; the second delivery is a re-delivery", async () => {
    const s = migrationPr();
    const writes = mockTwoRuns(s);
    const app = await testApp();
    await Promise.all([
      app.receive("pull_request", pullRequestPayload(s, "opened"), "delivery-a"),
      app.receive("pull_request", pullRequestPayload(s, "synchronize"), "delivery-b"),
    ]);
    expect(writes.checkRuns).toHaveLength(1);
    expect(writes.reviews).toHaveLength(1);
    expect(app.logs.filter((l) => l.outcome === "reviewed")).toHaveLength(1);
    expect(app.logs.some((l) => /the same review just ran in this process; delivery dropped/.test(l.msg))).toBe(true);
  });

  it("across two app instances sharing Redis: exactly one of them posts", async () => {
    const s = migrationPr();
    const writes = mockTwoRuns(s);
    const withLocks = (probot: Parameters<ReturnType<typeof migrationGuard>>[0]) => opened.push(migrationGuard({ redis: REDIS_URL })(probot));
    const [first, second] = await Promise.all([testApp({ app: withLocks }), testApp({ app: withLocks })]);
    await Promise.all([first.receive("pull_request", pullRequestPayload(s, "opened")), second.receive("pull_request", pullRequestPayload(s, "opened"))]);
    expect(writes.checkRuns).toHaveLength(1);
    expect(writes.reviews).toHaveLength(1);
    const logs = [...first.logs, ...second.logs];
    expect(logs.filter((l) => l.outcome === "reviewed")).toHaveLength(1);
    expect(logs.some((l) => /another app instance is reviewing the same state; delivery dropped/.test(l.msg))).toBe(true);
    // The lock is gone once the review is done.
    expect(await redis.exists(reviewLockKey({ owner: "Codertocat", repo: "Hello-World", number: s.number, headSha: s.headSha, baseRef: s.baseRef }))).toBe(0);
  });
});

describe("review locks", () => {
  it("runs a duplicate after the first one failed, and a re-run after the first one finished", async () => {
    const locks = createReviewLocks();
    const k = key();
    const gate = deferred();
    const ran: string[] = [];
    const first = locks.run(k, "once", quiet, async () => (await gate.promise, ran.push("first"), "failed"), (o) => o === "failed");
    const retry = locks.run(k, "once", quiet, async () => (ran.push("retry"), "reviewed"), (o) => o === "failed");
    const rerun = locks.run(k, "after", quiet, async () => (ran.push("rerun"), "reviewed"));
    gate.resolve();
    expect(await Promise.all([first, retry, rerun])).toEqual(["failed", "reviewed", "reviewed"]);
    expect(ran).toEqual(["first", "retry", "rerun"]);
    // Another state is never held up.
    expect(await locks.run(key(), "once", quiet, async () => "other")).toBe("other");
  });

  it("with Redis: another instance's `after` review waits for the lock, then runs; the lock expires if never released", async () => {
    const a = createReviewLocks({ redis: REDIS_URL, ttlMs: 600, pollMs: 20 });
    const b = createReviewLocks({ redis: REDIS_URL, ttlMs: 600, pollMs: 20 });
    opened.push(a, b);
    const k = key();
    const gate = deferred();
    const order: string[] = [];
    const first = a.run(k, "once", quiet, async () => (await gate.promise, order.push("a"), "a"));
    await new Promise((r) => setTimeout(r, 50));
    expect(await b.run(k, "once", quiet, async () => "b-once")).toBe("duplicate");
    const waiting = b.run(k, "after", quiet, async () => (order.push("b"), "b"));
    // Held past its TTL: renewed while the review runs.
    await new Promise((r) => setTimeout(r, 900));
    expect(order).toEqual([]);
    gate.resolve();
    expect(await Promise.all([first, waiting])).toEqual(["a", "b"]);
    expect(order).toEqual(["a", "b"]);

    // A crashed holder (lock set, never released) frees the state after the TTL.
    const crashed = key();
    await redis.set(reviewLockKey(crashed), "someone-else", "PX", 300);
    expect(await a.run(crashed, "once", quiet, async () => "ran")).toBe("duplicate");
    await new Promise((r) => setTimeout(r, 400));
    expect(await a.run(crashed, "once", quiet, async () => "ran")).toBe("ran");
  });

  it("reviews without the lock when Redis cannot be reached, and says so", async () => {
    const warnings: string[] = [];
    const log = pino({ level: "warn" }, { write: (line: string) => void warnings.push(JSON.parse(line).msg) });
    const locks = createReviewLocks({ redis: "redis://127.0.0.1:1" });
    opened.push(locks);
    expect(await locks.run(key(), "once", log, async () => "reviewed")).toBe("reviewed");
    expect(warnings.join("\n")).toMatch(/review lock unavailable \(Redis: .*\); reviewing without it/);
  });
});
