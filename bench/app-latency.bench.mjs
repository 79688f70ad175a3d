#!/usr/bin/env node
// The GitHub App under load, end to end: the real server (`migration-guard app`,
// i.e. `npm start`) talking to a fake GitHub on 127.0.0.1 (GHE_HOST, GHE_PROTOCOL=http), fed
// signed `pull_request.opened` deliveries of a 20-migration PR (40 files).
//   A. latency webhook sent → review received by GitHub, 200 deliveries at 10/s
//   B. 20 deliveries/s for 60 s: every delivery answered and reviewed, no error; app RSS
//   C. GitHub API calls per delivery (budget: files/100 + 6)
// Probot paces writes per installation (≥ 1 s apart, reviews ≥ 3 s apart per installation,
// GraphQL counts as a write). Deliveries are therefore spread over many installations, as for
// an app installed in many repositories; the pacing floor is reported next to the latency.
// Needs `npm run build` first (`npm run bench` does it). APP_BENCH_SECONDS shortens phase B
// (0 skips it); APP_BENCH_GATES=off turns the quality gates and commit-format check off (they
// are on by default, as for a repository without configuration). HEAP_GROWING_PERCENT is passed
// to the app (src/app/memory.ts).
import { spawn } from "node:child_process";
import { createHmac, generateKeyPairSync, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startFakeGitHub } from "./app-fake-github.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const examples = require("@octokit/webhooks-examples");
const SECRET = "bench-secret";
const SOAK_SECONDS = Number(process.env.APP_BENCH_SECONDS ?? 60);
const LATENCY_RATE = Number(process.env.APP_BENCH_LATENCY_RATE ?? 10);
const GATES = process.env.APP_BENCH_GATES !== "off";
/** Phase A's deliveries (200 for the recorded numbers; fewer for a quick check of the setup). */
const DELIVERIES = Number(process.env.APP_BENCH_DELIVERIES ?? 200);
const CONFIG = GATES ? "postgres_version: 15\n" : "postgres_version: 15\ngates:\n  enabled: false\ncommit_format:\n  enabled: false\n";

// ---- the pull request: 20 migrations (up + down), most with findings -----------------------
const STATEMENTS = [
  ["CREATE INDEX {t}_created_idx ON {t} (created_at);", "DROP INDEX {t}_created_idx;"],
  ["ALTER TABLE {t} ADD COLUMN note text;", "ALTER TABLE {t} DROP COLUMN note;"],
  ["SET lock_timeout = '2s';\nALTER TABLE {t} ADD CONSTRAINT {t}_amount_pos CHECK (amount > 0);", "ALTER TABLE {t} DROP CONSTRAINT {t}_amount_pos;"],
  ["SET lock_timeout = '2s';\nCREATE INDEX CONCURRENTLY {t}_user_idx ON {t} (user_id);", "DROP INDEX CONCURRENTLY {t}_user_idx;"],
  ["ALTER TABLE {t} ALTER COLUMN amount TYPE numeric(12,2);", "ALTER TABLE {t} ALTER COLUMN amount TYPE integer;"],
];
const files = {};
const base = { "db/migrations/20240101000000_init.up.sql": "", "db/migrations/20240101000000_init.down.sql": "" };
const tables = Array.from({ length: 20 }, (_, i) => `t${i}`);
base["db/migrations/20240101000000_init.up.sql"] = tables.map((t) => `CREATE TABLE ${t} (id bigint PRIMARY KEY, user_id bigint, amount integer, created_at timestamptz);`).join("\n") + "\n";
base["db/migrations/20240101000000_init.down.sql"] = tables.map((t) => `DROP TABLE ${t};`).join("\n") + "\n";
tables.forEach((t, i) => {
  const [up, down] = STATEMENTS[i % STATEMENTS.length];
  const version = `2024020${Math.floor(i / 10)}${String(i % 10).padStart(2, "0")}0000`;
  files[`db/migrations/${version}_change_${t}.up.sql`] = `-- change ${i} on ${t}\n${up.replaceAll("{t}", t)}\n`;
  files[`db/migrations/${version}_change_${t}.down.sql`] = `${down.replaceAll("{t}", t)}\n`;
});
const FILES = Object.keys(files).length;
// APP_BENCH_HISTORY=N: N merged migrations between the init and the PR (bench/app-history.bench.mjs).
const HISTORY = Number(process.env.APP_BENCH_HISTORY ?? 0);
const HISTORY_SHAPES = [
  ["ALTER TABLE {t} ADD COLUMN c{i} varchar(100);", "ALTER TABLE {t} DROP COLUMN c{i};"],
  ["CREATE INDEX CONCURRENTLY {t}_c{i}_idx ON {t} (id, amount);", "DROP INDEX CONCURRENTLY {t}_c{i}_idx;"],
  ["CREATE TABLE h{i} (id bigint PRIMARY KEY, {t}_id bigint REFERENCES {t} (id), label text NOT NULL, created_at timestamptz DEFAULT now());\nCREATE INDEX h{i}_{t}_idx ON h{i} ({t}_id);", "DROP TABLE h{i};"],
  ["UPDATE {t} SET amount = 0 WHERE amount IS NULL AND id < 1000;", "SELECT 1;"],
  ["COMMENT ON TABLE {t} IS 'history {i}';\nALTER TABLE {t} ALTER COLUMN amount SET DEFAULT 0;", "ALTER TABLE {t} ALTER COLUMN amount DROP DEFAULT;"],
];
for (let i = 0; i < HISTORY; i++) {
  const [up, down] = HISTORY_SHAPES[i % HISTORY_SHAPES.length].map((x) => x.replaceAll("{t}", tables[i % tables.length]).replaceAll("{i}", String(i)));
  const version = `20240101${String(i + 1).padStart(6, "0")}`;
  base[`db/migrations/${version}_history_${i}.up.sql`] = `${up}\n`;
  base[`db/migrations/${version}_history_${i}.down.sql`] = `${down}\n`;
}

// ---- fake GitHub and the app ---------------------------------------------------------------
const github = await startFakeGitHub({ files, base, config: CONFIG });
const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs1", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
const PORT = 39000 + Math.floor(Math.random() * 1000);
const nodeFlags = process.env.APP_BENCH_NODE_FLAGS ? process.env.APP_BENCH_NODE_FLAGS.split(" ") : [];
const appProcess = spawn(process.execPath, [...nodeFlags, "bin/migration-guard.js", "app"], {
  cwd: root,
  env: {
    PATH: process.env.PATH,
    APP_ID: "1",
    PRIVATE_KEY: privateKey,
    WEBHOOK_SECRET: SECRET,
    GHE_HOST: github.host,
    GHE_PROTOCOL: "http",
    HOST: "127.0.0.1",
    PORT: String(PORT),
    LOG_LEVEL: "warn",
    NODE_ENV: "production",
    // src/app/memory.ts (default 30; 0 = V8's own heuristic, the behaviour before it existed)
    ...(process.env.HEAP_GROWING_PERCENT !== undefined && { HEAP_GROWING_PERCENT: process.env.HEAP_GROWING_PERCENT }),
  },
  stdio: ["ignore", "pipe", "pipe"],
});
const appLog = [];
appProcess.stdout.on("data", (d) => appLog.push(String(d)));
appProcess.stderr.on("data", (d) => appLog.push(String(d)));
await waitForServer();

const template = examples.find((e) => e.name === "pull_request").examples.find((p) => p.action === "opened" && p.installation);
let nextPr = 1000;

async function deliver(installation) {
  const number = nextPr++;
  const head = randomBytes(20).toString("hex");
  github.heads.set(number, head);
  const payload = structuredClone(template);
  payload.number = number;
  payload.pull_request.number = number;
  payload.pull_request.head.sha = head;
  payload.pull_request.changed_files = FILES;
  payload.installation = { id: installation };
  const body = JSON.stringify(payload);
  const signature = `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`;
  const sent = performance.now();
  let response;
  try {
    response = await fetch(`http://127.0.0.1:${PORT}/api/github/webhooks`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-github-event": "pull_request", "x-github-delivery": randomBytes(8).toString("hex"), "x-hub-signature-256": signature },
    body,
  });
    await response.text();
  } catch (error) {
    return { number, sent, status: `${error.message}: ${error.cause?.code ?? ""}` };
  }
  return { number, sent, status: response.status };
}

async function run(count, perSecond, installations, firstInstallation) {
  const pending = [];
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const due = start + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    pending.push(deliver(firstInstallation + (i % installations)));
  }
  const results = await Promise.all(pending);
  await drain(results);
  return results;
}

async function drain(results) {
  const deadline = performance.now() + 60_000;
  while (performance.now() < deadline) {
    if (results.every((r) => github.byPr.get(r.number)?.some((e) => e.kind === "review"))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

function timing(results, kind) {
  return results
    .map((r) => github.byPr.get(r.number)?.find((e) => e.kind === kind)?.at - r.sent)
    .filter((v) => Number.isFinite(v))
    .sort((a, b) => a - b);
}
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const ms = (v) => (v === undefined ? "–" : `${Math.round(v)} ms`);

/** CPU time (user + system) the app process used so far, in ms. */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks (USER_HZ = 100)
}

function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
}

// ---- A: latency --------------------------------------------------------------------------
await run(10, 10, 10, 1); // warm-up (parsers, rules, token cache)
const cpuBefore = cpuMs(appProcess.pid);
const latencyRuns = await run(DELIVERIES, LATENCY_RATE, DELIVERIES, 10_000);
const cpuPerDelivery = (cpuMs(appProcess.pid) - cpuBefore) / DELIVERIES;
const reviewed = timing(latencyRuns, "review");
const checkRun = timing(latencyRuns, "check-run");
const state = timing(latencyRuns, "state");

// ---- C: API calls per delivery (one delivery per installation in phase A) ---------------
const calls = [];
for (let i = 0; i < DELIVERIES; i++) calls.push(github.byToken.get(`token ghs_inst_${10_000 + i}`) ?? 0);
const maxCalls = Math.max(...calls);
const minCalls = Math.min(...calls);
const breakdown = [...(github.kindsByToken.get("token ghs_inst_10000") ?? new Map())]
  .map(([kind, n]) => (n > 1 ? `${kind} ×${n}` : kind))
  .join(", ");
const gatesChecks = latencyRuns.filter((r) => github.byPr.get(r.number)?.some((e) => e.kind === "gates-check")).length;
const gatesComments = latencyRuns.filter((r) => github.byPr.get(r.number)?.some((e) => e.kind === "gates-comment")).length;

// ---- B: sustained load ----------------------------------------------------------------------
let peakRss = rssMb(appProcess.pid);
const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMb(appProcess.pid))), 250);
const soakRuns = await run(20 * SOAK_SECONDS, 20, 200, 20_000);
clearInterval(sampler);
const soakReviewed = soakRuns.filter((r) => github.byPr.get(r.number)?.some((e) => e.kind === "review")).length;
const badStatus = soakRuns.filter((r) => r.status !== 200 && r.status !== 202).length;
const soakLatency = timing(soakRuns, "review");
const appErrors = appLog.join("").split("\n").filter((l) => /"level":(50|60)/.test(l));

appProcess.kill("SIGTERM");
await new Promise((resolve) => appProcess.once("exit", resolve));
await github.close();

if (process.env.APP_BENCH_JSON) {
  console.log(`BENCH_JSON ${JSON.stringify({ history: HISTORY, cpuPerDelivery, minCalls, maxCalls, blobQueries: github.blobQueries, reviewed: reviewed.length, deliveries: DELIVERIES, errors: github.errors.length + appErrors.length, p50: pct(reviewed, 50) })}`);
  process.exit(0);
}
console.log(`| Measure | Result |
|---|---|
| PR shape | ${tables.length} migrations (${FILES} files, all added), findings with inline comments and suggestions; quality gates and commit-format check ${GATES ? "on (defaults)" : "off"} |
| A. webhook → review posted, ${DELIVERIES} deliveries at ${LATENCY_RATE}/s over ${DELIVERIES} installations | p50 ${ms(pct(reviewed, 50))}, p99 ${ms(pct(reviewed, 99))}, max ${ms(reviewed.at(-1))} (${reviewed.length}/${DELIVERIES} reviewed) |
| A. webhook → state query (config + file listing in parallel) | p50 ${ms(pct(state, 50))}, p99 ${ms(pct(state, 99))} |
| A. webhook → check run posted | p50 ${ms(pct(checkRun, 50))}, p99 ${ms(pct(checkRun, 99))} |
| B. ${SOAK_SECONDS} s at 20 deliveries/s (${soakRuns.length} deliveries, 200 installations) | ${SOAK_SECONDS ? `${soakReviewed}/${soakRuns.length} reviewed, ${badStatus} non-2xx webhook answers` : "skipped"}; whole run: ${github.errors.length} failure check runs or unexpected requests, ${appErrors.length} error log lines |
| B. webhook → review under load | p50 ${ms(pct(soakLatency, 50))}, p99 ${ms(pct(soakLatency, 99))} |
| A. app CPU time per delivery (user + system) | ${cpuPerDelivery.toFixed(0)} ms |
| B. app RSS (peak, sampled every 250 ms) | ${peakRss.toFixed(0)} MB |
| C. GitHub API calls per delivery (installation token requests excluded) | ${minCalls === maxCalls ? maxCalls : `${minCalls}–${maxCalls}`} (budget ${FILES}/100 + 6 = ${(FILES / 100 + 6).toFixed(1)}) |
| C. calls of one delivery | ${breakdown} |
| A. gates check run / sticky comment posted | ${gatesChecks}/${DELIVERIES}, ${gatesComments}/${DELIVERIES} |`);
if (github.errors.length) console.log("\nerrors:\n" + github.errors.slice(0, 5).join("\n"));
if (appErrors.length) console.log("\napp errors:\n" + appErrors.slice(0, 5).join("\n"));
process.exit(github.errors.length || appErrors.length || badStatus || soakReviewed < soakRuns.length ? 1 : 0);

async function waitForServer() {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      await fetch(`http://127.0.0.1:${PORT}/`);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`the app did not start:\n${appLog.join("")}`);
}
