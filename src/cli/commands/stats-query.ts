// `migration-guard stats-query`: prints the catalog query that exports table statistics from
// production, and (for `check --stats` / `stats_file:`) reads its output back, validated.
import { dirname, resolve } from "node:path";
import type { Config } from "../../core/config/schema.js";
import { Dialect } from "../../core/model.js";
import { buildCatalog, formatStatsProblems, parseStatsText, withFileStats, type StatsCatalog } from "../../core/stats/index.js";
import { statsQuery } from "../../core/stats/queries.js";
import { readInputText, UsageError } from "../../fs/files.js";
import { MAX_STATS_BYTES } from "../../core/stats/schema.js";
import { parseCommandArgs } from "../args.js";
import { loadCliConfig } from "../config.js";
import type { CliIo } from "../main.js";

const HELP = `usage: migration-guard stats-query [--dialect postgres|mysql|mariadb] [--config <file>]

Prints a read-only catalog query (row estimates, table and index sizes, foreign keys, triggers,
dependent views) to run against production. Save its one-line JSON output and point
\`stats_file:\` in the configuration (or \`check --stats <file>\`) at it:

  psql "$DATABASE_URL" -XAtq -c "$(migration-guard stats-query)" > .github/migration-guard-stats.json
  mysql --batch --raw --skip-column-names -e "$(migration-guard stats-query --dialect mysql)" mydb > stats.json

options:
  --dialect <name>   postgres | mysql | mariadb (default: the configuration's dialect)
  --config <file>    configuration file (default: nearest .github/migration-guard.yml)
  -h, --help         this help
`;

export default async function statsQueryCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, {
    dialect: { type: "string" },
    config: { type: "string" },
    help: { type: "boolean", short: "h", default: false },
  });
  if (values.help) {
    io.stdout(HELP);
    return 0;
  }
  let dialect: Dialect;
  if (values.dialect !== undefined) {
    const parsed = Dialect.safeParse(values.dialect);
    if (!parsed.success) throw new UsageError(`--dialect must be one of ${Dialect.options.join(", ")}`);
    dialect = parsed.data;
  } else {
    dialect = loadCliConfig(io.cwd, values.config).config.dialect;
  }
  io.stdout(statsQuery(dialect));
  return 0;
}

export interface LoadedStatistics {
  /** The configuration with the file's sizes merged into `tables:` (for rules that read it). */
  config: Config;
  /** Everything the risk model reads: sizes, indexes, foreign keys, triggers, views. */
  stats: StatsCatalog;
  /** The file that was read, if any. */
  file?: string;
}

/**
 * Reads the statistics file named by `--stats` (relative to cwd) or by `stats_file:` (relative to
 * the repository root that holds `.github/`). A bad file is a usage error listing every problem.
 */
export function loadStatistics(cwd: string, config: Config, configPath: string | undefined, explicit?: string): LoadedStatistics {
  const file = explicit ?? config.stats_file;
  if (!file) return { config, stats: buildCatalog(config) };
  const root = explicit || !configPath ? cwd : configRoot(configPath, cwd);
  const text = readInputText(root, file, `the statistics file${explicit ? "" : " named by stats_file"}`, MAX_STATS_BYTES);
  const parsed = parseStatsText(text);
  if (!parsed.ok) throw new UsageError(formatStatsProblems(file, parsed.problems));
  if (parsed.stats.dialect !== config.dialect && !(parsed.stats.dialect !== "postgres" && config.dialect !== "postgres")) {
    throw new UsageError(`${file}: statistics exported from ${parsed.stats.dialect}, but the configuration's dialect is ${config.dialect}`);
  }
  return { config: withFileStats(config, parsed.stats), stats: buildCatalog(config, parsed.stats), file };
}

/** `<root>/.github/migration-guard.yml` → `<root>`; any other config file → its folder. */
function configRoot(configPath: string, cwd: string): string {
  const folder = dirname(resolve(cwd, configPath));
  return folder.endsWith(".github") ? dirname(folder) : folder;
}
