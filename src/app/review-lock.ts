// One review at a time per pull request state (repository, PR, head SHA, base branch).
// Re-delivery detection reads GitHub (src/app/review.ts), but two deliveries of the same state
// arriving together (`opened` + a redelivery, GitHub retrying) both read before either writes,
// and both would post. So:
//   - in this process, a second delivery waits for the running one and is then a re-delivery
//     ("already-done"); when the first one failed, it runs instead (a retry, as on GitHub);
//   - with Redis (REDIS_URL), a short lock (SET NX PX, renewed while the review runs) keeps a
//     second app instance from reviewing the same state at the same time: it drops its delivery.
// A re-run or a review with evidence (`force`, `sections`) never drops: it waits its turn.
// Redis trouble never blocks a review: without the lock the app is as before, with a warning.
import { setTimeout as sleep } from "node:timers/promises";
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import type { Logger } from "probot";

export interface ReviewKey {
  owner: string;
  repo: string;
  number: number;
  headSha: string;
  baseRef: string;
}

/** `once`: a duplicate of a running review is dropped. `after`: it runs when the other is done. */
export type LockMode = "once" | "after";

export interface ReviewLockOptions {
  /** A Redis URL or client shared by the app's instances; none: in-process only. */
  redis?: string | Redis;
  /** Where connection trouble of a client made from a URL is reported (at most once a minute). */
  log?: Logger;
  /** Lock lifetime; renewed at a third of it while the review runs, so a crash frees it soon. */
  ttlMs?: number;
  /** How long an `after` review waits for another instance's lock before running anyway. */
  maxWaitMs?: number;
  pollMs?: number;
}

export interface ReviewLocks {
  /**
   * Runs `work` for `key`, or returns `duplicate` when the same review already ran (or runs on
   * another instance) and `mode` is `once`.
   */
  run<T>(key: ReviewKey, mode: LockMode, log: Logger, work: () => Promise<T>, failed?: (outcome: T) => boolean): Promise<T | "duplicate">;
  close(): Promise<void>;
}

const RELEASE = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;
const RENEW = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) else return 0 end`;

export function reviewLockKey(key: ReviewKey): string {
  return `migration-guard:review:${key.owner}/${key.repo}#${key.number}@${key.headSha}:${key.baseRef}`;
}

export function createReviewLocks(options: ReviewLockOptions = {}): ReviewLocks {
  const { ttlMs = 30_000, maxWaitMs = 60_000, pollMs = 250 } = options;
  const running = new Map<string, Promise<unknown>>();
  const ownClient = typeof options.redis === "string";
  const redis =
    typeof options.redis === "string"
      ? new Redis(options.redis, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2_000, commandTimeout: 2_000 })
      : options.redis;
  if (ownClient && redis) {
    let reported = 0;
    redis.on("error", (error: Error) => {
      if (Date.now() - reported < 60_000) return;
      reported = Date.now();
      options.log?.warn(`review lock: Redis connection problem (${error.message}); reviews go on without the cross-instance lock`);
    });
  }

  async function run<T>(key: ReviewKey, mode: LockMode, log: Logger, work: () => Promise<T>, failed: (outcome: T) => boolean = () => false): Promise<T | "duplicate"> {
    const id = reviewLockKey(key);
    // In this process: wait for a running review of the same state.
    for (let prior = running.get(id); prior; prior = running.get(id)) {
      const outcome = await prior.then((value) => (failed(value as T) ? "failed" : "done"), () => "failed");
      if (mode === "once" && outcome === "done") {
        log.debug(`${id}: the same review just ran in this process; delivery dropped`);
        return "duplicate";
      }
    }
    const mine = withRedisLock(id, mode, log, work);
    running.set(id, mine);
    try {
      return await mine;
    } finally {
      if (running.get(id) === mine) running.delete(id);
    }
  }

  /** Across instances: the Redis lock, or the work alone when Redis is not configured or fails. */
  async function withRedisLock<T>(id: string, mode: LockMode, log: Logger, work: () => Promise<T>): Promise<T | "duplicate"> {
    if (!redis) return work();
    const token = randomBytes(12).toString("hex");
    const deadline = Date.now() + maxWaitMs;
    let held = false;
    try {
      for (;;) {
        held = (await redis.set(id, token, "PX", ttlMs, "NX")) === "OK";
        if (held) break;
        if (mode === "once") {
          log.debug(`${id}: another app instance is reviewing the same state; delivery dropped`);
          return "duplicate";
        }
        if (Date.now() >= deadline) {
          log.warn(`${id}: another app instance held the review lock for ${maxWaitMs} ms; reviewing anyway`);
          break;
        }
        await sleep(pollMs);
      }
    } catch (error) {
      log.warn(`review lock unavailable (Redis: ${error instanceof Error ? error.message : String(error)}); reviewing without it`);
      return work();
    }
    if (!held) return work();
    const renew = setInterval(() => void redis.eval(RENEW, 1, id, token, String(ttlMs)).catch(() => undefined), Math.max(1, Math.floor(ttlMs / 3)));
    try {
      return await work();
    } finally {
      clearInterval(renew);
      await redis.eval(RELEASE, 1, id, token).catch((error: unknown) => log.warn(`could not release the review lock ${id}: ${String(error)}`));
    }
  }

  return {
    run,
    async close() {
      if (redis && ownClient) await redis.quit().catch(() => redis.disconnect());
    },
  };
}
