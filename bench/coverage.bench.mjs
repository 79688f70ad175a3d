// Rule coverage: squawk-cli vs migration-guard on one small SQL case per risk check
// (bench/coverage/cases.yaml). Both tools are run on every case; the table shows the rule
// ids each one reported and whether it was right: a flag from a rule that addresses the
// risk on the risky case, no flag on the safe case.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { z } from "zod";
import { installAnchor } from "./_measure.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const corpusPath = join(root, "bench", "coverage", "cases.yaml");
const work = join(root, "bench", ".work", "coverage");
const cli = join(root, "bin", "migration-guard.js");
const SQUAWK_VERSION = "2.66.0";

/** Every single-file case starts with these, so the timeout checks only matter in their own rows. */
const PRELUDE = "SET lock_timeout = '2s';\nSET statement_timeout = '5min';\n";

/**
 * squawk rules about style or idempotency rather than locks, rewrites or data: shown, but not
 * counted as a false positive on a safe case (a row may still list them as its own check).
 */
const SQUAWK_STYLE_RULES = new Set([
  "prefer-robust-stmts",
  "prefer-bigint-over-int",
  "prefer-bigint-over-smallint",
  "prefer-identity",
  "prefer-text-field",
  "prefer-timestamptz",
  "prefer-timestamp-tz",
  "ban-char-field",
  "identifier-too-long",
  "require-table-schema",
]);

const FileMap = z.record(z.string().regex(/^[\w./-]+\.sql$/, "a relative .sql path"), z.string());
const Variant = z
  .object({
    label: z.string().optional(),
    sql: z.string().optional(),
    files: FileMap.optional(),
    base: FileMap.optional(),
    pg: z.number().int().min(10).max(18).optional(),
    config: z.record(z.string(), z.unknown()).optional(),
    prelude: z.boolean().default(true),
  })
  .strict()
  .refine((v) => (v.sql === undefined) !== (v.files === undefined), "give either sql or files")
  .refine((v) => v.files !== undefined || v.base === undefined, "base needs files");
const Case = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/),
    row: z.string(),
    rules: z.object({ squawk: z.array(z.string()), "migration-guard": z.array(z.string()) }).strict(),
    config: z.record(z.string(), z.unknown()).optional(),
    risky: z.array(Variant).min(1),
    safe: z.array(Variant).default([]),
  })
  .strict();
const Corpus = z.array(Case).min(1);

function loadCorpus() {
  const result = Corpus.safeParse(parseYaml(readFileSync(corpusPath, "utf8")));
  if (!result.success) {
    const problems = result.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n");
    throw new Error(`${corpusPath}: invalid corpus\n${problems}`);
  }
  const ids = result.data.map((c) => c.id);
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
  if (duplicate) throw new Error(`${corpusPath}: case id "${duplicate}" appears twice`);
  return result.data;
}

/** Configuration for one variant: the corpus leaves rollbacks to their own row. */
function configFor(testCase, variant, pg) {
  const extra = { ...testCase.config, ...variant.config };
  return {
    ...extra,
    postgres_version: pg,
    rules: { "missing-rollback": "off", ...(extra.rules ?? {}) },
  };
}

function writeTree(dir, files) {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
}

/** Writes the variant to disk; returns what each tool is run on. */
function materialize(testCase, variant, name) {
  const dir = join(work, name);
  rmSync(dir, { recursive: true, force: true });
  const pg = variant.pg ?? 15;
  const head = variant.files ?? { [`0001_${testCase.id.replaceAll("-", "_")}.sql`]: (variant.prelude ? PRELUDE : "") + variant.sql.trimEnd() + "\n" };
  writeTree(join(dir, "head"), head);
  if (variant.base) writeTree(join(dir, "base"), variant.base);
  writeFileSync(join(dir, "migration-guard.yml"), stringifyYaml(configFor(testCase, variant, pg)));
  // squawk sees what a pull request changes (squawk-action's recommended git-diff step).
  const changed = Object.keys(head).filter((path) => variant.base?.[path] !== head[path]);
  return { dir, pg, head, changed };
}

function runOurs(target, attemptsLeft = 2) {
  const args = [cli, "check", "head", "--config", "migration-guard.yml", "--format", "json"];
  if (target.baseDir) args.push("--base-dir", "base");
  const result = spawnSync(process.execPath, args, { cwd: target.dir, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0 && result.status !== 1) {
    // A concurrent `npm run build` can leave dist/ half-written for a moment: retry before failing.
    if (attemptsLeft > 0) {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 3000);
      return runOurs(target, attemptsLeft - 1);
    }
    return { error: `exit ${result.status}: ${(result.stderr || result.stdout).trim().split("\n")[0]}`, rules: [] };
  }
  const report = JSON.parse(result.stdout);
  const findings = [...report.migrations.flatMap((m) => m.findings), ...report.otherFindings];
  const rules = unique(findings.map((f) => f.ruleId));
  // A rule reported only at info level is shown as such: it is a note, not a warning.
  const infoOnly = new Set(rules.filter((r) => findings.every((f) => f.ruleId !== r || f.severity === "info")));
  return { rules, infoOnly };
}

function runSquawk(squawk, target) {
  if (target.changed.length === 0) return { rules: [] };
  const args = ["--reporter", "json", `--pg-version=${target.pg}.0`, ...target.changed.map((p) => join("head", p))];
  const result = spawnSync(squawk, args, { cwd: target.dir, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  let violations;
  try {
    violations = JSON.parse(result.stdout);
  } catch {
    return { error: `exit ${result.status}: ${(result.stderr || result.stdout).trim().split("\n")[0]}`, rules: [] };
  }
  return { rules: unique(violations.map((v) => v.rule_name)) };
}

function unique(values) {
  return [...new Set(values)].sort();
}

/** Right when a risky case gets a flag from a rule addressing it, and a safe case gets none. */
function judge(kind, flagged, relevant, ignored = new Set()) {
  if (flagged.error) return false;
  if (kind === "risky") return flagged.rules.some((r) => relevant.includes(r));
  return flagged.rules.every((r) => ignored.has(r));
}

function shown(sql) {
  return sql
    .split("\n")
    .filter((line) => line.trim() && !/^SET (lock|statement)_timeout/i.test(line))
    .join(" ")
    .replace(/\s+/g, " ")
    .trim();
}

function statementCell(variant, target) {
  if (variant.sql !== undefined) return code((variant.prelude ? "" : variant.sql.split("\n").filter((l) => /^SET /i.test(l)).join(" ") + " ") + shown(variant.sql));
  const parts = target.changed.map((path) => `${path}: ${code(shown(target.head[path]))}`);
  const unchanged = Object.keys(target.head).filter((p) => !target.changed.includes(p));
  const base = variant.base ? Object.keys(variant.base) : [];
  const context = [];
  if (unchanged.length) context.push(`unchanged: ${unchanged.join(", ")}`);
  if (base.some((p) => !target.head[p])) context.push(`deleted: ${base.filter((p) => !target.head[p]).join(", ")}`);
  if (!variant.base) context.push("no base");
  return [...parts, ...(context.length ? [`(${context.join("; ")})`] : [])].join("<br>");
}

function code(text) {
  return "`" + text.trim().replaceAll("|", "\\|").replaceAll("`", "'") + "`";
}

function flagsCell(flagged, kind, relevant, ignored = new Set()) {
  if (flagged.error) return `error: ${flagged.error.replaceAll("|", "\\|")}`;
  if (flagged.rules.length === 0) return "—";
  return flagged.rules
    .map((r) => {
      const name = kind === "risky" && relevant.includes(r) ? `**${r}**` : ignored.has(r) ? `_${r}_†` : r;
      return flagged.infoOnly?.has(r) ? `${name} (info)` : name;
    })
    .join(", ");
}

const squawk = installAnchor(root, `squawk-cli@${SQUAWK_VERSION}`, "squawk");
// COVERAGE_ONLY=id,id runs a subset while editing the corpus (the summary then covers only those).
const only = process.env.COVERAGE_ONLY?.split(",").filter(Boolean);
const corpus = loadCorpus().filter((c) => !only || only.includes(c.id));
rmSync(work, { recursive: true, force: true });

const lines = [];
const tally = {
  squawk: { caught: 0, falsePositives: 0, rowsCaught: 0 },
  ours: { caught: 0, falsePositives: 0, rowsCaught: 0 },
  risky: 0,
  safe: 0,
};
const misses = [];
const failedRuns = [];
const unlisted = [];
for (const testCase of corpus) {
  const rowCaught = { squawk: false, ours: false };
  for (const kind of ["risky", "safe"]) {
    testCase[kind].forEach((variant, i) => {
      const name = `${testCase.id}-${kind}${testCase[kind].length > 1 ? i + 1 : ""}`;
      const target = materialize(testCase, variant, name);
      target.baseDir = variant.base !== undefined;
      const theirs = runSquawk(squawk, target);
      const ours = runOurs(target);
      const squawkRight = judge(kind, theirs, testCase.rules.squawk, SQUAWK_STYLE_RULES);
      const oursRight = judge(kind, ours, testCase.rules["migration-guard"]);
      for (const [tool, run] of [["squawk", theirs], ["migration-guard", ours]]) if (run.error) failedRuns.push(`${name} (${tool}): ${run.error}`);
      tally[kind]++;
      if (kind === "risky") {
        if (squawkRight) (tally.squawk.caught++, (rowCaught.squawk = true));
        if (oursRight) (tally.ours.caught++, (rowCaught.ours = true));
      } else {
        if (!squawkRight) tally.squawk.falsePositives++;
        if (!oursRight) tally.ours.falsePositives++;
      }
      // A rule the mapping does not list may be a new rule for this risk: say so, don't guess.
      const contenders = [["squawk", theirs, testCase.rules.squawk, squawkRight], ["migration-guard", ours, testCase.rules["migration-guard"], oursRight]];
      for (const [tool, run, relevant, right] of contenders) {
        const unmapped = kind === "risky" && !right ? run.rules.filter((r) => !relevant.includes(r) && !SQUAWK_STYLE_RULES.has(r)) : [];
        if (unmapped.length) unlisted.push(`${name} (${tool}): ${unmapped.join(", ")}`);
      }
      if (!oursRight) misses.push(`${name}: ${kind === "risky" ? "not flagged" : `flagged ${ours.rules.join(", ")}`}${ours.error ? ` (${ours.error})` : ""}`);
      const number = testCase[kind].length > 1 ? ` ${i + 1}` : "";
      const label = `${kind}${number}${variant.label ? `: ${variant.label}` : ""}${variant.pg ? ` (PG ${variant.pg})` : ""}`;
      lines.push(
        `| ${testCase.row} — ${label} | ${statementCell(variant, target)} | ${flagsCell(theirs, kind, testCase.rules.squawk, SQUAWK_STYLE_RULES)} | ${flagsCell(ours, kind, testCase.rules["migration-guard"])} | ${squawkRight ? "✓" : "✗"} / ${oursRight ? "✓" : "✗"} |`,
      );
    });
  }
  if (rowCaught.squawk) tally.squawk.rowsCaught++;
  if (rowCaught.ours) tally.ours.rowsCaught++;
}

console.log(`squawk-cli ${SQUAWK_VERSION} vs migration-guard (this checkout), ${corpus.length} risk checks, ${tally.risky} risky and ${tally.safe} safe cases (PostgreSQL 15 unless noted)\n`);
console.log("| case | statement | squawk flags | migration-guard flags | correct? (squawk / migration-guard) |");
console.log("|---|---|---|---|---|");
for (const line of lines) console.log(line);
console.log(
  `\nBold: a rule that addresses the row's risk. † squawk style rule (${[...SQUAWK_STYLE_RULES].join(", ")}), not counted as a false positive.\n`,
);
console.log("| | squawk | migration-guard |");
console.log("|---|---|---|");
console.log(`| risky cases flagged by a rule addressing the risk | ${tally.squawk.caught} / ${tally.risky} | ${tally.ours.caught} / ${tally.risky} |`);
console.log(`| risk checks with at least one risky case flagged | ${tally.squawk.rowsCaught} / ${corpus.length} | ${tally.ours.rowsCaught} / ${corpus.length} |`);
console.log(`| false positives on safe cases | ${tally.squawk.falsePositives} / ${tally.safe} | ${tally.ours.falsePositives} / ${tally.safe} |`);
if (misses.length) console.error(`\nmigration-guard wrong on:\n  ${misses.join("\n  ")}`);
if (unlisted.length) console.error(`\nflags on risky cases that the case's rule list does not name (check whether they address the risk):\n  ${unlisted.join("\n  ")}`);
if (failedRuns.length) {
  console.error(`\n${failedRuns.length} run(s) failed, so the table above is not a valid result:\n  ${failedRuns.join("\n  ")}`);
  process.exitCode = 1;
}
