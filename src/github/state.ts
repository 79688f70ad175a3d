// Everything the app needs to know about a pull request's current state, in one GraphQL call:
// its head (to drop results for an older push), draft flag, the app's own earlier reviews
// (markers, request-changes to dismiss), its review threads (fingerprints already commented,
// threads to resolve) and the app's check runs on the head commit (re-delivery detection).
import { CHECK_NAME, findingFingerprintOf, parseExternalId, parseReviewState, type ReviewState, type RunKey } from "./marker.js";
import type { GitHub } from "./octokit.js";
import { describeApiProblem, PullRequestState, ThreadsPage, type ThreadNode } from "./schemas.js";

const STATE_QUERY = `query MigrationGuardState($owner: String!, $name: String!, $number: Int!, $head: GitObjectID!, $checkName: String!) {
  repository(owner: $owner, name: $name) {
    pullRequest(number: $number) {
      headRefOid baseRefName isDraft state
      reviews(last: 20) { nodes { id databaseId state viewerDidAuthor body commit { oid } } }
      changesRequested: reviews(last: 50, states: CHANGES_REQUESTED) { nodes { id databaseId viewerDidAuthor } }
      reviewThreads(first: 100) { pageInfo { hasNextPage endCursor } nodes { id isResolved isOutdated comments(first: 1) { nodes { body viewerDidAuthor } } } }
    }
    object(oid: $head) { ... on Commit { checkSuites(last: 20) { nodes { checkRuns(last: 5, filterBy: { checkName: $checkName }) { nodes { databaseId externalId status conclusion } } } } } }
  }
}`;

const THREADS_QUERY = `query MigrationGuardThreads($owner: String!, $name: String!, $number: Int!, $after: String) {
  repository(owner: $owner, name: $name) {
    pullRequest(number: $number) {
      reviewThreads(first: 100, after: $after) { pageInfo { hasNextPage endCursor } nodes { id isResolved isOutdated comments(first: 1) { nodes { body viewerDidAuthor } } } }
    }
  }
}`;

/** A review thread the app started for one finding. */
export interface OwnThread {
  id: string;
  fingerprint: string;
  isResolved: boolean;
  isOutdated: boolean;
}

export interface OwnReview {
  nodeId: string;
  id: number | null;
  state: string;
  body: string;
  commit?: string;
  marker: ReviewState;
}

export interface PullRequestSnapshot {
  headSha: string;
  baseRef: string;
  isDraft: boolean;
  isOpen: boolean;
  /** The app's latest review carrying a valid state marker. */
  latestReview?: OwnReview;
  /** The app's reviews currently requesting changes (node ids, for dismissal). */
  requestingChanges: string[];
  threads: OwnThread[];
  /** The app's check runs on the head commit, newest last. */
  checkRuns: { id: number | null; key?: RunKey; status: string; conclusion: string | null }[];
}

export async function readPullRequestSnapshot(
  octokit: GitHub,
  ref: { owner: string; repo: string; number: number; headSha: string },
): Promise<PullRequestSnapshot> {
  const data = await octokit.graphql(STATE_QUERY, {
    owner: ref.owner,
    name: ref.repo,
    number: ref.number,
    head: ref.headSha,
    checkName: CHECK_NAME,
  });
  const parsed = PullRequestState.safeParse(data);
  if (!parsed.success) throw new Error(describeApiProblem("the pull request's state", parsed.error));
  const pr = parsed.data.repository.pullRequest;
  if (!pr) throw new Error(`pull request #${ref.number} not found in ${ref.owner}/${ref.repo}`);

  const threadNodes = [...nodes(pr.reviewThreads)];
  let page = pr.reviewThreads.pageInfo;
  while (page.hasNextPage) {
    const more = ThreadsPage.safeParse(
      await octokit.graphql(THREADS_QUERY, { owner: ref.owner, name: ref.repo, number: ref.number, after: page.endCursor }),
    );
    if (!more.success) throw new Error(describeApiProblem("the pull request's review threads", more.error));
    threadNodes.push(...nodes(more.data.repository.pullRequest.reviewThreads));
    page = more.data.repository.pullRequest.reviewThreads.pageInfo;
  }

  const ownReviews: OwnReview[] = [];
  for (const r of nodes(pr.reviews)) {
    if (!r.viewerDidAuthor) continue;
    const marker = parseReviewState(r.body);
    if (marker) ownReviews.push({ nodeId: r.id, id: r.databaseId, state: r.state, body: r.body, commit: r.commit?.oid, marker });
  }
  const checkRuns = nodes(parsed.data.repository.object?.checkSuites)
    .flatMap((suite) => nodes(suite.checkRuns))
    .map((run) => ({ id: run.databaseId, key: parseExternalId(run.externalId), status: run.status, conclusion: run.conclusion }))
    .filter((run) => run.key !== undefined);
  return {
    headSha: pr.headRefOid,
    baseRef: pr.baseRefName,
    isDraft: pr.isDraft,
    isOpen: pr.state === "OPEN",
    latestReview: ownReviews.at(-1),
    requestingChanges: nodes(pr.changesRequested).filter((r) => r.viewerDidAuthor).map((r) => r.id),
    threads: threadNodes.flatMap((t) => ownThread(t)),
    checkRuns,
  };
}

function ownThread(thread: ThreadNode): OwnThread[] {
  const first = nodes(thread.comments)[0];
  if (!first?.viewerDidAuthor) return [];
  const fingerprint = findingFingerprintOf(first.body);
  return fingerprint ? [{ id: thread.id, fingerprint, isResolved: thread.isResolved, isOutdated: thread.isOutdated }] : [];
}

function nodes<T>(connection: { nodes: (T | null)[] | null } | null | undefined): T[] {
  return (connection?.nodes ?? []).filter((n): n is T => n !== null);
}
