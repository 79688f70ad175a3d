// Runs a project's migrate command (a shell line) against a database URL, bounded in time, and
// prepares the base commit's tree for it (a temporary git worktree sharing the head's
// node_modules, since installed dependencies are not in git).
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { performance } from "node:perf_hooks";
import { gitText } from "../git/git.js";

export interface CommandRun {
  phase: "base" | "change" | "rollback";
  command: string;
  /** Where it ran, relative to the repository (`.` or the base worktree's same folder). */
  cwd: string;
  exitCode: number | null;
  /** Set when it was stopped: the time limit, or an interruption. */
  stopped?: string;
  durationMs: number;
  /** The end of what it printed (stdout and stderr interleaved), for the report on failure. */
  outputTail: string;
}

const TAIL_CHARS = 4_000;

/**
 * The variables migrate commands read their connection from, pointing at `url`. The URL uses the
 * `postgresql://` scheme, which every driver accepts (SQLAlchemy refuses `postgres://`).
 */
export function connectionEnv(url: string): Record<string, string> {
  const u = new URL(url.replace(/^postgres(ql)?:/i, "postgresql:"));
  const user = decodeURIComponent(u.username);
  const password = decodeURIComponent(u.password);
  const database = decodeURIComponent(u.pathname.slice(1));
  return {
    DATABASE_URL: u.toString(),
    // Laravel's names.
    DB_URL: u.toString(),
    DB_CONNECTION: "pgsql",
    DB_HOST: u.hostname,
    DB_PORT: u.port || "5432",
    DB_DATABASE: database,
    DB_USERNAME: user,
    DB_PASSWORD: password,
    PGHOST: u.hostname,
    PGPORT: u.port || "5432",
    PGUSER: user,
    PGPASSWORD: password,
    PGDATABASE: database,
    PGSSLMODE: "disable",
  };
}

export async function runCommand(
  phase: CommandRun["phase"],
  command: string,
  options: { cwd: string; shownCwd: string; env: Record<string, string>; timeoutMs: number; signal?: AbortSignal; echo?: (text: string) => void },
): Promise<CommandRun> {
  const started = performance.now();
  const child = spawn(command, { cwd: options.cwd, env: { ...process.env, ...options.env }, shell: true, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const collect = (chunk: Buffer) => {
    const text = chunk.toString("utf8");
    options.echo?.(text);
    output = (output + text).slice(-TAIL_CHARS);
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  let stopped: string | undefined;
  // The whole process group: a shell line's children (npx → node) must not outlive it.
  const kill = (why: string) => {
    stopped ??= why;
    try {
      if (child.pid) process.kill(-child.pid, "SIGKILL");
    } catch {
      child.kill("SIGKILL");
    }
  };
  const timer = setTimeout(() => kill(`stopped after the time limit of ${Math.round(options.timeoutMs / 1000)} s`), options.timeoutMs);
  const onAbort = () => kill("interrupted");
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const exitCode = await new Promise<number | null>((resolve) => {
    child.once("error", (error) => {
      output += `\n${error.message}`;
      resolve(null);
    });
    child.once("close", (code) => resolve(code));
  });
  clearTimeout(timer);
  options.signal?.removeEventListener("abort", onAbort);
  return { phase, command, cwd: options.shownCwd, exitCode, ...(stopped ? { stopped } : {}), durationMs: Math.round(performance.now() - started), outputTail: output };
}

export interface BaseTree {
  /** The folder matching the head's working folder inside the base tree. */
  cwd: string;
  remove(): void;
}

/** The merge base of HEAD and `baseRef`, checked out in a temporary worktree. */
export function baseWorktree(cwd: string, baseRef: string): BaseTree {
  const root = gitText(["rev-parse", "--show-toplevel"], cwd).trim();
  const sha = gitText(["merge-base", "HEAD", baseRef], cwd).trim();
  const dir = mkdtempSync(join(tmpdir(), "migration-guard-base-"));
  gitText(["worktree", "add", "--detach", "--quiet", dir, sha], root);
  const modules = join(root, "node_modules");
  if (existsSync(modules) && !existsSync(join(dir, "node_modules"))) symlinkSync(modules, join(dir, "node_modules"), "dir");
  return {
    cwd: join(dir, relative(root, cwd)),
    remove() {
      try {
        gitText(["worktree", "remove", "--force", dir], root);
      } catch {
        rmSync(dir, { recursive: true, force: true });
        gitText(["worktree", "prune"], root);
      }
    },
  };
}
