#!/usr/bin/env node
// Benchmark of `migration-guard test` (issue 5), all in one run on the local PostgreSQL 15:
//  1. a seeded template database: 4 base tables × EVIDENCE_BENCH_ROWS rows (default 100,000);
//  2. bare forward: `psql -X -q -v ON_ERROR_STOP=1 [-1] -f` per migration file, on a copy;
//  3. our traced forward (locks, relfilenodes, rows per statement; no probe), on another copy;
//     2 and 3 alternate EVIDENCE_BENCH_REPEATS times (default 3), medians reported;
//  4. the full `migration-guard test --no-probe` (CLI, child process): steps after the environment;
//  5. a cold PGlite run of a 5-migration change (CLI, child process, default 10,000 rows/table).
// Peak memory = max RSS of the child processes (/usr/bin/time). Needs `npm run build` first.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { writeBenchHistory } from "./evidence-fixture.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = (p) => import(join(root, "dist", p));
const URL_ADMIN = process.env.EVIDENCE_BENCH_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const ROWS = Number(process.env.EVIDENCE_BENCH_ROWS ?? 100_000);
const REPEATS = Number(process.env.EVIDENCE_BENCH_REPEATS ?? 3);

const { ConfigSchema } = await dist("src/core/config/schema.js");
const { loadParsers } = await dist("src/core/parse/index.js");
const { readLocalChange } = await dist("src/fs/change.js");
const { migrationCandidates } = await dist("src/core/discover/index.js");
const { planTest } = await dist("src/evidence/change.js");
const { runTest } = await dist("src/evidence/runner.js");
const { runScript } = await dist("src/evidence/executor.js");
const { opsFor } = await dist("src/evidence/ops.js");
const { executableScript } = await dist("src/evidence/statements.js");
const { createScratchDatabase } = await dist("src/db/index.js");
const { openPostgresSession } = await dist("src/db/postgres.js");

const dir = mkdtempSync(join(tmpdir(), "mg-evidence-bench-"));
const counts = writeBenchHistory(dir);
await loadParsers();
const config = ConfigSchema.parse({ test: { seed: { rows: ROWS } } });
const input = readLocalChange(["."], dir, { select: (paths) => migrationCandidates(paths, config) });
const plan = planTest(input, config, { last: counts.change });

const admin = await openPostgresSession(URL_ADMIN);
const urlOf = (db) => { const u = new URL(URL_ADMIN); u.pathname = `/${db}`; return u.toString(); };
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// 1. Template: environment only (base migrations + seed), kept as a template database.
const t0 = performance.now();
const scratch = await createScratchDatabase(URL_ADMIN, { allowExisting: true });
const envReport = await runTest(scratch, { environment: plan.environment, change: [], config, options: { probe: false, partialFailure: false, toolVersion: "bench" } });
const template = scratch.name;
const seeded = envReport.environment.seeded.reduce((n, s) => n + s.rows, 0);
const templateMs = performance.now() - t0;

async function copy(name) {
  await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  return name;
}
async function drop(name) {
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
}

function barePsql(db) {
  const start = performance.now();
  for (const cm of plan.change) {
    const concurrently = /CONCURRENTLY/i.test(cm.up.text);
    const args = ["-X", "-q", "-v", "ON_ERROR_STOP=1", ...(concurrently ? [] : ["-1"]), "-d", urlOf(db), "-f", join(dir, cm.up.file)];
    execFileSync("psql", args, { stdio: ["ignore", "ignore", "inherit"] });
  }
  return performance.now() - start;
}

async function tracedForward(db) {
  const main = await openPostgresSession(urlOf(db));
  const observer = await openPostgresSession(urlOf(db));
  const ctx = { main, observer, ops: opsFor("postgres", 15), postgresVersion: 15 };
  const start = performance.now();
  for (const cm of plan.change) {
    const run = await runScript(ctx, executableScript(cm.up), { mode: cm.migration.transaction, trace: true });
    if (!run.ok) throw new Error(`${cm.up.file}: ${run.error?.message}`);
  }
  const ms = performance.now() - start;
  await main.close();
  await observer.close();
  return ms;
}

const bare = [];
const traced = [];
for (let i = 0; i < REPEATS; i++) {
  const a = await copy(`${template}_bare${i}`);
  bare.push(barePsql(a));
  await drop(a);
  const b = await copy(`${template}_ours${i}`);
  traced.push(await tracedForward(b));
  await drop(b);
}
await scratch.drop();
await admin.close();

function cli(args) {
  const out = join(dir, `report-${Date.now()}.json`);
  const r = spawnSync("/usr/bin/time", ["-f", "%e %U %S %M", process.execPath, join(root, "bin/migration-guard.js"), "test", ".", ...args, "--format", "json", "--output", out], { cwd: dir, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  const [wall, user, sys, rssKb] = r.stderr.trim().split("\n").pop().split(" ").map(Number);
  return { code: r.status, wall: wall * 1000, cpu: (user + sys) * 1000, rssMb: rssKb / 1024, report: JSON.parse(readFileSync(out, "utf8")) };
}

// 4. Full test without the probe on PostgreSQL.
const full = cli(["--last", String(counts.change), "--database-url", URL_ADMIN, "--allow-existing", "--no-probe", "--seed-rows", String(ROWS)]);
const stepMs = (r, names) => r.report.steps.filter((s) => names.includes(s.name)).reduce((n, s) => n + s.durationMs, 0);
const afterEnv = stepMs(full, ["forward", "validate", "probe", "rollback", "forward-again"]);
const envMs = stepMs(full, ["environment"]);

// 5. Cold PGlite run of a 5-migration change (default seed).
const pglite = cli(["--last", "5"]);

const fmt = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);
const bareMs = median(bare);
const tracedMs = median(traced);
console.log(`History: ${counts.base} base + ${counts.change} change migrations (golang-migrate, one transaction per file; one CONCURRENTLY file), ${seeded.toLocaleString("en")} seeded rows (${ROWS.toLocaleString("en")} per table), PostgreSQL 15 at ${new URL(URL_ADMIN).host}. Seeded template built in ${fmt(templateMs)}.`);
console.log("");
console.log("| Measure | Result | Target |");
console.log("|---|---|---|");
console.log(`| Bare forward, \`psql -f\` per file (median of ${REPEATS}: ${bare.map(fmt).join(", ")}) | **${fmt(bareMs)}** | |`);
console.log(`| Our traced forward (median of ${REPEATS}: ${traced.map(fmt).join(", ")}) | **${fmt(tracedMs)}** = **${(tracedMs / bareMs).toFixed(2)}×** bare | ≤ 1.3× |`);
console.log(`| Full test without probe, steps after the environment (forward incl. partial-failure runs, validate, rollback, forward again) | **${fmt(afterEnv)}** = **${(afterEnv / bareMs).toFixed(2)}×** bare forward | ≤ 3× |`);
console.log(`| Same run: environment (4 base migrations + seeding ${ROWS.toLocaleString("en")} rows/table) | ${fmt(envMs)} | |`);
console.log(`| Same run: whole CLI process | ${fmt(full.wall)} wall, ${fmt(full.cpu)} CPU, peak RSS ${Math.round(full.rssMb)} MB, exit ${full.code}, verdict ${full.report.verdict.passed ? "passed" : `failed (${full.report.verdict.failures.join("; ")})`} | |`);
console.log(`| Cold PGlite run, 5-migration change (shop-like bench history, 10,000 rows/table) | **${fmt(pglite.wall)}** wall, ${fmt(pglite.cpu)} CPU, peak RSS ${Math.round(pglite.rssMb)} MB, exit ${pglite.code} | < 10 s |`);
