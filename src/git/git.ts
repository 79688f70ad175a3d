// The base side of a change from git: which files existed at the merge base and their blob ids.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import type { SourceFile } from "../core/model.js";
import { UsageError } from "../fs/files.js";

function git(args: string[], cwd: string): string {
  try {
    return execFileSync("git", args, { cwd, encoding: "utf8", maxBuffer: 512 * 1024 * 1024, stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? "").trim().split("\n")[0];
    throw new UsageError(`git ${args[0]}: ${stderr || String(error)}`);
  }
}

/** Git's blob id of some content, so working-tree files compare with `git ls-tree` output. */
export function blobSha(content: string | Uint8Array): string {
  const bytes = typeof content === "string" ? Buffer.from(content) : Buffer.from(content);
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

/**
 * Files at the merge base of `ref` and HEAD (what the PR's base branch had when it forked),
 * with paths relative to `cwd` and blob ids instead of content.
 */
export function baseFiles(ref: string, cwd: string): SourceFile[] {
  const top = git(["rev-parse", "--show-toplevel"], cwd).trim();
  const prefix = git(["rev-parse", "--show-prefix"], cwd).trim();
  git(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], cwd);
  const mergeBase = git(["merge-base", ref, "HEAD"], cwd).trim();
  const listing = git(["ls-tree", "-r", "-z", "--full-tree", mergeBase], top);
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

/** Content of a file at a ref (for base files whose content the engine needs). */
export function fileAt(ref: string, path: string, cwd: string): string {
  return git(["show", `${ref}:./${path}`], cwd);
}
