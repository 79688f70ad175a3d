// migration-guard check vs squawk-cli on a whole real public history, side by side in one run.
// The history is read from a bare mirror (WHOLE_HISTORY_MIRROR, default
// /work/.mirror/LemmyNet+lemmy/repo, e.g. `git clone --mirror https://github.com/LemmyNet/lemmy`)
// at a pinned commit; its SQL is extracted to bench/.work and never committed. Skipped (exit 0,
// with a message) when the mirror is missing.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { fmt, installAnchor, interleaved, measure, measureOk, median } from "./_measure.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const HISTORY = {
  repo: "LemmyNet/lemmy",
  commit: "439734dd638a2c06a2f907beab7dcf4646e88f86",
  path: "migrations",
  config: "postgres_version: 18\n",
  squawk: ["--pg-version", "18.0", "--assume-in-transaction"],
};
const mirror = process.env.WHOLE_HISTORY_MIRROR ?? `/work/.mirror/${HISTORY.repo.replace("/", "+")}/repo`;
if (!existsSync(mirror)) {
  console.log(`skipped: no mirror of ${HISTORY.repo} at ${mirror} (set WHOLE_HISTORY_MIRROR to a \`git clone --mirror\` of it)`);
  process.exit(0);
}

const work = join(root, "bench", ".work", "whole-history");
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
execFileSync("sh", ["-c", `git --git-dir="$1" archive "$2" "$3" | tar -x -C "$4"`, "sh", mirror, HISTORY.commit, HISTORY.path, work]);
writeFileSync(join(work, "migration-guard.yml"), HISTORY.config);
const sqlFiles = [];
const walk = (d) => {
  for (const e of readdirSync(d, { withFileTypes: true })) {
    const p = join(d, e.name);
    if (e.isDirectory()) walk(p);
    else if (p.endsWith(".sql")) sqlFiles.push(p);
  }
};
walk(join(work, HISTORY.path));
sqlFiles.sort();

const squawk = installAnchor(root, "squawk-cli@2.66.0", "squawk");
const cli = join(root, "bin", "migration-guard.js");
const floor = join(root, "bench", "parse-floor.mjs");
const samples = interleaved(
  [
    { name: "ours", run: () => measure(process.execPath, [cli, "check", HISTORY.path, "--config", "migration-guard.yml", "--format", "json"], { cwd: work }) },
    { name: "theirs", run: () => measure(squawk, ["--reporter", "json", ...HISTORY.squawk, ...sqlFiles], { cwd: work }) },
    { name: "floor", run: () => measureOk(process.execPath, [floor, join(work, HISTORY.path)]) },
  ],
  RUNS,
);
const ours = median(samples.ours.map((s) => s.seconds));
const theirs = median(samples.theirs.map((s) => s.seconds));
const parseOnly = median(samples.floor.map((s) => s.seconds));
console.log(`${HISTORY.repo} @ ${HISTORY.commit.slice(0, 12)}, ${HISTORY.path}: ${sqlFiles.length} .sql files; runs per contender: ${RUNS} (interleaved), ${(await import("node:os")).cpus().length} cores, load ${(await import("node:os")).loadavg()[0].toFixed(2)}\n`);
console.log("| history | migration-guard median (s) | squawk median (s) | ratio (ours / squawk) | Node + libpg-query parse alone (s) | floor / squawk | migration-guard peak RSS (MB) | squawk peak RSS (MB) | exit (ours / squawk) |");
console.log("|---|---|---|---|---|---|---|---|---|");
console.log(
  `| ${HISTORY.repo} @ ${HISTORY.commit.slice(0, 7)} (whole) | ${fmt(ours)} | ${fmt(theirs)} | ${fmt(ours / theirs)} | ${fmt(parseOnly)} | ${fmt(parseOnly / theirs)} | ${fmt(Math.max(...samples.ours.map((s) => s.rssMb)), 0)} | ${fmt(Math.max(...samples.theirs.map((s) => s.rssMb)), 0)} | ${samples.ours.at(-1).status} / ${samples.theirs.at(-1).status} |`,
);
