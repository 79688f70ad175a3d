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
