// With REDIS_URL, Probot keeps its rate-limit bookkeeping in Redis so several app instances
// share one budget per installation. Checked against the real Redis on 127.0.0.1:6379: after a
// delivery, the write limiter of this installation lives in Redis, with both instances
// registered as clients of it. (Own file: the throttling plugin's limiter groups are
// per-process singletons, created by the first Octokit that asks.)
import { Redis } from "ioredis";
import nock from "nock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mockGitHub, pullRequestPayload, scenario } from "./fixtures/github/scenario.js";
import { testApp } from "./fixtures/github/probot.js";

const REDIS_URL = "redis://127.0.0.1:6379";
// A fresh installation id per run, so parallel runs and leftovers never mix.
const installation = 900_000_000 + Math.floor(Math.random() * 99_999_999);
const redis = new Redis(REDIS_URL, { lazyConnect: true });

beforeAll(async () => {
  await redis.connect();
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1/);
});

afterAll(async () => {
  const keys = await redis.keys(`b_octokit-*-${installation}*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
  nock.cleanAll();
  nock.enableNetConnect();
});

describe("shared throttling through Redis", () => {
  it("keeps the installation's write limiter in Redis, shared by two app instances", async () => {
    const s = scenario({ changes: { "README.md": "# Hello\n" } });
    const first = await testApp({ resilient: true, redisConfig: REDIS_URL });
    const second = await testApp({ resilient: true, redisConfig: REDIS_URL });
    for (const app of [first, second]) {
      const { writes } = mockGitHub(s, { installation });
      const payload = pullRequestPayload(s, "opened");
      payload.installation.id = installation;
      await app.receive("pull_request", payload);
      expect(writes.checkRuns).toHaveLength(1);
      nock.cleanAll();
    }
    const keys = (await redis.keys(`b_octokit-write-${installation}_*`)).sort();
    expect(keys).toContain(`b_octokit-write-${installation}_settings`);
    expect(keys).toContain(`b_octokit-write-${installation}_client_running`);
    const clients = await redis.zrange(`b_octokit-write-${installation}_client_last_registered`, 0, -1);
    expect(clients.length).toBeGreaterThanOrEqual(1);
  });
});
