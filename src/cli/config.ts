// Finds and validates the configuration file for CLI runs.
import { existsSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { DEFAULT_CONFIG, formatConfigProblems, MAX_CONFIG_BYTES, parseConfigText } from "../core/config/load.js";
import type { Config } from "../core/config/schema.js";
import { readInputText, UsageError } from "../fs/files.js";

export const CONFIG_PATH = ".github/migration-guard.yml";

/**
 * `--config` (relative to cwd, or absolute) wins; otherwise the nearest `.github/migration-guard.yml`
 * up from cwd; else defaults. With `ruleIds`, an id in `rules:` that names no rule is an error too.
 */
export function loadCliConfig(cwd: string, explicit?: string, ruleIds?: readonly string[]): { config: Config; path?: string } {
  const path = explicit ? resolve(cwd, explicit) : findUp(cwd);
  if (!path) return { config: DEFAULT_CONFIG };
  // A config file +1 byte over the limit still reaches the parser, which names the limit.
  const shown = explicit ?? (relative(cwd, path) || path);
  const text = readInputText(cwd, shown, "the configuration file", MAX_CONFIG_BYTES + 1);
  // Every problem at once, each with its line: the schema's and unknown rule ids.
  const result = parseConfigText(text, { ruleIds });
  if (!result.ok) throw new UsageError(formatConfigProblems(shown, result.problems));
  return { config: result.config, path };
}

function findUp(from: string): string | undefined {
  let dir = from;
  for (;;) {
    const candidate = join(dir, CONFIG_PATH);
    if (existsSync(candidate)) return candidate;
    if (existsSync(join(dir, ".git"))) return undefined;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
