// The Probot entry: routing (each event goes to one handler module), and one review at a time
// per pull request state (src/app/review-lock.ts).
import type { Context, Probot } from "probot";
import { handleCheckRunRerequested } from "./handlers/check-run.js";
import { handlePullRequest, PULL_REQUEST_EVENTS } from "./handlers/pull-request.js";
import { handleWorkflowRunEvidence } from "../github/workflow-run.js";
import { tuneHeap } from "./memory.js";
import { createReviewLocks, type ReviewLockOptions, type ReviewLocks } from "./review-lock.js";
import { createContextCaches } from "./context-cache.js";
import { reviewPullRequest, type Review } from "./review.js";
import { handleGateCommand, handleGateCommentEdited } from "../github/gates/handlers.js";
import { attachGateEvidence, gatesSectionProvider } from "../github/gates/provider.js";
import { sectionProviders } from "./sections.js";

export interface AppOptions {
  /** Shared by the app's instances so two of them never review the same state at once (REDIS_URL). */
  redis?: ReviewLockOptions["redis"];
}

/** The app with explicit options (tests, several instances); `npm start` uses the default export. */
export function migrationGuard(options: AppOptions = {}): (app: Probot) => ReviewLocks {
  return (app) => {
    const locks = createReviewLocks({ redis: options.redis, log: app.log });
    const review = guarded(locks);
    const on = installationScoped(app);
    app.on([...PULL_REQUEST_EVENTS], on((context) => handlePullRequest(context, review)));
    app.on("check_run.rerequested", on((context) => handleCheckRunRerequested(context, review)));
    app.on("issue_comment.created", on(handleGateCommand));
    app.on("issue_comment.edited", on(handleGateCommentEdited));
    if (!sectionProviders.includes(gatesSection)) sectionProviders.push(gatesSection);
    app.on("workflow_run.completed", on((context) => handleWorkflowRunEvidence(context, { review, attachGate: attachGateEvidence })));
    return locks;
  };
}

export default (app: Probot): void => {
  const heap = tuneHeap(process.env); // see memory.ts: bounded old-generation headroom under load
  if (heap.problem) app.log.warn(heap.problem);
  void migrationGuard({ redis: process.env.REDIS_URL || undefined })(app);
};

/**
 * Reviews one pull request state at a time (see review-lock.ts): a duplicate delivery of a
 * running review is a re-delivery; a re-run or new evidence waits for it instead.
 */
function guarded(locks: ReviewLocks, caches = createContextCaches()): Review {
  return async (context, target, options = {}) => {
    const mode = options.force || options.sections ? "after" : "once";
    const outcome = await locks.run(target, mode, context.log, () => reviewPullRequest(context, target, { caches, ...options }), (o) => o === "failed");
    return outcome === "duplicate" ? "already-done" : outcome;
  };
}

/** Quality gates, commit format and runbook sections of every review (src/github/gates). */
const gatesSection = gatesSectionProvider();

/**
 * Probot builds each event's Octokit without an installation id for its throttling, so every
 * installation shares one write queue (1 write/s for the whole app, cluster-wide with Redis).
 * `app.auth(installationId)` builds the same client with the id set: writes are paced per
 * installation, as GitHub's guidance asks. The installation token is cached either way.
 */
function installationScoped(app: Probot) {
  return <C extends Context>(handler: (context: C) => Promise<unknown>) =>
    async (context: C): Promise<void> => {
      try {
        const installation = (context.payload as { installation?: { id?: number } }).installation?.id;
        if (installation) context.octokit = await app.auth(installation);
        await handler(context);
      } catch (error) {
        throw new HandlerFailure(error);
      }
    };
}

/**
 * What a failed handler throws. @octokit/webhooks attaches the whole event (payload included, up
 * to 25 MB) to the error, and Probot logs the error with it: this error drops the attachment.
 */
class HandlerFailure extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = cause instanceof Error ? cause.name : "Error";
    if (cause instanceof Error && cause.stack) this.stack = cause.stack;
    const status = (cause as { status?: unknown } | null)?.status;
    if (typeof status === "number") Object.defineProperty(this, "status", { value: status, enumerable: true });
  }
  set event(_event: unknown) {}
  get event(): undefined {
    return undefined;
  }
}
