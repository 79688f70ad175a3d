// What the evidence runner needs from a database connection, whatever the engine behind it.
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { TimeLimitKind } from "../core/evidence/report.js";
export interface ExecResult {
  rows: Record<string, unknown>[];
  /** Rows inserted, updated or deleted (when the engine reports it). */
  rowCount?: number;
}

export interface Session {
  /** Server process / thread id, for pg_locks and pg_terminate_backend. */
  readonly pid: number;
  /** Runs one statement; params use `$1` (PostgreSQL) or `?` (MariaDB). */
  query(sql: string, params?: unknown[]): Promise<ExecResult>;
  /**
   * Puts the session back where the run keeps it after a script: default settings and, on MariaDB,
   * the scratch database (a script's `USE other_db` moves it); throws when it cannot.
   */
  reset?(): Promise<void>;
  close(): Promise<void>;
}

export type EngineKind = "postgres" | "pglite" | "mariadb";

export interface ScratchDatabase {
  kind: EngineKind;
  dialect: "postgres" | "mysql";
  /** `15.20`, `18.6`, `10.11.19-MariaDB`. */
  serverVersion: string;
  majorVersion: number;
  /** Name of the scratch database this run created (and will drop). */
  name: string;
  /** Can more than one session connect? PGlite is single-connection. */
  multiSession: boolean;
  /** A new session to the scratch database. On PGlite: the one session, once. */
  connect(): Promise<Session>;
  /** Drops the scratch database (also when sessions are still open) and closes admin connections. */
  drop(): Promise<void>;
  /** Set once the run's time budget is spent: why nothing more may run. */
  outOfTime?(): string | undefined;
  /**
   * postgres:// URL of the scratch database as the run's role (holds its password: never print
   * it), for a traced migrate command to connect to. Absent on engines without a server.
   */
  connectionUrl?: string;
  /** What separates the change's SQL from the rest of the server, in plain words (for the report). */
  sandbox?: string;
}

export class TargetNotEmptyError extends Error {}
export class DatabaseSetupError extends Error {}

/** Unique, recognizable name for a scratch database. */
export function scratchName(): string {
  return `mg_test_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** A URL without its password, for messages. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparseable URL)";
  }
}

/** Opens the admin session; a failure names the server (never its password). */
export async function connectAdmin(url: string, open: () => Promise<Session>): Promise<Session> {
  try {
    return await open();
  } catch (error) {
    throw new DatabaseSetupError(`cannot connect to ${redact(url)}: ${errorMessage(error)}`);
  }
}

/** Refuses a target that holds something (`what`: e.g. "table(s)"), unless told to work beside it. */
export function refuseNonEmpty(url: string, what: string, names: string[], allowExisting: boolean): void {
  if (!names.length || allowExisting) return;
  throw new TargetNotEmptyError(
    `${redact(url)} holds ${names.length} ${what} (${names.slice(0, 5).join(", ")}${names.length > 5 ? ", …" : ""}); ` +
      "point --database-url at a throwaway server, or pass --allow-existing to run in a scratch database beside them",
  );
}

/** Runs the scratch database's (or run user's) CREATE; a failure names the server and what it needs. */
export async function createScratch(admin: Session, url: string, sql: string, needs?: string): Promise<void> {
  try {
    await admin.query(sql);
  } catch (error) {
    throw new DatabaseSetupError(`cannot create a scratch database on ${redact(url)}: ${errorMessage(error)}${needs ? ` (${needs})` : ""}`);
  }
}

// ── the sandbox: time limits, run ownership, leftovers of dead runs ───────────

/** Time limits of a run (`test.timeouts`), in milliseconds. */
export interface TimeLimits {
  statementMs: number;
  idleInTransactionMs: number;
  totalMs: number;
}

export interface ScratchOptions {
  allowExisting: boolean;
  limits?: TimeLimits;
}

export const DEFAULT_LIMITS: TimeLimits = { statementMs: 300_000, idleInTransactionMs: 60_000, totalMs: 1_800_000 };


/** A statement stopped by a time limit; the executor reports it as that statement's failure. */
export class TimeLimitError extends Error {
  constructor(
    message: string,
    readonly limit: TimeLimitKind,
    /** What the statement was doing when it was stopped, e.g. the lock it waited for and who held it. */
    readonly waitedOn?: string,
  ) {
    super(waitedOn ? `${message}; ${waitedOn}` : message);
  }
}

/** Says what a backend is doing right now (waiting for a lock, and on whom), from the admin connection. */
export type DescribeWait = (pid: number) => Promise<string | undefined>;

/** How long the server's own limit may overrun before the watchdog cancels, then terminates, the backend. */
const GRACE_MS = 1_000;
const TERMINATE_AFTER_MS = 3_000;

/**
 * Enforces the statement limit and the run's total budget from outside the session: the change can
 * `SET statement_timeout = 0` (or `max_statement_time`), so the server-side setting is not enough.
 */
export class Watchdog {
  private readonly deadline: number;

  constructor(
    readonly limits: TimeLimits,
    /** Cancels (`hard`: terminates) a backend from the admin connection. */
    private readonly stop: (pid: number, hard: boolean) => Promise<void>,
    private readonly describe?: DescribeWait,
  ) {
    this.deadline = Date.now() + limits.totalMs;
  }

  /** Why no further statement may run, once the budget is spent. */
  outOfTime(): string | undefined {
    return Date.now() >= this.deadline ? budgetMessage(this.limits) : undefined;
  }

  async run<T>(pid: number, body: () => Promise<T>): Promise<T> {
    const spent = this.outOfTime();
    if (spent) throw new TimeLimitError(spent, "total");
    const remaining = this.deadline - Date.now();
    const byBudget = remaining < this.limits.statementMs + GRACE_MS;
    const limitMs = byBudget ? Math.max(0, remaining) : this.limits.statementMs;
    let fired: TimeLimitKind | undefined;
    let hardTimer: NodeJS.Timeout | undefined;
    // Look at what the statement waits for just before a limit can stop it (the server's own
    // statement_timeout fires at the limit, before the watchdog's grace): after, the wait is gone.
    let waited: Promise<string | undefined> | undefined;
    const describeTimer = this.describe
      ? setTimeout(() => (waited = this.describe!(pid).catch(() => undefined)), Math.max(0, limitMs - Math.min(DESCRIBE_LEAD_MS, limitMs / 4)))
      : undefined;
    const timer = setTimeout(
      () => {
        fired = byBudget ? "total" : "statement";
        void this.stop(pid, false).catch(() => undefined);
        hardTimer = setTimeout(() => void this.stop(pid, true).catch(() => undefined), TERMINATE_AFTER_MS);
      },
      byBudget ? limitMs : this.limits.statementMs + GRACE_MS,
    );
    const stopped = async (kind: TimeLimitKind, message: string) => new TimeLimitError(message, kind, await withinMs(waited, DESCRIBE_WAIT_MS));
    try {
      const result = await body();
      if (fired) throw await stopped(fired, limitMessage(fired, this.limits));
      return result;
    } catch (error) {
      if (error instanceof TimeLimitError) throw error;
      if (fired) throw await stopped(fired, limitMessage(fired, this.limits));
      const server = serverTimeout(error);
      if (server) throw await stopped(server, `${errorMessage(error)} (${limitMessage(server, this.limits)})`);
      throw error;
    } finally {
      clearTimeout(timer);
      clearTimeout(hardTimer);
      clearTimeout(describeTimer);
    }
  }
}

/** How early before a limit the watchdog looks at the statement, and how long it waits for the answer. */
const DESCRIBE_LEAD_MS = 250;
const DESCRIBE_WAIT_MS = 1_000;

function withinMs<T>(promise: Promise<T> | undefined, ms: number): Promise<T | undefined> {
  if (!promise) return Promise.resolve(undefined);
  return Promise.race([promise, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms).unref())]);
}

function limitMessage(kind: TimeLimitKind, l: TimeLimits): string {
  if (kind === "total") return budgetMessage(l);
  if (kind === "idle_in_transaction") return `the session sat idle in a transaction longer than ${l.idleInTransactionMs} ms (test.timeouts.idle_in_transaction_ms)`;
  return statementMessage(l);
}

function statementMessage(l: TimeLimits): string {
  return `the statement ran longer than the statement time limit of ${l.statementMs} ms (test.timeouts.statement_ms) and was cancelled`;
}

function budgetMessage(l: TimeLimits): string {
  return `the test ran out of its time budget of ${l.totalMs} ms (test.timeouts.total_ms); the statement was cancelled`;
}

/** PostgreSQL's statement_timeout / idle_in_transaction_session_timeout, MariaDB's max_statement_time. */
function serverTimeout(error: unknown): TimeLimitKind | undefined {
  const e = error as { code?: unknown; errno?: unknown; message?: unknown };
  if (e?.code === "57014" && /statement timeout/.test(String(e.message))) return "statement";
  if (e?.code === "25P03") return "idle_in_transaction";
  return e?.errno === 1969 ? "statement" : undefined;
}

/** A session whose statements run under the watchdog. */
export function guarded(session: Session, watchdog: Watchdog): Session {
  return {
    pid: session.pid,
    query: (sql, params) => watchdog.run(session.pid, () => session.query(sql, params)).catch((error) => Promise.reject(sandboxed(error))),
    ...(session.reset ? { reset: () => session.reset!() } : {}),
    close: () => session.close(),
  };
}

/**
 * Errors land in reports the App posts on the pull request: bound their length (a cast of a file's
 * contents quotes the contents) and say why a privilege is missing.
 */
export function sandboxed(error: unknown): Error {
  if (error instanceof TimeLimitError) return error;
  const e = error as { code?: unknown; errno?: unknown };
  const privilege = e?.code === "42501" || [1044, 1045, 1142, 1143, 1227, 1370].includes(Number(e?.errno));
  let message = errorMessage(error);
  if (message.length > MAX_ERROR_CHARS) message = `${message.slice(0, MAX_ERROR_CHARS)}… (${message.length - MAX_ERROR_CHARS} more characters not shown)`;
  if (privilege) message += ` (${SANDBOX_HINT})`;
  return new Error(message);
}

const MAX_ERROR_CHARS = 300;
export const SANDBOX_HINT =
  "the test runs the change as a user created for the run that owns only the scratch database, without superuser, role, database, replication or file privileges; what needs more must be done by an administrator";

/** Who created a scratch database: written beside it, read back to prove a run dead. */
export function ownerTag(): string {
  return `migration-guard test on ${hostname()} pid ${process.pid}`;
}

const OWNER_TAG = /^migration-guard test on (.+) pid (\d+)$/;
const SCRATCH_NAME = /^mg_test_([0-9a-z]+)_[0-9a-z]{1,8}$/;
/** A run younger than this is never collected, whatever its tag says. */
const MIN_AGE_MS = 60_000;

/**
 * A scratch database left by an earlier run is provably dead when its name is ours, it is old enough,
 * and the process that created it (its owner tag) ran on this machine and is gone. Its backends may
 * still run (a SIGKILLed client does not stop the server's statement): they are the dead run's.
 */
export function isDeadRun(name: string, tag: string | undefined, now = Date.now()): boolean {
  const m = SCRATCH_NAME.exec(name);
  if (!m) return false;
  const created = parseInt(m[1]!, 36);
  if (!Number.isFinite(created) || now - created < MIN_AGE_MS) return false;
  const owner = tag === undefined ? null : OWNER_TAG.exec(tag);
  return owner !== null && owner[1] === hostname() && !processAlive(Number(owner[2]));
}

export function isScratchName(name: string): boolean {
  return SCRATCH_NAME.test(name);
}

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** A password for the run's role, never shown. */
export function randomPassword(): string {
  return randomBytes(18).toString("base64url");
}
