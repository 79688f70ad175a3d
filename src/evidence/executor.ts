// Applies one script statement by statement, the way its tool would (in the tool's transaction,
// as the one implicit transaction block of a file sent as one query, or statement by statement;
// see planExecution), and traces each statement: duration, locks taken per relation,
// rewrites (relfilenode changed), indexes built, rows affected, and the probe's longest wait.
import { setTimeout as sleep } from "node:timers/promises";
import { performance } from "node:perf_hooks";
import type { ScriptRun, StatementTrace, TracedLock } from "../core/evidence/report.js";
import { affectsRows, planExecution, referencedRelations, shortSql, type ExecutionPlan, type StatementMode } from "../core/evidence/plan.js";
import { LockMode } from "../core/model.js";
import { transactionContext, type FileSemantics } from "../core/analyze/transaction.js";
import type { Statement } from "../core/parse/index.js";
import { locksOf, readTrace, type OwnLock, type RelationState } from "../db/pg-catalog.js";
import { errorMessage, TimeLimitError, type Session } from "../db/session.js";
import type { BlockingProbe } from "./probe.js";
import type { DialectOps } from "./ops.js";
import type { ExecutableScript } from "./statements.js";

export interface ExecutionContext {
  main: Session;
  /** Second connection that samples pg_locks during non-transactional statements (PostgreSQL only). */
  observer?: Session;
  ops: DialectOps;
  postgresVersion: number;
  signal?: AbortSignal;
}

export interface RunOptions {
  /** How the migration tool runs the file (layout facts after config overrides). */
  runsAs: FileSemantics;
  /** Read locks and relfilenodes around every statement (PostgreSQL). */
  trace: boolean;
  probe?: { probe: BlockingProbe; thresholdMs: number; scale: (table: string) => number | undefined };
  /** Stop after this many statements (partial-failure step). */
  stopAfter?: number;
  /**
   * How each statement runs, when the script is the rest of a file that failed part-way: the
   * rest must run as it would within the whole file (a lone CONCURRENTLY of a one-query file
   * still runs in that query's transaction block).
   */
  modes?: StatementMode[];
}

export class AbortedError extends Error {
  constructor() {
    super("interrupted");
  }
}

/** pg_locks' `AccessExclusiveLock` → `ACCESS EXCLUSIVE`. */
export function lockModeName(pgMode: string): LockMode | undefined {
  const name = pgMode.replace(/Lock$/, "").replace(/([a-z])([A-Z])/g, "$1 $2").toUpperCase();
  const parsed = LockMode.safeParse(name);
  return parsed.success ? parsed.data : undefined;
}

export function planFor(script: ExecutableScript, runsAs: FileSemantics, ctx: ExecutionContext): ExecutionPlan {
  const dialect = ctx.ops.dialect === "postgres" ? "postgres" : "mysql";
  return planExecution(script.statements, transactionContext(runsAs, script.statements, ctx.postgresVersion, script.queries), dialect, ctx.postgresVersion);
}

function endsTransaction(statement: Statement): boolean {
  return statement.kind === "TransactionStmt" && ["TRANS_STMT_COMMIT", "TRANS_STMT_ROLLBACK"].includes(String(statement.ast?.kind));
}

export async function runScript(ctx: ExecutionContext, script: ExecutableScript, options: RunOptions): Promise<ScriptRun> {
  const started = performance.now();
  const planned = planFor(script, options.runsAs, ctx);
  const plan = options.modes ? { ...planned, modes: options.modes, execution: options.modes.every((m) => m === "file-transaction") ? ("file-transaction" as const) : ("per-statement" as const) } : planned;
  const statements: StatementTrace[] = [];
  const finish = (ok: boolean, error?: ScriptRun["error"]): ScriptRun => ({
    file: script.file,
    ok,
    durationMs: round(performance.now() - started),
    execution: plan.execution,
    statements,
    ...(error ? { error } : {}),
    ...(plan.note ? { note: plan.note } : {}),
  });
  if (script.problems.length) return finish(false, script.problems[0]);
  if (plan.refusal) return finish(false, { where: script.file, message: plan.refusal });
  const trace = options.trace && ctx.ops.dialect === "postgres";
  const count = Math.min(script.statements.length, options.stopAfter ?? Infinity);
  let inTransaction = false;
  let before = trace ? await readTrace(ctx.main) : undefined;
  try {
    for (let i = 0; i < count; i++) {
      if (ctx.signal?.aborted) throw new AbortedError();
      const statement = script.statements[i]!;
      const mode = plan.modes[i]!;
      // The tool's transaction, or the implicit block of a file sent as one query (again after
      // the file's own COMMIT, where PostgreSQL starts the next implicit block).
      if (mode === "file-transaction" && !inTransaction) {
        await ctx.main.query("BEGIN");
        inTransaction = true;
      }
      // A statement the tool runs on its own, outside the file's transaction (the Supabase CLI's
      // CONCURRENTLY): what ran before it is committed, as the tool's own batch is.
      if (mode === "no-transaction" && inTransaction) {
        await ctx.main.query("COMMIT");
        inTransaction = false;
      }
      const ownTransaction = mode === "own-transaction" && ctx.ops.dialect === "postgres";
      if (ownTransaction) await ctx.main.query("BEGIN");
      const heldBefore: OwnLock[] = ownTransaction ? [] : (before?.locks ?? []);
      const tables = before ? affectedTables(statement, before.relations, ctx.ops) : [];
      const observed = mode === "no-transaction" && trace && ctx.observer ? observeLocks(ctx.observer, ctx.main.pid) : undefined;
      options.probe?.probe.track(i, tables);
      const t0 = performance.now();
      let rowCount: number | undefined;
      let failure: string | undefined;
      let stoppedBy: TimeLimitError | undefined;
      try {
        rowCount = (await ctx.main.query(statement.text)).rowCount;
      } catch (error) {
        // Ctrl-C drops the database under the running statement: that is not the migration's failure.
        if (ctx.signal?.aborted) throw new AbortedError();
        failure = errorMessage(error);
        if (error instanceof TimeLimitError) stoppedBy = error;
      }
      const durationMs = performance.now() - t0;
      const observedLocks = observed ? await observed.stop() : [];
      const entry: StatementTrace = {
        index: i,
        file: statement.span.file,
        line: statement.span.startLine,
        sql: shortSql(statement.text),
        kind: statement.kind,
        mode,
        ok: failure === undefined,
        durationMs: round(durationMs),
        ...(failure === undefined && affectsRows(statement) && rowCount !== undefined ? { rowsAffected: rowCount } : {}),
        locks: [],
        rewritten: [],
        indexesBuilt: [],
        ...(failure ? { error: failure } : {}),
      };
      statements.push(entry);
      if (failure !== undefined) {
        if (inTransaction || ownTransaction || mode === "explicit-transaction") await ctx.main.query("ROLLBACK").catch(() => undefined);
        inTransaction = false;
        const limit = stoppedBy ? { cause: "time-limit" as const, timeLimit: stoppedBy.limit } : {};
        return finish(false, { where: `${statement.span.file}:${statement.span.startLine}`, message: failure, ...limit });
      }
      if (before) {
        const after = await readTrace(ctx.main);
        entry.locks = observed ? observedLocks : newLocks(heldBefore, after.locks, before.relations);
        entry.rewritten = rewritten(before.relations, after.relations);
        entry.indexesBuilt = indexesBuilt(before.relations, after.relations);
        before = after;
      }
      if (ownTransaction) await ctx.main.query("COMMIT");
      // The file's own COMMIT/ROLLBACK ends whatever block was open, the test's included.
      const ended = endsTransaction(statement);
      if (ended) inTransaction = false;
      // Outside a file or explicit transaction the statement's locks are gone now.
      if (mode === "own-transaction" || mode === "no-transaction" || ended) options.probe?.probe.release();
    }
    if (inTransaction) {
      // The partial-failure step interrupts the transaction itself, before COMMIT.
      if (options.stopAfter !== undefined) return finish(true);
      await ctx.main.query("COMMIT");
      inTransaction = false;
    }
  } catch (error) {
    if (error instanceof AbortedError || ctx.signal?.aborted) throw new AbortedError();
    if (inTransaction) await ctx.main.query("ROLLBACK").catch(() => undefined);
    return finish(false, { where: script.file, message: errorMessage(error) });
  } finally {
    if (options.probe) {
      // Probe results are read once the transaction is over: a blocked query waits until COMMIT.
      await options.probe.probe.settle();
      for (const entry of statements) {
        const result = options.probe.probe.result(entry.index, options.probe.thresholdMs, options.probe.scale);
        if (result) entry.probe = result;
      }
    }
    // Back to the run's settings and (MariaDB) the scratch database: a script may SET or USE anything.
    if (!inTransaction) await (ctx.main.reset ? ctx.main.reset() : ctx.ops.resetSession ? ctx.main.query(ctx.ops.resetSession) : undefined)?.catch(() => undefined);
  }
  return finish(true);
}

/** Existing tables a statement names, qualified (the probe's targets and "touched" tables). */
export function affectedTables(statement: Statement, relations: Map<string, RelationState>, ops: DialectOps): string[] {
  const names = new Set<string>();
  const tables = new Map<string, RelationState>();
  for (const r of relations.values()) if (r.kind === "r" || r.kind === "p") tables.set(r.name, r);
  for (const ref of referencedRelations(statement)) {
    const name = ops.qualify(ref.schema, ref.name);
    if (tables.has(name)) names.add(name);
  }
  return [...names];
}

function newLocks(held: OwnLock[], now: OwnLock[], relations: Map<string, RelationState>): TracedLock[] {
  const seen = new Set(held.map((l) => `${l.oid}/${l.mode}`));
  const out: TracedLock[] = [];
  for (const l of now) {
    const rel = relations.get(l.oid);
    const mode = lockModeName(l.mode);
    if (!rel || !mode || seen.has(`${l.oid}/${l.mode}`)) continue;
    out.push({ relation: rel.name, mode, observedBy: "transaction" });
  }
  return out.sort((a, b) => a.relation.localeCompare(b.relation) || LockMode.options.indexOf(b.mode) - LockMode.options.indexOf(a.mode));
}

function rewritten(before: Map<string, RelationState>, after: Map<string, RelationState>): string[] {
  const out: string[] = [];
  for (const [oid, b] of before) {
    const a = after.get(oid);
    if (a && b.filenode !== "0" && a.filenode !== b.filenode) out.push(a.name);
  }
  return out.sort();
}

function indexesBuilt(before: Map<string, RelationState>, after: Map<string, RelationState>): string[] {
  const out: string[] = [];
  for (const [oid, a] of after) {
    if (a.kind !== "i" && a.kind !== "I") continue;
    const b = before.get(oid);
    if (!b || (b.filenode !== a.filenode && a.filenode !== "0")) out.push(a.name);
  }
  return out.sort();
}

/** Samples another backend's granted relation locks until stopped (non-transactional statements). */
function observeLocks(observer: Session, pid: number): { stop(): Promise<TracedLock[]> } {
  const seen = new Map<string, TracedLock>();
  let running = true;
  const loop = (async () => {
    while (running) {
      for (const l of await locksOf(observer, pid).catch(() => [])) {
        const mode = lockModeName(l.mode);
        if (mode) seen.set(`${l.name}/${mode}`, { relation: l.name, mode, observedBy: "observer" });
      }
      await sleep(2);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return [...seen.values()].sort((a, b) => a.relation.localeCompare(b.relation));
    },
  };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
