// Installing migration-guard the way users install squawk-cli, side by side in one run: from an
// empty project, `npm install` of the packed migration-guard tarball (production dependencies)
// versus `npm install squawk-cli`, interleaved; installed size; then the first `check` of the
// examples with each. Both installs are served from the npm cache when it holds the packages
// (`--prefer-offline`), as on a CI runner with a warm cache; the cold figure is the first run.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { fmt, interleaved, measure, median } from "./_measure.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SQUAWK = "squawk-cli@2.66.0";

function sizeMb(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.size / 1e6;
  return readdirSync(path).reduce((sum, name) => sum + sizeMb(join(path, name)), 0);
}

const work = mkdtempSync(join(tmpdir(), "mg-install-bench-"));
const packed = JSON.parse(execFileSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], { cwd: root, encoding: "utf8" }));
const tarball = join(work, packed[0].filename);

let project = 0;
function install(spec) {
  const dir = join(work, `p${project++}`);
  mkdirSync(dir);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "bench-project", version: "1.0.0", private: true }));
  const run = measure("npm", ["install", "--omit=dev", "--no-audit", "--no-fund", "--prefer-offline", spec], { cwd: dir });
  if (run.status !== 0) throw new Error(`npm install ${spec} failed`);
  return { ...run, dir };
}

const samples = interleaved(
  [
    { name: "ours", run: () => install(tarball) },
    { name: "squawk", run: () => install(SQUAWK) },
  ],
  RUNS,
);
const ours = samples.ours.at(-1).dir;
const theirs = samples.squawk.at(-1).dir;
cpSync(join(root, "examples"), join(ours, "examples"), { recursive: true });
const firstCheck = measure(join(ours, "node_modules", ".bin", "migration-guard"), ["check", "examples", "--base-dir", "examples/.base", "--config", "examples/migration-guard.yml"], { cwd: ours });
const sql = readdirSync(join(ours, "examples"), { recursive: true }).filter((f) => String(f).endsWith(".sql") && !String(f).startsWith(".base")).map((f) => join(ours, "examples", String(f)));
const squawkCheck = measure(join(theirs, "node_modules", ".bin", "squawk"), sql, { cwd: theirs });
const ratios = samples.ours.map((o, i) => o.seconds / samples.squawk[i].seconds);

console.log(`| | migration-guard (packed tarball) | squawk-cli | ratio |`);
console.log(`|---|---:|---:|---:|`);
console.log(`| npm install, median of ${RUNS} (s) | ${fmt(median(samples.ours.map((s) => s.seconds)))} | ${fmt(median(samples.squawk.map((s) => s.seconds)))} | ${fmt(median(ratios))} |`);
console.log(`| first install of the run (s) | ${fmt(samples.ours[0].seconds)} | ${fmt(samples.squawk[0].seconds)} | ${fmt(samples.ours[0].seconds / samples.squawk[0].seconds)} |`);
console.log(`| installed node_modules (MB) | ${fmt(sizeMb(join(ours, "node_modules")), 1)} | ${fmt(sizeMb(join(theirs, "node_modules")), 1)} | ${fmt(sizeMb(join(ours, "node_modules")) / sizeMb(join(theirs, "node_modules")))} |`);
console.log(`| first check of examples/ (s) | ${fmt(firstCheck.seconds)} | ${fmt(squawkCheck.seconds)} | ${fmt(firstCheck.seconds / squawkCheck.seconds)} |`);
rmSync(work, { recursive: true, force: true });
