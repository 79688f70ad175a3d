// Reads migration candidates from disk. The only place the CLI touches the file system for input.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import type { SourceFile } from "../core/model.js";

export class UsageError extends Error {}

const SKIP_DIRS = new Set(["node_modules", ".git", "dist"]);

/** Every file below the given paths (files or folders), with repository-style `/` paths relative to `cwd`. */
export function readFiles(paths: string[], cwd: string): SourceFile[] {
  const out: SourceFile[] = [];
  for (const p of paths) {
    const absolute = join(cwd, p);
    let stats;
    try {
      stats = statSync(absolute);
    } catch {
      throw new UsageError(`${p}: no such file or directory`);
    }
    if (stats.isDirectory()) walk(absolute, cwd, out);
    else out.push(readOne(absolute, cwd));
  }
  return dedupe(out);
}

function walk(dir: string, cwd: string, out: SourceFile[]): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) walk(join(dir, entry.name), cwd, out);
    } else if (entry.isFile()) {
      out.push(readOne(join(dir, entry.name), cwd));
    }
  }
}

function readOne(absolute: string, cwd: string): SourceFile {
  const path = relative(cwd, absolute).split(sep).join("/");
  try {
    return { path, content: readFileSync(absolute) };
  } catch (error) {
    throw new UsageError(`${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

function dedupe(files: SourceFile[]): SourceFile[] {
  const seen = new Map<string, SourceFile>();
  for (const f of files) seen.set(f.path, f);
  return [...seen.values()].sort((a, b) => a.path.localeCompare(b.path));
}
