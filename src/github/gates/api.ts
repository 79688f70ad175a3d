// The GitHub calls the gates need, and nothing else: the sticky comment, the sender's authority
// (collaborator permission, team membership), the `migration-guard/gates` check run, the files a
// push changed, and the PR's commits for the commit-format check.
import { httpStatus, type GitHub } from "../octokit.js";
import { queueCheckRunWrite } from "../checks.js";
import { CommentHistory, CommentWritten, describeApiProblem } from "../schemas.js";
import type { WriteBatch } from "../write-batch.js";
import { PERMISSION_ORDER, type RepoPermission, type SignoffPolicy } from "../../core/gates/config.js";
import { teamRef } from "../../core/gates/authority.js";
import { STICKY_HEADER } from "../../core/gates/render.js";
import { hasMarker } from "../../core/gates/state.js";

export const GATES_CHECK_NAME = "migration-guard/gates";

export interface RepoRef {
  owner: string;
  repo: string;
}

export interface IssueComment {
  id: number;
  /** GraphQL node id (for the batched update). */
  node_id?: string;
  body?: string | null;
  html_url?: string;
  updated_at?: string;
  user?: { login: string; type?: string; id?: number } | null;
  performed_via_github_app?: { id: number } | null;
}

/**
 * Our sticky comment: written by a bot account, with our header and state marker, and (when
 * the app id is known) by this app. A user's comment that copies the marker is never ours.
 */
export function isOwnComment(comment: IssueComment, appId?: number): boolean {
  if (comment.user?.type !== "Bot" || !isStickyBody(comment.body ?? "")) return false;
  return appId === undefined || comment.performed_via_github_app?.id === appId;
}

/** The sticky comment's shape: our header first, a state marker inside. */
export function isStickyBody(body: string): boolean {
  return body.startsWith(STICKY_HEADER) && hasMarker(body);
}

/**
 * What the review's state query (src/github/state.ts) already read for the gates, so the review
 * path needs no read calls of its own. A part left undefined was not read completely: the gates
 * fetch it themselves.
 */
export interface GatesPrefetch {
  /** The sticky comment search: `comment` is ours, or undefined when the PR has none yet. */
  sticky?: { comment?: IssueComment };
  check: GatesCheckRecord;
  /** The PR's commits, oldest first. */
  commits?: PullCommit[];
}

/**
 * Our sticky comment. When none looks like one, a comment of ours whose header or marker was
 * edited away is still ours if its edit history holds a body that `wasOurs` recognizes (a marker
 * signed with our key): sign-offs are then restored, not started over in a fresh comment.
 */
export async function findStickyComment(
  octokit: GitHub,
  repo: RepoRef,
  pr: number,
  appId?: number,
  wasOurs?: (body: string) => boolean,
): Promise<IssueComment | undefined> {
  const comments = (await octokit.paginate(octokit.rest.issues.listComments, { ...repo, issue_number: pr, per_page: 100 })) as IssueComment[];
  const own = comments.find((c) => isOwnComment(c, appId));
  if (own || !wasOurs) return own;
  for (const candidate of comments.filter((c) => isDefaced(c, appId)).slice(0, MAX_DEFACED_CHECKED)) {
    const history = await commentHistory(octokit, candidate.node_id);
    if (history.some((edit) => wasOurs(edit.body))) return candidate;
  }
  return undefined;
}

/** Comments checked for being our sticky comment with its header and marker edited away. */
const MAX_DEFACED_CHECKED = 3;

/** A comment written by this app (by a bot, when the app id is unknown) that no longer looks like the sticky one. */
export function isDefaced(comment: IssueComment, appId?: number): boolean {
  if (comment.user?.type !== "Bot" || isStickyBody(comment.body ?? "")) return false;
  return appId === undefined || comment.performed_via_github_app?.id === appId;
}

/** Edits read back when the sticky comment's state was tampered with (GitHub keeps them all). */
const HISTORY_EDITS = 50;

export const COMMENT_HISTORY_QUERY = `query MigrationGuardCommentHistory($id: ID!) {
  node(id: $id) {
    ... on IssueComment {
      userContentEdits(last: ${HISTORY_EDITS}) { nodes { editedAt diff editor { login } } }
    }
  }
}`;

export interface CommentEdit {
  /** The comment's body as this edit left it. */
  body: string;
  editedAt: string;
  editor?: string;
}

/** The comment's bodies over time, oldest first (GitHub's `userContentEdits`). */
export async function commentHistory(octokit: GitHub, nodeId: string | undefined): Promise<CommentEdit[]> {
  if (!nodeId) return [];
  const parsed = CommentHistory.safeParse(await octokit.graphql(COMMENT_HISTORY_QUERY, { id: nodeId }));
  if (!parsed.success) throw new Error(describeApiProblem("the quality-gates comment's edit history", parsed.error));
  return (parsed.data.node?.userContentEdits?.nodes ?? [])
    .filter((n): n is NonNullable<typeof n> => n !== null && n.diff !== null)
    .map((n) => ({ body: n.diff!, editedAt: n.editedAt, editor: n.editor?.login }))
    .sort((a, b) => a.editedAt.localeCompare(b.editedAt));
}

export async function writeStickyComment(octokit: GitHub, repo: RepoRef, pr: number, existing: IssueComment | undefined, body: string): Promise<IssueComment> {
  if (existing) {
    if (existing.body === body) return existing;
    const { data } = await octokit.rest.issues.updateComment({ ...repo, comment_id: existing.id, body });
    return data as IssueComment;
  }
  const { data } = await octokit.rest.issues.createComment({ ...repo, issue_number: pr, body });
  return data as IssueComment;
}

/**
 * `writeStickyComment` queued in the delivery's write batch (`updateIssueComment`, or
 * `addComment` on the pull request's node). A comment known without its node id is written
 * through REST right away.
 */
export function queueStickyComment(
  octokit: GitHub,
  writes: WriteBatch,
  target: RepoRef & { pr: number; pullRequestId: string },
  existing: IssueComment | undefined,
  body: string,
): Promise<IssueComment> {
  if (existing && (existing.body === body || !existing.node_id)) return writeStickyComment(octokit, target, target.pr, existing, body);
  const written = (data: unknown): IssueComment => {
    const comment = CommentWritten.safeParse(data);
    if (!comment.success) throw new Error(describeApiProblem("the written quality-gates comment", comment.error));
    return { id: comment.data.databaseId, node_id: comment.data.id, body, html_url: comment.data.url };
  };
  const selection = "id databaseId url";
  if (existing) {
    return writes.enqueue({
      field: "updateIssueComment",
      inputType: "UpdateIssueCommentInput!",
      input: { id: existing.node_id, body },
      selection: `issueComment { ${selection} }`,
      parse: (data) => written((data as { issueComment?: unknown } | null)?.issueComment),
    });
  }
  return writes.enqueue({
    field: "addComment",
    inputType: "AddCommentInput!",
    input: { subjectId: target.pullRequestId, body },
    selection: `commentEdge { node { ${selection} } }`,
    parse: (data) => written((data as { commentEdge?: { node?: unknown } } | null)?.commentEdge?.node),
  });
}

/** Repository permission as GitHub reports it (role names map onto the five levels). */
export async function repoPermission(octokit: GitHub, repo: RepoRef, username: string): Promise<RepoPermission | "none"> {
  try {
    const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ ...repo, username });
    const role = (data as { role_name?: string }).role_name;
    if (role && (PERMISSION_ORDER as string[]).includes(role)) return role as RepoPermission;
    return (PERMISSION_ORDER as string[]).includes(data.permission) ? (data.permission as RepoPermission) : "none";
  } catch (error) {
    if (httpStatus(error) === 404) return "none";
    throw error;
  }
}

/** The policy's teams the user is an active member of (needs `members: read`). */
export async function teamsOf(octokit: GitHub, owner: string, username: string, policy: SignoffPolicy): Promise<string[]> {
  const member: string[] = [];
  for (const team of policy.teams) {
    const { org, slug } = teamRef(team, owner);
    try {
      const { data } = await octokit.rest.teams.getMembershipForUserInOrg({ org, team_slug: slug, username });
      if (data.state === "active") member.push(team);
    } catch (error) {
      if (httpStatus(error) !== 404) throw error;
    }
  }
  return member;
}

export interface GatesCheck {
  conclusion: "success" | "failure" | "action_required";
  title: string;
  summary: string;
  detailsUrl?: string;
}

export interface GatesCheckRecord {
  id?: number;
  /** The state sequence number the app wrote last for this head (from the run's external_id). */
  seq?: number;
  /** GraphQL node id (for the batched update). */
  nodeId?: string;
}

const SEQ_ID = /^migration-guard-gates:seq=(\d+)$/;

/** The current `migration-guard/gates` run for a head SHA, if any (only the app can write it). */
export async function readGatesCheck(octokit: GitHub, repo: RepoRef, headSha: string): Promise<GatesCheckRecord> {
  const { data } = await octokit.rest.checks.listForRef({ ...repo, ref: headSha, check_name: GATES_CHECK_NAME, filter: "latest", per_page: 1 });
  const run = data.check_runs[0];
  return run ? gatesCheckRecord(run.id, run.external_id, run.node_id) : {};
}

export function gatesCheckRecord(id: number, externalId: string | null | undefined, nodeId?: string): GatesCheckRecord {
  const m = SEQ_ID.exec(externalId ?? "");
  return { id, seq: m ? Number(m[1]) : undefined, ...(nodeId ? { nodeId } : {}) };
}

/** One `migration-guard/gates` run per head SHA, updated in place as the gates change. */
export async function publishGatesCheck(octokit: GitHub, repo: RepoRef, headSha: string, check: GatesCheck, existing: GatesCheckRecord, seq: number): Promise<void> {
  const fields = {
    status: "completed" as const,
    conclusion: check.conclusion,
    output: { title: check.title, summary: check.summary },
    details_url: check.detailsUrl,
    external_id: gatesExternalId(seq),
  };
  if (existing.id) await octokit.rest.checks.update({ ...repo, check_run_id: existing.id, ...fields });
  else await octokit.rest.checks.create({ ...repo, name: GATES_CHECK_NAME, head_sha: headSha, ...fields });
}

/** `publishGatesCheck` queued in the delivery's write batch; resolves to the run's id. */
export function queueGatesCheck(
  octokit: GitHub,
  writes: WriteBatch,
  target: RepoRef & { repositoryId: string },
  headSha: string,
  check: GatesCheck,
  existing: GatesCheckRecord,
  seq: number,
): Promise<number> {
  if (existing.id && !existing.nodeId) return publishGatesCheck(octokit, target, headSha, check, existing, seq).then(() => existing.id!);
  return queueCheckRunWrite(writes, {
    repositoryId: target.repositoryId,
    checkRunId: existing.nodeId,
    name: GATES_CHECK_NAME,
    headSha,
    conclusion: check.conclusion,
    externalId: gatesExternalId(seq),
    detailsUrl: check.detailsUrl,
    output: { title: check.title, summary: check.summary },
  }).then((run) => run.id);
}

export const gatesExternalId = (seq: number): string => `migration-guard-gates:seq=${seq}`;

/** Files changed between two commits of a push (a force push compares through the merge base). */
export async function filesChangedBetween(octokit: GitHub, repo: RepoRef, before: string, after: string): Promise<{ path: string }[] | undefined> {
  try {
    const { data } = await octokit.rest.repos.compareCommitsWithBasehead({ ...repo, basehead: `${before}...${after}`, per_page: 100 });
    return (data.files ?? []).map((f) => ({ path: f.filename }));
  } catch (error) {
    // The old head may be gone (force push + GC): treat as "everything may have changed".
    if (httpStatus(error) === 404) return undefined;
    throw error;
  }
}

export interface PullCommit {
  sha: string;
  message: string;
  /** Number of parents, when known (1 for an ordinary commit). */
  parents?: number;
}

/** The PR's commits (GitHub lists at most 250), oldest first. */
export async function listPullCommits(octokit: GitHub, repo: RepoRef, pr: number): Promise<PullCommit[]> {
  const commits = await octokit.paginate(octokit.rest.pulls.listCommits, { ...repo, pull_number: pr, per_page: 100 });
  return commits.map((c) => ({ sha: c.sha, message: c.commit.message, parents: c.parents.length }));
}

export async function commitFiles(octokit: GitHub, repo: RepoRef, sha: string): Promise<{ path: string }[]> {
  const { data } = await octokit.rest.repos.getCommit({ ...repo, ref: sha, per_page: 100 });
  return (data.files ?? []).map((f) => ({ path: f.filename }));
}
