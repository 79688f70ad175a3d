// `.github/migration-guard.yml` through Probot's config loader: read from the default branch
// (a pull request cannot weaken its own checks), with the owner's `.github` repository as
// fallback and `_extends` merging. Validated with the same schema as the CLI.
import type { Context } from "probot";
import { DEFAULT_CONFIG, parseConfigText, validateConfig, type ConfigCheck, type ConfigProblem } from "../core/config/load.js";
import type { Config } from "../core/config/schema.js";

const CONFIG_FILE = "migration-guard.yml";
export const CONFIG_PATH = `.github/${CONFIG_FILE}`;

export type RepoConfig =
  | { ok: true; config: Config; source: "repository" | "default" }
  | { ok: false; problems: ConfigProblem[] };

/** With `check.ruleIds`, a `rules:` id that names no rule is a problem too (as in the CLI). */
export async function loadRepoConfig(context: Context, check: ConfigCheck = {}): Promise<RepoConfig> {
  let raw: unknown;
  try {
    raw = await context.config(CONFIG_FILE);
  } catch (error) {
    if (!isInvalidYaml(error)) throw error;
    return { ok: false, problems: await yamlProblems(context, error as Error, check) };
  }
  if (raw === null || raw === undefined) return { ok: true, config: DEFAULT_CONFIG, source: "default" };
  const result = validateConfig(raw, check);
  return result.ok ? { ok: true, config: result.config, source: "repository" } : result;
}

function isInvalidYaml(error: unknown): boolean {
  return error instanceof Error && /could not be parsed/i.test(error.message);
}

/**
 * The config plugin only says "invalid YAML"; re-reading the file and parsing it ourselves
 * gives the line. Only happens on the error path, so it costs nothing in the normal case.
 */
async function yamlProblems(context: Context, error: Error, check: ConfigCheck): Promise<ConfigProblem[]> {
  const fallback: ConfigProblem[] = [{ path: "", message: error.message }];
  try {
    const { data } = await context.octokit.rest.repos.getContent(
      context.repo({ path: CONFIG_PATH, mediaType: { format: "raw" } }),
    );
    if (typeof data !== "string") return fallback;
    const parsed = parseConfigText(data, check);
    return parsed.ok ? fallback : parsed.problems;
  } catch {
    // The file came from the owner's .github repository or an _extends target.
    return fallback;
  }
}
