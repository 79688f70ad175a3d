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

/** An issue comment's edit history (`userContentEdits`): each edit's `diff` is the body it left. */
export const CommentHistory = z.object({
  node: z
    .object({
      userContentEdits: z
        .object({
          nodes: z.array(
            z.object({ editedAt: z.string(), diff: z.string().nullable(), editor: z.object({ login: z.string() }).nullable() }).nullable(),
          ),
        })
        .nullable(),
    })
    .nullable(),
});

/** Formats a zod error of an API answer as one readable line. */
export function describeApiProblem(what: string, error: z.ZodError): string {
  const first = error.issues[0];
  return `unexpected answer from GitHub for ${what}: ${first ? `${first.path.join(".") || "(root)"}: ${first.message}` : "invalid"}`;
}

// ── webhook payloads ─────────────────────────────────────────────────────────────────────────
// What the handlers read from each event they are routed (src/app/index.ts), checked at the HTTP
// edge (src/app/server.ts) and in the Action (src/app/action.ts): a signed delivery missing a
// field is refused with one line naming it, instead of a TypeError deep in a handler. Loose
// objects: GitHub sends far more than this, and adds fields over time.

const Login = z.looseObject({ login: z.string(), id: z.number().int(), type: z.string().optional() });
const Repository = z.looseObject({
  id: z.number().int(),
  name: z.string(),
  owner: z.looseObject({ login: z.string() }),
  html_url: z.string(),
  default_branch: z.string(),
});
const Installation = z.looseObject({ id: z.number().int() }).optional();
const Sha = z.string().regex(/^[0-9a-f]{40}$/, "not a commit SHA");

const PullRequestEvent = z.looseObject({
  action: z.string(),
  pull_request: z.looseObject({
    number: z.number().int().positive(),
    html_url: z.string(),
    state: z.string(),
    title: z.string(),
    body: z.string().nullable().optional(),
    user: Login,
    changed_files: z.number().int().nonnegative().optional(),
    head: z.looseObject({ sha: Sha, ref: z.string() }),
    base: z.looseObject({ sha: Sha, ref: z.string() }),
  }),
  changes: z.looseObject({}).optional(),
  before: z.string().optional(),
  after: z.string().optional(),
  repository: Repository,
  sender: Login,
  installation: Installation,
});

const CheckRunEvent = z.looseObject({
  action: z.string(),
  check_run: z.looseObject({
    id: z.number().int(),
    name: z.string(),
    head_sha: Sha,
    external_id: z.string().nullable().optional(),
    pull_requests: z.array(z.looseObject({ number: z.number().int().positive() })),
  }),
  repository: Repository,
  sender: Login,
  installation: Installation,
});

const IssueCommentEvent = z.looseObject({
  action: z.string(),
  issue: z.looseObject({ number: z.number().int().positive(), pull_request: z.looseObject({}).nullable().optional() }),
  comment: z.looseObject({
    id: z.number().int(),
    body: z.string().nullable().optional(),
    user: Login.nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  }),
  changes: z.looseObject({ body: z.looseObject({ from: z.string() }).optional() }).optional(),
  repository: Repository,
  sender: Login,
  installation: Installation,
});

const WorkflowRunEvent = z.looseObject({
  action: z.string(),
  workflow_run: z.looseObject({
    id: z.number().int(),
    head_sha: Sha,
    head_branch: z.string().nullable().optional(),
    html_url: z.string(),
    path: z.string().optional(),
    event: z.string().optional(),
    status: z.string().nullable().optional(),
    conclusion: z.string().nullable(),
    pull_requests: z.array(z.looseObject({ number: z.number().int().positive(), head: z.looseObject({ sha: z.string() }) })),
  }),
  repository: Repository,
  installation: Installation,
});

/** The events the app acts on, by `X-GitHub-Event` name. */
export const WEBHOOK_PAYLOADS = {
  pull_request: PullRequestEvent,
  check_run: CheckRunEvent,
  issue_comment: IssueCommentEvent,
  workflow_run: WorkflowRunEvent,
} as const;
export type HandledEvent = keyof typeof WEBHOOK_PAYLOADS;

export type WebhookCheck = { ok: true; handled: boolean } | { ok: false; problem: string };

/**
 * Whether a delivery's event name and payload can be handed to the handlers. Events the app does
 * not act on (`ping`, `installation`…) are `handled: false`; names that are not event names at
 * all (`__proto__`) and payloads missing what a handler reads are refused.
 */
export function checkWebhook(name: string, payload: unknown): WebhookCheck {
  if (!/^[a-z][a-z0-9_]{0,63}$/.test(name)) return { ok: false, problem: `\`${name.slice(0, 64)}\` is not a GitHub event name` };
  if (!Object.hasOwn(WEBHOOK_PAYLOADS, name)) {
    return payload !== null && typeof payload === "object" && !Array.isArray(payload) ? { ok: true, handled: false } : { ok: false, problem: "the payload is not a JSON object" };
  }
  const result = WEBHOOK_PAYLOADS[name as HandledEvent].safeParse(payload);
  if (result.success) return { ok: true, handled: true };
  const first = result.error.issues[0]!;
  const more = result.error.issues.length - 1;
  return { ok: false, problem: `${first.path.join(".") || "(root)"}: ${first.message}${more ? ` (and ${more} more problem${more === 1 ? "" : "s"})` : ""}` };
}
