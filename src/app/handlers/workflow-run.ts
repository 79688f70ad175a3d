// `workflow_run.completed`: the ephemeral migration test finished on GitHub Actions. The
// evidence module (src/github/workflow-run.ts) owns downloading and validating the report; it
// then calls `reviewPullRequest(context, target, { force: true, sections: { evidence } })`.
// Until it is wired in here the event is received and logged only.
import type { Context } from "probot";

export async function handleWorkflowRunCompleted(context: Context<"workflow_run.completed">): Promise<"not-implemented"> {
  const run = context.payload.workflow_run;
  context.log.info(
    `workflow_run ${run.id} (${run.name ?? "unnamed"}, ${run.conclusion ?? "no conclusion"}) completed: test evidence is not merged into reviews yet (no evidence handler is wired in)`,
  );
  return "not-implemented";
}
