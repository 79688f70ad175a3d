// The version facts behind syntax-newer-than-version, checked against real servers: every
// feature's example must run on PGlite (PostgreSQL 18); on PostgreSQL 15 it must run exactly
// when the feature is listed as 15 or older. Each feature is also detected in its own example.
import { PGlite } from "@electric-sql/pglite";
import { btree_gist } from "@electric-sql/pglite/contrib/btree_gist";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadParsers, parseScript } from "../src/core/parse/index.js";
import { featuresOf, SYNTAX_FEATURES, type SyntaxFeature } from "../rules/postgres/_syntax-versions.js";

const ADMIN = { host: "127.0.0.1", port: 5432, user: "postgres", database: "test" };
const scratch = `mg_syntax_${process.pid}_${Date.now()}`;
let admin: pg.Client;

beforeAll(async () => {
  await loadParsers();
  admin = new pg.Client(ADMIN);
  await admin.connect();
  await admin.query(`CREATE DATABASE ${scratch}`);
});

afterAll(async () => {
  await admin.query(`DROP DATABASE IF EXISTS ${scratch} WITH (FORCE)`);
  await admin.end();
});

/** Runs setup + example in a fresh schema; returns the error message or undefined. */
async function runOnPg15(feature: SyntaxFeature, index: number): Promise<string | undefined> {
  const client = new pg.Client({ ...ADMIN, database: scratch });
  await client.connect();
  const schema = `f${index}`;
  try {
    await client.query(`CREATE SCHEMA ${schema}; SET search_path = ${schema}, public;`);
    if (feature.setup) await client.query(feature.setup);
    await client.query(feature.example);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  } finally {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await client.end();
  }
}

/** One PGlite instance, one schema per feature (a new instance per feature takes seconds). */
async function runOnPglite(db: PGlite, feature: SyntaxFeature, index: number): Promise<string | undefined> {
  const schema = `f${index}`;
  try {
    await db.exec(`CREATE SCHEMA ${schema}; SET search_path = ${schema}, public;`);
    if (feature.setup) await db.exec(feature.setup);
    await db.exec(feature.example);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  } finally {
    await db.exec(`ROLLBACK; DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
  }
}

describe("syntax version facts", () => {
  it("every feature is detected in its own example", () => {
    for (const feature of SYNTAX_FEATURES) {
      const script = parseScript({ file: "x.sql", text: feature.example, baseOffset: 0, baseLine: 1, dialect: "postgres" });
      expect(script.problems, feature.what).toEqual([]);
      const found = script.statements.flatMap((s) => featuresOf(s.kind, s.ast));
      expect(found, feature.what).toContain(feature);
    }
  });

  for (const [index, feature] of SYNTAX_FEATURES.entries()) {
    it(`PostgreSQL 15 ${feature.since <= 15 ? "runs" : "rejects"} ${feature.what} (since ${feature.since})`, async () => {
      const error = await runOnPg15(feature, index);
      if (feature.since <= 15) expect(error, feature.example).toBeUndefined();
      else expect(error, feature.example).toBeDefined();
    });
  }

  it("PGlite (PostgreSQL 18) runs every feature", async () => {
    const db = new PGlite({ extensions: { btree_gist } });
    const version = (await db.query<{ v: string }>("SELECT current_setting('server_version_num') AS v")).rows[0]!.v;
    expect(Number(version)).toBeGreaterThanOrEqual(180000);
    const failures: string[] = [];
    for (const [index, feature] of SYNTAX_FEATURES.entries()) {
      const error = await runOnPglite(db, feature, index);
      if (error) failures.push(`${feature.what}: ${error}`);
    }
    await db.close();
    expect(failures).toEqual([]);
  }, 120_000);
});
