// Writing reviews: one review per result (body + inline comments in a single request, so
// GitHub sends one notification), edits of an earlier body, and one GraphQL mutation that
// resolves vanished findings' threads and dismisses outdated request-changes reviews.
import type { InlineComment } from "../core/render/inline.js";
import type { GitHub } from "./octokit.js";

export type { InlineComment };

export type ReviewEvent = "COMMENT" | "REQUEST_CHANGES";

export interface ReviewTarget {
  owner: string;
  repo: string;
  number: number;
  headSha: string;
}

export async function createReview(
  octokit: GitHub,
  target: ReviewTarget,
  review: { body: string; event: ReviewEvent; comments: InlineComment[] },
): Promise<{ id: number; htmlUrl?: string }> {
  const { data } = await octokit.rest.pulls.createReview({
    owner: target.owner,
    repo: target.repo,
    pull_number: target.number,
    commit_id: target.headSha,
    body: review.body,
    event: review.event,
    comments: review.comments.map((c) => ({
      path: c.path,
      line: c.line,
      side: c.side,
      ...(c.startLine !== undefined && c.startLine < c.line ? { start_line: c.startLine, start_side: c.side } : {}),
      body: c.body,
    })),
  });
  return { id: data.id, htmlUrl: data.html_url };
}

export async function updateReviewBody(octokit: GitHub, target: ReviewTarget, reviewId: number, body: string): Promise<void> {
  await octokit.rest.pulls.updateReview({ owner: target.owner, repo: target.repo, pull_number: target.number, review_id: reviewId, body });
}

/** One request for any number of thread resolutions and review dismissals. */
export async function resolveThreadsAndDismissReviews(
  octokit: GitHub,
  work: { threadIds: string[]; reviewIds: string[]; dismissMessage: string },
): Promise<void> {
  if (!work.threadIds.length && !work.reviewIds.length) return;
  const variables: Record<string, string> = { message: work.dismissMessage };
  const params = ["$message: String!"];
  const fields: string[] = [];
  work.threadIds.forEach((id, i) => {
    variables[`t${i}`] = id;
    params.push(`$t${i}: ID!`);
    fields.push(`r${i}: resolveReviewThread(input: { threadId: $t${i} }) { thread { id isResolved } }`);
  });
  work.reviewIds.forEach((id, i) => {
    variables[`d${i}`] = id;
    params.push(`$d${i}: ID!`);
    fields.push(`d${i}: dismissPullRequestReview(input: { pullRequestReviewId: $d${i}, message: $message }) { pullRequestReview { id state } }`);
  });
  await octokit.graphql(`mutation MigrationGuardCleanup(${params.join(", ")}) { ${fields.join(" ")} }`, variables);
}
