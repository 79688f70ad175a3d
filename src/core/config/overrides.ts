// Per-path settings (`overrides:`): which settings a migration file is analyzed with. Each
// override's files are a history of their own (another service, often another database).
import picomatch from "picomatch";
import type { SourceFile } from "../model.js";
import type { Config, PathOverride } from "./schema.js";

export interface ConfigScope {
  /** The override's globs, or undefined for the top-level settings. */
  paths?: string[];
  config: Config;
}

/** The top-level settings with one override applied: scalars replace, `rules` and `thresholds` merge. */
export function applyOverride(config: Config, override: PathOverride): Config {
  const { paths: _paths, rules, thresholds, flyway, ...scalars } = override;
  const set = Object.fromEntries(Object.entries(scalars).filter(([, v]) => v !== undefined));
  const keptThresholds = Object.fromEntries(Object.entries(thresholds ?? {}).filter(([, v]) => v !== undefined));
  return {
    ...config,
    ...set,
    rules: { ...config.rules, ...rules },
    thresholds: { ...config.thresholds, ...keptThresholds },
    flyway: { ...config.flyway, ...flyway },
    overrides: [],
  };
}

/** Which scope a path falls in: the index of the first override matching it, or -1. */
export function scopeMatcher(config: Pick<Config, "overrides">): (path: string) => number {
  const matchers = config.overrides.map((o) => picomatch(o.paths, { dot: true }));
  return (path) => matchers.findIndex((m) => m(path.replace(/^(\.\.\/)+/, "")));
}

/**
 * Splits files into the scopes they belong to (top-level first, then overrides in order); scopes
 * without files are left out. Without overrides: one scope with every file.
 */
export function splitByScope<T extends Pick<SourceFile, "path">>(config: Config, files: { head: T[]; base?: T[] }): (ConfigScope & { head: T[]; base?: T[] })[] {
  if (!config.overrides.length) return [{ config, ...files }];
  const scopeOf = scopeMatcher(config);
  const scopes = [{ config: { ...config, overrides: [] } as Config }, ...config.overrides.map((o) => ({ paths: o.paths, config: applyOverride(config, o) }))];
  const pick = (list: T[], i: number) => list.filter((f) => scopeOf(f.path) === i - 1);
  const used = scopes
    .map((scope, i) => ({ ...scope, head: pick(files.head, i), ...(files.base ? { base: pick(files.base, i) } : {}) }))
    .filter((s) => s.head.length || s.base?.length);
  return used.length ? used : [{ ...scopes[0]!, ...files }];
}
