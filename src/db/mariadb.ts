// MariaDB / MySQL by URL (mysql2): a scratch database (schema) beside the target's, dropped at the end.
import mysql from "mysql2/promise";
import { DatabaseSetupError, errorMessage, scratchName, TargetNotEmptyError, type ScratchDatabase, type Session } from "./session.js";
import { redact } from "./postgres.js";

async function openMysqlSession(options: mysql.ConnectionOptions): Promise<Session> {
  const conn = await mysql.createConnection({ ...options, multipleStatements: false, dateStrings: true, supportBigNumbers: true, bigNumberStrings: true });
  conn.on("error", () => undefined);
  return {
    pid: conn.threadId ?? 0,
    async query(sql, params) {
      const [result] = await conn.query(sql, params);
      if (Array.isArray(result)) return { rows: result as Record<string, unknown>[] };
      return { rows: [], rowCount: (result as mysql.ResultSetHeader).affectedRows };
    },
    async close() {
      await conn.end().catch(() => conn.destroy());
    },
  };
}

export async function createMariadbScratch(url: string, options: { allowExisting: boolean }): Promise<ScratchDatabase> {
  const u = new URL(url);
  const base: mysql.ConnectionOptions = {
    host: u.hostname,
    port: u.port ? Number(u.port) : 3306,
    user: decodeURIComponent(u.username || "root"),
    password: decodeURIComponent(u.password),
  };
  const targetDb = decodeURIComponent(u.pathname.replace(/^\//, ""));
  let admin: Session;
  try {
    admin = await openMysqlSession(base);
  } catch (error) {
    throw new DatabaseSetupError(`cannot connect to ${redact(url)}: ${errorMessage(error)}`);
  }
  try {
    if (targetDb) {
      const tables = (await admin.query("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ? ORDER BY 1", [targetDb])).rows.map((r) => String(r.name));
      if (tables.length && !options.allowExisting) {
        throw new TargetNotEmptyError(
          `${redact(url)} holds ${tables.length} table(s) (${tables.slice(0, 5).join(", ")}${tables.length > 5 ? ", …" : ""}); ` +
            "point --database-url at a throwaway server, or pass --allow-existing to run in a scratch database beside them",
        );
      }
    }
    const version = String((await admin.query("SELECT VERSION() AS v")).rows[0]!.v);
    const name = scratchName();
    try {
      await admin.query(`CREATE DATABASE \`${name}\``);
    } catch (error) {
      throw new DatabaseSetupError(`cannot create a scratch database on ${redact(url)}: ${errorMessage(error)}`);
    }
    let dropping: Promise<void> | undefined;
    const dropDatabase = async () => {
      try {
        await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await admin.close();
      }
    };
    return {
      kind: "mariadb",
      dialect: "mysql",
      serverVersion: version,
      majorVersion: Number(version.split(".")[0]),
      name,
      multiSession: true,
      connect: () => openMysqlSession({ ...base, database: name }),
      drop() {
        dropping ??= dropDatabase();
        return dropping;
      },
    };
  } catch (error) {
    await admin.close();
    throw error;
  }
}
