// Shapes of the GitHub API answers the app relies on. Validated with zod on arrival so a
// surprising answer fails with a clear message instead of a crash deep in the analysis.
import { z } from "zod";

export const PullRequestFile = z.object({
  filename: z.string(),
  status: z.enum(["added", "removed", "modified", "renamed", "copied", "changed", "unchanged"]),
  /** Blob SHA of the file at the head commit (of the previous content for removed files). */
  sha: z.string().nullable().optional(),
  previous_filename: z.string().optional(),
  /** Missing for binary files and for diffs too large for GitHub to show. */
  patch: z.string().optional(),
});
export type PullRequestFile = z.infer<typeof PullRequestFile>;

export const TreeEntry = z.object({
  path: z.string(),
  type: z.string(),
  sha: z.string(),
  size: z.number().optional(),
});

export const Tree = z.object({
  sha: z.string(),
  tree: z.array(TreeEntry),
  /** True when the repository has more entries than one recursive tree call returns. */
  truncated: z.boolean(),
});

export const CheckRunCreated = z.object({
  id: z.number(),
  html_url: z.string().nullable().optional(),
});

/** A check run written by a batched `createCheckRun`/`updateCheckRun` (src/github/write-batch.ts). */
export const CheckRunWritten = z.object({
  checkRun: z.object({ id: z.string(), databaseId: z.number(), url: z.string() }),
});

/** An issue comment written by a batched `addComment`/`updateIssueComment`. */
export const CommentWritten = z.object({ id: z.string(), databaseId: z.number(), url: z.string() });

const Node = <T extends z.ZodTypeAny>(item: T) => z.object({ nodes: z.array(item.nullable()).nullable() });

export const ReviewNode = z.object({
  id: z.string(),
  databaseId: z.number().nullable(),
  state: z.string(),
  viewerDidAuthor: z.boolean(),
  body: z.string(),
  commit: z.object({ oid: z.string() }).nullable(),
});
export type ReviewNode = z.infer<typeof ReviewNode>;

export const ThreadNode = z.object({
  id: z.string(),
  isResolved: z.boolean(),
  isOutdated: z.boolean(),
  comments: Node(z.object({ body: z.string(), viewerDidAuthor: z.boolean() })),
});
export type ThreadNode = z.infer<typeof ThreadNode>;

export const CheckRunNode = z.object({
  /** Node id, to update the run in place through GraphQL. */
  id: z.string().optional(),
  databaseId: z.number().nullable(),
  externalId: z.string().nullable(),
  status: z.string(),
  conclusion: z.string().nullable(),
});
export type CheckRunNode = z.infer<typeof CheckRunNode>;

const PageInfo = z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullable() });
/** One page of a pull request's review threads (the state query and its follow-up pages). */
const ReviewThreads = Node(ThreadNode).extend({ pageInfo: PageInfo });

export const CommitNode = z.object({
  commit: z.object({ oid: z.string(), message: z.string(), parents: z.object({ totalCount: z.number() }) }),
});

export const IssueCommentNode = z.object({
  id: z.string(),
  databaseId: z.number().nullable(),
  body: z.string(),
  url: z.string(),
  updatedAt: z.string(),
  viewerDidAuthor: z.boolean(),
  author: z.object({ login: z.string() }).nullable(),
});
export type IssueCommentNode = z.infer<typeof IssueCommentNode>;

export const PullRequestState = z.object({
  repository: z.object({
    id: z.string(),
    pullRequest: z
      .object({
        id: z.string(),
        headRefOid: z.string(),
        baseRefName: z.string(),
        isDraft: z.boolean(),
        state: z.string(),
        title: z.string(),
        body: z.string(),
        url: z.string(),
        author: z.object({ login: z.string() }).nullable(),
        reviews: Node(ReviewNode),
        changesRequested: Node(ReviewNode.pick({ id: true, databaseId: true, viewerDidAuthor: true })),
        reviewThreads: ReviewThreads,
        commits: Node(CommitNode).extend({ totalCount: z.number() }),
        comments: Node(IssueCommentNode).extend({ pageInfo: PageInfo.pick({ hasNextPage: true }) }),
      })
      .nullable(),
    object: z
      .object({
        checkSuites: Node(
          z.object({
            checkRuns: Node(CheckRunNode).nullable(),
            gatesRuns: Node(CheckRunNode.pick({ databaseId: true, externalId: true }).extend({ id: z.string() })).nullable(),
          }),
        ).optional(),
      })
      .nullable(),
  }),
});
export type PullRequestState = z.infer<typeof PullRequestState>;

export const ThreadsPage = z.object({
  repository: z.object({
    pullRequest: z.object({ reviewThreads: ReviewThreads }),
  }),
});

export const BlobNode = z
  .object({
    oid: z.string(),
    byteSize: z.number(),
    isBinary: z.boolean().nullable(),
    isTruncated: z.boolean(),
    text: z.string().nullable(),
  })
  .nullable();

/** Formats a zod error of an API answer as one readable line. */
export function describeApiProblem(what: string, error: z.ZodError): string {
  const first = error.issues[0];
  return `unexpected answer from GitHub for ${what}: ${first ? `${first.path.join(".") || "(root)"}: ${first.message}` : "invalid"}`;
}
