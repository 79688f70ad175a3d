// MariaDB / MySQL by URL (mysql2): a scratch database (schema) beside the target's, dropped at the end.
import mysql from "mysql2/promise";
import { connectAdmin, createScratch, refuseNonEmpty, scratchName, type ScratchDatabase, type Session } from "./session.js";

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
  const admin = await connectAdmin(url, () => openMysqlSession(base));
  try {
    if (targetDb) {
      const tables = (await admin.query("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ? ORDER BY 1", [targetDb])).rows.map((r) => String(r.name));
      refuseNonEmpty(url, "table(s)", tables, options.allowExisting);
    }
    const version = String((await admin.query("SELECT VERSION() AS v")).rows[0]!.v);
    const name = scratchName();
    await createScratch(admin, url, `CREATE DATABASE \`${name}\``);
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
