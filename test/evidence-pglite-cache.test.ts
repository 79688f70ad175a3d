// The initialized PGlite cluster kept between runs (MIGRATION_GUARD_PGLITE_CACHE, $XDG_CACHE_HOME):
// a run restores it instead of running initdb, with the same report; a corrupt cache is replaced
// by a fresh cluster without an error; `off` keeps nothing.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pgliteCacheFile } from "../src/db/pglite.js";
import { runFixture } from "./evidence-helpers.js";

const root = mkdtempSync(join(tmpdir(), "mg-pglite-cache-"));
const history = join(root, "history");
const saved = { XDG_CACHE_HOME: process.env.XDG_CACHE_HOME, MIGRATION_GUARD_PGLITE_CACHE: process.env.MIGRATION_GUARD_PGLITE_CACHE };

beforeAll(() => {
  mkdirSync(join(history, "migrations"), { recursive: true });
  const files: Record<string, string> = {
    "000001_accounts.up.sql": "CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL);\n",
    "000001_accounts.down.sql": "DROP TABLE accounts;\n",
    "000002_accounts_name.up.sql": "ALTER TABLE accounts ADD COLUMN name text;\nCREATE INDEX accounts_email_idx ON accounts (email);\n",
    "000002_accounts_name.down.sql": "DROP INDEX accounts_email_idx;\nALTER TABLE accounts DROP COLUMN name;\n",
  };
  for (const [name, sql] of Object.entries(files)) writeFileSync(join(history, "migrations", name), sql);
});

afterAll(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  rmSync(root, { recursive: true, force: true });
});

/** The report without what differs between any two runs (times, dates). */
function comparable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(comparable);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).filter(([k]) => !/(Ms|At)$|^ms$/.test(k)).map(([k, v]) => [k, comparable(v)]));
  }
  return value;
}

async function run(cacheHome: string, cache?: string) {
  process.env.XDG_CACHE_HOME = cacheHome;
  if (cache === undefined) delete process.env.MIGRATION_GUARD_PGLITE_CACHE;
  else process.env.MIGRATION_GUARD_PGLITE_CACHE = cache;
  const { report } = await runFixture(history, { last: 1 });
  return report;
}

describe("the PGlite cluster cache", () => {
  const cacheHome = join(root, "cache");

  it("is kept after the first run, restored by the second, which reports the same", async () => {
    const file = pgliteCacheFile([], { XDG_CACHE_HOME: cacheHome })!;
    expect(file.startsWith(join(cacheHome, "migration-guard"))).toBe(true);
    const first = await run(cacheHome);
    expect(first.verdict.passed).toBe(true);
    const written = statSync(file);
    expect(written.size).toBeGreaterThan(1000);
    const second = await run(cacheHome);
    // Restored, not rewritten: a cache PGlite could not load would have been replaced.
    expect(statSync(file).mtimeMs).toBe(written.mtimeMs);
    expect(comparable(second)).toEqual(comparable(first));
  }, 300_000);

  it("falls back to a fresh cluster, without an error, when the cache is corrupt, and replaces it", async () => {
    const file = pgliteCacheFile([], { XDG_CACHE_HOME: cacheHome })!;
    const good = await run(cacheHome);
    writeFileSync(file, "not a data directory");
    const afterCorruption = await run(cacheHome);
    expect(comparable(afterCorruption)).toEqual(comparable(good));
    expect(statSync(file).size).toBeGreaterThan(1000);
  }, 300_000);

  it("keeps nothing with MIGRATION_GUARD_PGLITE_CACHE=off", async () => {
    const empty = join(root, "cache-off");
    expect(pgliteCacheFile([], { XDG_CACHE_HOME: empty, MIGRATION_GUARD_PGLITE_CACHE: "off" })).toBeUndefined();
    const report = await run(empty, "off");
    expect(report.verdict.passed).toBe(true);
    expect(() => readdirSync(empty)).toThrow();
  }, 300_000);
});
