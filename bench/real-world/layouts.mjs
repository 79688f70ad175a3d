#!/usr/bin/env node
// Layouts on real repositories (BENCHMARKS.md): for each corpus, the migrations folder at a pinned
// commit is extracted from its bare mirror; then `check <folder>` (the whole history, auto-detected
// layout, no configuration), a pull request of the last N migrations (pr-sim.sh) with
// `check --base main` and `test --base main` (PGlite), and a seeded sample of the whole-history
// findings, stratified by rule, to judge. Verdicts live in layout-verdicts.json.
//
//   node bench/real-world/layouts.mjs [--mirrors DIR] [--out DIR] [--only NAME,…] [--seed N] [--sample N] [--no-test 1]
//
// --mirrors  bare mirrors as the `fetch` tool lays them out: <DIR>/<owner>+<name>/repo (default /work/.mirror)
// --out      where the histories are extracted and the reports written (default /tmp/mg-layouts); never in this repository
// Writes <out>/<name>/{check.json,pr-check.json,pr-test.json,sample.json} and prints one summary line per corpus.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, "../..");
const cli = join(repoRoot, "bin/migration-guard.js");
const prSim = process.env.PR_SIM ?? "/work/shared/scripts/pr-sim.sh";

export const CORPORA = [
  // Atlas's own format, atlas.sum at HEAD (PostgreSQL, compose.yaml).
  { name: "atlas-primind", repo: "KasumiMercury/primind-central-backend", commit: "78194af1eba3d4ae97fd87f914166b5042876e1e", path: "migrations", layout: "atlas", last: 4 },
  // Atlas's own format, atlas.sum at HEAD, schema from Drizzle via atlas.hcl (PostgreSQL 16).
  { name: "atlas-juanie", repo: "997899594/Juanie", commit: "ee0738071770184c9c903bb9831ed5c60fc541f3", path: "migrations", layout: "atlas", last: 10 },
  // Atlas-managed, written in golang-migrate's format (`--dir-format golang-migrate`): atlas.sum over the up files.
  { name: "atlas-openmeter", repo: "openmeterio/openmeter", commit: "7e57a394a0283fb210a644685ad1d257f6d5c85c", path: "tools/migrate/migrations", layout: "golang-migrate", last: 10 },
  // morph (github.com/mattermost/morph v1.1.0 in go.mod), no `-- morph:nontransactional` file: auto-detection cannot
  // tell it from golang-migrate, so it is run twice, as detected and with `layout: morph`.
  { name: "morph-calls", repo: "mattermost/mattermost-plugin-calls", commit: "eb708b4c2ea2ccbd7d99ef6b1b067a4a0bdfdeb5", path: "server/db/migrations/postgres", layout: "golang-migrate", last: 3 },
  { name: "morph-calls-configured", repo: "mattermost/mattermost-plugin-calls", commit: "eb708b4c2ea2ccbd7d99ef6b1b067a4a0bdfdeb5", path: "server/db/migrations/postgres", layout: "morph", last: 3, config: "layout: morph\n" },
  // node-pg-migrate SQL migrations (`node-pg-migrate -m ./src/server/migrations -j sql up` in package.json): one file.
  { name: "node-pg-migrate-freshlytics", repo: "sheshbabu/freshlytics", commit: "75a167bafbc6af293ec02c107e1d704c30537e00", path: "src/server/migrations", layout: "node-pg-migrate", pr: false },
  // sqlx simple migrations (`sqlx::migrate!()` in crates/api-db/src/migrations/mod.rs), 323 files, none with
  // `-- no-transaction` at this commit: auto-detection guesses plain (with its note), so also run with `layout: sqlx`.
  { name: "sqlx-ncx-auto", repo: "NVIDIA/ncx-infra-controller-core", commit: "7f17b53fab071b450a8c7f6ce5aa355fbefba693", path: "crates/api-db/migrations", layout: "plain", pr: false },
  { name: "sqlx-ncx", repo: "NVIDIA/ncx-infra-controller-core", commit: "7f17b53fab071b450a8c7f6ce5aa355fbefba693", path: "crates/api-db/migrations", layout: "sqlx", last: 10, config: "layout: sqlx\n" },
  // Liquibase formatted SQL with splitStatements:false and changelog parameters (`${anSvcName}`), one folder per
  // database under platform-db/changesets (includeAll from the *-changelog.xml files): no PR window (pr: false).
  { name: "liquibase-citus", repo: "epam/edp-ddm-citus", commit: "f9aca5fa7d29b3726758a02fc240f6bb646d6c65", path: "platform-db/changesets", layout: "liquibase", pr: false },
];

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, "")] = process.argv[i + 1];
const out = resolve(args.out ?? "/tmp/mg-layouts");
if (out.startsWith(repoRoot + "/")) throw new Error("--out must be outside the repository");
const mirrors = resolve(args.mirrors ?? "/work/.mirror");
const only = args.only ? new Set(args.only.split(",")) : null;
const seed = Number(args.seed ?? 7);
const sampleSize = Number(args.sample ?? 15);
const verdictsFile = join(here, "layout-verdicts.json");
const verdicts = existsSync(verdictsFile) ? JSON.parse(readFileSync(verdictsFile, "utf8")) : {};

function cliJson(cwd, argv) {
  const t0 = Date.now();
  const run = spawnSync(process.execPath, [cli, ...argv], { cwd, encoding: "utf8", maxBuffer: 1 << 30 });
  let json;
  try {
    json = JSON.parse(run.stdout);
  } catch {
    throw new Error(`migration-guard ${argv.join(" ")} (exit ${run.status}): ${run.stderr.slice(0, 2000)}`);
  }
  return { json, status: run.status, seconds: (Date.now() - t0) / 1000 };
}

const findingsOf = (report) => [...report.migrations.flatMap((m) => m.findings), ...report.otherFindings];
const byRule = (findings) => Object.fromEntries(Object.entries(findings.reduce((c, f) => ((c[f.ruleId] = (c[f.ruleId] ?? 0) + 1), c), {})).sort((a, b) => b[1] - a[1]));

/** Seeded sample, stratified by rule: every rule gets its share, rare rules at least one. */
function sample(findings, size, seed) {
  let s = seed >>> 0;
  const rand = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const groups = new Map();
  for (const f of findings) groups.set(f.ruleId, [...(groups.get(f.ruleId) ?? []), f]);
  for (const list of groups.values()) for (let i = list.length - 1; i > 0; i--) { const j = Math.floor(rand() * (i + 1)); [list[i], list[j]] = [list[j], list[i]]; }
  const picked = [];
  const rules = [...groups.keys()].sort();
  for (let round = 0; picked.length < Math.min(size, findings.length); round++) {
    for (const r of rules) if (groups.get(r)[round] && picked.length < size) picked.push(groups.get(r)[round]);
  }
  return picked;
}

const keyOf = (corpus, f, root) => `${corpus.name}|${f.ruleId}|${f.span.file.slice(root.length + 1)}:${f.span.startLine}`;

for (const corpus of CORPORA.filter((c) => !only || only.has(c.name))) {
  const mirror = join(mirrors, corpus.repo.replace("/", "+"), "repo");
  const base = join(out, corpus.name);
  rmSync(base, { recursive: true, force: true });
  const src = join(base, "src");
  mkdirSync(src, { recursive: true });
  execFileSync("tar", ["-x", "-C", src], { input: execFileSync("git", ["-C", mirror, "archive", corpus.commit, corpus.path], { maxBuffer: 1 << 30 }) });
  const folder = join(src, corpus.path);
  const configArgs = (dir) => {
    if (!corpus.config) return [];
    writeFileSync(join(dir, "mg-bench.yml"), corpus.config);
    return ["--config", "mg-bench.yml"];
  };

  // 1. The whole history, as a newcomer runs it.
  const whole = cliJson(src, ["check", corpus.path, "--format", "json", ...configArgs(src)]);
  writeFileSync(join(base, "check.json"), JSON.stringify(whole.json, null, 1));
  const layouts = [...new Set(whole.json.migrations.map((m) => m.migration.layout))];
  const all = findingsOf(whole.json);

  // 2. A pull request of the last N migrations.
  if (corpus.pr === false) {
    const parseErrors = all.filter((f) => f.ruleId === "parse-error").length;
    const modes = whole.json.migrations.reduce((c, m) => ((c[`${m.migration.transaction}/${m.migration.delivery}`] = (c[`${m.migration.transaction}/${m.migration.delivery}`] ?? 0) + 1), c), {});
    console.log(`## ${corpus.name}: ${corpus.repo} @ ${corpus.commit.slice(0, 7)} (${corpus.path})`);
    console.log(`check: layout ${layouts.join(",")} (expected ${corpus.layout}), ${whole.json.summary.migrations} migrations ${JSON.stringify(modes)}, exit ${whole.status}, ${whole.seconds.toFixed(1)} s, ${all.length} findings, ${parseErrors} parse errors ${JSON.stringify(byRule(all))}`);
    const picked = sample(all, sampleSize, seed).map((f) => ({ key: keyOf(corpus, f, corpus.path), severity: f.severity, message: f.message, verdict: verdicts[keyOf(corpus, f, corpus.path)]?.verdict }));
    writeFileSync(join(base, "sample.json"), JSON.stringify(picked, null, 1));
    const judged = picked.filter((p) => p.verdict);
    console.log(`sample: ${picked.length}, judged ${judged.length}: ${JSON.stringify(judged.reduce((c, p) => ((c[p.verdict] = (c[p.verdict] ?? 0) + 1), c), {}))}`);
    continue;
  }
  // pr-sim's own count of migrations (versions), from its refusal of an impossible window.
  const probe = spawnSync(prSim, [folder, join(base, "probe"), "1000000", "0"], { encoding: "utf8" });
  const total = Number(/only (\d+) migrations/.exec(probe.stderr)?.[1]);
  const pr = join(base, "pr");
  const last = Math.min(corpus.last, total - 1);
  execFileSync(prSim, [folder, pr, String(total - last), String(last), "migrations"], { encoding: "utf8" });
  const prCheck = cliJson(pr, ["check", "migrations", "--base", "main", "--format", "json", ...configArgs(pr)]);
  writeFileSync(join(base, "pr-check.json"), JSON.stringify(prCheck.json, null, 1));
  let testLine = "test skipped";
  if (!args["no-test"]) {
    const prTest = cliJson(pr, ["test", "migrations", "--base", "main", "--format", "json", ...configArgs(pr)]);
    writeFileSync(join(base, "pr-test.json"), JSON.stringify(prTest.json, null, 1));
    const runs = prTest.json.migrations ?? [];
    const failed = runs.filter((m) => m.forward && !m.forward.ok).map((m) => `${m.id ?? m.file ?? "?"}: ${m.forward.error?.message ?? ""}`);
    const warned = (prTest.json.verdict?.warnings ?? []).filter((w) => w.startsWith("fails only with generated data")).length;
    testLine = `test --base main: exit ${prTest.status}, ${runs.length} migrations, passed=${prTest.json.verdict?.passed}, forward failures ${failed.length}${failed.length ? ` (${failed.join("; ").slice(0, 400)})` : ""}, generated-data warnings ${warned}, problems ${(prTest.json.problems ?? []).length}, ${prTest.seconds.toFixed(1)} s`;
  }

  // 3. atlas.sum on the real folder: edit a merged file without re-hashing (append a comment to the
  // third-newest hashed file) and check again without a base: one edited-merged-migration, nothing else new.
  let tamperLine = "";
  if (existsSync(join(folder, "atlas.sum"))) {
    const listed = readFileSync(join(folder, "atlas.sum"), "utf8").trim().split("\n").slice(1).map((l) => l.split(" h1:")[0]);
    const victim = listed.at(-3);
    writeFileSync(join(folder, victim), readFileSync(join(folder, victim), "utf8") + "-- edited after hashing\n");
    const tampered = cliJson(src, ["check", corpus.path, "--format", "json", ...configArgs(src)]);
    const edited = findingsOf(tampered.json).filter((f) => f.ruleId === "edited-merged-migration");
    const extra = findingsOf(tampered.json).length - all.length;
    tamperLine = `atlas.sum: ${listed.length} entries, validated ${findingsOf(whole.json).some((f) => /atlas\.sum/.test(f.message)) ? "with problems" : "clean"}; after editing ${victim}: ${edited.length} edited-merged-migration (${edited.map((f) => f.span.file.split("/").pop()).join(", ")}), ${extra} findings more in all`;
    execFileSync("tar", ["-x", "-C", src], { input: execFileSync("git", ["-C", mirror, "archive", corpus.commit, join(corpus.path, victim)]) });
  }

  // 4. The sample to judge.
  const picked = sample(all, sampleSize, seed).map((f) => ({ key: keyOf(corpus, f, corpus.path), severity: f.severity, message: f.message, verdict: verdicts[keyOf(corpus, f, corpus.path)]?.verdict }));
  writeFileSync(join(base, "sample.json"), JSON.stringify(picked, null, 1));
  const judged = picked.filter((p) => p.verdict);
  const tally = judged.reduce((c, p) => ((c[p.verdict] = (c[p.verdict] ?? 0) + 1), c), {});

  console.log(`## ${corpus.name}: ${corpus.repo} @ ${corpus.commit.slice(0, 7)} (${corpus.path})`);
  console.log(`check: layout ${layouts.join(",")} (expected ${corpus.layout}), ${whole.json.summary.migrations} migrations, exit ${whole.status}, ${whole.seconds.toFixed(1)} s, ${all.length} findings ${JSON.stringify(byRule(all))}`);
  console.log(`pr (last ${last} of ${total}): check --base main exit ${prCheck.status}, ${findingsOf(prCheck.json).length} findings ${JSON.stringify(byRule(findingsOf(prCheck.json)))}`);
  console.log(testLine);
  if (tamperLine) console.log(tamperLine);
  console.log(`sample: ${picked.length}, judged ${judged.length}: ${JSON.stringify(tally)}`);
}
