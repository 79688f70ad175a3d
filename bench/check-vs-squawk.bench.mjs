// migration-guard check vs squawk-cli (npm), side by side in one run, on
// (a) one generated 20,000-statement file and (b) 1,000 small migration files.
// Also: how much our rules add on top of libpg_query's own parse of the same text.
import { mkdirSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { fmt, installAnchor, interleaved, measure, measureOk, median } from "./_measure.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const work = join(root, "bench", ".work", "check");
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const squawk = installAnchor(root, "squawk-cli@2.66.0", "squawk");
const cli = join(root, "bin", "migration-guard.js");
const floor = join(root, "bench", "parse-floor.mjs");

/** A realistic mix of migration statements over many tables (deterministic). */
function statement(i) {
  const t = `table_${i % 500}`;
  switch (i % 10) {
    case 0: return `CREATE TABLE ${t}_${i} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL, created_at timestamptz DEFAULT now());`;
    case 1: return `ALTER TABLE ${t} ADD COLUMN col_${i} integer;`;
    case 2: return `CREATE INDEX CONCURRENTLY idx_${i} ON ${t} (col_${i - 1});`;
    case 3: return `ALTER TABLE ${t} ADD CONSTRAINT fk_${i} FOREIGN KEY (col_${i - 2}) REFERENCES parent_${i % 50} (id) NOT VALID;`;
    case 4: return `ALTER TABLE ${t} VALIDATE CONSTRAINT fk_${i - 1};`;
    case 5: return `UPDATE ${t} SET col_${i - 4} = 0 WHERE id BETWEEN ${i} AND ${i + 1000};`;
    case 6: return `CREATE INDEX idx_plain_${i} ON ${t} (name);`;
    case 7: return `ALTER TABLE ${t} ALTER COLUMN name SET NOT NULL;`;
    case 8: return `COMMENT ON COLUMN ${t}.name IS 'display name; shown to users';`;
    default: return `INSERT INTO ${t} (name) VALUES ('row ${i}');`;
  }
}

function generate() {
  rmSync(work, { recursive: true, force: true });
  const big = join(work, "big");
  const many = join(work, "many");
  mkdirSync(big, { recursive: true });
  mkdirSync(many, { recursive: true });
  const lines = [];
  for (let i = 0; i < 20_000; i++) lines.push(statement(i));
  writeFileSync(join(big, "0001_big.sql"), lines.join("\n") + "\n");
  const files = [];
  for (let f = 0; f < 1000; f++) {
    const name = `${String(f + 1).padStart(4, "0")}_change_${f}.sql`;
    const body = Array.from({ length: 5 }, (_, k) => statement(f * 5 + k)).join("\n");
    writeFileSync(join(many, name), `-- migration ${f}\n${body}\n`);
    files.push(join(many, name));
  }
  return { bigFile: join(big, "0001_big.sql"), bigDir: big, manyDir: many, manyFiles: files };
}

async function parseOverhead(bigFile) {
  const { loadModule, parseSync } = await import("libpg-query");
  await loadModule();
  const { analyzeChange } = await import(pathToFileURL(join(root, "dist/src/core/analyze/engine.js")).href);
  const { loadRules } = await import(pathToFileURL(join(root, "dist/rules/index.js")).href);
  const { DEFAULT_CONFIG } = await import(pathToFileURL(join(root, "dist/src/core/config/load.js")).href);
  const { loadParsers } = await import(pathToFileURL(join(root, "dist/src/core/parse/index.js")).href);
  await loadParsers();
  const rules = await loadRules();
  const text = readFileSync(bigFile, "utf8");
  const parseTimes = [];
  const fullTimes = [];
  for (let i = 0; i < RUNS; i++) {
    let t = performance.now();
    parseSync(text);
    parseTimes.push(performance.now() - t);
    t = performance.now();
    analyzeChange({ head: [{ path: "big/0001_big.sql", content: text }] }, DEFAULT_CONFIG, rules);
    fullTimes.push(performance.now() - t);
  }
  return { parse: median(parseTimes), full: median(fullTimes), rules: rules.length };
}

const corpus = generate();
const cases = [
  {
    name: "(a) one file, 20,000 statements",
    ours: () => measure(process.execPath, [cli, "check", corpus.bigDir, "--format", "json"]),
    theirs: () => measure(squawk, ["--reporter", "json", corpus.bigFile]),
    floor: () => measureOk(process.execPath, [floor, corpus.bigFile]),
  },
  {
    name: "(b) 1,000 migration files",
    ours: () => measure(process.execPath, [cli, "check", corpus.manyDir, "--format", "json"]),
    theirs: () => measure(squawk, ["--reporter", "json", ...corpus.manyFiles]),
    floor: () => measureOk(process.execPath, [floor, corpus.manyDir]),
  },
];

console.log(`runs per contender: ${RUNS} (interleaved), machine: ${(await import("node:os")).cpus()[0].model}, ${(await import("node:os")).cpus().length} cores\n`);
console.log("| corpus | migration-guard median (s) | squawk median (s) | ratio (ours / squawk) | Node + libpg-query parse alone (s) | floor / squawk | migration-guard peak RSS (MB) | squawk peak RSS (MB) | findings (ours / squawk) |");
console.log("|---|---|---|---|---|---|---|---|---|");
for (const c of cases) {
  const samples = interleaved([{ name: "ours", run: c.ours }, { name: "theirs", run: c.theirs }, { name: "floor", run: c.floor }], RUNS);
  const ours = median(samples.ours.map((s) => s.seconds));
  const theirs = median(samples.theirs.map((s) => s.seconds));
  const parseOnly = median(samples.floor.map((s) => s.seconds));
  const oursRss = Math.max(...samples.ours.map((s) => s.rssMb));
  const theirsRss = Math.max(...samples.theirs.map((s) => s.rssMb));
  const ourFindings = countOurs(samples.ours.at(-1).stdout);
  const theirFindings = countSquawk(samples.theirs.at(-1).stdout);
  console.log(`| ${c.name} | ${fmt(ours)} | ${fmt(theirs)} | ${fmt(ours / theirs)} | ${fmt(parseOnly)} | ${fmt(parseOnly / theirs)} | ${fmt(oursRss, 0)} | ${fmt(theirsRss, 0)} | ${ourFindings} / ${theirFindings} |`);
}

const overhead = await parseOverhead(corpus.bigFile);
console.log(`\nIn-process on corpus (a), median of ${RUNS}: libpg_query parse alone ${fmt(overhead.parse, 0)} ms; full analysis (lexing, parse, ${overhead.rules} rules, risk) ${fmt(overhead.full, 0)} ms; rules and bookkeeping add ${fmt(overhead.full - overhead.parse, 0)} ms (${fmt(((overhead.full - overhead.parse) / overhead.parse) * 100, 0)}% of the parse).`);

function countOurs(stdout) {
  try {
    const report = JSON.parse(stdout);
    return report.summary.counts.error + report.summary.counts.warning + report.summary.counts.info;
  } catch {
    return "?";
  }
}

function countSquawk(stdout) {
  try {
    const parsed = JSON.parse(stdout);
    return Array.isArray(parsed) ? parsed.length : "?";
  } catch {
    return "?";
  }
}
