// `check_run.rerequested`: the "Re-run" button on the migration-guard check. Analyzes the
// pull request again even though its head was already handled.
import type { Context } from "probot";
import { CHECK_NAME, parseExternalId } from "../../github/marker.js";
import { prepareOctokit } from "../../github/octokit.js";
import { reviewPullRequest, type Review, type ReviewOutcome } from "../review.js";
import { targetOf } from "./pull-request.js";

export async function handleCheckRunRerequested(context: Context<"check_run.rerequested">, review: Review = reviewPullRequest): Promise<ReviewOutcome | "ignored"> {
  const run = context.payload.check_run;
  if (run.name !== CHECK_NAME) return "ignored";
  // Fork PRs come with an empty `pull_requests` list; the check run's external id names the PR.
  const number = run.pull_requests[0]?.number ?? parseExternalId(run.external_id)?.pr;
  if (number === undefined) {
    context.log.warn(`check run ${run.id} was re-requested but names no pull request; nothing to re-run`);
    return "ignored";
  }
  prepareOctokit(context.octokit, context.log);
  const { data: pr } = await context.octokit.rest.pulls.get(context.repo({ pull_number: number }));
  const repository = context.payload.repository;
  if (pr.head.sha !== run.head_sha) {
    context.log.info(`re-run of ${run.head_sha.slice(0, 7)} ignored: pull request #${number} is now at ${pr.head.sha.slice(0, 7)}`);
    return "superseded";
  }
  return review(context as unknown as Context, targetOf(pr, repository), { force: true });
}
