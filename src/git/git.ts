// The base side of a change from git: which files existed at the merge base, their blob ids
// and, for the files discovery needs, their content.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import type { SourceFile } from "../core/model.js";
import { UsageError } from "../fs/files.js";

function git(args: string[], cwd: string, input?: string): Buffer {
  try {
    return execFileSync("git", args, { cwd, input, maxBuffer: 1024 * 1024 * 1024, stdio: ["pipe", "pipe", "pipe"] });
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? "")
      .split("\n")
      .map((l) => l.trim())
      .find(Boolean);
    const code = (error as { status?: number; code?: string }).status ?? (error as { code?: string }).code;
    throw new UsageError(`git ${args[0]}: ${stderr ?? `failed (${code ?? "unknown error"})`}`);
  }
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

/** The commit `ref` names, or a one-line usage error saying it does not. */
function resolveCommit(ref: string, cwd: string): string {
  try {
    return gitText(["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`], cwd).trim();
  } catch {
    throw new UsageError(`--base ${ref}: no such branch, tag or commit in this repository`);
  }
}

const SHA = /^[0-9a-f]{40,64}$/;
/** HEAD of the folders `baseFiles` read, so a caller's later question costs no git run (~15 ms each). */
const heads = new Map<string, string>();

/** HEAD as `baseFiles` found it for `cwd`, if it ran there. */
export function knownHead(cwd: string): string | undefined {
  return heads.get(cwd);
}

/**
 * The repository's top folder, cwd's path in it, the commit `ref` names and its merge base with
 * HEAD: one git run when all is well (`A...B` lists the merge bases as `^sha`).
 */
function locate(ref: string, cwd: string): { top: string; commit: string; prefix: string; mergeBase: string } {
  let lines: string[] | undefined;
  // A ref that looks like an option or a range (`a..b` prints `^sha` lines of its own) is left to
  // the checked path below.
  if (!ref.startsWith("-") && !ref.includes("..")) {
    try {
      lines = gitText(["rev-parse", "--show-toplevel", "--show-prefix", `${ref}^{commit}`, "HEAD", `${ref}^{commit}...HEAD`, "--"], cwd).split("\n");
    } catch {
      lines = undefined;
    }
  }
  const bases = lines?.filter((l) => l.startsWith("^")).map((l) => l.slice(1).trim()) ?? [];
  if (lines && lines.length >= 4 && SHA.test(lines[2]!.trim()) && SHA.test(lines[3]!.trim()) && bases.length === 1 && SHA.test(bases[0]!)) {
    heads.set(cwd, lines[3]!.trim());
    return { top: lines[0]!.trim(), prefix: lines[1]!.trim(), commit: lines[2]!.trim(), mergeBase: bases[0]! };
  }
  // Something is unusual: the same questions one at a time say what. First: outside a repository
  // this fails with git's own message.
  const top = gitText(["rev-parse", "--show-toplevel"], cwd).trim();
  const commit = resolveCommit(ref, cwd);
  const prefix = gitText(["rev-parse", "--show-prefix"], cwd).trim();
  const mergeBase = gitText(["merge-base", commit, "HEAD"], cwd).trim();
  return { top, commit, prefix, mergeBase };
}

/**
 * Files at the merge base of `ref` and HEAD (what the PR's base branch had when it forked),
 * with paths relative to `cwd` and blob ids instead of content.
 */
export function baseFiles(ref: string, cwd: string): SourceFile[] {
  const { top, prefix, mergeBase } = locate(ref, cwd);
  const listing = gitText(["ls-tree", "-r", "-z", "--full-tree", mergeBase], top);
  const out: SourceFile[] = [];
  for (const entry of listing.split("\0")) {
    const m = /^\d+ blob ([0-9a-f]+)\t(.*)$/s.exec(entry);
    if (!m) continue;
    const [, sha, path] = m;
    if (prefix && !path!.startsWith(prefix)) continue;
    out.push({ path: path!.slice(prefix.length), sha });
  }
  return out;
}

/** Adds the content of each file's blob, read in one `git cat-file --batch` run. */
export function withContent(files: SourceFile[], cwd: string): SourceFile[] {
  const wanted = files.filter((f) => f.sha && f.content === undefined);
  if (!wanted.length) return files;
  const output = git(["cat-file", "--batch"], cwd, wanted.map((f) => `${f.sha}\n`).join(""));
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
