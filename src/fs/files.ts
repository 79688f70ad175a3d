// Reads migration candidates from disk. The only place the CLI touches the file system for input.
import { closeSync, constants, fstatSync, openSync, readdirSync, readSync, statSync, type Dirent, type Stats } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import type { SourceFile } from "../core/model.js";
import { MAX_SCRIPT_BYTES } from "../core/parse/index.js";

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

/**
 * Files below the given paths (files or folders), with repository-style `/` paths relative to `cwd`.
 * A path given explicitly that does not exist is a usage error; a file found below a folder that
 * cannot be read (a broken link, a device, too large…) comes back with `unreadable` set, so it is
 * reported while the rest is analyzed.
 */
export function readFiles(paths: string[], cwd: string, options: ReadOptions = {}): SourceFile[] {
  const found = new Map<string, Listed>();
  const skip = new Set((options.skip ?? []).map((d) => resolve(d)));
  for (const p of paths) {
    const absolute = resolve(cwd, p);
    let stats;
    try {
      stats = statSync(absolute);
    } catch (error) {
      throw new UsageError(`${p}: ${describeFsError(error, "no such file or directory")}`);
    }
    if (stats.isDirectory()) walk(absolute, cwd, skip, found);
    else found.set(toRelative(absolute, cwd), { absolute });
  }
  const all = [...found.keys()];
  const wanted = options.select ? new Set(options.select(all)) : undefined;
  return all
    .filter((path) => !wanted || wanted.has(path))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((path) => readOne(found.get(path)!, path));
}

interface Listed {
  absolute: string;
  /** Known before reading: the entry cannot be opened under the name we have. */
  problem?: string;
}

function walk(dir: string, cwd: string, skip: Set<string>, out: Map<string, Listed>): void {
  if (skip.has(dir)) return;
  let entries: Dirent<Buffer>[];
  try {
    entries = readdirSync(dir, { withFileTypes: true, encoding: "buffer" });
  } catch (error) {
    throw new UsageError(`${toRelative(dir, cwd) || "."}: cannot list folder (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  for (const entry of entries) {
    const name = entry.name.toString("utf8");
    const absolute = join(dir, name);
    // A name that is not UTF-8 cannot be opened through its decoded (lossy) form: report it.
    const problem = Buffer.from(name, "utf8").equals(entry.name) ? undefined : "file name is not valid UTF-8; rename the file";
    if (entry.isDirectory()) {
      if (SKIP_DIRS.has(name) || name.startsWith(".")) continue;
      if (problem) out.set(toRelative(absolute, cwd), { absolute, problem: `folder name is not valid UTF-8, so its files were not read; rename it` });
      else walk(absolute, cwd, skip, out);
    } else if (entry.isFile() || entry.isSymbolicLink()) {
      // Symlinks are listed as files: a broken one is reported when (and only if) it is read.
      if (!problem && entry.isSymbolicLink() && isDirectory(absolute)) continue;
      out.set(toRelative(absolute, cwd), { absolute, problem });
    } else if (/\.sql$/i.test(name)) {
      // A FIFO, socket or device named like a migration: listed so that it is reported, never read.
      out.set(toRelative(absolute, cwd), { absolute, problem });
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

function readOne(listed: Listed, path: string): SourceFile {
  if (listed.problem) return { path, unreadable: listed.problem };
  try {
    return { path, content: readRegularFile(listed.absolute, MAX_SCRIPT_BYTES) };
  } catch (error) {
    return { path, unreadable: `${error instanceof UsageError ? error.message : `cannot read (${describeFsError(error)})`}; not analyzed` };
  }
}

/**
 * Reads a regular file of at most `limit` bytes. Devices (`/dev/zero`), FIFOs and sockets would
 * read forever or block; a file that grows while it is read is cut at the limit and refused.
 */
export function readRegularFile(absolute: string, limit: number): Buffer {
  // Non-blocking: opening a named pipe for reading would otherwise wait for a writer.
  const fd = openSync(absolute, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new UsageError(`not a regular file (${fileKind(stats)})`);
    if (stats.size > limit) throw new UsageError(`too large (${megabytes(stats.size)}; the limit is ${megabytes(limit)})`);
    const buffer = Buffer.alloc(Math.min(stats.size, limit) + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length > limit) throw new UsageError(`too large (more than ${megabytes(limit)})`);
      if (length === buffer.length) break;
    }
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

/**
 * An input file named by an option (`--config`, `--stats`, `--evidence`…): relative to `cwd`
 * unless absolute, a regular file, at most `limit` bytes, UTF-8. Any failure is a usage error naming it.
 */
export function readInputText(cwd: string, file: string, what: string, limit: number): string {
  try {
    return readRegularFile(resolve(cwd, file), limit).toString("utf8");
  } catch (error) {
    throw new UsageError(`${file}: cannot read ${what}: ${error instanceof UsageError ? error.message : describeFsError(error)}`);
  }
}

function fileKind(stats: Stats): string {
  if (stats.isCharacterDevice()) return "a character device";
  if (stats.isBlockDevice()) return "a block device";
  if (stats.isFIFO()) return "a named pipe";
  if (stats.isSocket()) return "a socket";
  return stats.isDirectory() ? "a folder" : "a special file";
}

function megabytes(bytes: number): string {
  if (bytes < 1e6) return `${Math.ceil(bytes / 1e3)} kB`;
  return `${(bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0)} MB`;
}

/** ENOENT on a symlink means it points nowhere; ELOOP a cycle. */
export function describeFsError(error: unknown, notFound = "no such file, or a symbolic link to nothing"): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case "ENOENT":
      return notFound;
    case "ELOOP":
      return "symbolic link loop";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EISDIR":
      return "is a folder";
    default:
      return code ?? String(error);
  }
}
