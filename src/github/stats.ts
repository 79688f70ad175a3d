// Table statistics for the App: the file named by `stats_file:`, read from the default branch
// (like the configuration: a pull request cannot change the numbers its own risk is judged by),
// validated by the same schema as `check --stats`. A file that is missing or invalid is a list
// of problems for an action_required check run, never a silent fall-back to no statistics.
import type { ConfigProblem } from "../core/config/load.js";
import type { Config } from "../core/config/schema.js";
import { buildCatalog, parseStatsText, withFileStats, type StatsCatalog } from "../core/stats/index.js";
import { httpStatus, rawContent, type GitHub } from "./octokit.js";

export type RepoStatistics =
  | { ok: true; config: Config; stats: StatsCatalog; file?: string }
  | { ok: false; file: string; problems: ConfigProblem[] };

export interface StatsLocation {
  owner: string;
  repo: string;
  /** The default branch, where the configuration came from. */
  ref: string;
}

export async function loadRepoStatistics(octokit: GitHub, where: StatsLocation, config: Config): Promise<RepoStatistics> {
  const file = config.stats_file;
  if (!file) return { ok: true, config, stats: buildCatalog(config) };
  const path = repositoryPath(file);
  if (path === undefined) {
    return { ok: false, file, problems: [{ path: "stats_file", message: `\`${file}\` leaves the repository; name a file relative to the repository root` }] };
  }
  const text = await readRawFile(octokit, where, path);
  if (text === undefined) {
    return { ok: false, file, problems: [{ path: "stats_file", message: `\`${path}\` does not exist on the default branch \`${where.ref}\`` }] };
  }
  const parsed = parseStatsText(text);
  if (!parsed.ok) return { ok: false, file: path, problems: parsed.problems };
  // MySQL and MariaDB export the same catalog; PostgreSQL's is different.
  const compatible = parsed.stats.dialect === config.dialect || (parsed.stats.dialect !== "postgres" && config.dialect !== "postgres");
  if (!compatible) {
    return {
      ok: false,
      file: path,
      problems: [{ path: "dialect", message: `statistics exported from ${parsed.stats.dialect}, but the configuration's dialect is ${config.dialect}` }],
    };
  }
  return { ok: true, config: withFileStats(config, parsed.stats), stats: buildCatalog(config, parsed.stats), file: path };
}

/** `stats_file` is relative to the repository root (where `.github/` lives); `/x` means the same. */
function repositoryPath(file: string): string | undefined {
  const parts = file.replace(/\\/g, "/").split("/").filter((p) => p !== "" && p !== ".");
  if (!parts.length || parts.includes("..")) return undefined;
  return parts.join("/");
}

/** The file's text, or undefined when GitHub has no such file (404). Other errors propagate. */
async function readRawFile(octokit: GitHub, where: StatsLocation, path: string): Promise<string | undefined> {
  try {
    const { data } = await octokit.rest.repos.getContent({ owner: where.owner, repo: where.repo, path, ref: where.ref, mediaType: { format: "raw" } });
    const raw = rawContent(data);
    if (raw === undefined) throw new Error(`unexpected answer from GitHub for \`${path}\`: not raw file content (is it a folder?)`);
    return typeof raw === "string" ? raw : new TextDecoder().decode(raw);
  } catch (error) {
    if (httpStatus(error) === 404) return undefined;
    throw error;
  }
}
