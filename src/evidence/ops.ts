// The catalog operations the runner needs, bound to one dialect.
import type { SchemaSnapshot } from "../core/evidence/snapshot.js";
import type { SeedTable } from "../core/evidence/seed.js";
import type { Session } from "../db/session.js";
import { foreignKeyOrphans, pgAnalyze, pgCaptureRows, pgCatalogFingerprint, pgChecksum, pgLostRows, pgRowVersions, quoteQualified, readPgSeedTables, readPgSnapshot, rowCounts } from "../db/pg-catalog.js";
import {
  mysqlCaptureRows,
  mysqlChecksum,
  mysqlChecksums,
  mysqlForeignKeyOrphans,
  mysqlLostRows,
  mysqlRowCounts,
  quoteMysql,
  readMysqlSeedTables,
  readMysqlSnapshot,
} from "../db/mysql-catalog.js";

export interface DialectOps {
  dialect: "postgres" | "mysql";
  snapshot(session: Session): Promise<SchemaSnapshot>;
  seedTables(session: Session): Promise<SeedTable[]>;
  rowCounts(session: Session, tables: string[]): Promise<Map<string, number>>;
  checksum(session: Session, table: string, columns: string[]): Promise<{ rows: number; digest: string }>;
  /** A cheap digest that changes when any row of the table was changed by a committed statement. */
  rowVersions(session: Session, table: string, columns: string[]): Promise<{ rows: number; digest: string }>;
  /** `rowVersions` of several tables in one round trip, where the dialect can. */
  rowVersionsOf?(session: Session, tables: { table: string; columns: string[] }[]): Promise<Map<string, { rows: number; digest: string }>>;
  foreignKeyOrphans(session: Session): Promise<{ constraint: string; table: string; orphans: number }[]>;
  /** Remembers row digests in a temporary table named `key`; returns the row count. */
  captureRows(session: Session, key: string, table: string, columns: string[]): Promise<number>;
  /** Rows remembered under `key` that are gone now. */
  lostRows(session: Session, key: string, table: string, columns: string[]): Promise<{ rows: number; lost: number }>;
  quoteTable(name: string): string;
  /** How an unqualified table name in a statement resolves (search_path's first schema). */
  qualify(schema: string | undefined, name: string): string;
  /** A cheap value that changes when a committed statement changed what `snapshot` reads (PostgreSQL only). */
  catalogFingerprint?(session: Session): Promise<string>;
  /** Planner statistics for the user's tables after seeding (PostgreSQL only). */
  analyze?(session: Session): Promise<void>;
  /** Undo session-level settings a script may have changed (search_path, timeouts). */
  resetSession: string | undefined;
}

export function opsFor(dialect: "postgres" | "mysql", major: number): DialectOps {
  if (dialect === "postgres") {
    return {
      dialect,
      snapshot: (s) => readPgSnapshot(s, major),
      seedTables: (s) => readPgSeedTables(s, major),
      rowCounts,
      checksum: pgChecksum,
      rowVersions: (session, table) => pgRowVersions(session, table),
      foreignKeyOrphans,
      catalogFingerprint: pgCatalogFingerprint,
      analyze: (s) => pgAnalyze(s, major),
      captureRows: pgCaptureRows,
      lostRows: pgLostRows,
      quoteTable: quoteQualified,
      qualify: (schema, name) => `${schema ?? "public"}.${name}`,
      resetSession: "RESET ALL",
    };
  }
  return {
    dialect,
    snapshot: readMysqlSnapshot,
    seedTables: readMysqlSeedTables,
    rowCounts: mysqlRowCounts,
    checksum: mysqlChecksum,
    rowVersions: mysqlChecksum,
    rowVersionsOf: mysqlChecksums,
    foreignKeyOrphans: mysqlForeignKeyOrphans,
    captureRows: mysqlCaptureRows,
    lostRows: mysqlLostRows,
    quoteTable: quoteMysql,
    qualify: (_schema, name) => name,
    resetSession: undefined,
  };
}
