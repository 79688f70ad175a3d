// PostgreSQL by URL (node-postgres): creates a scratch database beside the target's, refusing
// a target that holds user tables unless told otherwise, and drops it at the end.
//
// The sandbox: the URL's user (the admin) creates, for the run, a role that owns only the scratch
// database and has no superuser, role, database, replication or server-file privileges; every
// session of the run connects as that role, under statement and idle-in-transaction timeouts and
// a watchdog. The admin connection only creates, cancels, collects and drops.
import pg from "pg";
import {
  connectAdmin,
  createScratch,
  DatabaseSetupError,
  DEFAULT_LIMITS,
  errorMessage,
  guarded,
  isDeadRun,
  ownerTag,
  randomPassword,
  redact,
  refuseNonEmpty,
  scratchName,
  Watchdog,
  type ScratchDatabase,
  type ScratchOptions,
  type Session,
} from "./session.js";

/** User relations in a database, leaving out system schemas and extension members. */
export const USER_RELATIONS_SQL = `
  SELECT n.nspname || '.' || c.relname AS name
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
    AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
  ORDER BY 1`;

export const PG_SANDBOX =
  "the change ran as a role created for this run that owns only the scratch database (no superuser, CREATEROLE, CREATEDB, REPLICATION, BYPASSRLS or server-file privileges), under statement and idle-in-transaction timeouts";

export async function openPostgresSession(connectionString: string, settings: Partial<pg.ClientConfig> = {}): Promise<Session> {
  const client = new pg.Client({ connectionString, application_name: ownerTag().slice(0, 63), ...settings });
  // A terminated backend (partial-failure step) emits 'error' on the idle client; the query promise reports it.
  client.on("error", () => undefined);
  await client.connect();
  const pid = Number((await client.query("SELECT pg_backend_pid() AS pid")).rows[0].pid);
  return {
    pid,
    async query(sql, params) {
      const result = await client.query({ text: sql, values: params as unknown[] | undefined });
      // A multi-statement string returns an array of results; report the last one.
      const last = Array.isArray(result) ? result[result.length - 1] : result;
      return { rows: last?.rows ?? [], rowCount: last?.rowCount ?? undefined };
    },
    async reset() {
      // Back to the connection's settings, timeouts included (a script may have SET them).
      await client.query("RESET ALL");
    },
    async close() {
      await client.end().catch(() => undefined);
    },
  };
}

function asRunRole(url: string, role: string, password: string): string {
  const u = new URL(url);
  u.username = encodeURIComponent(role);
  u.password = encodeURIComponent(password);
  u.pathname = `/${encodeURIComponent(role)}`;
  return u.toString();
}

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;
const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

export async function createPostgresScratch(url: string, options: ScratchOptions): Promise<ScratchDatabase> {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const admin = await connectAdmin(url, () => openPostgresSession(url));
  let name: string | undefined;
  let major = 0;
  try {
    const existing = (await admin.query(USER_RELATIONS_SQL)).rows.map((r) => String(r.name));
    refuseNonEmpty(url, "user table(s) or view(s)", existing, options.allowExisting);
    const version = String((await admin.query("SHOW server_version")).rows[0]!.server_version);
    major = Math.floor(Number((await admin.query("SHOW server_version_num")).rows[0]!.server_version_num) / 10000);
    const superuser = (await admin.query("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).rows[0]?.rolsuper === true;
    await collectDeadRuns(admin, major);
    name = scratchName();
    const role = ident(name);
    const password = randomPassword();
    const tag = literal(ownerTag());
    await createScratch(
      admin,
      url,
      `CREATE ROLE ${role} LOGIN PASSWORD ${literal(password)} NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS CONNECTION LIMIT 16`,
      "the URL's user needs CREATEROLE and CREATEDB (or superuser) to create the run's role",
    );
    await admin.query(`COMMENT ON ROLE ${role} IS ${tag}`);
    // A non-superuser admin keeps the right to cancel the run's statements and drop its database.
    if (!superuser) await admin.query(`GRANT ${role} TO CURRENT_USER`);
    await createScratch(admin, url, `CREATE DATABASE ${role} OWNER ${role} TEMPLATE template0`);
    await admin.query(`COMMENT ON DATABASE ${role} IS ${tag}`);
    await admin.query(`REVOKE ALL ON DATABASE ${role} FROM PUBLIC`);
    // The blocking probe lowers its own deadlock_timeout (a superuser-only setting before 15).
    if (major >= 15) await admin.query(`GRANT SET ON PARAMETER deadlock_timeout TO ${role}`).catch(() => undefined);
    const scratch = name;
    const watchdog = new Watchdog(
      limits,
      async (pid, hard) => {
        await admin.query(`SELECT ${hard ? "pg_terminate_backend" : "pg_cancel_backend"}($1)`, [pid]);
      },
      (pid) => describePostgresWait(admin, pid),
    );
    const runUrl = asRunRole(url, scratch, password);
    let dropping: Promise<void> | undefined;
    return {
      kind: "postgres",
      dialect: "postgres",
      serverVersion: version.split(" ")[0]!,
      majorVersion: major,
      name: scratch,
      multiSession: true,
      sandbox: PG_SANDBOX,
      connectionUrl: runUrl,
      async connect() {
        const session = await openPostgresSession(runUrl, {
          statement_timeout: limits.statementMs,
          idle_in_transaction_session_timeout: limits.idleInTransactionMs,
        }).catch((error) => {
          throw new DatabaseSetupError(`cannot connect to the scratch database as its run role on ${redact(url)}: ${errorMessage(error)}`);
        });
        return guarded(session, watchdog);
      },
      outOfTime: () => watchdog.outOfTime(),
      drop() {
        // Ctrl-C and the normal end may both ask: the second caller waits for the same drop.
        dropping ??= dropRun(admin, scratch, major).finally(() => admin.close());
        return dropping;
      },
    };
  } catch (error) {
    if (name) await dropRun(admin, name, major).catch(() => undefined);
    await admin.close();
    throw error;
  }
}

/** Ends the run's backends (a statement may still be running), then drops its database and role. */
async function dropRun(admin: Session, name: string, major: number): Promise<void> {
  await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE (datname = $1 OR usename = $1) AND pid <> pg_backend_pid()", [name]);
  await admin.query(`DROP DATABASE IF EXISTS ${ident(name)}${major >= 13 ? " WITH (FORCE)" : ""}`);
  // The role's grants on shared objects (the deadlock_timeout parameter) would keep it alive.
  if (major >= 15) await admin.query(`REVOKE ALL ON PARAMETER deadlock_timeout FROM ${ident(name)}`).catch(() => undefined);
  await admin.query(`DROP ROLE IF EXISTS ${ident(name)}`);
}

/** Drops scratch databases and roles of earlier runs that are provably dead (SIGKILL, power loss). */
async function collectDeadRuns(admin: Session, major: number): Promise<void> {
  const leftovers = await admin.query(`
    SELECT d.datname AS name, shobj_description(d.oid, 'pg_database') AS tag FROM pg_database d WHERE d.datname LIKE 'mg\\_test\\_%'
    UNION ALL
    SELECT r.rolname, shobj_description(r.oid, 'pg_authid') FROM pg_roles r
    WHERE r.rolname LIKE 'mg\\_test\\_%' AND NOT EXISTS (SELECT 1 FROM pg_database d WHERE d.datname = r.rolname)`);
  const dead = new Set(leftovers.rows.filter((r) => isDeadRun(String(r.name), r.tag === null ? undefined : String(r.tag))).map((r) => String(r.name)));
  for (const name of dead) await dropRun(admin, name, major).catch(() => undefined);
}

/**
 * What a backend of the run is doing, in words for the report: the lock it waits for and the
 * sessions holding it (what they run, how long they have been in their transaction), or that it
 * was busy working.
 */
export async function describePostgresWait(admin: Pick<Session, "query">, pid: number): Promise<string | undefined> {
  const { rows } = await admin.query(
    `SELECT a.wait_event_type, a.wait_event,
            (SELECT l.mode || ' on ' || coalesce(l.relation::regclass::text, l.locktype) FROM pg_locks l WHERE l.pid = a.pid AND NOT l.granted LIMIT 1) AS wanted,
            (SELECT json_agg(json_build_object('pid', b.pid, 'state', b.state, 'query', left(b.query, 80),
                                               'seconds', round(extract(epoch FROM now() - coalesce(b.xact_start, b.query_start)))::int))
               FROM pg_stat_activity b WHERE b.pid = ANY (pg_blocking_pids(a.pid))) AS blockers
       FROM pg_stat_activity a WHERE a.pid = $1`,
    [pid],
  );
  const row = rows[0] as { wait_event_type?: string | null; wait_event?: string | null; wanted?: string | null; blockers?: Array<{ pid: number; state: string | null; query: string | null; seconds: number | null }> | null } | undefined;
  if (!row) return undefined;
  if (row.wait_event_type === "Lock" || row.wanted) {
    const holders = (row.blockers ?? []).map((b) => `pid ${b.pid}, ${b.state ?? "unknown state"}${b.seconds !== null ? ` for ${b.seconds} s` : ""}${b.query ? `: \`${b.query.replace(/\s+/g, " ").trim()}\`` : ""}`);
    return `it was waiting for ${row.wanted ?? "a lock"}${holders.length ? `, held by ${holders.join("; ")}` : ""}`;
  }
  if (row.wait_event_type) return `it was waiting on ${row.wait_event_type}/${row.wait_event} (not on a lock)`;
  return "it was running, not waiting on a lock (the statement's own work took that long)";
}
