// Runs `migration-guard test` programmatically on a fixture history (shared by the evidence suites).
import { join, resolve } from "node:path";
import { ConfigSchema, type ConfigInput } from "../src/core/config/schema.js";
import { migrationCandidates } from "../src/core/discover/index.js";
import type { EvidenceReport } from "../src/core/evidence/report.js";
import { loadParsers } from "../src/core/parse/index.js";
import { createScratchDatabase, type ScratchDatabase } from "../src/db/index.js";
import { planTest } from "../src/evidence/change.js";
import { runTest } from "../src/evidence/runner.js";
import { readLocalChange } from "../src/fs/change.js";

export const HISTORIES = join(import.meta.dirname, "fixtures", "histories");
export const PG_URL = "postgres://postgres@127.0.0.1:5432/test";
export const MARIADB_URL = "mysql://root@127.0.0.1:3306/test";

export interface FixtureRun {
  report: EvidenceReport;
  scratch: ScratchDatabase;
}

export async function runFixture(
  history: string,
  options: { url?: string; last?: number; config?: ConfigInput; probe?: boolean; folder?: string } = {},
): Promise<FixtureRun> {
  await loadParsers();
  const config = ConfigSchema.parse({ ...options.config, test: { seed: { rows: 500 }, ...options.config?.test } });
  // A fixture name, or an absolute path to a history written by the test itself.
  const cwd = resolve(HISTORIES, history);
  const input = readLocalChange([options.folder ?? "."], cwd, { select: (paths) => migrationCandidates(paths, config) });
  const plan = planTest(input, config, { last: options.last });
  if (plan.problems.length) throw new Error(JSON.stringify(plan.problems));
  const t = config.test.timeouts;
  const scratch = await createScratchDatabase(options.url, {
    allowExisting: true,
    limits: { statementMs: t.statement_ms, idleInTransactionMs: t.idle_in_transaction_ms, totalMs: t.total_ms },
  });
  try {
    const report = await runTest(scratch, {
      ...plan,
      config,
      options: { probe: options.probe ?? true, partialFailure: true, toolVersion: "test", headSha: "0123456789abcdef0123456789abcdef01234567" },
    });
    return { report, scratch };
  } finally {
    await scratch.drop();
  }
}
