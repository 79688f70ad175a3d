// `pull_request` events that can change the analysis: a new head (opened, synchronize,
// reopened), a draft becoming ready, or a new base branch (edited with `changes.base`).
import type { Context } from "probot";
import { reviewPullRequest, type PullRequestTarget, type Review, type ReviewOutcome } from "../review.js";

export const PULL_REQUEST_EVENTS = [
  "pull_request.opened",
  "pull_request.synchronize",
  "pull_request.reopened",
  "pull_request.ready_for_review",
  "pull_request.edited",
] as const;

type PullRequestContext = Context<(typeof PULL_REQUEST_EVENTS)[number]>;

export async function handlePullRequest(context: PullRequestContext, review: Review = reviewPullRequest): Promise<ReviewOutcome | "ignored"> {
  const { payload } = context;
  if (payload.action === "edited" && !("base" in (payload.changes ?? {}))) {
    context.log.debug(`#${payload.pull_request.number}: edited without a base change, nothing to analyze`);
    return "ignored";
  }
  return review(context as unknown as Context, targetOf(payload.pull_request, payload.repository));
}

interface PullRequestData {
  number: number;
  html_url: string;
  changed_files?: number;
  head: { sha: string };
  base: { sha: string; ref: string };
}

interface RepositoryData {
  name: string;
  owner: { login: string };
  html_url: string;
  default_branch: string;
}

/**
 * Everything is read from the base repository, also for pull requests from forks: GitHub
 * keeps a fork PR's commits in the base repository (refs/pull/N/head).
 */
export function targetOf(pr: PullRequestData, repository: RepositoryData): PullRequestTarget {
  return {
    owner: repository.owner.login,
    repo: repository.name,
    number: pr.number,
    headSha: pr.head.sha,
    baseSha: pr.base.sha,
    baseRef: pr.base.ref,
    changedFiles: pr.changed_files,
    htmlUrl: pr.html_url,
    repoHtmlUrl: repository.html_url,
    defaultBranch: repository.default_branch,
  };
}
