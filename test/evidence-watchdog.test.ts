// The watchdog says which time limit stopped a statement, and what the statement was waiting for
// when it was stopped: the lock and the session holding it (real PostgreSQL 15, no mock).
import { afterAll, beforeAll, expect, it } from "vitest";
import { describePostgresWait, openPostgresSession } from "../src/db/postgres.js";
import { guarded, TimeLimitError, Watchdog, type Session } from "../src/db/session.js";
import { PG_URL } from "./evidence-helpers.js";

const TABLE = `mg_watchdog_${process.pid}`;
let admin: Session;
let holder: Session;

beforeAll(async () => {
  admin = await openPostgresSession(PG_URL);
  holder = await openPostgresSession(PG_URL);
  await admin.query(`CREATE TABLE ${TABLE} (id int)`);
});

afterAll(async () => {
  await holder.query("ROLLBACK").catch(() => undefined);
  await admin.query(`DROP TABLE IF EXISTS ${TABLE}`);
  await Promise.all([admin.close(), holder.close()]);
});

function watched(statementMs: number, totalMs = 60_000) {
  return new Watchdog(
    { statementMs, idleInTransactionMs: 60_000, totalMs },
    async (pid, hard) => void (await admin.query(`SELECT ${hard ? "pg_terminate_backend" : "pg_cancel_backend"}($1)`, [pid])),
    (pid) => describePostgresWait(admin, pid),
  );
}

async function stopped(statementMs: number, sql: string, serverTimeout = true): Promise<TimeLimitError> {
  const session = await openPostgresSession(PG_URL, serverTimeout ? { statement_timeout: statementMs } : {});
  try {
    const error = await guarded(session, watched(statementMs)).query(sql).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(TimeLimitError);
    return error as TimeLimitError;
  } finally {
    await session.close();
  }
}

it("names the lock a stopped statement waited for and the session that held it", async () => {
  await holder.query("BEGIN");
  await holder.query(`LOCK TABLE ${TABLE} IN ACCESS EXCLUSIVE MODE`);
  try {
    // Stopped by the server's statement_timeout, and by the watchdog alone (the change lifted it).
    for (const serverTimeout of [true, false]) {
      const error = await stopped(800, `SELECT count(*) FROM ${TABLE}`, serverTimeout);
      expect(error.limit).toBe("statement");
      expect(error.waitedOn).toMatch(new RegExp(`^it was waiting for AccessShareLock on ${TABLE}, held by pid ${holder.pid}, idle in transaction for \\d+ s: \`LOCK TABLE ${TABLE} IN ACCESS EXCLUSIVE MODE\`$`));
      expect(error.message).toContain("statement time limit of 800 ms (test.timeouts.statement_ms)");
      expect(error.message).toContain(`; it was waiting for AccessShareLock on ${TABLE}`);
    }
  } finally {
    await holder.query("ROLLBACK");
  }
}, 30_000);

it("says when the statement was working rather than waiting for a lock", async () => {
  const sleeping = await stopped(600, "SELECT pg_sleep(30)");
  expect(sleeping.waitedOn).toBe("it was waiting on Timeout/PgSleep (not on a lock)");
  const looping = await stopped(600, "DO $$ BEGIN LOOP PERFORM 1; END LOOP; END $$");
  expect(looping.waitedOn).toBe("it was running, not waiting on a lock (the statement's own work took that long)");
}, 30_000);

it("tells the run's budget from the statement's limit", async () => {
  const session = await openPostgresSession(PG_URL);
  try {
    const error = await guarded(session, watched(600_000, 700)).query("SELECT pg_sleep(30)").then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(TimeLimitError);
    expect((error as TimeLimitError).limit).toBe("total");
    expect((error as TimeLimitError).message).toContain("time budget of 700 ms (test.timeouts.total_ms)");
  } finally {
    await session.close();
  }
}, 30_000);
