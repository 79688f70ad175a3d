// A fake GitHub (REST under /api/v3, GraphQL under /api/graphql, as Probot calls a GitHub
// Enterprise host set with GHE_HOST/GHE_PROTOCOL=http) for the app benchmark. It answers one
// pull request shape (a list of files), records every request with its time, and counts
// requests per installation token. It also answers the quality gates' calls (sticky comment,
// `migration-guard/gates` check run, the PR's commits and their files for the commit-format
// check, collaborator permission), keeping the sticky comments it was given per PR. The state
// query answers with the PR's one commit and its sticky comments, as GitHub would; the batched
// writes (`mutation MigrationGuardWrites`: check runs and the sticky comment) are answered alias
// by alias.
import { createHash } from "node:crypto";
import { createServer } from "node:http";

export function blobSha(content) {
  const bytes = Buffer.from(content);
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

function addedPatch(content) {
  const lines = content.replace(/\n$/, "").split("\n");
  return [`@@ -0,0 +1,${lines.length} @@`, ...lines.map((l) => `+${l}`)].join("\n");
}

/** The one commit of every benchmark PR: in the recipe's format, touching every file. */
const COMMIT_MESSAGE = [
  "feat(DB-1234): index and constrain the t tables",
  "",
  "Migration: 20 migrations on t0..t19",
  "Schema changes: indexes, a column, CHECK constraints, column types",
  "Data transformations: none",
  "Performance impact: see the migration-guard review",
  "Rollback tested: No",
  "Deployment window: low traffic",
].join("\n");

/**
 * @param {{ files: Record<string,string>, base: Record<string,string>, config: string }} repo
 */
export async function startFakeGitHub(repo) {
  const listed = Object.entries(repo.files).map(([filename, content]) => ({
    sha: blobSha(content),
    filename,
    status: "added",
    additions: content.split("\n").length,
    deletions: 0,
    changes: content.split("\n").length,
    patch: addedPatch(content),
  }));
  const tree = Object.entries(repo.base).map(([path, content]) => ({ path, type: "blob", sha: blobSha(content), mode: "100644", size: content.length }));
  /** Blob texts by SHA (base and PR files), for `MigrationGuardBlobs`; blobs asked per query. */
  const contentBySha = new Map([...Object.values(repo.base), ...Object.values(repo.files)].map((c) => [blobSha(c), c]));
  const blobQueries = [];
  /** head SHA per PR number, registered by the benchmark before each delivery. */
  const heads = new Map();
  /** Requests per PR number: [{ method, path, at, kind }] */
  const byPr = new Map();
  /** Requests per installation token. */
  const byToken = new Map();
  /** Requests per installation token and kind ("GET /pulls/:n/files"), for the call breakdown. */
  const kindsByToken = new Map();
  /** PR number per head SHA (the gates check run names only the head). */
  const prOfHead = () => new Map([...heads].map(([pr, head]) => [head, pr]));
  /** The sticky comments posted per PR (the gates' state lives there). */
  const comments = new Map();
  let nextComment = 1;
  let nextCheckRun = 1;
  const errors = [];

  const record = (pr, entry) => {
    if (pr === undefined) return;
    const list = byPr.get(pr) ?? [];
    list.push(entry);
    byPr.set(pr, list);
  };

  /** The batched writes, as GitHub answers them: one result per alias. */
  const answerWrites = (body, at) => {
    const data = {};
    for (const [, alias, field, variable] of body.query.matchAll(/(m\d+): (\w+)\(input: \$(i\d+)\)/g)) {
      const input = body.variables[variable];
      if (field === "createCheckRun" || field === "updateCheckRun") {
        const id = field === "updateCheckRun" ? Number(String(input.checkRunId).slice(3)) : nextCheckRun++;
        const title = input.output?.title;
        const conclusion = String(input.conclusion).toLowerCase();
        if (input.name === "migration-guard") {
          const pr = Number(/pr=(\d+)/.exec(input.externalId ?? "")?.[1]);
          record(pr, { kind: "check-run", at, conclusion, title });
        } else record(prOfHead().get(input.headSha), { kind: "gates-check", at, conclusion, title });
        data[alias] = { checkRun: { id: `CR_${id}`, databaseId: id, url: `http://github.local/runs/${id}` } };
      } else if (field === "addComment") {
        const pr = Number(String(input.subjectId).slice(3));
        const id = nextComment++;
        const comment = { id, body: input.body, html_url: `http://github.local/pull/${pr}#issuecomment-${id}`, user: { login: "migration-guard[bot]", type: "Bot", id: 1 }, performed_via_github_app: { id: 1 } };
        comments.set(pr, [...(comments.get(pr) ?? []), comment]);
        record(pr, { kind: "gates-comment", at, bodyLength: input.body.length });
        data[alias] = { commentEdge: { node: { id: `IC_${id}`, databaseId: id, url: comment.html_url } } };
      } else if (field === "updateIssueComment") {
        const comment = [...comments.values()].flat().find((c) => `IC_${c.id}` === input.id);
        if (!comment) errors.push(`updateIssueComment: no comment ${input.id}`);
        else comment.body = input.body;
        data[alias] = comment ? { issueComment: { id: input.id, databaseId: comment.id, url: comment.html_url } } : null;
      } else {
        errors.push(`unexpected batched mutation: ${field}`);
        data[alias] = null;
      }
    }
    return data;
  };

  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const at = performance.now();
      const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : undefined;
      const url = new URL(req.url, "http://x");
      const token = String(req.headers.authorization ?? "");
      byToken.set(token, (byToken.get(token) ?? 0) + 1);
      const kind = `${req.method} ${url.pathname.replace(/^\/api\/v3\/repos\/[^/]+\/[^/]+/, "").replace(/^\/api/, "").replace(/\/[0-9a-f]{40}/, "/:sha").replace(/\/\d+/g, "/:n")}`;
      const kinds = kindsByToken.get(token) ?? new Map();
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
      kindsByToken.set(token, kinds);
      const send = (status, data, type = "application/json; charset=utf-8") => {
        res.writeHead(status, { "content-type": type, "x-ratelimit-remaining": "4999", "x-ratelimit-limit": "5000" });
        res.end(typeof data === "string" ? data : JSON.stringify(data));
      };
      const p = url.pathname;
      let m;
      if ((m = /^\/api\/v3\/app\/installations\/(\d+)\/access_tokens$/.exec(p))) {
        return send(201, { token: `ghs_inst_${m[1]}`, expires_at: new Date(Date.now() + 3600_000).toISOString(), permissions: {} });
      }
      if (/\/contents\/\.github(%2F|\/)migration-guard\.yml$/.test(p)) return send(200, repo.config, "text/plain; charset=utf-8");
      if ((m = /^\/api\/v3\/repos\/[^/]+\/[^/]+\/pulls\/(\d+)\/files$/.exec(p))) {
        record(Number(m[1]), { kind: "files", at });
        const page = Number(url.searchParams.get("page") ?? 1);
        return send(200, listed.slice((page - 1) * 100, page * 100));
      }
      if (/^\/api\/v3\/repos\/[^/]+\/[^/]+\/git\/trees\//.test(p)) return send(200, { sha: "base", truncated: false, tree });
      if (/^\/api\/v3\/repos\/[^/]+\/[^/]+\/check-runs$/.test(p) && req.method === "POST" && body.name === "migration-guard/gates") {
        record(prOfHead().get(body.head_sha), { kind: "gates-check", at, conclusion: body.conclusion, title: body.output?.title });
        const id = nextCheckRun++;
        return send(201, { id, html_url: `http://github.local/runs/${id}` });
      }
      if ((m = /^\/api\/v3\/repos\/[^/]+\/[^/]+\/check-runs$/.exec(p)) && req.method === "POST") {
        const pr = Number(/pr=(\d+)/.exec(body.external_id ?? "")?.[1]);
        record(pr, { kind: "check-run", at, conclusion: body.conclusion, title: body.output?.title });
        if (body.conclusion === "failure" && /could not finish/.test(body.output?.title ?? "")) errors.push(`PR ${pr}: ${body.output.title}: ${body.output.summary}`);
        const id = nextCheckRun++;
        return send(201, { id, html_url: `http://github.local/runs/${id}` });
      }
      if (/^\/api\/v3\/repos\/[^/]+\/[^/]+\/check-runs\/\d+$/.test(p)) {
        if (body.conclusion === "failure") errors.push(`check run update: ${body.output?.title}`);
        return send(200, { id: 1 });
      }
      if ((m = /^\/api\/v3\/repos\/[^/]+\/[^/]+\/pulls\/(\d+)\/reviews$/.exec(p))) {
        record(Number(m[1]), { kind: "review", at, comments: body.comments.length, bodyLength: body.body.length });
        return send(200, { id: 1, html_url: "http://github.local/review" });
      }
      // ---- the quality gates' calls (src/github/gates/api.ts) ----
      if ((m = /^\/api\/v3\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/.exec(p))) {
        const pr = Number(m[1]);
        if (req.method === "GET") return send(200, comments.get(pr) ?? []);
        const comment = {
          id: nextComment++,
          body: body.body,
          html_url: `http://github.local/pull/${pr}#issuecomment-${nextComment}`,
          user: { login: "migration-guard[bot]", type: "Bot", id: 1 },
          performed_via_github_app: { id: 1 },
        };
        comments.set(pr, [...(comments.get(pr) ?? []), comment]);
        record(pr, { kind: "gates-comment", at, bodyLength: body.body.length });
        return send(201, comment);
      }
      if ((m = /^\/api\/v3\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/.exec(p)) && req.method === "PATCH") {
        const comment = [...comments.values()].flat().find((c) => c.id === Number(m[1]));
        if (!comment) return send(404, { message: "Not Found" });
        comment.body = body.body;
        return send(200, comment);
      }
      if (/^\/api\/v3\/repos\/[^/]+\/[^/]+\/commits\/[^/]+\/check-runs$/.test(p)) return send(200, { total_count: 0, check_runs: [] });
      if ((m = /^\/api\/v3\/repos\/[^/]+\/[^/]+\/pulls\/(\d+)\/commits$/.exec(p))) {
        const sha = heads.get(Number(m[1])) ?? "0".repeat(40);
        return send(200, [{ sha, commit: { message: COMMIT_MESSAGE, author: { name: "Codertocat", date: "2026-11-24T00:00:00Z" } }, parents: [] }]);
      }
      if ((m = /^\/api\/v3\/repos\/[^/]+\/[^/]+\/commits\/([0-9a-f]{40})$/.exec(p))) {
        return send(200, { sha: m[1], commit: { message: COMMIT_MESSAGE }, files: listed.map((f) => ({ filename: f.filename, status: f.status, sha: f.sha })) });
      }
      if ((m = /^\/api\/v3\/repos\/[^/]+\/[^/]+\/collaborators\/([^/]+)\/permission$/.exec(p))) {
        return send(200, { permission: "write", role_name: "write", user: { login: decodeURIComponent(m[1]) } });
      }
      if (p === "/api/graphql") {
        if (body.query.startsWith("mutation MigrationGuardWrites")) return send(200, { data: answerWrites(body, at) });
        if (body.query.startsWith("mutation")) return send(200, { data: {} });
        if (body.query.includes("query MigrationGuardBlobs")) {
          record(undefined, { kind: "blobs", at });
          blobQueries.push(Object.keys(body.variables).filter((k) => /^o\d+$/.test(k)).length);
          const repository = {};
          for (const [key, sha] of Object.entries(body.variables)) {
            if (!/^o\d+$/.test(key)) continue;
            const text = contentBySha.get(sha);
            repository[`b${key.slice(1)}`] = text === undefined ? null : { oid: sha, byteSize: Buffer.byteLength(text), isBinary: false, isTruncated: false, text };
          }
          return send(200, { data: { repository } });
        }
        if (body.query.includes("query MigrationGuardState")) {
          const pr = body.variables.number;
          record(pr, { kind: "state", at });
          return send(200, {
            data: {
              repository: {
                id: "R_bench",
                pullRequest: {
                  id: `PR_${pr}`,
                  headRefOid: heads.get(pr) ?? body.variables.head,
                  baseRefName: "main",
                  isDraft: false,
                  state: "OPEN",
                  title: "Index and constrain the t tables",
                  body: "",
                  url: `http://github.local/pull/${pr}`,
                  author: { login: "Codertocat" },
                  reviews: { nodes: [] },
                  changesRequested: { nodes: [] },
                  reviewThreads: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: [] },
                  commits: { totalCount: 1, nodes: [{ commit: { oid: heads.get(pr) ?? body.variables.head, message: COMMIT_MESSAGE, parents: { totalCount: 1 } } }] },
                  comments: {
                    pageInfo: { hasNextPage: false },
                    nodes: (comments.get(pr) ?? []).map((c) => ({ id: `IC_${c.id}`, databaseId: c.id, body: c.body, url: c.html_url, updatedAt: "2026-11-24T00:00:00Z", viewerDidAuthor: true, author: { login: "migration-guard" } })),
                  },
                },
                object: { checkSuites: { nodes: [] } },
              },
            },
          });
        }
        errors.push(`unexpected GraphQL query: ${body.query.slice(0, 80)}`);
        return send(400, { message: "unexpected query" });
      }
      errors.push(`unexpected request: ${req.method} ${req.url}`);
      send(404, { message: "Not Found" });
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return {
    host: `127.0.0.1:${port}`,
    heads,
    byPr,
    byToken,
    kindsByToken,
    blobQueries,
    errors,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
