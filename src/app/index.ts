// The Probot entry: routing only. Each event goes to one handler module.
import type { Context, Probot } from "probot";
import { handleCheckRunRerequested } from "./handlers/check-run.js";
import { handlePullRequest, PULL_REQUEST_EVENTS } from "./handlers/pull-request.js";
import { handleWorkflowRunEvidence } from "../github/workflow-run.js";
import { reviewPullRequest } from "./review.js";
import { handleGateCommand, handleGateCommentEdited } from "../github/gates/handlers.js";
import { attachGateEvidence, gatesSectionProvider } from "../github/gates/provider.js";
import { sectionProviders } from "./sections.js";

export default (app: Probot): void => {
  const on = installationScoped(app);
  app.on([...PULL_REQUEST_EVENTS], on(handlePullRequest));
  app.on("check_run.rerequested", on(handleCheckRunRerequested));
  app.on("issue_comment.created", on(handleGateCommand));
  app.on("issue_comment.edited", on(handleGateCommentEdited));
  if (!sectionProviders.includes(gatesSection)) sectionProviders.push(gatesSection);
  app.on("workflow_run.completed", on((context) => handleWorkflowRunEvidence(context, { review: reviewPullRequest, attachGate: attachGateEvidence })));
};

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
      const installation = (context.payload as { installation?: { id?: number } }).installation?.id;
      if (installation) context.octokit = await app.auth(installation);
      await handler(context);
    };
}
