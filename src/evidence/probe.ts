// The blocking probe: a second connection that keeps running application-like queries on the
// tables the running transaction has touched so far, and records how long each took. A wait on
// a table is charged to the statement of the transaction that last touched it: a lock taken by
// statement N is held until COMMIT, so later statements of the file extend N's blocking window.
import { setTimeout as sleep } from "node:timers/promises";
import { performance } from "node:perf_hooks";
import type { ProbeResult } from "../core/evidence/report.js";
import { quoteIdent, quoteQualified } from "../db/pg-catalog.js";
import type { Session } from "../db/session.js";

export interface ProbeQuery {
  label: string;
  sql: string;
  /** Writes run in a transaction that is rolled back. */
  write: boolean;
}

interface Tally {
  tables: string[];
  samples: number;
  longest: number;
  query?: string;
}

export class BlockingProbe {
  /** Table → statement key whose lock an application query on it would wait for. */
  private targets = new Map<string, number>();
  private readonly tallies = new Map<number, Tally>();
  private readonly firstColumn = new Map<string, string | undefined>();
  private stopped = false;
  private running: Promise<void> | undefined;

  constructor(
    private readonly session: Session,
    private readonly custom: Record<string, string[]>,
  ) {}

  async start(): Promise<void> {
    // Let the probe lose deadlocks rather than the migration (needs superuser; best effort).
    await this.session.query("SET deadlock_timeout = '50ms'").catch(() => undefined);
    this.running = this.loop();
  }

  /** Statement `key` starts and touches `tables`; they stay probed until release(). */
  track(key: number, tables: string[]): void {
    this.tallies.set(key, { tables, samples: 0, longest: 0 });
    for (const t of tables) this.targets.set(t, key);
  }

  /** The transaction ended: its locks are gone. */
  release(): void {
    this.targets = new Map();
  }

  /** Waits for queries still blocked (they finish when the migration's transaction ends). */
  async settle(): Promise<void> {
    this.release();
    while (this.busy) await sleep(2);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  result(key: number, thresholdMs: number, scale: (table: string) => number | undefined): ProbeResult | undefined {
    const t = this.tallies.get(key);
    if (!t || t.tables.length === 0) return undefined;
    const factors = t.tables.map(scale).filter((f): f is number => f !== undefined);
    const factor = factors.length ? Math.max(...factors) : undefined;
    return {
      tables: t.tables,
      samples: t.samples,
      longestWaitMs: round(t.longest),
      ...(t.query ? { longestQuery: t.query } : {}),
      ...(factor !== undefined && t.samples ? { extrapolatedMs: round(t.longest * factor) } : {}),
      // Blame the statement only for a wait it would cause at production volume: when the seed holds
      // more rows than production (factor < 1), the seed, not the change, made the wait longer.
      flagged: (factor !== undefined && factor < 1 ? t.longest * factor : t.longest) > thresholdMs,
    };
  }

  private busy = false;

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const targets = this.targets;
      if (targets.size === 0) {
        await sleep(1);
        continue;
      }
      for (const [table, key] of targets) {
        for (const q of await this.queriesFor(table)) {
          if (this.stopped || this.targets !== targets) break;
          const waited = await this.timed(q);
          // Yield to timers and I/O: on a dead connection queries fail at once, and a loop of
          // promise callbacks alone would starve the event loop (and the migration it watches).
          await new Promise((r) => setImmediate(r));
          const tally = this.tallies.get(key)!;
          tally.samples++;
          if (waited > tally.longest) {
            tally.longest = waited;
            tally.query = `${q.label} on ${table}`;
          }
        }
      }
    }
  }

  private async timed(q: ProbeQuery): Promise<number> {
    this.busy = true;
    try {
      // A dropped or terminated connection must not end the loop with an unhandled rejection.
      if (q.write) await this.session.query("BEGIN").catch(() => undefined);
      const start = performance.now();
      // Errors (unique violations, a column the migration dropped) still tell how long the lock took.
      await this.session.query(q.sql).catch(() => undefined);
      const waited = performance.now() - start;
      if (q.write) await this.session.query("ROLLBACK").catch(() => undefined);
      return waited;
    } finally {
      this.busy = false;
    }
  }

  private async queriesFor(table: string): Promise<ProbeQuery[]> {
    const quoted = quoteQualified(table);
    const custom = this.custom[table] ?? this.custom[table.slice(table.indexOf(".") + 1)];
    if (custom) return custom.map((sql) => ({ label: sql.split(/\s+/)[0]!.toUpperCase(), sql: sql.replaceAll("{table}", quoted), write: !/^\s*(select|with)\b/i.test(sql) }));
    return defaultProbeQueries(table, await this.columnOf(table));
  }

  private async columnOf(table: string): Promise<string | undefined> {
    if (!this.firstColumn.has(table)) {
      const r = await this.session
        .query(
          `SELECT a.attname FROM pg_attribute a WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped AND a.attidentity = '' ORDER BY a.attnum LIMIT 1`,
          [quoteQualified(table)],
        )
        .catch(() => ({ rows: [] }));
      this.firstColumn.set(table, r.rows[0]?.attname as string | undefined);
    }
    return this.firstColumn.get(table);
  }
}

/** A select, an insert and an update, as an application would run them. */
export function defaultProbeQueries(table: string, column: string | undefined): ProbeQuery[] {
  const t = quoteQualified(table);
  const queries: ProbeQuery[] = [
    { label: "SELECT", sql: `SELECT * FROM ${t} LIMIT 1`, write: false },
    { label: "INSERT", sql: `INSERT INTO ${t} SELECT * FROM ${t} LIMIT 1`, write: true },
  ];
  if (column) {
    const c = quoteIdent(column);
    // SKIP LOCKED: the probe measures table-level lock waits and must never deadlock the migration on a row.
    queries.push({ label: "UPDATE", sql: `UPDATE ${t} SET ${c} = ${c} WHERE ctid = (SELECT ctid FROM ${t} LIMIT 1 FOR UPDATE SKIP LOCKED)`, write: true });
  }
  return queries;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
