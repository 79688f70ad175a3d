// The Octokit the app receives from Probot, plus two things Probot does not do for us:
// retrying secondary rate limits (Probot's throttling options only log them) and counting
// API calls per event (for logs and the benchmark).
import { setTimeout as wait } from "node:timers/promises";
import type { Context, Logger } from "probot";

export type GitHub = Context["octokit"];

export interface SecondaryRetryOptions {
  /** Retries after the first failure; GitHub asks for patience, not persistence. */
  maxRetries?: number;
  /** A longer `retry-after` than this is not waited for: the run fails with a clear check run instead. */
  maxWaitSeconds?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface CallCounter {
  count: number;
}

const prepared = new WeakMap<object, CallCounter>();

/**
 * Adds secondary-rate-limit retries (honouring `retry-after`) and a call counter to an
 * event's Octokit. Idempotent per instance. 5xx errors are already retried by Probot's
 * retry plugin, primary rate limits by its throttling plugin.
 */
export function prepareOctokit(octokit: GitHub, log: Logger, options: SecondaryRetryOptions = {}): CallCounter {
  const existing = prepared.get(octokit);
  if (existing) return existing;
  const counter: CallCounter = { count: 0 };
  prepared.set(octokit, counter);
  const { maxRetries = 3, maxWaitSeconds = 120, sleep = (ms: number) => wait(ms) } = options;
  octokit.hook.wrap("request", async (request, requestOptions) => {
    for (let attempt = 0; ; attempt++) {
      // Installation tokens are cached for an hour by Probot: not a per-event cost.
      if (!/\/access_tokens$/.test(String(requestOptions.url))) counter.count++;
      log.debug(`GitHub API ${requestOptions.method} ${String(requestOptions.url)}`);
      try {
        return await request(requestOptions);
      } catch (error) {
        const waitSeconds = secondaryRateLimitWait(error);
        if (waitSeconds === undefined || attempt >= maxRetries || waitSeconds > maxWaitSeconds) throw error;
        log.warn(
          `secondary rate limit on ${requestOptions.method} ${String(requestOptions.url)}: retrying in ${waitSeconds} s (attempt ${attempt + 1} of ${maxRetries})`,
        );
        await sleep(waitSeconds * 1000);
      }
    }
  });
  return counter;
}

/** Seconds to wait when `error` is a secondary rate limit answer, else undefined. */
export function secondaryRateLimitWait(error: unknown): number | undefined {
  const e = error as { status?: number; message?: string; response?: { headers?: Record<string, string | undefined> } };
  if (e?.status !== 403 && e?.status !== 429) return undefined;
  const headers = e.response?.headers ?? {};
  const secondary = /secondary rate limit|abuse detection/i.test(e.message ?? "") || headers["retry-after"] !== undefined;
  if (!secondary || headers["x-ratelimit-remaining"] === "0") return undefined;
  const retryAfter = Number(headers["retry-after"]);
  // GitHub's guidance when no retry-after is given: wait at least a minute.
  return Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : 60;
}

/** A `mediaType: { format: "raw" }` answer: text or bytes, undefined when it is neither (a folder listing). */
export function rawContent(data: unknown): string | Uint8Array | undefined {
  if (typeof data === "string") return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (data instanceof Uint8Array) return data;
  return undefined;
}

/** The HTTP status of a failed request (Octokit's RequestError), else undefined. */
export function httpStatus(error: unknown): number | undefined {
  return typeof error === "object" && error !== null && "status" in error ? Number((error as { status: unknown }).status) : undefined;
}
