// The Probot entry: routing only. Each event goes to one handler module.
import type { Probot } from "probot";
import { handleCheckRunRerequested } from "./handlers/check-run.js";
import { handleIssueComment } from "./handlers/issue-comment.js";
import { handlePullRequest, PULL_REQUEST_EVENTS } from "./handlers/pull-request.js";
import { handleWorkflowRunCompleted } from "./handlers/workflow-run.js";

export default (app: Probot): void => {
  app.on([...PULL_REQUEST_EVENTS], async (context) => {
    await handlePullRequest(context);
  });
  app.on("check_run.rerequested", async (context) => {
    await handleCheckRunRerequested(context);
  });
  app.on(["issue_comment.created", "issue_comment.edited"], async (context) => {
    await handleIssueComment(context);
  });
  app.on("workflow_run.completed", async (context) => {
    await handleWorkflowRunCompleted(context);
  });
};
