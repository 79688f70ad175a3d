// `migration-guard check [paths…]`: the engine on files from disk, optionally only the
// migrations changed since a git ref (the same selection the bot makes on a pull request).
import { analyzeChange } from "../../core/analyze/engine.js";
import { resolve } from "node:path";
import type { Config } from "../../core/config/schema.js";
import { Layout, type ChangeInput, type SourceFile } from "../../core/model.js";
import type { AnalysisReport } from "../../core/report.js";
import { loadParsers } from "../../core/parse/index.js";
import { decodedTexts } from "../../core/parse/text.js";
import { FORMATS, render, type Format } from "../../core/render/index.js";
import { colorEnabled } from "../../core/render/human.js";
import { migrationCandidates } from "../../core/discover/index.js";
import { readLocalChange, type ChangeOptions } from "../../fs/change.js";
import { poolOptionsFromEnv, startParsePool } from "../../parse-pool/index.js";
import type { Rule } from "../../core/analyze/rule.js";
import type { StatsCatalog } from "../../core/stats/index.js";
import { toRelative, UsageError } from "../../fs/files.js";
import { loadRules } from "../../../rules/index.js";
import { parseCommandArgs } from "../args.js";
import { loadCliConfig } from "../config.js";
import type { CliIo } from "../main.js";
import { loadStatistics } from "./stats-query.js";
import { describeFixes, writeFixes } from "../write-fixes.js";

const HELP = `usage: migration-guard check [paths…] [options]

Analyzes the migrations under the given paths (default: .).

options:
  --base <ref>        only migrations added or changed since the merge base with <ref>
  --base-dir <dir>    only migrations added or changed compared with <dir>, a copy of the
                      base version of the one checked folder (<dir>/x.sql is the base of
                      <folder>/x.sql); a <dir> inside the folder is not checked itself
  --config <file>     configuration file (default: nearest .github/migration-guard.yml)
  --format <format>   ${FORMATS.join(" | ")} (default: human)
  --stats <file>      table statistics exported by \`migration-guard stats-query\` (default: stats_file)
  --no-color          plain terminal output (also NO_COLOR=1; FORCE_COLOR=1 forces color)
  --fix               apply the findings' mechanical fixes to the files, then report what remains
  -h, --help          this help

exit codes: 0 no finding at the fail level, 1 findings at or above it, 2 usage or config error
`;

export default async function check(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {
    base: { type: "string" },
    "base-dir": { type: "string" },
    config: { type: "string" },
    format: { type: "string", default: "human" },
    stats: { type: "string" },
    "no-color": { type: "boolean", default: false },
    fix: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  });
  if (values.help) {
    io.stdout(HELP);
    return 0;
  }
  const format = values.format as Format;
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(", ")}`);
  const [rules] = await Promise.all([loadRules(), loadParsers()]);
  const loaded = loadCliConfig(io.cwd, values.config, rules.map((r) => r.id));
  const { config, stats } = loadStatistics(io.cwd, loaded.config, loaded.path, values.stats);
  const paths = positionals.length ? positionals : ["."];
  // Read again after --fix, to report what remains in the fixed files.
  const read = () =>
    readChange(paths, io.cwd, values.base, {
      baseDir: values["base-dir"],
      select: (listed) => migrationCandidates(listed, config),
    });
  const input = read();
  const empty = pathsWithoutMigrations(paths, input.head, io.cwd);
  if (empty.length) {
    const globs = config.paths.length ? config.paths.join(", ") : "*.sql files and TypeORM migrations";
    throw new UsageError(
      `${empty.join(", ")}: no migration files found (looked for ${globs}${config.exclude.length ? `, excluding ${config.exclude.join(", ")}` : ""}); nothing was analyzed`,
    );
  }
  let report = analyzeWithWorkers(input, config, rules, stats, io.env);
  let sources = decodedTexts(input.head);
  if (values.fix) {
    const fixed = writeFixes(report, sources, io.cwd);
    io.stderr(describeFixes(fixed));
    if (fixed.files.size) {
      const again = read();
      report = analyzeChange(again, config, rules, { stats });
      sources = decodedTexts(again.head);
    }
  }
  const color = format === "human" && colorEnabled(io.isTTY, io.env, values["no-color"]);
  for (const note of notes(report, sources, config, values.base ?? values["base-dir"])) io.stderr(`note: ${note}\n`);
  io.stdout(render(report, format, { sources, rules, color, pretty: io.isTTY, width: io.columns ?? (Number(io.env.COLUMNS) || undefined) }));
  return report.summary.failed ? 1 : 0;
}


/** The analysis, with a long history's scripts parsed on worker threads meanwhile. */
function analyzeWithWorkers(input: ChangeInput, config: Config, rules: Rule[], stats: StatsCatalog, env: Record<string, string | undefined>): AnalysisReport {
  const options = poolOptionsFromEnv(env);
  const pooled = options && startParsePool(input, config, options);
  if (!pooled) return analyzeChange(input, config, rules, { stats });
  try {
    return analyzeChange(pooled.input, config, rules, { stats, parseCache: pooled.pool });
  } finally {
    void pooled.pool.close();
  }
}

/** Head files from disk and, with a git ref or a base folder, the base side (see src/fs/change.ts). */
export function readChange(paths: string[], cwd: string, base?: string, options: Omit<ChangeOptions, "base"> = {}): ChangeInput {
  return readLocalChange(paths, cwd, { ...options, base });
}

/** The given paths (as the user wrote them) below which no migration candidate was found. */
function pathsWithoutMigrations(paths: string[], head: SourceFile[], cwd: string): string[] {
  return paths.filter((p) => {
    const prefix = toRelative(resolve(cwd, p), cwd);
    return !head.some((f) => prefix === "" || f.path === prefix || f.path.startsWith(`${prefix}/`));
  });
}

/** What the user must know besides the findings: that nothing was analyzed, or that the dialect looks wrong. */
function notes(report: AnalysisReport, sources: Map<string, string>, config: Config, base?: string): string[] {
  const out: string[] = [];
  if (!report.migrations.length) {
    out.push(base ? `no migration was added or changed compared with ${base}; nothing was analyzed` : "no migrations were found; nothing was analyzed");
  }
  const hint = dialectHint(report, sources, config);
  if (hint) out.push(hint);
  if (config.layout === "auto") out.push(...layoutHints(report));
  return out;
}

/**
 * Many files sharing a version usually mean the folder was read with the wrong layout (one
 * folder holding each migration once per database, say): name the guess and the way out.
 */
function layoutHints(report: AnalysisReport): string[] {
  const byFolder = new Map<string, { layout: string; files: number }>();
  for (const m of report.migrations) {
    const duplicates = m.findings.filter((f) => f.ruleId === "duplicate-migration-version").length;
    if (!duplicates) continue;
    const folder = m.migration.up.path.includes("/") ? m.migration.up.path.slice(0, m.migration.up.path.lastIndexOf("/")) : ".";
    const entry = byFolder.get(folder) ?? { layout: m.migration.layout, files: 0 };
    entry.files++;
    byFolder.set(folder, entry);
  }
  const layouts = Layout.options.join(", ");
  const hints = [...byFolder]
    .filter(([, e]) => e.files >= 3)
    .map(
      ([folder, e]) =>
        `${folder}: ${e.files} migrations share a version when the folder is read as ${e.layout} (the layout guessed from its file names); if another tool runs it, set \`layout:\` in the configuration to one of ${layouts}`,
    );
  // A guess that leaves many files unrecognized is more likely wrong than the files.
  const folderOf = (path: string) => (path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : ".");
  const skipped = new Map<string, number>();
  for (const f of report.otherFindings) if (f.ruleId === "unrecognized-migration-file") skipped.set(folderOf(f.span.file), (skipped.get(folderOf(f.span.file)) ?? 0) + 1);
  for (const [folder, count] of skipped) {
    const read = report.migrations.filter((m) => folderOf(m.migration.up.path) === folder);
    if (count < 3 || count < read.length) continue;
    const layout = read[0]?.migration.layout ?? "the guessed layout";
    hints.push(`${folder}: ${count} files do not follow ${layout}'s naming, the layout guessed for the folder (${read.length} do): if another tool runs it, set \`layout:\` in the configuration to one of ${layouts}`);
  }
  // A folder of plain SQL files none of which has a rollback is most often a tool without downs.
  const plainFolders = new Map<string, { migrations: number; withoutRollback: number }>();
  for (const m of report.migrations) {
    if (m.migration.layout !== "plain" || m.migration.status === "deleted") continue;
    const entry = plainFolders.get(folderOf(m.migration.up.path)) ?? { migrations: 0, withoutRollback: 0 };
    entry.migrations++;
    if (!m.migration.down) entry.withoutRollback++;
    plainFolders.set(folderOf(m.migration.up.path), entry);
  }
  for (const [folder, e] of plainFolders) {
    if (e.migrations < 2 || e.withoutRollback < e.migrations) continue;
    hints.push(`${folder}: read as plain SQL files (no migration tool recognized), and none of its ${e.migrations} migrations has a rollback file: if the tool has no down migrations by design (sqlx's simple migrations, Supabase, Drizzle, Atlas), set \`layout:\` to it and missing-rollback goes away`);
  }
  return hints;
}

const MYSQL_MARKS = /`[^`\n]+`|\bENGINE\s*=|\bAUTO_INCREMENT\b|\bUNSIGNED\b/i;

/**
 * Files that fail to parse as PostgreSQL but read like MySQL (backticks, `ENGINE=`…) mean the
 * dialect is not set: one line saying so is worth more than their parse errors.
 */
function dialectHint(report: AnalysisReport, sources: Map<string, string>, config: Config): string | undefined {
  if (config.dialect !== "postgres") return undefined;
  const failing = new Set(report.migrations.flatMap((m) => m.findings).filter((f) => f.ruleId === "parse-error").map((f) => f.span.file));
  const mysqlLike = [...failing].filter((file) => MYSQL_MARKS.test(sources.get(file) ?? ""));
  if (!mysqlLike.length) return undefined;
  const count = mysqlLike.length === 1 ? `${mysqlLike[0]} looks` : `${mysqlLike.length} files that fail to parse (${mysqlLike[0]}, …) look`;
  return `${count} like MySQL/MariaDB (backticks, ENGINE=, AUTO_INCREMENT), but they were parsed as PostgreSQL: set \`dialect: mysql\` (or mariadb) in .github/migration-guard.yml or the --config file`;
}
