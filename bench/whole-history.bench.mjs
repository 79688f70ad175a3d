// migration-guard check vs squawk-cli on a whole real public history, side by side in one run.
// The history is read from a bare mirror (WHOLE_HISTORY_MIRROR, default
// /work/.mirror/LemmyNet+lemmy/repo, e.g. `git clone --mirror https://github.com/LemmyNet/lemmy`)
// at a pinned commit; its SQL is extracted to bench/.work and never committed. Skipped (exit 0,
// with a message) when the mirror is missing.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
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
const check = (workers) => () =>
  measure(process.execPath, [cli, "check", HISTORY.path, "--config", "migration-guard.yml", "--format", "json"], { cwd: work, env: { ...process.env, MIGRATION_GUARD_PARSE_WORKERS: workers } });
const samples = interleaved(
  [
    { name: "ours", run: check("0") },
    { name: "workers", run: check("1") },
    { name: "theirs", run: () => measure(squawk, ["--reporter", "json", ...HISTORY.squawk, ...sqlFiles], { cwd: work }) },
    { name: "floor", run: () => measureOk(process.execPath, [floor, join(work, HISTORY.path)]) },
  ],
  RUNS,
);
const med = (name) => median(samples[name].map((s) => s.seconds));
const ours = med("ours");
const workers = med("workers");
const theirs = med("theirs");
const parseOnly = med("floor");
const os = await import("node:os");
console.log(`${HISTORY.repo} @ ${HISTORY.commit.slice(0, 12)}, ${HISTORY.path}: ${sqlFiles.length} .sql files; runs per contender: ${RUNS} (interleaved), ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(2)}\n`);
console.log("| history | migration-guard median (s) | with a parse worker (s) | squawk median (s) | ratio (ours / squawk) | with a worker / squawk | Node + libpg-query parse alone (s) | floor / squawk | migration-guard peak RSS (MB) | squawk peak RSS (MB) | exit (ours / worker / squawk) |");
console.log("|---|---|---|---|---|---|---|---|---|---|---|");
const rss = (name) => fmt(Math.max(...samples[name].map((s) => s.rssMb)), 0);
console.log(
  `| ${HISTORY.repo} @ ${HISTORY.commit.slice(0, 7)} (whole) | ${fmt(ours)} | ${fmt(workers)} | ${fmt(theirs)} | ${fmt(ours / theirs)} | ${fmt(workers / theirs)} | ${fmt(parseOnly)} | ${fmt(parseOnly / theirs)} | ${rss("ours")} / ${rss("workers")} | ${rss("theirs")} | ${samples.ours.at(-1).status} / ${samples.workers.at(-1).status} / ${samples.theirs.at(-1).status} |`,
);
if (samples.ours.at(-1).stdout !== samples.workers.at(-1).stdout) throw new Error("the report with a parse worker differs from the report without");

// In process, after one warm-up: libpg-query's parse alone, our parse (lexing, statement
// splitting, libpg-query), and the whole analysis; what rules, state and risk add is the rest.
const { loadModule, parseSync } = await import("libpg-query");
await loadModule();
const dist = (p) => import(pathToFileURL(join(root, "dist", p)).href);
const { analyzeChange } = await dist("src/core/analyze/engine.js");
const { loadRules } = await dist("rules/index.js");
const { parseConfigText } = await dist("src/core/config/load.js");
const { loadParsers, parseScript } = await dist("src/core/parse/index.js");
await loadParsers();
const rules = await loadRules();
const config = parseConfigText(HISTORY.config).config;
const head = sqlFiles.map((file) => ({ path: relative(work, file), content: readFileSync(file) }));
const texts = sqlFiles.map((file) => readFileSync(file, "utf8"));
const time = (fn) => {
  const start = performance.now();
  fn();
  return performance.now() - start;
};
const rounds = { libpg: [], parse: [], full: [] };
for (let i = 0; i <= RUNS; i++) {
  const libpg = time(() => texts.forEach((t) => parseSync(t)));
  const parse = time(() => head.forEach((f, k) => parseScript({ file: f.path, text: texts[k], dialect: "postgres", baseOffset: 0, baseLine: 1 })));
  const full = time(() => analyzeChange({ head }, config, rules));
  if (i === 0) continue;
  rounds.libpg.push(libpg);
  rounds.parse.push(parse);
  rounds.full.push(full);
}
const [libpg, parse, full] = [median(rounds.libpg), median(rounds.parse), median(rounds.full)];
console.log(
  `\nIn process, median of ${RUNS} after a warm-up: libpg-query parse alone ${fmt(libpg, 0)} ms; our parse (lexing, splitting, libpg-query) ${fmt(parse, 0)} ms; whole analysis ${fmt(full, 0)} ms; rules, state and risk add ${fmt(full - parse, 0)} ms = ${fmt(((full - parse) / libpg) * 100, 0)} % of libpg-query's parse.`,
);
