// Discovery: which files are migrations, how they pair into up/down, in which order they
// run, and what changed against the base branch (added, edited after merge, deleted, reordered).
import picomatch from "picomatch";
import type { Config } from "../config/schema.js";
import type { Layout, Migration, SourceFile } from "../model.js";
import type { MigrationFacts } from "../analyze/rule.js";
import { compareVersions, dirname, type FoundMigration, type LayoutSpec } from "./layout.js";
import { LAYOUTS } from "./layouts/index.js";

export interface Discovery {
  /** Head migrations in run order, plus base migrations deleted by the change. */
  migrations: Migration[];
  facts: Map<string, MigrationFacts>;
}

/** Migration files are looked for here unless the config says otherwise. */
export const DEFAULT_PATHS = ["**/*.sql", "**/sqitch.plan"];
const ALWAYS_EXCLUDED = ["**/node_modules/**", "**/.git/**"];

export function selectMigrationFiles(files: SourceFile[], config: Pick<Config, "paths" | "exclude">): SourceFile[] {
  const include = picomatch(config.paths.length ? config.paths : DEFAULT_PATHS, { dot: true });
  const exclude = picomatch([...ALWAYS_EXCLUDED, ...config.exclude], { dot: true });
  return files.filter((f) => include(f.path) && !exclude(f.path));
}

/** Splits files into folders, lets the best-scoring (or configured) layout claim each one. */
export function findMigrations(files: SourceFile[], layout: Config["layout"]): FoundMigration[] {
  const found: FoundMigration[] = [];
  for (const group of groupByRoot(files)) {
    const spec = layout === "auto" ? detectLayout(group.map((f) => f.path)) : LAYOUTS.find((l) => l.name === layout);
    if (spec) found.push(...spec.collect(group));
  }
  return found.sort((a, b) => compareVersions(a.version, b.version) || a.id.localeCompare(b.id));
}

export function detectLayout(paths: string[]): LayoutSpec | undefined {
  let best: LayoutSpec | undefined;
  let bestScore = 0;
  for (const spec of LAYOUTS) {
    const score = spec.score(paths);
    if (score > bestScore) {
      best = spec;
      bestScore = score;
    }
  }
  return best;
}

/**
 * A migration root is the folder a tool points at. Files in `<root>/<version_name>/x.sql`
 * (Prisma, diesel) and `<root>/{deploy,revert,verify}/x.sql` (sqitch) belong to `<root>`.
 */
export function migrationRoot(path: string, allPaths: ReadonlySet<string>): string {
  const dir = dirname(path);
  const parent = dirname(dir);
  const leaf = dir.slice(parent.length ? parent.length + 1 : 0);
  if (/^(deploy|revert|verify)$/.test(leaf) && allPaths.has(parent ? `${parent}/sqitch.plan` : "sqitch.plan")) return parent;
  if (/^\d{4,}[_-]?/.test(leaf) && /\/(migration|up|down)\.sql$/.test(`/${path.slice(dir.length + 1)}`)) return parent;
  return dir;
}

function groupByRoot(files: SourceFile[]): SourceFile[][] {
  const all = new Set(files.map((f) => f.path));
  const groups = new Map<string, SourceFile[]>();
  for (const f of files) {
    const root = migrationRoot(f.path, all);
    const list = groups.get(root) ?? [];
    list.push(f);
    groups.set(root, list);
  }
  return [...groups.values()];
}

function sameContent(a: SourceFile, b: SourceFile): boolean {
  if (a.sha && b.sha) return a.sha === b.sha;
  return contentKey(a.content) === contentKey(b.content);
}

function contentKey(content: SourceFile["content"]): string | undefined {
  if (content === undefined) return undefined;
  return typeof content === "string" ? content : Buffer.from(content).toString("utf8");
}

function scriptPaths(m: FoundMigration): string[] {
  return [m.up.path, m.down?.path].filter((p): p is string => Boolean(p));
}

/**
 * Pairs head and base migrations. Without a base, every migration counts as added.
 */
export function discover(
  input: { head: SourceFile[]; base?: SourceFile[] },
  config: Pick<Config, "paths" | "exclude" | "layout">,
): Discovery {
  const head = selectMigrationFiles(input.head, config);
  const headByPath = new Map(head.map((f) => [f.path, f]));
  const headMigrations = findMigrations(head, config.layout);
  const facts = new Map<string, MigrationFacts>();
  const fact = (id: string) => {
    let f = facts.get(id);
    if (!f) facts.set(id, (f = { editedAfterMerge: false, deletedAfterMerge: false, duplicateVersionOf: [] }));
    return f;
  };
  if (!input.base) {
    const migrations = headMigrations.map((m): Migration => ({ ...m, status: "added" }));
    markDuplicates(migrations, fact);
    return { migrations, facts };
  }
  const base = selectMigrationFiles(input.base, config);
  const baseByPath = new Map(base.map((f) => [f.path, f]));
  const baseMigrations = findMigrations(base, config.layout);
  const baseIds = new Set(baseMigrations.map((m) => m.id));
  const migrations: Migration[] = headMigrations.map((m) => {
    const paths = scriptPaths(m);
    const existed = baseIds.has(m.id) || paths.some((p) => baseByPath.has(p));
    if (!existed) return { ...m, status: "added" };
    const changed = paths.some((p) => {
      const before = baseByPath.get(p);
      return !before || !sameContent(before, headByPath.get(p)!);
    });
    if (changed && !m.repeatable && baseByPath.has(m.up.path) && !sameContent(baseByPath.get(m.up.path)!, headByPath.get(m.up.path)!)) {
      fact(m.id).editedAfterMerge = true;
    }
    return { ...m, status: changed ? "modified" : "unchanged" };
  });
  const headIds = new Set(headMigrations.map((m) => m.id));
  for (const m of baseMigrations) {
    if (!headIds.has(m.id) && !headByPath.has(m.up.path)) {
      migrations.push({ ...m, status: "deleted" });
      if (!m.repeatable) fact(m.id).deletedAfterMerge = true;
    }
  }
  markDuplicates(migrations, fact);
  markOrdering(migrations, baseMigrations, fact);
  return { migrations, facts };
}

function markDuplicates(migrations: Migration[], fact: (id: string) => MigrationFacts): void {
  const byVersion = new Map<string, Migration[]>();
  for (const m of migrations) {
    if (m.repeatable || m.status === "deleted") continue;
    const key = `${rootOf(m)}\u0000${m.version}`;
    byVersion.set(key, [...(byVersion.get(key) ?? []), m]);
  }
  for (const group of byVersion.values()) {
    if (group.length < 2) continue;
    for (const m of group) fact(m.id).duplicateVersionOf = group.filter((o) => o !== m).map((o) => o.id);
  }
}

function markOrdering(migrations: Migration[], base: FoundMigration[], fact: (id: string) => MigrationFacts): void {
  const newestByRoot = new Map<string, FoundMigration>();
  for (const m of base) {
    if (m.repeatable) continue;
    const current = newestByRoot.get(rootOf(m));
    if (!current || compareVersions(m.version, current.version) > 0) newestByRoot.set(rootOf(m), m);
  }
  for (const m of migrations) {
    if (m.status !== "added" || m.repeatable) continue;
    const newest = newestByRoot.get(rootOf(m));
    if (newest && compareVersions(m.version, newest.version) < 0) fact(m.id).orderedBefore = newest.id;
  }
}

function rootOf(m: { up: { path: string }; layout: Layout }): string {
  return migrationRoot(m.up.path, new Set());
}
