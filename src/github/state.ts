// Everything the app needs to know about a pull request's current state, in one GraphQL call:
// its head (to drop results for an older push), draft flag, the app's own earlier reviews
// (markers, request-changes to dismiss), its review threads (fingerprints already commented,
// threads to resolve) and the app's check runs on the head commit (re-delivery detection).
// The quality gates' reads ride along (the sticky comment, the `migration-guard/gates` run,
// the commits with their messages), so a review with gates on needs no REST reads for them; so
// do the node ids the batched writes need (repository, pull request, comment, gates run).
import { GATES_CHECK_NAME, gatesCheckRecord, isStickyBody, type GatesCheckRecord, type GatesPrefetch, type IssueComment } from "./gates/api.js";
import { CHECK_NAME, findingFingerprintsOf, parseExternalId, parseReviewState, type ReviewState, type RunKey } from "./marker.js";
import type { GitHub } from "./octokit.js";
import { describeApiProblem, PullRequestState, ThreadsPage, type IssueCommentNode, type ThreadNode } from "./schemas.js";

/** Commits read with the state; a PR with more is listed through REST by the gates (GitHub's cap: 250). */
const STATE_COMMITS = 100;
/** Issue comments searched for the sticky gates comment; past them the gates search through REST. */
const STATE_COMMENTS = 100;

/** A review thread as `ownThread` reads it (the state query's first page, THREADS_QUERY's next ones). */
const THREAD_FIELDS = "pageInfo { hasNextPage endCursor } nodes { id isResolved isOutdated comments(first: 1) { nodes { body viewerDidAuthor } } }";

const STATE_QUERY = `query MigrationGuardState($owner: String!, $name: String!, $number: Int!, $head: GitObjectID!, $checkName: String!, $gatesCheckName: String!) {
  repository(owner: $owner, name: $name) {
    id
    pullRequest(number: $number) {
      id headRefOid baseRefName isDraft state title body url author { login }
      reviews(last: 20) { nodes { id databaseId state viewerDidAuthor body commit { oid } } }
      changesRequested: reviews(last: 50, states: CHANGES_REQUESTED) { nodes { id databaseId viewerDidAuthor } }
      reviewThreads(first: 100) { ${THREAD_FIELDS} }
      commits(last: ${STATE_COMMITS}) { totalCount nodes { commit { oid message parents { totalCount } } } }
      comments(first: ${STATE_COMMENTS}) { pageInfo { hasNextPage } nodes { id databaseId body url updatedAt viewerDidAuthor author { login } } }
    }
    object(oid: $head) {
      ... on Commit {
        checkSuites(last: 20) {
          nodes {
            checkRuns(last: 5, filterBy: { checkName: $checkName }) { nodes { id databaseId externalId status conclusion } }
            gatesRuns: checkRuns(last: 1, filterBy: { checkName: $gatesCheckName }) { nodes { id databaseId externalId } }
          }
        }
      }
    }
  }
}`;

const THREADS_QUERY = `query MigrationGuardThreads($owner: String!, $name: String!, $number: Int!, $after: String) {
  repository(owner: $owner, name: $name) {
    pullRequest(number: $number) {
      reviewThreads(first: 100, after: $after) { ${THREAD_FIELDS} }
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
  /** GraphQL node ids, for the delivery's batched mutations (src/github/write-batch.ts). */
  nodeIds: { repository: string; pullRequest: string };
  headSha: string;
  baseRef: string;
  isDraft: boolean;
  isOpen: boolean;
  /** What the gates read when the event carries no pull request (check run, workflow run). */
  pull: { title: string; body: string; author: string; url: string };
  /** The quality gates' state on GitHub (see GatesPrefetch). */
  gates: GatesPrefetch;
  /** The app's latest review carrying a valid state marker. */
  latestReview?: OwnReview;
  /** The app's reviews currently requesting changes (node ids, for dismissal). */
  requestingChanges: string[];
  threads: OwnThread[];
  /** The app's check runs on the head commit, newest last. */
  checkRuns: { id: number | null; nodeId?: string; key?: RunKey; status: string; conclusion: string | null }[];
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
    gatesCheckName: GATES_CHECK_NAME,
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
  const suites = nodes(parsed.data.repository.object?.checkSuites);
  const checkRuns = suites
    .flatMap((suite) => nodes(suite.checkRuns))
    .map((run) => ({ id: run.databaseId, nodeId: run.id, key: parseExternalId(run.externalId), status: run.status, conclusion: run.conclusion }))
    .filter((run) => run.key !== undefined);
  return {
    nodeIds: { repository: parsed.data.repository.id, pullRequest: pr.id },
    headSha: pr.headRefOid,
    baseRef: pr.baseRefName,
    isDraft: pr.isDraft,
    isOpen: pr.state === "OPEN",
    pull: { title: pr.title, body: pr.body, author: pr.author?.login ?? "ghost", url: pr.url },
    gates: {
      sticky: stickySearch(nodes(pr.comments), pr.comments.pageInfo.hasNextPage),
      check: latestGatesRun(suites.flatMap((suite) => nodes(suite.gatesRuns))),
      // GitHub lists a PR's commits oldest first; `last: N` keeps that order.
      commits:
        pr.commits.totalCount <= STATE_COMMITS
          ? nodes(pr.commits).map(({ commit }) => ({ sha: commit.oid, message: commit.message, parents: commit.parents.totalCount }))
          : undefined,
    },
    latestReview: ownReviews.at(-1),
    requestingChanges: nodes(pr.changesRequested).filter((r) => r.viewerDidAuthor).map((r) => r.id),
    threads: threadNodes.flatMap((t) => ownThread(t)),
    checkRuns,
  };
}

/** The app's sticky comment among the PR's first comments; unknown when it may be on a later page. */
function stickySearch(comments: IssueCommentNode[], more: boolean): GatesPrefetch["sticky"] {
  // The viewer is the app itself: `viewerDidAuthor` is GitHub's word that the app wrote it.
  const own = comments.find((c) => c.viewerDidAuthor && c.databaseId !== null && isStickyBody(c.body));
  // A comment of ours that no longer looks like the sticky one may be it, defaced: the gates
  // search through REST and the comment's edit history (src/github/gates/api.ts).
  if (!own) return more || comments.some((c) => c.viewerDidAuthor && !isStickyBody(c.body)) ? undefined : {};
  const comment: IssueComment = { id: own.databaseId!, node_id: own.id, body: own.body, html_url: own.url, updated_at: own.updatedAt, user: own.author ? { login: own.author.login, type: "Bot" } : null };
  return { comment };
}

/** The newest `migration-guard/gates` run (the highest id) over the head's check suites. */
function latestGatesRun(runs: { id: string; databaseId: number | null; externalId: string | null }[]): GatesCheckRecord {
  const newest = runs.filter((r) => r.databaseId !== null).sort((a, b) => b.databaseId! - a.databaseId!)[0];
  return newest ? gatesCheckRecord(newest.databaseId!, newest.externalId, newest.id) : {};
}

function ownThread(thread: ThreadNode): OwnThread[] {
  const first = nodes(thread.comments)[0];
  if (!first?.viewerDidAuthor) return [];
  return findingFingerprintsOf(first.body).map((fingerprint) => ({ id: thread.id, fingerprint, isResolved: thread.isResolved, isOutdated: thread.isOutdated }));
}

function nodes<T>(connection: { nodes: (T | null)[] | null } | null | undefined): T[] {
  return (connection?.nodes ?? []).filter((n): n is T => n !== null);
}
