// The change the CLI checks: head files from the working tree, and the base side either
// from git (`--base <ref>`) or from a folder holding a copy of the base tree (`--base-dir`).
import { resolve } from "node:path";
import type { ChangeInput, SourceFile } from "../core/model.js";
import { baseSide, blobSha, contentOf, runGit, runGitSync, type GitSteps } from "../git/git.js";
import { isDirectory, readFiles, toRelative, UsageError } from "./files.js";

export interface ChangeOptions {
  /** A git ref: the base is the merge base of it and HEAD. */
  base?: string;
  /**
   * A folder holding a copy of the base version of the one checked folder: `<base-dir>/x/y.sql`
   * is the base version of `<checked>/x/y.sql`. When it lies inside the checked folder it is
   * not read as part of the head.
   */
  baseDir?: string;
  /** Which listed paths (relative to cwd) discovery wants; the rest are not read. */
  select?: (paths: string[]) => string[];
}

export function readLocalChange(paths: string[], cwd: string, options: ChangeOptions = {}): ChangeInput {
  return runGitSync(localChange(paths, cwd, options)).input;
}

/**
 * `readLocalChange` with git processes that leave the event loop free, and the commit HEAD is
 * when the base comes from git.
 */
export function readLocalChangeAsync(paths: string[], cwd: string, options: ChangeOptions = {}): Promise<{ input: ChangeInput; head?: string }> {
  return runGit(localChange(paths, cwd, options));
}

function* localChange(paths: string[], cwd: string, options: ChangeOptions): GitSteps<{ input: ChangeInput; head?: string }> {
  if (options.base !== undefined && options.baseDir !== undefined) throw new UsageError("use either --base or --base-dir, not both");
  if (options.baseDir !== undefined) return { input: readAgainstFolder(paths, cwd, options.baseDir, options.select) };
  const head = readFiles(paths, cwd, { select: options.select });
  if (options.base === undefined) return { input: { head } };
  const prefixes = paths.map((p) => toRelative(resolve(cwd, p), cwd));
  const inScope = (f: SourceFile) => prefixes.some((p) => p === "" || f.path === p || f.path.startsWith(`${p}/`));
  const side = yield* baseSide(options.base, cwd);
  const listed = side.files.filter(inScope);
  const wanted = new Set(options.select ? options.select(listed.map((f) => f.path)) : listed.map((f) => f.path));
  return {
    input: {
      head: head.map((f) => ({ ...f, sha: blobSha(f.content!) })),
      base: yield* contentOf(listed.filter((f) => wanted.has(f.path)), cwd),
    },
    head: side.head,
  };
}

function readAgainstFolder(paths: string[], cwd: string, baseDir: string, select?: (paths: string[]) => string[]): ChangeInput {
  if (paths.length !== 1) throw new UsageError(`--base-dir compares one checked folder with its base copy; got ${paths.length} paths`);
  const checked = resolve(cwd, paths[0]!);
  if (!isDirectory(checked)) throw new UsageError(`${paths[0]}: --base-dir needs the checked path to be an existing folder`);
  const baseRoot = resolve(cwd, baseDir);
  if (!isDirectory(baseRoot)) throw new UsageError(`--base-dir ${baseDir}: no such folder`);
  const head = readFiles(paths, cwd, { select, skip: [baseRoot] });
  // Base paths are made relative to cwd as if the base copy stood where the checked folder is.
  const prefix = toRelative(checked, cwd);
  const asHead = (p: string) => (prefix ? `${prefix}/${p}` : p);
  const base = readFiles(["."], baseRoot, {
    select: select && ((ps) => {
      const back = new Map(ps.map((p) => [asHead(p), p]));
      return select([...back.keys()]).map((p) => back.get(p)!);
    }),
  }).map((f) => ({ ...f, path: asHead(f.path) }));
  return { head, base };
}
