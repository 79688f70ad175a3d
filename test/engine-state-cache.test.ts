// The App's cache of replayed merged histories: a delivery that reuses the state gives the very
// findings of a fresh analysis, and what one change does never leaks into the next on that base.
import { beforeAll, describe, expect, it } from "vitest";
import { analyzeChange, type StateCache } from "../src/core/analyze/engine.js";
import type { AnalysisState } from "../src/core/analyze/state.js";
import { ConfigSchema } from "../src/core/config/schema.js";
import type { SourceFile } from "../src/core/model.js";
import { loadParsers } from "../src/core/parse/index.js";
import { blobSha } from "../src/git/git.js";
import { loadRules } from "../rules/index.js";

beforeAll(loadParsers);

const file = (path: string, content: string): SourceFile => ({ path, content, sha: blobSha(content) });

const BASE = [
  file("db/migrations/000001_orders.up.sql", "CREATE TABLE orders (id bigint PRIMARY KEY, note varchar(100), status text NOT NULL);\n"),
  file("db/migrations/000001_orders.down.sql", "DROP TABLE orders;\n"),
  file("db/migrations/000002_orders_status_idx.up.sql", "CREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);\n"),
  file("db/migrations/000002_orders_status_idx.down.sql", "DROP INDEX CONCURRENTLY orders_status_idx;\n"),
];

/** A change on the base: its files added to a copy of the base's (fresh objects, as each delivery builds). */
function change(files: Record<string, string>) {
  const base = BASE.map((f) => ({ ...f }));
  return { base, head: [...BASE.map((f) => ({ ...f })), ...Object.entries(files).map(([p, c]) => file(p, c))] };
}

function counting(): StateCache & { hits: number; stored: number } {
  const entries = new Map<string, AnalysisState>();
  const cache = {
    hits: 0,
    stored: 0,
    get(key: string) {
      const found = entries.get(key);
      if (found) cache.hits++;
      return found;
    },
    set(key: string, state: AnalysisState) {
      cache.stored++;
      entries.set(key, state);
    },
  };
  return cache;
}

const findings = (report: ReturnType<typeof analyzeChange>) => report.migrations.map((m) => m.findings.map((f) => [f.ruleId, f.severity, f.message]));

describe("replayed-state cache", () => {
  it("gives the findings of a fresh analysis, on a hit too, and one change's tables and columns do not reach the next", async () => {
    const rules = await loadRules();
    const config = ConfigSchema.parse({});
    const widen = change({ "db/migrations/000003_widen_note.up.sql": "ALTER TABLE orders ALTER COLUMN note TYPE text;\n", "db/migrations/000003_widen_note.down.sql": "ALTER TABLE orders ALTER COLUMN note TYPE varchar(100);\n" });
    const addColumn = change({ "db/migrations/000003_add_total.up.sql": "ALTER TABLE orders ADD COLUMN total integer;\nDROP INDEX orders_status_idx;\n", "db/migrations/000003_add_total.down.sql": "ALTER TABLE orders DROP COLUMN total;\n" });
    const retypeTotal = change({ "db/migrations/000003_total_bigint.up.sql": "ALTER TABLE orders ALTER COLUMN total TYPE bigint;\nCREATE INDEX orders_status_idx ON orders (status);\n", "db/migrations/000003_total_bigint.down.sql": "SELECT 1;\n" });
    const fresh = [widen, addColumn, retypeTotal].map((c) => findings(analyzeChange(c, config, rules)));

    const cache = counting();
    const cached = [widen, addColumn, retypeTotal, widen].map((c) => findings(analyzeChange(change(Object.fromEntries(c.head.slice(BASE.length).map((f) => [f.path, String(f.content)]))), config, rules, { stateCache: cache })));
    expect(cache.stored).toBe(1);
    expect(cache.hits).toBe(3);
    expect(cached).toEqual([...fresh, fresh[0]]);
    // What the base says reaches the change (varchar → text is free), what another change added does not.
    expect(JSON.stringify(fresh[0])).not.toMatch(/from varchar\(100\) to text/);
    expect(JSON.stringify(fresh[0])).toMatch(/from text to varchar\(100\) rewrites/);
    expect(JSON.stringify(fresh[2])).toContain("require-concurrent-index");
  });
});
