// Parse workers: a long history's scripts parsed on threads give the same report as the engine's
// own parse, and a worker that stalls or cannot start costs nothing but time. The workers run the
// compiled worker from dist/ (built by `npm ci`); no timing is asserted.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { analyzeChange } from "../src/core/analyze/engine.js";
import { DEFAULT_CONFIG } from "../src/core/config/load.js";
import { ConfigSchema } from "../src/core/config/schema.js";
import type { ChangeInput } from "../src/core/model.js";
import { loadParsers } from "../src/core/parse/index.js";
import { poolOptionsFromEnv, startParsePool, type ParsePoolOptions } from "../src/parse-pool/index.js";
import type { Config } from "../src/core/config/schema.js";
import type { AnalysisReport } from "../src/core/report.js";
import { loadRules } from "../rules/index.js";

const workerFile = join(import.meta.dirname, "..", "dist", "src", "parse-pool", "parse-worker.js");
const scratch = mkdtempSync(join(tmpdir(), "mg-pool-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const rules = await loadRules();
await loadParsers();

/** 40 diesel-style migrations with the kinds of content the engine must read alike either way. */
function history(): ChangeInput {
  const head: ChangeInput["head"] = [];
  for (let i = 1; i <= 40; i++) {
    const dir = `migrations/2024-01-${String(i).padStart(2, "0")}-000000_step_${i}`;
    const up =
      i === 1
        ? "CREATE TABLE accounts (id bigint PRIMARY KEY, email text);\nCREATE TABLE orders (id bigint PRIMARY KEY, account_id bigint, note varchar(100));"
        : i === 7
          ? "ALTER TABLE orders ADD COLUMN broken integer DEFAULT;\nCREATE INDEX orders_note ON orders (note);"
          : i === 9
            ? "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.note := 'x'; RETURN NEW; END $$;\n-- a comment\nALTER TABLE orders ALTER COLUMN note TYPE text;"
            : `ALTER TABLE orders ADD COLUMN c${i} integer;\nCREATE INDEX orders_c${i} ON orders (c${i});\nUPDATE orders SET c${i} = 0;`;
    head.push({ path: `${dir}/up.sql`, content: Buffer.from(up) });
    head.push({ path: `${dir}/down.sql`, content: i === 12 ? Buffer.from([0xff, 0xfe, 0x00, 0x41]) : Buffer.from(i === 1 ? "DROP TABLE orders;\nDROP TABLE accounts;" : `ALTER TABLE orders DROP COLUMN IF EXISTS c${i};`) });
  }
  return { head };
}

/** The analysis with a pool of the given options, and how many scripts the workers delivered; the pool is closed either way. */
async function pooledAnalysis(input: ChangeInput, config: Config, options: ParsePoolOptions): Promise<{ report: AnalysisReport; planned: number; delivered: number }> {
  const pooled = startParsePool(input, config, { minBytes: 0, ...options });
  expect(pooled).toBeDefined();
  try {
    const report = analyzeChange(pooled!.input, config, rules, { parseCache: pooled!.pool });
    return { report, planned: pooled!.pool.planned, delivered: pooled!.pool.delivered };
  } finally {
    await pooled!.pool.close();
  }
}

describe("parse workers", () => {
  it("deliver every readable script and give the report the engine's own parse gives", async () => {
    const input = history();
    const alone = analyzeChange(input, DEFAULT_CONFIG, rules);
    const { report, planned, delivered } = await pooledAnalysis(input, DEFAULT_CONFIG, { workers: 2, workerFile });
    expect(JSON.parse(JSON.stringify(report))).toEqual(JSON.parse(JSON.stringify(alone)));
    // The one undecodable down script is left to the engine, which reports it.
    expect(planned).toBe(80);
    expect(delivered).toBe(79);
    expect(report.migrations[11]!.findings.some((f) => f.ruleId === "unreadable-file")).toBe(true);
    expect(report.migrations[6]!.findings.some((f) => f.ruleId === "parse-error")).toBe(true);
  }, 60_000);

  it("give MySQL scripts back as node-sql-parser read them", async () => {
    const config = ConfigSchema.parse({ dialect: "mysql" });
    const head = Array.from({ length: 30 }, (_, i) => ({
      path: `db/V${i + 1}__step.sql`,
      content: i === 0 ? "CREATE TABLE orders (id bigint PRIMARY KEY, note varchar(100)) ENGINE=InnoDB;" : `ALTER TABLE orders ADD COLUMN c${i} int, ALGORITHM=INSTANT;\nUPDATE orders SET c${i} = 1;\nALTER TABLE orders ADD INDEX idx_${i} (c${i});`,
    }));
    const alone = JSON.stringify(analyzeChange({ head }, config, rules));
    const { report, delivered } = await pooledAnalysis({ head }, config, { workers: 1, workerFile });
    expect(JSON.stringify(report)).toBe(alone);
    expect(delivered).toBe(30);
  }, 60_000);

  it("fall back to the engine's parse when a worker stalls or cannot start", async () => {
    const input = history();
    const alone = JSON.stringify(analyzeChange(input, DEFAULT_CONFIG, rules));
    const stalls = join(scratch, "stalls.mjs");
    writeFileSync(stalls, "setInterval(() => {}, 1000);\n");
    const crashes = join(scratch, "crashes.mjs");
    writeFileSync(crashes, "throw new Error('cannot load');\n");
    for (const file of [stalls, crashes]) {
      const { report, delivered } = await pooledAnalysis(input, DEFAULT_CONFIG, { workers: 1, workerFile: file, stallMs: 300 });
      expect(JSON.stringify(report)).toBe(alone);
      expect(delivered).toBe(0);
    }
  }, 60_000);

  it("start only for histories big enough to pay for the threads, and not when turned off", () => {
    const input = history();
    expect(startParsePool(input, DEFAULT_CONFIG, { workers: 1, workerFile })).toBeUndefined();
    expect(startParsePool(input, DEFAULT_CONFIG, { workers: 0, minBytes: 0, workerFile })).toBeUndefined();
    expect(startParsePool(input, DEFAULT_CONFIG, { workers: 1, minBytes: 0, workerFile: join(scratch, "missing.js") })).toBeUndefined();
    expect(poolOptionsFromEnv({ MIGRATION_GUARD_PARSE_WORKERS: "0" })).toBeUndefined();
    expect(poolOptionsFromEnv({ MIGRATION_GUARD_PARSE_WORKERS: "2" })).toEqual({ workers: 2, minBytes: 0 });
    expect(poolOptionsFromEnv({})).toBeUndefined();
    expect(poolOptionsFromEnv({ MIGRATION_GUARD_PARSE_WORKERS: "many" })).toBeUndefined();
  });
});
