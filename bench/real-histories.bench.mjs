#!/usr/bin/env node
// `migration-guard test` on real public histories as pull requests, with default settings, side by
// side with applying the same files bare (`psql -1 -f` / `mysql <` per file). Needs bare mirrors of
// the repositories (REAL_HISTORIES_MIRRORS, default /work/.mirror/<owner>+<name>/repo, e.g. from
// `git clone --mirror`); corpora whose mirror is missing are skipped. Their SQL is extracted to a
// temporary folder and never kept. Prints one Markdown table; per-run JSON reports stay in the
// work folder (REAL_HISTORIES_WORK, default /tmp/mg-real-histories) for judging each failure.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, "..", "bin", "migration-guard.js");
const prSim = process.env.PR_SIM ?? "/work/shared/scripts/pr-sim.sh";
const mirrors = process.env.REAL_HISTORIES_MIRRORS ?? "/work/.mirror";
const work = process.env.REAL_HISTORIES_WORK ?? "/tmp/mg-real-histories";
const PG = process.env.REAL_HISTORIES_PG ?? "postgres://postgres@127.0.0.1:5432/postgres";
const MY = process.env.REAL_HISTORIES_MYSQL ?? "mysql://root@127.0.0.1:3306/test";
const only = process.argv[2] ?? "";
/** Rounds of bare, then each engine, alternated (medians are reported); engines to run (labels below). */
const ROUNDS = Number(process.env.REAL_HISTORIES_RUNS ?? 1);
const ENGINES = process.env.REAL_HISTORIES_ENGINES?.split(",");

/** repo, folder of migrations in it, files that are migrations, base size K and change size N (versions). */
const CORPORA = [
  { name: "gitness", repo: "harness/gitness", path: "app/store/database/migrate/postgres", up: /\.up\.sql$/, k: 71, n: 10, dialect: "postgres" },
  { name: "harbor", repo: "goharbor/harbor", path: "make/migrations/postgresql", up: /\.up\.sql$/, k: 29, n: 10, dialect: "postgres" },
  { name: "lemmy", repo: "LemmyNet/lemmy", path: "migrations", up: /\/up\.sql$/, k: 150, n: 10, dialect: "postgres", diesel: true },
  { name: "flipt-mysql", repo: "flipt-io/flipt", ref: "v1.61.1", path: "config/migrations/mysql", up: /\.up\.sql$/, k: 10, n: 6, dialect: "mysql" },
  { name: "flipt-postgres", repo: "flipt-io/flipt", ref: "v1.61.1", path: "config/migrations/postgres", up: /\.up\.sql$/, k: 10, n: 6, dialect: "postgres" },
];

function sh(cmd, args, opts = {}) {
  return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], ...opts });
}

function timed(cmd, args, opts = {}) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 1 << 28, ...opts });
  return { ms: performance.now() - t0, status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The PR branch's migration files in the order the tool applies them (version order, then name). */
function upFiles(dir, corpus) {
  const out = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (corpus.up.test(p) && !/\.down\.sql$/.test(p) && !/\/down\.sql$/.test(p)) out.push(p);
    }
  };
  walk(dir);
  return out.sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
}

function bare(files, corpus, db) {
  let ms = 0;
  let failed;
  if (corpus.dialect === "postgres") {
    sh("psql", ["-X", "-q", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-c", `DROP DATABASE IF EXISTS ${db}`, "-c", `CREATE DATABASE ${db}`]);
    // golang-migrate creates its own table first; some histories alter it.
    sh("psql", ["-X", "-q", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-c", "CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)"]);
    for (const f of files) {
      const concurrently = /\bconcurrently\b/i.test(readFileSync(f, "utf8"));
      const r = timed("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", ...(concurrently ? [] : ["-1"]), "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-f", f]);
      ms += r.ms;
      if (r.status !== 0) failed ??= `${f.slice(f.indexOf("/pr/") + 4)}: ${r.stderr.trim().split("\n")[0]}`;
    }
    sh("psql", ["-X", "-q", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-c", `DROP DATABASE IF EXISTS ${db}`]);
  } else {
    sh("mysql", ["-h", "127.0.0.1", "-u", "root", "-e", `DROP DATABASE IF EXISTS ${db}; CREATE DATABASE ${db}; CREATE TABLE ${db}.schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)`]);
    for (const f of files) {
      const r = timed("sh", ["-c", `mysql -h 127.0.0.1 -u root ${db} < "$1"`, "sh", f]);
      ms += r.ms;
      if (r.status !== 0) failed ??= `${f}: ${r.stderr.trim().split("\n")[0]}`;
    }
    sh("mysql", ["-h", "127.0.0.1", "-u", "root", "-e", `DROP DATABASE IF EXISTS ${db}`]);
  }
  return { ms, failed };
}

function runTest(dest, label, args) {
  const out = join(dest, "..", `report-${label}.json`);
  const r = timed(process.execPath, [cli, "test", "--base", "main", "--format", "json", "--output", out, ...args], { cwd: dest });
  let report;
  try {
    report = JSON.parse(readFileSync(out, "utf8"));
  } catch {
    return { ms: r.ms, error: (r.stderr || r.stdout).trim().split("\n").slice(-3).join(" ") };
  }
  const forward = report.steps.find((s) => s.name === "forward");
  return {
    ms: r.ms,
    passed: report.verdict.passed,
    failures: report.verdict.failures,
    warnings: report.verdict.warnings.filter((w) => w.startsWith("fails only with generated data")),
    migrations: report.migrations.length,
    forward: forward?.status,
    seeded: report.environment.seeded.reduce((n, s) => n + s.rows, 0),
  };
}

const rows = [];
for (const corpus of CORPORA.filter((c) => c.name.includes(only))) {
  const mirror = join(mirrors, corpus.repo.replace("/", "+"), "repo");
  if (!existsSync(mirror)) {
    console.error(`skip ${corpus.name}: no mirror at ${mirror}`);
    continue;
  }
  const ref = corpus.ref ?? "HEAD";
  const commit = sh("git", ["-C", mirror, "rev-parse", `${ref}^{commit}`]).trim();
  const dir = join(work, corpus.name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, "src"), { recursive: true });
  execFileSync("sh", ["-c", `git -C "$1" archive "$4" "$2" | tar -x -C "$3"`, "sh", mirror, corpus.path, join(dir, "src"), ref]);
  const dest = join(dir, "pr");
  const sub = corpus.path.split("/").pop();
  sh("bash", [prSim, join(dir, "src", corpus.path), dest, String(corpus.k), String(corpus.n), corpus.diesel ? "migrations" : sub]);
  if (corpus.dialect === "mysql") {
    mkdirSync(join(dest, ".github"), { recursive: true });
    writeFileSync(join(dest, ".github", "migration-guard.yml"), 'dialect: mysql\nmysql_version: "8.0"\n');
  }
  const files = upFiles(dest, corpus).filter((f) => !f.includes("/.git/"));
  const url = corpus.dialect === "postgres" ? PG : MY;
  const runs = (corpus.dialect === "postgres" ? [["pglite", []], ["pg15", ["--database-url", url]], ["pg15-no-seed", ["--database-url", url, "--seed-rows", "0"]]] : [["mariadb", ["--database-url", url]], ["mariadb-no-seed", ["--database-url", url, "--seed-rows", "0"]]]).filter(
    ([label]) => !ENGINES || ENGINES.includes(label),
  );
  const bares = [];
  const results = new Map(runs.map(([label]) => [label, []]));
  for (let round = 0; round < ROUNDS; round++) {
    bares.push(bare(files, corpus, `mg_bare_${corpus.name.replace(/\W/g, "_")}`));
    for (const [label, args] of runs) {
      const r = runTest(dest, label, args);
      results.get(label).push(r);
      console.error(`${corpus.name} ${label} round ${round + 1}: bare ${Math.round(bares.at(-1).ms)} ms, ${JSON.stringify(r)}`);
    }
  }
  const b = { ms: median(bares.map((x) => x.ms)), failed: bares[0].failed };
  for (const [label] of runs) {
    const all = results.get(label);
    rows.push({ corpus: `${corpus.repo} @ ${commit.slice(0, 7)}${corpus.ref ? ` (${corpus.ref})` : ""}`, label, files: files.length, bareMs: b.ms, bareFailed: b.failed, ...all[0], ms: median(all.map((x) => x.ms)) });
  }
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

console.log("| History | Engine | Files (base + change) | Bare per-file | Test | Ratio | Verdict | Failures | Only-generated-data warnings |");
console.log("|---|---|---:|---:|---:|---:|---|---|---|");
for (const r of rows) {
  const verdict = r.error ? `error: ${r.error}` : r.passed ? "passed" : "failed";
  const failures = r.failures?.length ? r.failures.map((f) => f.replace(/\|/g, "\\|").slice(0, 160)).join("<br>") : "—";
  console.log(
    `| ${r.corpus} | ${r.label} | ${r.files} | ${(r.bareMs / 1000).toFixed(2)} s${r.bareFailed ? " (bare failed)" : ""} | ${(r.ms / 1000).toFixed(2)} s | ${(r.ms / r.bareMs).toFixed(2)}× | ${verdict} | ${failures} | ${r.warnings?.length ?? 0} |`,
  );
}
