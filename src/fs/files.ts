// Reads migration candidates from disk. The only place the CLI touches the file system for input.
import { readdirSync, readFileSync, statSync, type Dirent } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import type { SourceFile } from "../core/model.js";

export class UsageError extends Error {}

/** Never migrations, and often huge. Hidden folders (`.git`, `.base`, …) are skipped too unless named as a path. */
const SKIP_DIRS = new Set(["node_modules", "dist"]);

export interface ReadOptions {
  /**
   * Picks, from every file path found (relative to `cwd`, `/`-separated), the ones worth
   * reading; the rest are never opened, so an unreadable file that is not a migration is harmless.
   */
  select?: (paths: string[]) => string[];
  /** Absolute folders left out of the walk (e.g. the base snapshot inside the checked folder). */
  skip?: string[];
}

/** Files below the given paths (files or folders), with repository-style `/` paths relative to `cwd`. */
export function readFiles(paths: string[], cwd: string, options: ReadOptions = {}): SourceFile[] {
  const found = new Map<string, string>();
  const skip = new Set((options.skip ?? []).map((d) => resolve(d)));
  for (const p of paths) {
    const absolute = resolve(cwd, p);
    let stats;
    try {
      stats = statSync(absolute);
    } catch {
      throw new UsageError(`${p}: no such file or directory`);
    }
    if (stats.isDirectory()) walk(absolute, cwd, skip, found);
    else found.set(toRelative(absolute, cwd), absolute);
  }
  const all = [...found.keys()];
  const wanted = options.select ? new Set(options.select(all)) : undefined;
  return all
    .filter((path) => !wanted || wanted.has(path))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((path) => readOne(found.get(path)!, path));
}

function walk(dir: string, cwd: string, skip: Set<string>, out: Map<string, string>): void {
  if (skip.has(dir)) return;
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    throw new UsageError(`${toRelative(dir, cwd) || "."}: cannot list folder (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  for (const entry of entries) {
    const absolute = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name) && !entry.name.startsWith(".")) walk(absolute, cwd, skip, out);
    } else if (entry.isFile() || entry.isSymbolicLink()) {
      // Symlinks are listed as files: a broken one fails when (and only if) it is read.
      if (entry.isSymbolicLink() && isDirectory(absolute)) continue;
      out.set(toRelative(absolute, cwd), absolute);
    }
  }
}

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** `absolute` relative to `cwd`, `/`-separated (repository-style). */
export function toRelative(absolute: string, cwd: string): string {
  return relative(cwd, absolute).split(sep).join("/");
}

function readOne(absolute: string, path: string): SourceFile {
  try {
    return { path, content: readFileSync(absolute) };
  } catch (error) {
    throw new UsageError(`${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}
