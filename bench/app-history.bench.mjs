#!/usr/bin/env node
// The App's CPU per delivery on a repository with a long merged history vs the same pull request
// on an empty history, side by side (A B A B): bench/app-latency.bench.mjs with
// APP_BENCH_HISTORY=0 and =300 (300 merged migrations, 600 files, between the tables' creation
// and the PR). Merged migrations are read for schema context once per app process (cached by
// blob SHA) and their parses are cached: the difference left is discovery and schema replay.
// Needs `npm run build` first (`npm run bench` does it). APP_HISTORY_ROUNDS (default 2).
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const ROUNDS = Number(process.env.APP_HISTORY_ROUNDS ?? 2);
const HISTORY = Number(process.env.APP_HISTORY_LENGTH ?? 300);

function run(history) {
  const result = spawnSync(process.execPath, [join(here, "app-latency.bench.mjs")], {
    env: { ...process.env, APP_BENCH_JSON: "1", APP_BENCH_SECONDS: "0", APP_BENCH_DELIVERIES: process.env.APP_BENCH_DELIVERIES ?? "100", APP_BENCH_HISTORY: String(history) },
    encoding: "utf8",
  });
  const line = result.stdout.split("\n").find((l) => l.startsWith("BENCH_JSON "));
  if (!line) throw new Error(`app-latency.bench.mjs printed no result:\n${result.stdout}\n${result.stderr}`);
  return JSON.parse(line.slice("BENCH_JSON ".length));
}

const rows = [];
for (let round = 0; round < ROUNDS; round++) for (const history of [0, HISTORY]) rows.push(run(history));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const cpu = (h) => median(rows.filter((r) => r.history === h).map((r) => r.cpuPerDelivery));
console.log("| history (merged migrations) | app CPU per delivery, each run (ms) | median (ms) | GitHub calls per delivery | blob queries (cold cache, then warm) | reviewed |");
console.log("|---|---|---|---|---|---|");
for (const h of [0, HISTORY]) {
  const of = rows.filter((r) => r.history === h);
  console.log(`| ${h} | ${of.map((r) => r.cpuPerDelivery.toFixed(0)).join(", ")} | ${cpu(h).toFixed(0)} | ${of[0].minCalls}–${of[0].maxCalls} | ${of.map((r) => r.blobQueries.length).join(", ")} | ${of.map((r) => `${r.reviewed}/${r.deliveries}`).join(", ")} |`);
}
console.log(`\nratio (history ${HISTORY} / empty): ${(cpu(HISTORY) / cpu(0)).toFixed(2)} (target ≤ 1.10)`);
