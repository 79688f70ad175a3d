// What the evidence runner needs from a database connection, whatever the engine behind it.
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

/** Runs the scratch database's CREATE; a failure names the server. */
export async function createScratch(admin: Session, url: string, sql: string): Promise<void> {
  try {
    await admin.query(sql);
  } catch (error) {
    throw new DatabaseSetupError(`cannot create a scratch database on ${redact(url)}: ${errorMessage(error)}`);
  }
}
