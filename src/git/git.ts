// The base side of a change from git: which files existed at the merge base, their blob ids
// and, for the files discovery needs, their content.
import { execFile, execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import type { SourceFile } from "../core/model.js";
import { UsageError } from "../fs/files.js";

function git(args: string[], cwd: string, input?: string): Buffer {
  try {
    return execFileSync("git", args, { cwd, input, maxBuffer: 1024 * 1024 * 1024, stdio: ["pipe", "pipe", "pipe"] });
  } catch (error) {
    throw gitFailure(args, (error as { stderr?: Buffer }).stderr, (error as { status?: number; code?: string }).status ?? (error as { code?: string }).code);
  }
}

/** A failed git command as a one-line usage error: its name and git's first line of complaint. */
function gitFailure(args: string[], stderr: Buffer | string | undefined, code: number | string | undefined): UsageError {
  const line = String(stderr ?? "")
    .split("\n")
    .map((l) => l.trim())
    .find(Boolean);
  return new UsageError(`git ${args[0]}: ${line ?? `failed (${code ?? "unknown error"})`}`);
}

/** A git command's output; a failure is a one-line usage error naming the command. */
export function gitText(args: string[], cwd: string): string {
  return git(args, cwd).toString("utf8");
}

/** Git's blob id of some content, so working-tree files compare with `git ls-tree` output. */
export function blobSha(content: string | Uint8Array): string {
  const bytes = typeof content === "string" ? Buffer.from(content) : Buffer.from(content);
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

/** One git command a step of this module asks for; the drivers below run it synchronously or not. */
export interface GitCall {
  args: string[];
  cwd: string;
  input?: string;
}

/** Steps that ask for git commands' outputs (a failure is thrown into the steps) and return a value. */
export type GitSteps<T> = Generator<GitCall, T, Buffer>;

/** Runs the steps with blocking git processes. */
export function runGitSync<T>(steps: GitSteps<T>): T {
  let step = steps.next();
  while (!step.done) {
    let output: Buffer;
    try {
      output = git(step.value.args, step.value.cwd, step.value.input);
    } catch (error) {
      step = steps.throw(error);
      continue;
    }
    step = steps.next(output);
  }
  return step.value;
}

/** Runs the steps with git processes that leave the event loop free (a scratch database is created meanwhile). */
export async function runGit<T>(steps: GitSteps<T>): Promise<T> {
  let step = steps.next();
  while (!step.done) {
    let output: Buffer;
    try {
      output = await gitAsync(step.value.args, step.value.cwd, step.value.input);
    } catch (error) {
      step = steps.throw(error);
      continue;
    }
    step = steps.next(output);
  }
  return step.value;
}

function gitAsync(args: string[], cwd: string, input?: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = execFile("git", args, { cwd, encoding: "buffer", maxBuffer: 1024 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout);
      reject(gitFailure(args, stderr, error.code ?? undefined));
    });
    child.stdin?.on("error", () => undefined);
    child.stdin?.end(input);
  });
}

const text = (b: Buffer) => b.toString("utf8");

/** The commit `ref` names, or a one-line usage error saying it does not. */
function* resolveCommit(ref: string, cwd: string): GitSteps<string> {
  try {
    return text(yield { args: ["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`], cwd }).trim();
  } catch {
    throw new UsageError(`--base ${ref}: no such branch, tag or commit in this repository`);
  }
}


/**
 * Files at the merge base of `ref` and HEAD (what the PR's base branch had when it forked),
 * with paths relative to `cwd` and blob ids instead of content.
 */
export function baseFiles(ref: string, cwd: string): SourceFile[] {
  return runGitSync(baseSide(ref, cwd)).files;
}

/** `baseFiles`, and the commit HEAD is (the report's commit). */
export function* baseSide(ref: string, cwd: string): GitSteps<{ files: SourceFile[]; head: string }> {
  let top: string, prefix: string, head: string, mergeBase: string | undefined;
  // One `rev-parse` answers what took four commands: the top folder, the prefix, HEAD and, from
  // `ref...HEAD`, the merge bases. When it fails (outside a repository, an unknown ref) or finds
  // no single merge base, the separate commands run to give their own answer or message.
  let merged: string[] | undefined;
  if (!ref.startsWith("-") && !ref.includes("..")) {
    try {
      merged = text(yield { args: ["rev-parse", "--show-toplevel", "--show-prefix", "HEAD", `${ref}^{commit}...HEAD`], cwd }).split("\n");
    } catch {
      merged = undefined;
    }
  }
  const bases = merged?.slice(5).filter((l) => l.startsWith("^")) ?? [];
  if (merged && merged.length >= 6 && bases.length === 1) {
    [top, prefix, head] = [merged[0]!.trim(), merged[1]!.trim(), merged[2]!.trim()];
    mergeBase = bases[0]!.slice(1).trim();
  } else {
    // First: outside a repository this fails with git's own message.
    top = text(yield { args: ["rev-parse", "--show-toplevel"], cwd }).trim();
    const commit = yield* resolveCommit(ref, cwd);
    prefix = text(yield { args: ["rev-parse", "--show-prefix"], cwd }).trim();
    mergeBase = text(yield { args: ["merge-base", commit, "HEAD"], cwd }).trim();
    head = text(yield { args: ["rev-parse", "HEAD"], cwd }).trim();
  }
  const listing = text(yield { args: ["ls-tree", "-r", "-z", "--full-tree", mergeBase], cwd: top });
  const out: SourceFile[] = [];
  for (const entry of listing.split("\0")) {
    const m = /^\d+ blob ([0-9a-f]+)\t(.*)$/s.exec(entry);
    if (!m) continue;
    const [, sha, path] = m;
    if (prefix && !path!.startsWith(prefix)) continue;
    out.push({ path: path!.slice(prefix.length), sha });
  }
  return { files: out, head };
}

/** Adds the content of each file's blob, read in one `git cat-file --batch` run. */
export function withContent(files: SourceFile[], cwd: string): SourceFile[] {
  return runGitSync(contentOf(files, cwd));
}

export function* contentOf(files: SourceFile[], cwd: string): GitSteps<SourceFile[]> {
  const wanted = files.filter((f) => f.sha && f.content === undefined);
  if (!wanted.length) return files;
  const output: Buffer = yield { args: ["cat-file", "--batch"], cwd, input: wanted.map((f) => `${f.sha}\n`).join("") };
  const bySha = new Map<string, Buffer>();
  let at = 0;
  while (at < output.length) {
    const eol = output.indexOf(10, at);
    const header = output.subarray(at, eol).toString("utf8").split(" ");
    at = eol + 1;
    if (header[1] === "missing") continue;
    const size = Number(header[2]);
    bySha.set(header[0]!, output.subarray(at, at + size));
    at += size + 1;
  }
  return files.map((f) => (f.sha && bySha.has(f.sha) ? { ...f, content: bySha.get(f.sha) } : f));
}
