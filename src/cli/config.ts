// Finds and validates the configuration file for CLI runs.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { DEFAULT_CONFIG, formatConfigProblems, parseConfigText } from "../core/config/load.js";
import type { Config } from "../core/config/schema.js";
import { UsageError } from "../fs/files.js";

export const CONFIG_PATH = ".github/migration-guard.yml";

/** `--config` wins; otherwise the nearest `.github/migration-guard.yml` up from cwd; else defaults. */
export function loadCliConfig(cwd: string, explicit?: string): { config: Config; path?: string } {
  const path = explicit ? join(cwd, explicit) : findUp(cwd);
  if (!path) return { config: DEFAULT_CONFIG };
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new UsageError(`${explicit ?? path}: cannot read configuration file`);
  }
  const result = parseConfigText(text);
  if (!result.ok) throw new UsageError(formatConfigProblems(relative(cwd, path) || path, result.problems));
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
