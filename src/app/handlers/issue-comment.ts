// `issue_comment` (created, edited): `/migration-guard …` commands on pull requests — sign-offs
// for the quality gates. The gates module (src/github/gates/) owns the behaviour and replaces
// this body with a call to its handler; until then the event is received and logged only.
import type { Context } from "probot";

export async function handleIssueComment(context: Context<"issue_comment.created" | "issue_comment.edited">): Promise<"not-implemented"> {
  const { issue, comment } = context.payload;
  context.log.info(
    `issue_comment on #${issue.number} (comment ${comment.id}) received: quality-gate commands are not handled yet (no gates handler is wired in)`,
  );
  return "not-implemented";
}
