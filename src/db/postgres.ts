// PostgreSQL by URL (node-postgres): creates a scratch database beside the target's, refusing
// a target that holds user tables unless told otherwise, and drops it at the end.
import pg from "pg";
import { connectAdmin, createScratch, refuseNonEmpty, scratchName, type ScratchDatabase, type Session } from "./session.js";

/** User relations in a database, leaving out system schemas and extension members. */
export const USER_RELATIONS_SQL = `
  SELECT n.nspname || '.' || c.relname AS name
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
    AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
  ORDER BY 1`;

export async function openPostgresSession(connectionString: string): Promise<Session> {
  const client = new pg.Client({ connectionString, application_name: "migration-guard test" });
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
    async close() {
      await client.end().catch(() => undefined);
    },
  };
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

export async function createPostgresScratch(url: string, options: { allowExisting: boolean }): Promise<ScratchDatabase> {
  const admin = await connectAdmin(url, () => openPostgresSession(url));
  try {
    const existing = (await admin.query(USER_RELATIONS_SQL)).rows.map((r) => String(r.name));
    refuseNonEmpty(url, "user table(s) or view(s)", existing, options.allowExisting);
    const version = String((await admin.query("SHOW server_version")).rows[0]!.server_version);
    const major = Number((await admin.query("SHOW server_version_num")).rows[0]!.server_version_num) / 10000;
    const name = scratchName();
    await createScratch(admin, url, `CREATE DATABASE "${name}" TEMPLATE template0`);
    let dropping: Promise<void> | undefined;
    return {
      kind: "postgres",
      dialect: "postgres",
      serverVersion: version.split(" ")[0]!,
      majorVersion: Math.floor(major),
      name,
      multiSession: true,
      connect: () => openPostgresSession(withDatabase(url, name)),
      drop() {
        // Ctrl-C and the normal end may both ask: the second caller waits for the same drop.
        dropping ??= dropDatabase();
        return dropping;
      },
    };

    async function dropDatabase(): Promise<void> {
      try {
        if (major >= 13) await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        else {
          await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", [name]);
          await admin.query(`DROP DATABASE IF EXISTS "${name}"`);
        }
      } finally {
        await admin.close();
      }
    }
  } catch (error) {
    await admin.close();
    throw error;
  }
}
