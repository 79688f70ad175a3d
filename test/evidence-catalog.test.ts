// The catalog fingerprint that lets the partial-failure step skip its second schema snapshot: it
// must change with every committed schema change and stay equal when a transaction rolled back.
import { describe, expect, it } from "vitest";
import { createScratchDatabase } from "../src/db/index.js";
import { pgCatalogFingerprint, readPgSnapshot } from "../src/db/pg-catalog.js";
import { PG_URL } from "./evidence-helpers.js";

describe.each([
  ["PostgreSQL 15", PG_URL],
  ["PGlite", undefined],
])("catalog fingerprint on %s", (_name, url) => {
  it("is equal after a rolled-back DDL transaction and differs after each committed change the snapshot reads", async () => {
    const db = await createScratchDatabase(url, { allowExisting: true });
    try {
      const s = await db.connect();
      await s.query("CREATE TABLE t (id int PRIMARY KEY, a text)");
      const before = await pgCatalogFingerprint(s);
      await s.query("BEGIN");
      await s.query("ALTER TABLE t ADD COLUMN b int; CREATE INDEX t_a ON t (a); CREATE TABLE u (x int)");
      await s.query("ROLLBACK");
      expect(await pgCatalogFingerprint(s)).toBe(before);
      let last = before;
      for (const sql of [
        "ALTER TABLE t ALTER COLUMN a SET NOT NULL",
        "ALTER TABLE t ADD CONSTRAINT a_len CHECK (length(a) > 0)",
        "CREATE INDEX t_a ON t (a)",
        "ALTER TABLE t RENAME COLUMN a TO c",
        "DROP INDEX t_a",
        "CREATE TYPE mood AS ENUM ('ok')",
        "ALTER TYPE mood ADD VALUE 'sad'",
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'",
        "CREATE VIEW v AS SELECT id FROM t",
        "DROP VIEW v",
        "ALTER TABLE t ALTER COLUMN c SET DEFAULT 'x'",
      ]) {
        const snapshotBefore = JSON.stringify(await readPgSnapshot(s, db.majorVersion));
        await s.query(sql);
        const now = await pgCatalogFingerprint(s);
        expect(JSON.stringify(await readPgSnapshot(s, db.majorVersion)), sql).not.toBe(snapshotBefore);
        expect(now, sql).not.toBe(last);
        last = now;
      }
      await s.close();
    } finally {
      await db.drop();
    }
  }, 60_000);
});
