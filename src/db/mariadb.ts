// MariaDB / MySQL by URL (mysql2): a scratch database (schema) beside the target's, dropped at the end.
//
// The sandbox: the URL's user (the admin) creates, for the run, a user with every privilege on the
// scratch database and none elsewhere (no FILE, SUPER, PROCESS, CREATE USER, RELOAD, global GRANT);
// every session of the run connects as that user, under max_statement_time and a watchdog, and is
// moved back to the scratch database after each script (a script's `USE other_db` moves it). The
// admin connection only creates, cancels, collects and drops.
import mysql from "mysql2/promise";
import {
  connectAdmin,
  createScratch,
  DatabaseSetupError,
  DEFAULT_LIMITS,
  errorMessage,
  guarded,
  isDeadRun,
  isScratchName,
  ownerTag,
  randomPassword,
  redact,
  refuseNonEmpty,
  scratchName,
  Watchdog,
  type ScratchDatabase,
  type ScratchOptions,
  type Session,
  type TimeLimits,
} from "./session.js";

export const MYSQL_SANDBOX =
  "the change ran as a user created for this run with privileges on the scratch database only (no FILE, SUPER, PROCESS, CREATE USER or global privileges), under max_statement_time, and was moved back to the scratch database after every script";

async function openMysqlSession(options: mysql.ConnectionOptions, home?: string, limits?: TimeLimits): Promise<Session> {
  const conn = await mysql.createConnection({
    ...options,
    multipleStatements: false,
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    // LOAD DATA LOCAL INFILE would read this machine's files on the server's request.
    flags: ["-LOCAL_FILES"],
  });
  conn.on("error", () => undefined);
  const query = async (sql: string, params?: unknown[]) => {
    const [result] = await conn.query(sql, params);
    if (Array.isArray(result)) return { rows: result as Record<string, unknown>[] };
    return { rows: [], rowCount: (result as mysql.ResultSetHeader).affectedRows };
  };
  const settings = limits ? await sessionLimits(query, limits) : [];
  return {
    pid: conn.threadId ?? 0,
    query,
    async reset() {
      if (!home) return;
      // One round trip when the script left the session as it was (the usual case): where it is
      // and its limits are read first, and only what changed is set again.
      const now = (await query(`SELECT DATABASE() AS db${settings.map((l, i) => `, @@SESSION.${l.name} AS v${i}`).join("")}`)).rows[0] ?? {};
      if (now.db === home && settings.every((l, i) => Number(now[`v${i}`]) === l.value)) return;
      await query(`USE \`${home}\``);
      if (settings.length) await query(`SET ${settings.map((l) => `SESSION ${l.name} = ${l.value}`).join(", ")}`);
      const where = (await query("SELECT DATABASE() AS db")).rows[0]?.db;
      if (where !== home) throw new Error(`the session is in database ${String(where)}, not the scratch database ${home}`);
    },
    async close() {
      await conn.end().catch(() => conn.destroy());
    },
  };
}

/** max_statement_time (MariaDB, seconds) or max_execution_time (MySQL, SELECT only), and MariaDB's idle-transaction limit: those the server has. */
async function sessionLimits(query: (sql: string) => Promise<unknown>, limits: TimeLimits): Promise<{ name: string; value: number }[]> {
  const candidates = [
    { name: "max_statement_time", value: limits.statementMs / 1000 },
    { name: "idle_transaction_timeout", value: Math.max(1, Math.ceil(limits.idleInTransactionMs / 1000)) },
    { name: "max_execution_time", value: limits.statementMs },
  ];
  const applied: { name: string; value: number }[] = [];
  for (const limit of candidates) {
    if (await query(`SET SESSION ${limit.name} = ${limit.value}`).then(() => true, () => false)) applied.push(limit);
  }
  return applied;
}

const literal = (text: string) => `'${text.replaceAll("\\", "\\\\").replaceAll("'", "''")}'`;

export async function createMariadbScratch(url: string, options: ScratchOptions): Promise<ScratchDatabase> {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const u = new URL(url);
  const base: mysql.ConnectionOptions = {
    host: u.hostname,
    port: u.port ? Number(u.port) : 3306,
    user: decodeURIComponent(u.username || "root"),
    password: decodeURIComponent(u.password),
  };
  const targetDb = decodeURIComponent(u.pathname.replace(/^\//, ""));
  const admin = await connectAdmin(url, () => openMysqlSession(base));
  let name: string | undefined;
  let account = "";
  try {
    if (targetDb) {
      const tables = (await admin.query("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ? ORDER BY 1", [targetDb])).rows.map((r) => String(r.name));
      refuseNonEmpty(url, "table(s)", tables, options.allowExisting);
    }
    const version = String((await admin.query("SELECT VERSION() AS v")).rows[0]!.v);
    // The run's user is created for the host the server sees this client connect from.
    const clientHost = String((await admin.query("SELECT SUBSTRING_INDEX(USER(), '@', -1) AS host")).rows[0]!.host);
    await collectDeadRuns(admin);
    name = scratchName();
    account = `${literal(name)}@${literal(clientHost)}`;
    const password = randomPassword();
    const comment = /mariadb/i.test(version) ? ` COMMENT ${literal(ownerTag())}` : "";
    await createScratch(admin, url, `CREATE DATABASE \`${name}\`${comment}`);
    await createScratch(admin, url, `CREATE USER ${account} IDENTIFIED BY ${literal(password)}`, "the URL's user needs CREATE USER and GRANT OPTION to create the run's user");
    await createScratch(admin, url, `GRANT ALL PRIVILEGES ON \`${name}\`.* TO ${account}`, "the URL's user needs GRANT OPTION on the scratch database");
    const scratch = name;
    const runAccount = account;
    const watchdog = new Watchdog(
      limits,
      async (pid, hard) => {
        await admin.query(`KILL ${hard ? "CONNECTION" : "QUERY"} ${Number(pid)}`);
      },
      async (pid) => {
        const { rows } = await admin.query("SELECT STATE AS state FROM information_schema.PROCESSLIST WHERE ID = ?", [pid]);
        const state = String((rows[0] as { state?: unknown } | undefined)?.state ?? "");
        if (!state) return undefined;
        return /lock/i.test(state) ? `it was waiting (${state}): another session held a lock on the table` : `it was running (${state}), not waiting on a lock`;
      },
    );
    let dropping: Promise<void> | undefined;
    return {
      kind: "mariadb",
      dialect: "mysql",
      serverVersion: version,
      majorVersion: Number(version.split(".")[0]),
      name: scratch,
      multiSession: true,
      sandbox: MYSQL_SANDBOX,
      async connect() {
        const session = await openMysqlSession({ ...base, user: scratch, password, database: scratch }, scratch, limits).catch((error) => {
          throw new DatabaseSetupError(`cannot connect to the scratch database as the run's user on ${redact(url)}: ${errorMessage(error)}`);
        });
        return guarded(session, watchdog);
      },
      outOfTime: () => watchdog.outOfTime(),
      drop() {
        dropping ??= dropRun(admin, scratch, runAccount).finally(() => admin.close());
        return dropping;
      },
    };
  } catch (error) {
    if (name) await dropRun(admin, name, account).catch(() => undefined);
    await admin.close();
    throw error;
  }
}

/** Ends the run's connections (a statement may still be running), then drops its database and user. */
async function dropRun(admin: Session, name: string, account: string): Promise<void> {
  const threads = await admin.query("SELECT id FROM information_schema.processlist WHERE (user = ? OR db = ?) AND id <> CONNECTION_ID()", [name, name]);
  for (const t of threads.rows) await admin.query(`KILL CONNECTION ${Number(t.id)}`).catch(() => undefined);
  await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
  if (account) await admin.query(`DROP USER IF EXISTS ${account}`);
}

/** Drops scratch databases (and their users) of earlier runs that are provably dead. */
async function collectDeadRuns(admin: Session): Promise<void> {
  const schemas = await admin
    .query("SELECT schema_name AS name, schema_comment AS tag FROM information_schema.schemata WHERE schema_name LIKE 'mg\\_test\\_%'")
    .catch(() => ({ rows: [] as Record<string, unknown>[] }));
  for (const r of schemas.rows) {
    const name = String(r.name);
    if (!isScratchName(name) || !isDeadRun(name, r.tag ? String(r.tag) : undefined)) continue;
    const users = await admin.query("SELECT user, host FROM mysql.user WHERE user = ?", [name]).catch(() => ({ rows: [] as Record<string, unknown>[] }));
    await dropRun(admin, name, "").catch(() => undefined);
    for (const user of users.rows) await admin.query(`DROP USER IF EXISTS ${literal(String(user.user))}@${literal(String(user.host))}`).catch(() => undefined);
  }
}
