// Realistic migrations run through the real engine, for the renderer snapshot tests.
// The rule set is pinned so that rules added to the catalog later do not churn these
// snapshots; every pinned rule is a real rule from rules/.
import { analyzeChange } from "../src/core/analyze/engine.js";
import { validateConfig } from "../src/core/config/load.js";
import type { ConfigInput } from "../src/core/config/schema.js";
import type { SourceFile } from "../src/core/model.js";
import { loadParsers } from "../src/core/parse/index.js";
import { decodeSource } from "../src/core/parse/text.js";
import type { AnalysisReport } from "../src/core/report.js";
import type { Rule } from "../src/core/analyze/rule.js";
import { loadRules } from "../rules/index.js";

export const PINNED_RULES = [
  "edited-merged-migration",
  "internal-error",
  "missing-rollback",
  "parse-error",
  "psql-meta-command",
  "require-concurrent-index",
  "suppression-without-reason",
  "unknown-suppressed-rule",
  "unreadable-file",
];

export interface Analyzed {
  report: AnalysisReport;
  sources: Map<string, string>;
  rules: Rule[];
}

export async function analyze(
  files: Record<string, string>,
  options: { config?: ConfigInput; base?: Record<string, string> } = {},
): Promise<Analyzed> {
  const [all] = await Promise.all([loadRules(), loadParsers()]);
  const rules = all.filter((r) => PINNED_RULES.includes(r.id));
  if (rules.length !== PINNED_RULES.length) {
    const missing = PINNED_RULES.filter((id) => !rules.some((r) => r.id === id));
    throw new Error(`pinned rules missing from rules/: ${missing.join(", ")}`);
  }
  // The fixtures' golang-migrate files are run statement by statement (x-multi-statement=true), as
  // psql would: the fixes shown (CONCURRENTLY next to SET lock_timeout) are valid there.
  const result = validateConfig({ delivery: "per-statement", ...options.config });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  const toFiles = (f: Record<string, string>): SourceFile[] => Object.entries(f).map(([path, content]) => ({ path, content }));
  const report = analyzeChange({ head: toFiles(files), base: options.base && toFiles(options.base) }, result.config, rules);
  // As the CLI does: only text that decodes is a source (binary files have none).
  const sources = new Map<string, string>();
  for (const [path, content] of Object.entries(files)) {
    const decoded = decodeSource(content);
    if (decoded.ok) sources.set(path, decoded.text);
  }
  return { report, sources, rules };
}

/** A clean change: a new table with its index and a rollback. */
export const CLEAN = {
  "db/migrations/20240101120000_create_orders.up.sql": `-- Orders placed through the storefront.
CREATE TABLE orders (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_id bigint NOT NULL,
  total_cents bigint NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- The table is new and empty: a plain index build is instant here.
CREATE INDEX orders_customer_id_idx ON orders (customer_id);
`,
  "db/migrations/20240101120000_create_orders.down.sql": `DROP TABLE orders;
`,
};

/** Findings with fixes (one- and multi-line), a suppression with and without reason, a psql command, a parse error. */
export const RISKY = {
  ...CLEAN,
  "db/migrations/20240215093000_index_orders_by_date.up.sql": `-- Speeds up the "recent orders" page.
CREATE INDEX orders_created_at_idx ON orders (created_at);

CREATE INDEX orders_customer_recent_idx
  ON orders (customer_id, created_at DESC);
`,
  "db/migrations/20240215093000_index_orders_by_date.down.sql": `DROP INDEX orders_created_at_idx;
DROP INDEX orders_customer_recent_idx;
`,
  "db/migrations/20240302160000_reporting.up.sql": `\\set ON_ERROR_STOP on

-- migration-guard:ignore require-concurrent-index -- orders_archive is written once a night, the build runs at noon
CREATE INDEX orders_archive_total_idx ON orders_archive (total_cents);

-- migration-guard:ignore require-concurrent-index
CREATE INDEX orders_total_idx ON orders (total_cents);

ALTER TABLE orders ADD COLUM note text;
`,
};
