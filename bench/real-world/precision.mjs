#!/usr/bin/env node
// Precision on real migration histories: migration-guard `check --base main` and squawk on simulated
// pull requests cut from public repositories, a seeded sample stratified by rule for judging, and the
// false share weighted by rule counts once the sample has verdicts.
//
//   node bench/real-world/precision.mjs [--mirrors DIR] [--out DIR] [--only NAME,…] [--seed N]
//                                       [--squawk PATH] [--verdicts FILE] [--sample-size N] [--cli PATH]
//                                       [--summary-only 1]
//
// --mirrors   folder holding the bare mirrors as the `fetch` tool lays them out: <DIR>/<owner>+<name>/repo
//             (default /work/.mirror); each corpus may also name its own with "mirror" in corpus.json
// --out       where everything is written (default /tmp/mg-real-world); never inside this repository
// --squawk    squawk binary (default: squawk-cli from npm, installed into <out>/squawk on first use)
// --cli       the migration-guard launcher to measure (default: this checkout's bin/migration-guard.js),
//             e.g. a worktree of an older commit for before/after numbers
// --verdicts  judged sample (default bench/real-world/verdicts.json): {"<key>": {"verdict": "true|defensible|false", "why": "…"}}
//
// Writes <out>/findings.json (every finding of both tools per window, plus the whole-history runs),
// <out>/findings.csv, <out>/sample.json (the sample to judge, with keys), <out>/summary.md (the tables for
// BENCHMARKS.md). The public histories are only extracted under <out>; nothing of them is committed.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, "../..");
const cliArg = process.argv.indexOf("--cli");
const cli = cliArg > 0 ? resolve(process.argv[cliArg + 1]) : join(repoRoot, "bin/migration-guard.js");
const prSim = process.env.PR_SIM ?? "/work/shared/scripts/pr-sim.sh";
const SQUAWK_VERSION = "2.66.0";

const args = parseArgs(process.argv.slice(2));
const out = resolve(args.out ?? "/tmp/mg-real-world");
if (out.startsWith(repoRoot + "/")) throw new Error("--out must be outside the repository");
const mirrors = resolve(args.mirrors ?? "/work/.mirror");
const seed = Number(args.seed ?? 10);
const sampleSize = Number(args["sample-size"] ?? 25);
const verdictsFile = resolve(args.verdicts ?? join(here, "verdicts.json"));
const verdicts = existsSync(verdictsFile) ? JSON.parse(readFileSync(verdictsFile, "utf8")) : {};
const spec = JSON.parse(readFileSync(join(here, "corpus.json"), "utf8"));
const only = args.only ? new Set(args.only.split(",")) : null;
const corpora = spec.corpora.filter((c) => !only || only.has(c.name));

function runCorpus(corpus) {
  const mirror = corpus.mirror ?? join(mirrors, corpus.repo.replace("/", "+"), "repo");
  const base = join(out, corpus.name);
  rmSync(base, { recursive: true, force: true });
  const src = join(base, "src");
  mkdirSync(src, { recursive: true });
  // Only the migrations folder, at the pinned commit.
  const tar = execFileSync("git", ["-C", mirror, "archive", corpus.commit, corpus.path], { maxBuffer: 1 << 30 });
  execFileSync("tar", ["-x", "-C", src], { input: tar });
  const history = join(src, corpus.path);
  const order = versions(history);
  const total = order.length;
  console.error(`${corpus.name}: ${total} migrations at ${corpus.repo}@${corpus.commit.slice(0, 12)}`);

  const windows = pickWindows(corpus, history, order);
  const ours = [];
  const theirs = [];
  const runs = [];
  for (const [k, n] of windows) {
    const dest = join(base, `pr-${k}-${n}`);
    execFileSync("bash", [prSim, history, dest, String(k), String(n), corpus.subdir], { stdio: ["ignore", "ignore", "inherit"] });
    mkdirSync(join(dest, ".github"), { recursive: true });
    writeFileSync(join(dest, ".github/migration-guard.yml"), corpus.config);
    const window = `${k + 1}..${k + n}`;
    const mg = runOurs(dest, ["check", "--base", "main", "--format", "json"]);
    const changed = execFileSync("git", ["-C", dest, "diff", "--name-only", "main", "pr"], { encoding: "utf8" })
      .split("\n").filter((f) => f.endsWith(".sql") && !isRollback(f));
    const sq = runSquawk(dest, changed, corpus);
    for (const f of mg.findings) ours.push({ ...f, window });
    for (const f of sq.findings) theirs.push({ ...f, window });
    runs.push({ window, migrations: n, exit: mg.exit, error: mg.error, ours: mg.findings.length, squawk: sq.findings.length, squawkExit: sq.exit, squawkError: sq.error, forwardFiles: changed.length });
  }

  // The whole history, no --base: no crash, and every parse error listed for checking by hand.
  const full = join(base, "full");
  mkdirSync(join(full, ".github"), { recursive: true });
  mkdirSync(join(full, dirname(corpus.subdir)), { recursive: true });
  execFileSync("cp", ["-r", history, join(full, corpus.subdir)]);
  writeFileSync(join(full, ".github/migration-guard.yml"), corpus.config);
  const whole = runOurs(full, ["check", corpus.subdir, "--format", "json"]);
  const byRule = countBy(whole.findings, (f) => f.rule);
  const parseErrors = whole.findings.filter((f) => ["parse-error", "internal-error", "unreadable-file"].includes(f.rule));

  const toolCommit = execFileSync("git", ["-C", dirname(dirname(cli)), "rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
  return {
    tool: toolCommit, name: corpus.name, repo: corpus.repo, commit: corpus.commit, path: corpus.path, layout: corpus.layout, migrations: total,
    runs, ours: dedupe(ours), squawk: dedupe(theirs),
    whole: { exit: whole.exit, error: whole.error, findings: whole.findings.length, byRule, parseErrors, analyzed: whole.analyzed },
  };
}

// The migration versions in the order pr-sim.sh groups them (same rule: leading version prefix, `sort -V`).
function versions(dir) {
  const names = execFileSync("sort", ["-V"], { input: readdirSync(dir).join("\n") + "\n", encoding: "utf8" }).split("\n").filter(Boolean);
  const groups = new Map();
  for (const name of names) {
    if (!/^[0-9VvUuRr]/.test(name) || !/[0-9]/.test(name)) continue;
    const m = /^([0-9][0-9._-]*[0-9])/.exec(name);
    const v = m && m[1] !== name ? m[1] : name.split(".")[0];
    if (!groups.has(v)) groups.set(v, []);
    groups.get(v).push(name);
  }
  return [...groups.entries()].map(([version, entries]) => ({ version, entries }));
}

// The last 10 migrations, plus 5 around each of the two largest ones (the history's big refactors),
// windows not overlapping each other nor the first tenth of the history.
function pickWindows(corpus, dir, order) {
  const total = order.length;
  const last = Math.min(10, Math.max(1, Math.floor(total / 4)));
  const windows = [[total - last, last]];
  const size = (p) => (statSync(p).isDirectory() ? readdirSync(p).reduce((s, e) => s + size(join(p, e)), 0) : isRollback(p) ? 0 : statSync(p).size);
  const bySize = order.map((g, i) => ({ i, bytes: g.entries.reduce((s, e) => s + size(join(dir, e)), 0) }))
    .filter((g) => g.i >= Math.max(1, Math.floor(total / 10)) && g.i < total - last - 3)
    .sort((a, b) => b.bytes - a.bytes || a.i - b.i);
  for (const g of bySize) {
    if (windows.length >= 3) break;
    const k = Math.max(1, g.i - 2);
    const n = Math.min(5, total - k);
    if (windows.some(([wk, wn]) => k < wk + wn && wk < k + n)) continue;
    windows.push([k, n]);
  }
  for (const w of corpus.windows ?? []) windows.push(w);
  return windows;
}

function isRollback(path) {
  return /(^|\/)down\.sql$|\.down\.sql$|(^|\/)U[0-9][^/]*__[^/]*\.sql$/.test(path);
}

function runOurs(cwd, argv) {
  const r = spawnSync(process.execPath, [cli, ...argv], { cwd, encoding: "utf8", maxBuffer: 1 << 30 });
  let report;
  try {
    report = JSON.parse(r.stdout);
  } catch {
    return { exit: r.status, error: (r.stderr || r.stdout).trim().split("\n").slice(0, 3).join(" | "), findings: [], analyzed: 0 };
  }
  const findings = [];
  for (const m of report.migrations) for (const f of m.findings) findings.push(ourFinding(f, m.migration.id));
  for (const f of report.otherFindings ?? []) findings.push(ourFinding(f, f.migrationId ?? ""));
  return { exit: r.status, error: r.status > 1 ? r.stderr.trim().slice(0, 300) : undefined, findings, analyzed: report.migrations.length };
}

function ourFinding(f, migration) {
  return {
    tool: "migration-guard", rule: f.ruleId, severity: f.severity, migration,
    file: f.span?.file ?? migration, line: f.span?.startLine ?? 0, message: f.message.replace(/\s+/g, " "),
  };
}

function runSquawk(cwd, files, corpus) {
  if (files.length === 0) return { exit: 0, findings: [] };
  const argv = ["--reporter", "json", `--pg-version=${corpus.squawkPgVersion ?? "15.0"}`, ...(corpus.squawkAssumeInTransaction ? ["--assume-in-transaction"] : []), ...files];
  const r = spawnSync(squawk, argv, { cwd, encoding: "utf8", maxBuffer: 1 << 30 });
  let violations;
  try {
    violations = JSON.parse(r.stdout);
  } catch {
    return { exit: r.status, error: (r.stderr || r.stdout).trim().split("\n")[0], findings: [] };
  }
  return {
    exit: r.status,
    findings: violations.map((v) => ({
      tool: "squawk", rule: v.rule_name, severity: v.level.toLowerCase(), migration: v.file,
      file: v.file, line: v.line + 1, message: String(v.message).replace(/\s+/g, " "),
    })),
  };
}

function dedupe(findings) {
  const seen = new Map();
  for (const f of findings) {
    const key = `${f.tool}|${f.file}|${f.line}|${f.rule}|${f.message}`;
    if (!seen.has(key)) seen.set(key, { key, ...f });
  }
  return [...seen.values()];
}

function countBy(items, keyOf) {
  const counts = {};
  for (const i of items) counts[keyOf(i)] = (counts[keyOf(i)] ?? 0) + 1;
  return counts;
}

// Seeded, stratified by rule: every rule gets one pick first (rarest first), the rest is drawn
// in proportion to the rules' counts.
function sample(findings, salt) {
  const rand = mulberry32(hash(`${seed}:${salt}`));
  const byRule = new Map();
  for (const f of findings) {
    if (!byRule.has(f.rule)) byRule.set(f.rule, []);
    byRule.get(f.rule).push(f);
  }
  for (const list of byRule.values()) shuffle(list, rand);
  const target = Math.min(sampleSize, findings.length);
  const picks = new Map([...byRule.keys()].map((r) => [r, 0]));
  let left = target;
  for (const rule of [...byRule.keys()].sort((a, b) => byRule.get(a).length - byRule.get(b).length || a.localeCompare(b))) {
    if (left === 0) break;
    picks.set(rule, 1);
    left--;
  }
  while (left > 0) {
    // Largest remainder: the rule whose sampled share lags its count most.
    let best = null;
    let bestGap = -Infinity;
    for (const [rule, list] of byRule) {
      if (picks.get(rule) >= list.length) continue;
      const gap = (list.length / findings.length) * target - picks.get(rule);
      if (gap > bestGap) { bestGap = gap; best = rule; }
    }
    if (best === null) break;
    picks.set(best, picks.get(best) + 1);
    left--;
  }
  const chosen = [];
  for (const [rule, n] of picks) chosen.push(...byRule.get(rule).slice(0, n));
  return chosen.map((f) => ({ ...f, verdict: verdicts[f.key]?.verdict ?? null, why: verdicts[f.key]?.why ?? null }));
}

function mulberry32(a) {
  return () => {
    a |= 0; a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function hash(s) {
  let h = 2166136261;
  for (const c of s) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return h >>> 0;
}
function shuffle(list, rand) {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [list[i], list[j]] = [list[j], list[i]];
  }
}

function writeCsv(results) {
  const esc = (v) => `"${String(v ?? "").replace(/"/g, '""')}"`;
  const rows = [["corpus", "tool", "window", "rule", "severity", "file", "line", "message"].join(",")];
  for (const r of results) for (const f of [...r.ours, ...r.squawk]) rows.push([r.name, f.tool, f.window, f.rule, f.severity, f.file, f.line, f.message].map(esc).join(","));
  writeFileSync(join(out, "findings.csv"), rows.join("\n") + "\n");
}

// The false share of all findings, estimated from the sample: each rule's sampled false share
// weighted by that rule's count. Unjudged picks are left out (and counted).
function weighted(findings, picks) {
  const counts = countBy(findings, (f) => f.rule);
  let falseEst = 0;
  let covered = 0;
  const perRule = {};
  for (const p of picks) {
    perRule[p.rule] ??= { n: 0, true: 0, defensible: 0, false: 0, unjudged: 0, count: counts[p.rule] };
    perRule[p.rule].n++;
    perRule[p.rule][p.verdict ?? "unjudged"]++;
  }
  for (const [rule, v] of Object.entries(perRule)) {
    const judged = v.n - v.unjudged;
    if (judged === 0) continue;
    covered += counts[rule];
    falseEst += (v.false / judged) * counts[rule];
  }
  const judged = picks.filter((p) => p.verdict);
  return {
    perRule, weightedFalse: covered ? falseEst / covered : null, judged: judged.length,
    rawFalse: judged.filter((p) => p.verdict === "false").length,
    rawTrue: judged.filter((p) => p.verdict === "true").length,
    rawDefensible: judged.filter((p) => p.verdict === "defensible").length,
    falseErrors: judged.filter((p) => p.verdict === "false" && p.severity === "error").length,
  };
}

// squawk rule -> the migration-guard rules that report the same risk.
const SAME_RISK = {
  "require-lock-timeout": ["require-lock-timeout"],
  "require-statement-timeout": ["require-statement-timeout"],
  "require-concurrent-index-creation": ["require-concurrent-index"],
  "require-concurrent-index-deletion": ["require-concurrent-index-drop"],
  "require-concurrent-reindex": ["require-concurrent-reindex"],
  "changing-column-type": ["alter-column-type", "table-rewrite-command"],
  "adding-foreign-key-constraint": ["foreign-key-not-valid"],
  "constraint-missing-not-valid": ["check-constraint-not-valid", "foreign-key-not-valid", "add-unique-constraint", "add-primary-key", "add-exclusion-constraint"],
  "adding-not-nullable-field": ["add-required-column", "set-not-null"],
  "adding-serial-primary-key-field": ["add-primary-key", "add-column-serial-or-generated"],
  "adding-field-with-default": ["add-column-volatile-default"],
  "disallowed-unique-constraint": ["add-unique-constraint"],
  "ban-drop-column": ["drop-column"],
  "ban-drop-table": ["drop-table"],
  "ban-drop-not-null": ["drop-not-null"],
  "ban-drop-database": ["drop-database-or-schema"],
  "renaming-column": ["rename-column"],
  "renaming-table": ["rename-table"],
  "ban-concurrent-index-creation-in-transaction": ["concurrently-in-transaction"],
  "transaction-nesting": ["nested-transaction"],
  "prefer-bigint-over-int": ["prefer-bigint-over-int"],
  "prefer-bigint-over-smallint": ["prefer-bigint-over-int"],
  "prefer-identity": ["prefer-identity"],
  "prefer-text-field": ["prefer-text-over-varchar"],
  "prefer-timestamp-tz": ["prefer-timestamptz"],
  "ban-char-field": ["ban-char-field"],
};

/** squawk's sampled true risks, each with the finding of ours that reports it (same file, same statement), or none. */
function coverage(result, picks) {
  return picks.filter((p) => p.verdict === "true").map((p) => {
    const rules = SAME_RISK[p.rule] ?? [p.rule];
    const ours = result.ours
      .filter((f) => f.window === p.window && f.file === p.file && rules.includes(f.rule) && f.line >= p.line - 15 && f.line <= p.line + 40)
      .sort((a, b) => a.line - b.line)[0];
    return { squawk: p, ours };
  });
}

function summarize(results, samples) {
  const pct = (x) => (x === null ? "n/a" : `${(100 * x).toFixed(1)} %`);
  const lines = [];
  lines.push(`seed ${seed}, sample ${sampleSize} per corpus and tool, squawk-cli ${SQUAWK_VERSION}, migration-guard ${results.map((r) => `${r.name}: ${r.tool}`).join(", ")}`, "");
  lines.push("| corpus | repository @ commit | layout | migrations | PR windows (migrations) | in PRs | ours | per migration | squawk | per migration | whole history: exit, findings, parse errors |");
  lines.push("|---|---|---|---|---|---|---|---|---|---|---|");
  for (const r of results) {
    const n = r.runs.reduce((s, w) => s + w.migrations, 0);
    lines.push(`| ${r.name} | ${r.repo} @ ${r.commit.slice(0, 12)} | ${r.layout} | ${r.migrations} | ${r.runs.map((w) => w.window + (w.error ? " (error)" : "")).join(", ")} | ${n} | ${r.ours.length} | ${(r.ours.length / n).toFixed(2)} | ${r.squawk.length}${r.runs.some((w) => w.squawkError) ? " (parse errors: " + r.runs.filter((w) => w.squawkError).length + " windows)" : ""} | ${(r.squawk.length / n).toFixed(2)} | ${r.whole.exit}, ${r.whole.findings}, ${r.whole.parseErrors.length} |`);
  }
  lines.push("");
  for (const tool of ["ours", "squawk"]) {
    lines.push(`### ${tool === "ours" ? "migration-guard" : "squawk"}: judged sample per rule`, "");
    lines.push("| corpus | rule | findings | sampled | true | defensible | false | unjudged |");
    lines.push("|---|---|---|---|---|---|---|---|");
    const totals = [];
    let pooledFalse = 0;
    let pooledCount = 0;
    let pooledJudged = 0;
    let pooledRaw = 0;
    for (const s of samples) {
      const r = results.find((x) => x.name === s.corpus);
      const w = weighted(r[tool], s[tool]);
      if (w.weightedFalse !== null) {
        pooledFalse += w.weightedFalse * r[tool].length;
        pooledCount += r[tool].length;
        pooledJudged += w.judged;
        pooledRaw += w.rawFalse;
      }
      for (const [rule, v] of Object.entries(w.perRule).sort()) lines.push(`| ${s.corpus} | ${rule} | ${v.count} | ${v.n} | ${v.true} | ${v.defensible} | ${v.false} | ${v.unjudged} |`);
      totals.push(`${s.corpus}: judged ${w.judged}: true ${w.rawTrue}, defensible ${w.rawDefensible}, false ${w.rawFalse} (at error level ${w.falseErrors}), weighted false share ${pct(w.weightedFalse)}`);
    }
    if (pooledCount) totals.push(`all judged corpora: ${pooledRaw} false of ${pooledJudged} judged, weighted false share ${pct(pooledFalse / pooledCount)} of ${pooledCount} findings`);
    lines.push("", ...totals.map((t) => `- ${t}`), "");
  }
  for (const tool of ["ours", "squawk"]) {
    // The same verdicts pooled by rule over the corpora: the rules that matter for the false share.
    const byRule = {};
    for (const s of samples) {
      const r = results.find((x) => x.name === s.corpus);
      for (const f of r[tool]) (byRule[f.rule] ??= { count: 0, n: 0, true: 0, defensible: 0, false: 0, falseEst: 0 }).count++;
      const w = weighted(r[tool], s[tool]).perRule;
      for (const [rule, v] of Object.entries(w)) {
        const b = byRule[rule];
        b.n += v.n - v.unjudged; b.true += v.true; b.defensible += v.defensible; b.false += v.false;
        if (v.n - v.unjudged) b.falseEst += (v.false / (v.n - v.unjudged)) * v.count;
      }
    }
    lines.push(`### ${tool === "ours" ? "migration-guard" : "squawk"}: per rule over all corpora (judged picks; estimated false findings = each corpus's sampled false share × its count)`, "");
    lines.push("| rule | findings | judged | true | defensible | false | estimated false findings |", "|---|---|---|---|---|---|---|");
    for (const [rule, b] of Object.entries(byRule).filter(([, b]) => b.n > 0).sort((a, b) => b[1].falseEst - a[1].falseEst || b[1].count - a[1].count)) {
      lines.push(`| ${rule} | ${b.count} | ${b.n} | ${b.true} | ${b.defensible} | ${b.false} | ${b.falseEst.toFixed(0)} |`);
    }
    lines.push("");
  }
  lines.push("### squawk's judged true risks and ours", "");
  for (const s of samples) {
    const r = results.find((x) => x.name === s.corpus);
    const c = coverage(r, s.squawk);
    const missed = c.filter((x) => !x.ours);
    lines.push(`- ${s.corpus}: ${c.length - missed.length} of ${c.length} also flagged by migration-guard${missed.length ? `; not flagged: ${missed.map((m) => `${m.squawk.rule} at ${m.squawk.file}:${m.squawk.line}`).join(", ")}` : ""}`);
  }
  lines.push("");
  return lines.join("\n");
}

function installSquawk() {
  const dir = join(out, "squawk");
  const bin = join(dir, "node_modules/.bin/squawk");
  if (!existsSync(bin)) {
    mkdirSync(dir, { recursive: true });
    execFileSync("npm", ["i", "--no-audit", "--no-fund", "--prefix", dir, `squawk-cli@${SQUAWK_VERSION}`], { stdio: "inherit" });
  }
  return bin;
}

function parseArgs(argv) {
  const o = {};
  for (let i = 0; i < argv.length; i++) {
    if (!argv[i].startsWith("--")) throw new Error(`unexpected argument ${argv[i]}`);
    o[argv[i].slice(2)] = argv[i + 1];
    i++;
  }
  return o;
}

mkdirSync(out, { recursive: true });
const squawk = args["summary-only"] ? "" : (args.squawk ?? installSquawk());
// Each corpus's result is kept in <out>/<name>/result.json, so `--only` re-runs one corpus and the
// summary still covers every corpus measured into <out>.
// `--summary-only 1`: re-draw the sample and the tables from the results already in <out> (after judging).
if (!args["summary-only"]) for (const corpus of corpora) writeFileSync(join(out, corpus.name, "result.json"), JSON.stringify(runCorpus(corpus)));
const results = spec.corpora.map((c) => join(out, c.name, "result.json")).filter(existsSync).map((f) => JSON.parse(readFileSync(f, "utf8")));
writeFileSync(join(out, "findings.json"), JSON.stringify(results, null, 1));
writeCsv(results);
const samples = results.map((r) => ({ corpus: r.name, ours: sample(r.ours, `${r.name}:ours`), squawk: sample(r.squawk, `${r.name}:squawk`) }));
writeFileSync(join(out, "sample.json"), JSON.stringify(samples, null, 1));
writeFileSync(join(out, "summary.md"), summarize(results, samples));
console.log(readFileSync(join(out, "summary.md"), "utf8"));
