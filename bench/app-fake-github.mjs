// A fake GitHub (REST under /api/v3, GraphQL under /api/graphql, as Probot calls a GitHub
// Enterprise host set with GHE_HOST/GHE_PROTOCOL=http) for the app benchmark. It answers one
// pull request shape (a list of files), records every request with its time, and counts
// requests per installation token.
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
  /** head SHA per PR number, registered by the benchmark before each delivery. */
  const heads = new Map();
  /** Requests per PR number: [{ method, path, at, kind }] */
  const byPr = new Map();
  /** Requests per installation token. */
  const byToken = new Map();
  let nextCheckRun = 1;
  const errors = [];

  const record = (pr, entry) => {
    if (pr === undefined) return;
    const list = byPr.get(pr) ?? [];
    list.push(entry);
    byPr.set(pr, list);
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
      if (p === "/api/graphql") {
        if (body.query.startsWith("mutation")) return send(200, { data: {} });
        if (body.query.includes("query MigrationGuardState")) {
          const pr = body.variables.number;
          record(pr, { kind: "state", at });
          return send(200, {
            data: {
              repository: {
                pullRequest: {
                  headRefOid: heads.get(pr) ?? body.variables.head,
                  baseRefName: "main",
                  isDraft: false,
                  state: "OPEN",
                  reviews: { nodes: [] },
                  changesRequested: { nodes: [] },
                  reviewThreads: { pageInfo: { hasNextPage: false, endCursor: null }, nodes: [] },
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
    errors,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
