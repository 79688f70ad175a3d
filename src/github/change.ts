// Reading a pull request's change from GitHub with as few calls as possible:
//   1. the PR's files (paginated, 100 per page; GitHub stops at 3,000),
//   2. the base branch's tree (one recursive call) for ordering and edited-migration checks,
//   3. the content of the changed migrations: rebuilt from the patch for added files (verified
//      against the blob SHA), else one GraphQL call for up to 50 blobs, else the REST blob API
//      (files GraphQL truncates, i.e. over about 1 MB).
import type { Config } from "../core/config/schema.js";
import { splitByScope } from "../core/config/overrides.js";
import { discover, selectMigrationFiles } from "../core/discover/index.js";
import type { ChangeInput, SourceFile } from "../core/model.js";
import { blobSha } from "../git/git.js";
import { contentOfAddedFile, parsePatch, type Hunk } from "./diff-hunks.js";
import { rawContent, type GitHub } from "./octokit.js";
import { BlobNode, describeApiProblem, PullRequestFile, Tree } from "./schemas.js";

/** GitHub lists at most this many files of a pull request. */
export const MAX_LISTED_FILES = 3000;
/** Above this size a file goes through the REST blob API instead of GraphQL. */
const GRAPHQL_BLOB_LIMIT = 1_000_000;
/** Migrations bigger than this are not loaded (reported as unreadable instead). */
const MAX_FILE_BYTES = 20_000_000;
const BLOBS_PER_QUERY = 50;

export interface PullRequestRef {
  owner: string;
  repo: string;
  number: number;
  headSha: string;
  baseSha: string;
  baseRef: string;
}

export interface PullRequestChange {
  input: ChangeInput;
  files: PullRequestFile[];
  /** Commentable lines per file (only files GitHub gave a patch for). */
  hunks: Map<string, Hunk[]>;
  /** Decoded text of every loaded file, for renderers (code frames, suggestions). */
  sources: Map<string, string>;
  /** Paths of migration scripts whose migrations changed. */
  changedPaths: string[];
  /** Things the reader of the review must know (listing caps, skipped files). */
  notes: string[];
}

export async function listPullRequestFiles(octokit: GitHub, ref: PullRequestRef): Promise<PullRequestFile[]> {
  const raw = await octokit.paginate(octokit.rest.pulls.listFiles, {
    owner: ref.owner,
    repo: ref.repo,
    pull_number: ref.number,
    per_page: 100,
  });
  const parsed = PullRequestFile.array().safeParse(raw);
  if (!parsed.success) throw new Error(describeApiProblem("the pull request's files", parsed.error));
  return parsed.data;
}

export async function readBaseTree(octokit: GitHub, ref: PullRequestRef): Promise<{ files: SourceFile[]; truncated: boolean }> {
  const { data } = await octokit.rest.git.getTree({ owner: ref.owner, repo: ref.repo, tree_sha: ref.baseSha, recursive: "1" });
  const parsed = Tree.safeParse(data);
  if (!parsed.success) throw new Error(describeApiProblem("the base branch's tree", parsed.error));
  return {
    files: parsed.data.tree.filter((e) => e.type === "blob").map((e) => ({ path: e.path, sha: e.sha })),
    truncated: parsed.data.truncated,
  };
}

/**
 * The change as the engine sees it: base = the base branch now; head = the base branch with
 * the PR's changes applied (what main looks like after merging). Migrations merged to the base
 * after the PR forked thus count as existing, which is what ordering checks need.
 */
function buildChangeInput(files: PullRequestFile[], base: SourceFile[], config: Pick<Config, "paths" | "exclude">): ChangeInput {
  const baseMigrations = selectMigrationFiles(base, config);
  const head = new Map(baseMigrations.map((f) => [f.path, { path: f.path, sha: f.sha }]));
  for (const file of files) {
    if (file.status === "removed") {
      head.delete(file.filename);
      continue;
    }
    if (file.status === "renamed" && file.previous_filename) head.delete(file.previous_filename);
    head.set(file.filename, { path: file.filename, sha: file.sha ?? `unknown:${file.filename}` });
  }
  return { head: selectMigrationFiles([...head.values()], config), base: baseMigrations };
}

/**
 * Script paths (up and down) of every migration the change adds, modifies or deletes, and the up
 * scripts of the merged ones before them (their schema is what the change alters).
 */
function migrationPaths(input: ChangeInput, config: Config): { changed: string[]; merged: string[] } {
  // Each path override's files are discovered with its own layout and dialect, as the analysis does.
  const migrations = splitByScope(config, input).flatMap((scope) => discover(scope, scope.config).migrations);
  const headPaths = new Set(input.head.map((f) => f.path));
  const paths = new Set<string>();
  const merged = new Set<string>();
  for (const m of migrations) {
    if (m.status === "unchanged") {
      if (headPaths.has(m.up.path)) merged.add(m.up.path);
      continue;
    }
    for (const script of [m.up, m.down]) if (script && headPaths.has(script.path)) paths.add(script.path);
    if (m.status === "deleted") paths.add(m.up.path);
  }
  for (const p of paths) merged.delete(p);
  return { changed: [...paths].sort(), merged: [...merged].sort() };
}

/** Merged migrations' text by blob SHA, kept across deliveries (blobs never change). */
export interface BlobCache {
  get(sha: string): string | undefined;
  set(sha: string, text: string): void;
}

export async function readPullRequestChange(
  octokit: GitHub,
  ref: PullRequestRef,
  config: Config,
  listed: { files: PullRequestFile[]; base: { files: SourceFile[]; truncated: boolean }; totalFiles?: number },
  options: { blobs?: BlobCache } = {},
): Promise<PullRequestChange> {
  const notes: string[] = [];
  const { files } = listed;
  if ((listed.totalFiles ?? 0) > files.length || files.length >= MAX_LISTED_FILES) {
    notes.push(
      `This pull request changes ${listed.totalFiles ?? "more than " + MAX_LISTED_FILES} files; GitHub lists only the first ${MAX_LISTED_FILES}, so migrations beyond them were not analyzed. Run \`migration-guard check --base ${ref.baseRef}\` locally for the full picture.`,
    );
  }
  if (listed.base.truncated) {
    notes.push(`The base branch has more files than one tree listing returns; ordering and edited-migration checks only see part of it.`);
  }
  const input = buildChangeInput(files, listed.base.files, config);
  const { changed: changedPaths, merged } = migrationPaths(input, config);
  const hunks = new Map<string, Hunk[]>();
  for (const f of files) if (f.patch !== undefined) hunks.set(f.filename, parsePatch(f.patch));

  const byPath = new Map(files.map((f) => [f.filename, f]));
  const headByPath = new Map(input.head.map((f) => [f.path, f]));
  const wanted = changedPaths.filter((p) => headByPath.has(p)).map((p) => ({ path: p, sha: headByPath.get(p)!.sha! }));
  const contents = await loadContents(octokit, ref, wanted, byPath, notes);
  const sources = new Map<string, string>();
  for (const f of input.head) {
    const content = contents.get(f.path);
    if (content === undefined) continue;
    f.content = content;
    if (typeof content === "string") sources.set(f.path, content);
  }
  if (changedPaths.length) {
    try {
      await loadMergedContext(octokit, ref, merged.map((p) => headByPath.get(p)!), options.blobs);
    } catch (error) {
      // Context only sharpens findings; without it the change is still analyzed on its own.
      for (const p of merged) delete headByPath.get(p)!.content;
      notes.push(`The merged migrations could not be read (${error instanceof Error ? error.message : String(error)}), so findings that depend on the existing schema (column types, indexes) are less precise.`);
    }
  }
  return { input, files, hunks, sources, changedPaths, notes };
}

async function loadContents(
  octokit: GitHub,
  ref: PullRequestRef,
  wanted: { path: string; sha: string }[],
  listed: Map<string, PullRequestFile>,
  notes: string[],
): Promise<Map<string, string | Uint8Array>> {
  const out = new Map<string, string | Uint8Array>();
  const remaining: { path: string; sha: string }[] = [];
  for (const w of wanted) {
    if (!/^[0-9a-f]{40}$/.test(w.sha)) {
      notes.push(`GitHub gave no blob id for \`${w.path}\`: not analyzed.`);
      continue;
    }
    const file = listed.get(w.path);
    const rebuilt = file?.status === "added" && file.patch !== undefined ? contentOfAddedFile(file.patch) : undefined;
    // The patch is a display format; only trust it when it hashes to the head blob exactly.
    if (rebuilt !== undefined && blobSha(rebuilt) === w.sha) out.set(w.path, rebuilt);
    else remaining.push(w);
  }
  const large: { path: string; sha: string }[] = [];
  for (let i = 0; i < remaining.length; i += BLOBS_PER_QUERY) {
    const batch = remaining.slice(i, i + BLOBS_PER_QUERY);
    const blobs = await fetchBlobsGraphql(octokit, ref, batch.map((b) => b.sha));
    batch.forEach((b, index) => {
      const blob = blobs[index];
      if (blob && blob.text !== null && !blob.isTruncated && !blob.isBinary && blob.byteSize <= GRAPHQL_BLOB_LIMIT) out.set(b.path, blob.text);
      else if (blob && blob.byteSize > MAX_FILE_BYTES) notes.push(`\`${b.path}\` is ${Math.round(blob.byteSize / 1e6)} MB, over the ${MAX_FILE_BYTES / 1e6} MB limit: not analyzed.`);
      else large.push(b);
    });
  }
  for (const b of large) out.set(b.path, await fetchBlobRest(octokit, ref, b.sha));
  return out;
}

/**
 * The text of merged migrations, for schema context only (column types, indexes, nullability):
 * from the cache, else GraphQL in batches. A blob that cannot be read this way gives no context,
 * which only makes some findings more hedged; it is not worth a REST call each.
 */
async function loadMergedContext(octokit: GitHub, ref: PullRequestRef, files: SourceFile[], cache?: BlobCache): Promise<void> {
  const missing: SourceFile[] = [];
  for (const f of files) {
    if (!f.sha || !/^[0-9a-f]{40}$/.test(f.sha)) continue;
    const text = cache?.get(f.sha);
    if (text !== undefined) f.content = text;
    else missing.push(f);
  }
  for (let i = 0; i < missing.length; i += BLOBS_PER_QUERY) {
    const batch = missing.slice(i, i + BLOBS_PER_QUERY);
    const blobs = await fetchBlobsGraphql(octokit, ref, batch.map((f) => f.sha!));
    batch.forEach((f, index) => {
      const blob = blobs[index];
      if (!blob || blob.text === null || blob.isTruncated || blob.isBinary) return;
      f.content = blob.text;
      cache?.set(f.sha!, blob.text);
    });
  }
}

async function fetchBlobsGraphql(octokit: GitHub, ref: PullRequestRef, shas: string[]) {
  const variables: Record<string, string> = { owner: ref.owner, name: ref.repo };
  const params = shas.map((_, i) => `$o${i}: GitObjectID!`).join(", ");
  const fields = shas.map((sha, i) => {
    variables[`o${i}`] = sha;
    return `b${i}: object(oid: $o${i}) { ... on Blob { oid byteSize isBinary isTruncated text } }`;
  });
  const query = `query MigrationGuardBlobs($owner: String!, $name: String!, ${params}) { repository(owner: $owner, name: $name) { ${fields.join(" ")} } }`;
  const data = await octokit.graphql<{ repository: Record<string, unknown> }>(query, variables);
  return shas.map((_, i) => {
    const parsed = BlobNode.safeParse(data.repository?.[`b${i}`] ?? null);
    if (!parsed.success) throw new Error(describeApiProblem(`blob ${shas[i]}`, parsed.error));
    return parsed.data;
  });
}

async function fetchBlobRest(octokit: GitHub, ref: PullRequestRef, sha: string): Promise<string | Uint8Array> {
  const { data } = await octokit.rest.git.getBlob({ owner: ref.owner, repo: ref.repo, file_sha: sha, mediaType: { format: "raw" } });
  const raw = rawContent(data);
  if (raw === undefined) throw new Error(`unexpected answer from GitHub for blob ${sha}: not raw content`);
  return raw;
}
