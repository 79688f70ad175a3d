#!/usr/bin/env node
// The TypeORM layout on a real history of TypeScript/JavaScript migrations: `check` on the whole
// history (every migration its own change) and on a pull request adding the last N migrations
// (`--base-dir` holding the ones before), counts per rule, time, and a seeded sample stratified by
// rule to judge by reading the SQL (verdicts go to BENCHMARKS.md).
//
//   node bench/real-world/typeorm-layout.mjs --mirror <bare git dir> --path <migrations folder>
//        [--commit <rev>] [--out DIR] [--window N] [--sample N] [--seed N] [--dialect postgres] [--edits N]
//
// e.g. --mirror /work/.mirror/kokonect-link+cherrypick/repo --path packages/backend/migration
//      --mirror /work/.mirror/fallenbagel+jellyseerr/repo --path server/migration/postgres
// Only the migrations folder is extracted, under --out (default /tmp/mg-typeorm-bench); nothing of it
// is committed. Needs `npm run build` first (the CLI runs dist/).
// --edits N: the last N commits that modified migrations already in the folder, each checked against its
// parent (`--base-dir` = the folder at the parent): which edits `edited-merged-migration` reports (the SQL
// changed) and which it does not (only comments or formatting changed), for reading by hand.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, "../..");
const cli = join(repoRoot, "bin/migration-guard.js");
const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, "")] = process.argv[i + 1];
if (!args.mirror || !args.path) throw new Error("usage: --mirror <bare git dir> --path <migrations folder>");
const out = resolve(args.out ?? "/tmp/mg-typeorm-bench");
if (out.startsWith(repoRoot + "/")) throw new Error("--out must be outside the repository");
const commit = args.commit ?? "HEAD";
const windowSize = Number(args.window ?? 30);
const sampleSize = Number(args.sample ?? 30);
const seed = Number(args.seed ?? 7);
const dialect = args.dialect ?? "postgres";

const rev = execFileSync("git", ["-C", args.mirror, "rev-parse", commit], { encoding: "utf8" }).trim();
rmSync(out, { recursive: true, force: true });
const src = join(out, "src");
mkdirSync(src, { recursive: true });
execFileSync("tar", ["-x", "-C", src], { input: execFileSync("git", ["-C", args.mirror, "archive", rev, args.path], { maxBuffer: 1 << 30 }) });
const history = join(src, args.path);
const config = join(out, "migration-guard.yml");
writeFileSync(config, `dialect: ${dialect}\n`);

function check(cwd, extra) {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [cli, "check", ...extra, "--config", config, "--format", "json"], { cwd, encoding: "utf8", maxBuffer: 1 << 30 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.status !== 0 && r.status !== 1) throw new Error(`check exited ${r.status}: ${r.stderr}`);
  const report = JSON.parse(r.stdout);
  const findings = [...report.migrations.flatMap((m) => m.findings), ...report.otherFindings];
  return { seconds, report, findings };
}

function byRule(findings) {
  const counts = {};
  for (const f of findings) counts[f.ruleId] = (counts[f.ruleId] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort((a, b) => b[1] - a[1]));
}

function summary(name, run) {
  const layouts = [...new Set(run.report.migrations.map((m) => m.migration.layout))];
  const statements = run.report.migrations.reduce((n, m) => n + m.statements.up + m.statements.down, 0);
  console.log(`\n## ${name}`);
  console.log(`migrations analyzed: ${run.report.migrations.length} (layouts: ${layouts.join(", ")}), statements extracted (up + down): ${statements}, time: ${run.seconds.toFixed(2)} s`);
  console.log(`findings: ${run.findings.length}, per migration: ${(run.findings.length / Math.max(1, run.report.migrations.length)).toFixed(1)}`);
  console.log(JSON.stringify(byRule(run.findings)));
}

// 1. The whole history, no base.
const full = check(src, [args.path]);
summary(`${args.path} @ ${rev.slice(0, 12)}: whole history`, full);

// 2. A pull request adding the last N migrations (by TypeORM's order: the file's timestamp prefix).
const files = readdirSync(history).filter((n) => /^\d{10,}[-_].+\.[mc]?[jt]s$/.test(n)).sort((a, b) => Number(BigInt(/^\d+/.exec(a)[0]) - BigInt(/^\d+/.exec(b)[0])) || (a < b ? -1 : 1));
const baseDir = join(out, "base");
mkdirSync(baseDir, { recursive: true });
for (const n of files.slice(0, Math.max(0, files.length - windowSize))) cpSync(join(history, n), join(baseDir, n));
const pr = check(src, [args.path, "--base-dir", baseDir]);
summary(`pull request adding the last ${windowSize} migrations (--base-dir with the ${files.length - windowSize} before)`, pr);

// 3. The sample to judge: seeded, round-robin over rules (rare rules are seen), from the whole history.
let state = seed;
const random = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
const pools = new Map();
for (const f of full.findings) pools.set(f.ruleId, [...(pools.get(f.ruleId) ?? []), f]);
for (const pool of pools.values()) for (let i = pool.length - 1; i > 0; i--) {
  const j = Math.floor(random() * (i + 1));
  [pool[i], pool[j]] = [pool[j], pool[i]];
}
const sample = [];
for (let round = 0; sample.length < sampleSize && round < 1000; round++) {
  for (const pool of [...pools.values()].sort((a, b) => b.length - a.length)) if (pool[round] && sample.length < sampleSize) sample.push(pool[round]);
}
console.log(`\n## sample (${sample.length}, seed ${seed})`);
const lines = new Map();
for (const [i, f] of sample.entries()) {
  const text = lines.get(f.span.file) ?? execFileSync("cat", [join(src, f.span.file)], { encoding: "utf8" }).split("\n");
  lines.set(f.span.file, text);
  console.log(`${i + 1}. ${f.ruleId} ${f.span.file.slice(args.path.length + 1)}:${f.span.startLine}:${f.span.startColumn} — ${f.message.slice(0, 200)}`);
  console.log(`   | ${text[f.span.startLine - 1]?.trim().slice(0, 220)}`);
}

// 4. Edits of merged migrations in the repository's own history.
const edits = Number(args.edits ?? 0);
if (edits) {
  console.log(`\n## edits of merged migrations (last ${edits} commits that modified files in ${args.path})`);
  const commits = execFileSync("git", ["-C", args.mirror, "log", "--diff-filter=M", "--format=%H", `-n${edits}`, rev, "--", args.path], { encoding: "utf8" }).split("\n").filter(Boolean);
  for (const c of commits) {
    const dir = join(out, "edits", c.slice(0, 10));
    for (const [side, r] of [["head", c], ["base", `${c}^`]]) {
      mkdirSync(join(dir, side), { recursive: true });
      execFileSync("tar", ["-x", "-C", join(dir, side)], { input: execFileSync("git", ["-C", args.mirror, "archive", r, args.path], { maxBuffer: 1 << 30 }) });
    }
    const modified = execFileSync("git", ["-C", args.mirror, "diff", "--name-only", "--diff-filter=M", `${c}^`, c, "--", args.path], { encoding: "utf8" }).split("\n").filter(Boolean);
    const run = check(join(dir, "head"), [args.path, "--base-dir", join(dir, "base", args.path)]);
    const reported = new Set(run.findings.filter((f) => f.ruleId === "edited-merged-migration").map((f) => f.span.file));
    const subject = execFileSync("git", ["-C", args.mirror, "log", "-1", "--format=%ad %s", "--date=short", c], { encoding: "utf8" }).trim();
    console.log(`${c.slice(0, 10)} ${subject.slice(0, 70)}: ${modified.length} modified, ${reported.size} reported as edited`);
    for (const m of modified) console.log(`   ${reported.has(m) ? "edited  " : "not     "} ${m.slice(args.path.length + 1)}`);
  }
}
