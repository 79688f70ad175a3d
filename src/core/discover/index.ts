// Discovery: which files are migrations, how they pair into up/down, in which order they
// run, and what changed against the base branch (added, edited after merge, deleted, reordered).
import picomatch from "picomatch";
import type { Config } from "../config/schema.js";
import type { Layout, Migration, ScriptRef, SourceFile, Span } from "../model.js";
import type { MigrationFacts } from "../analyze/rule.js";
import { LineIndex } from "../parse/text.js";
import { basename, compareVersions, dirname, problem, textOf, type DiscoveryProblem, type FoundMigration, type LayoutSpec, type RecordedEdit } from "./layout.js";
import { LAYOUTS } from "./layouts/index.js";
import { scriptSource } from "./sections.js";
import { SizedLru } from "../cache/lru.js";
import { comparableUnits, isCodeFile, TYPEORM_FILE_NAME } from "./typeorm-code.js";

export type { DiscoveryProblem } from "./layout.js";

export interface Discovery {
  /** Head migrations in run order (per migration root), plus base migrations deleted by the change. */
  migrations: Migration[];
  facts: Map<string, MigrationFacts>;
  /** Head files the layout's tool would skip or refuse. */
  problems: DiscoveryProblem[];
  /** The layout chosen for each migration root of the head. */
  roots: { root: string; layout: Layout }[];
}

/** Migration files are looked for here unless the config says otherwise. */
export const DEFAULT_PATHS = ["**/*.sql"];
/**
 * The code files discovery also looks at by default (TypeORM migrations, see isMigrationCode), as
 * glob patterns for a workflow's `paths:` trigger (which knows no `{ts,js}` braces).
 */
export const DEFAULT_CODE_PATTERNS = ["ts", "js"].flatMap((ext) => [`**/migration/*.${ext}`, `**/migrations/*.${ext}`, `**/${"[0-9]".repeat(10)}*-*.${ext}`]);
/**
 * Files a layout reads besides SQL (the sqitch plan, Prisma's lock file, diesel and Sourcegraph
 * metadata, Flyway script configs) or reports (goose's Go migrations). They come along whenever
 * selected SQL sits below their folder.
 */
const LAYOUT_FILE = /(^|\/)(sqitch\.plan|migration_lock\.toml|metadata\.toml|metadata\.yaml|[^/]+\.sql\.conf|\d+_[^/]+\.go|[^/]*([cC]hange[lL]og|master)[^/]*\.(xml|ya?ml|json)|atlas\.sum|meta\/_journal\.json)$/;
const ALWAYS_EXCLUDED = ["**/node_modules/**", "**/.git/**"];

/** Most paths are SQL: the layout-file pattern (slow, with its alternatives) only runs on the rest. */
function isLayoutFile(path: string): boolean {
  return !path.endsWith(".sql") && LAYOUT_FILE.test(path);
}

/**
 * Code files that may be TypeORM migrations, looked at by default besides SQL: TypeORM's own
 * naming (`<timestamp>-<Name>.ts`) or any script in a folder named `migration(s)`. The layout
 * reads them and ignores those that hold no migration class.
 */
function isMigrationCode(path: string): boolean {
  return isCodeFile(path) && (TYPEORM_FILE_NAME.test(path) || /(^|\/)migrations?\/[^/]+$/i.test(path));
}

/** The paths (of a listing) that discovery will look at: selected SQL plus the layout files next to it. */
export function migrationCandidates(paths: string[], config: Pick<Config, "paths" | "exclude">): string[] {
  const { included, exclude } = matchersFor(config);
  const sql = paths.filter((p) => included(p) && !isLayoutFile(p));
  const sqlDirs = new Set<string>();
  for (const p of sql) for (let d = dirname(p); ; d = dirname(d)) {
    if (sqlDirs.has(d)) break;
    sqlDirs.add(d);
    if (d === "") break;
  }
  // Drizzle's journal sits in `meta/` below the SQL it orders.
  const folderOf = (p: string) => (/(^|\/)meta\/_journal\.json$/.test(p) ? dirname(dirname(p)) : dirname(p));
  const layoutFiles = paths.filter((p) => isLayoutFile(p) && !exclude(p) && sqlDirs.has(folderOf(p)));
  return [...sql, ...layoutFiles];
}

interface Matchers {
  /** Selected by `paths` and not excluded. */
  included: (path: string) => boolean;
  exclude: (path: string) => boolean;
}

/**
 * Compiled globs per configuration, with their answers per path remembered: the App matches the
 * same base tree's paths several times per delivery, on every delivery.
 */
const matchers = new Map<string, Matchers>();
const MAX_REMEMBERED_PATHS = 200_000;

function matchersFor(config: Pick<Config, "paths" | "exclude">): Matchers {
  const key = JSON.stringify([config.paths, config.exclude]);
  let found = matchers.get(key);
  if (found) return found;
  // The default finds `X.SQL` too: the layout then accepts it or reports it, never skips it silently.
  const glob = picomatch(config.paths.length ? config.paths : DEFAULT_PATHS, { dot: true, nocase: !config.paths.length });
  const include = config.paths.length ? glob : (p: string) => glob(p) || isMigrationCode(p);
  const excluded = picomatch([...ALWAYS_EXCLUDED, ...config.exclude], { dot: true });
  // Paths outside the working folder (`../db/x.sql`) are matched as if they started below it.
  const inside = (p: string) => p.replace(/^(\.\.\/)+/, "");
  const exclude = (p: string) => excluded(inside(p));
  const answers = new Map<string, boolean>();
  found = {
    exclude,
    included(path) {
      let answer = answers.get(path);
      if (answer === undefined) {
        if (answers.size >= MAX_REMEMBERED_PATHS) answers.clear();
        answers.set(path, (answer = include(inside(path)) && !exclude(path)));
      }
      return answer;
    },
  };
  if (matchers.size >= 64) matchers.clear();
  matchers.set(key, found);
  return found;
}

/** Lists selectMigrationFiles returned, per configuration: selecting them again changes nothing. */
const selected = new WeakMap<readonly SourceFile[], Pick<Config, "paths" | "exclude">>();

export function selectMigrationFiles(files: SourceFile[], config: Pick<Config, "paths" | "exclude">): SourceFile[] {
  // The App selects once when it reads the pull request; discovery then gets the same list.
  const by = selected.get(files);
  if (by && (by === config || (by.paths === config.paths && by.exclude === config.exclude))) return files;
  const wanted = new Set(migrationCandidates(files.map((f) => f.path), config));
  const out = files.filter((f) => wanted.has(f.path));
  selected.set(out, config);
  return out;
}

export function detectLayout(files: SourceFile[]): LayoutSpec | undefined {
  let best: LayoutSpec | undefined;
  let bestScore = 0;
  for (const spec of LAYOUTS) {
    const score = spec.score(files);
    if (score > bestScore) {
      best = spec;
      bestScore = score;
    }
  }
  return best;
}

/**
 * A migration root is the folder a tool points at. Files in `<root>/<version_name>/x.sql`
 * (Prisma, diesel), `<root>/{deploy,revert,verify}/x.sql` (sqitch) and `<root>/down/x.sql`
 * (plain) belong to `<root>`.
 */
export function migrationRoot(path: string, allPaths: ReadonlySet<string>): string {
  const dir = dirname(path);
  const parent = dirname(dir);
  const leaf = basename(dir);
  if (/^(deploy|revert|verify)$/.test(leaf) && allPaths.has(parent ? `${parent}/sqitch.plan` : "sqitch.plan")) return parent;
  // A plain folder's rollbacks may live in `down/` (or `rollback/`) below it.
  if (/^(down|rollback)$/i.test(leaf)) return parent;
  // Drizzle's journal belongs to the folder of the SQL files it orders.
  if (leaf === "meta" && basename(path) === "_journal.json") return parent;
  if (/^\d{4,}[_-]?/.test(leaf) && /^(migration\.sql|up\.sql|down\.sql|metadata\.toml|metadata\.yaml)$/.test(basename(path))) return parent;
  return dir;
}

interface RootResult {
  root: string;
  spec: LayoutSpec;
  migrations: FoundMigration[];
  problems: DiscoveryProblem[];
  edited: RecordedEdit[];
}

/**
 * Splits files into migration roots and lets the configured layout, the layout `preferred`
 * for that root (the head's choice, when reading the base), or the best-scoring one claim each.
 */
function collectRoots(files: SourceFile[], config: Pick<Config, "layout" | "dialect">, preferred = new Map<string, LayoutSpec>()): RootResult[] {
  const layout = config.layout;
  // The whole listing seen before (the App's base tree, on every delivery and twice per delivery): no grouping again.
  const key = listingKey(files, `${layout}:${[...preferred].map(([root, spec]) => `${root}=${spec.name}`).join(",")}`, config.dialect);
  const known = key === undefined ? undefined : collectedListings.get(key);
  if (known) return known;
  const out: RootResult[] = [];
  for (const [root, group] of groupByRoot(files)) {
    const spec = layout === "auto" ? (preferred.get(root) ?? detectLayout(group)) : LAYOUTS.find((l) => l.name === layout);
    if (!spec) continue;
    const { migrations, problems, edited = [] } = spec.collect(group, { dialect: config.dialect });
    out.push({ root, spec, migrations: migrations.sort(byRunOrder), problems, edited });
  }
  out.sort((a, b) => a.root.localeCompare(b.root));
  if (key !== undefined) collectedListings.set(key, out);
  return out;
}

/**
 * Roots of listings already collected, by layout choice and the identity of every file (path,
 * blob SHA, and whether its content was loaded): a blob never changes. A few listings per
 * repository are in use at a time. Read-only results.
 */
const collectedListings = new SizedLru<RootResult[]>(64, () => 1);

/** Undefined when a file has no blob SHA (local files): their content alone says what they are. */
function listingKey(files: SourceFile[], choice: string, dialect: string): string | undefined {
  const parts = [choice, dialect];
  for (const f of files) {
    if (!f.sha || f.sha.startsWith("unknown:")) return undefined;
    parts.push(f.path, f.sha, f.content === undefined ? "-" : "+");
  }
  return parts.join("\0");
}

function byRunOrder(a: FoundMigration, b: FoundMigration): number {
  return compareVersions(a.version, b.version) || a.id.localeCompare(b.id);
}

function groupByRoot(files: SourceFile[]): Map<string, SourceFile[]> {
  const all = new Set(files.map((f) => f.path));
  const groups = new Map<string, SourceFile[]>();
  for (const f of files) {
    const root = migrationRoot(f.path, all);
    const list = groups.get(root);
    if (list) list.push(f);
    else groups.set(root, [f]);
  }
  return groups;
}

type Comparison = { same: boolean; firstChange?: Span };

/** Compares one script (a file, or a dbmate section of one) between base and head. */
function compareScripts(head: ScriptRef, headFile: SourceFile | undefined, base: ScriptRef, baseFile: SourceFile | undefined): Comparison {
  if (!headFile || !baseFile) return { same: false };
  // The same blob read the same way is the same script: no need to decode and cut both (the App
  // compares every merged migration of the base on every delivery).
  if (headFile.sha && headFile.sha === baseFile.sha && head.section === base.section && head.changeset === base.changeset && head.code === base.code && head.path === base.path) return { same: true };
  const headText = textOf(headFile);
  const baseText = textOf(baseFile);
  if (headText !== undefined && baseText !== undefined) {
    if (head.code) return compareCode(head, headFile, headText, base, baseFile, baseText);
    const h = scriptSource(head, headText, "postgres");
    const b = scriptSource(base, baseText, "postgres");
    if (h.text === b.text) return { same: true };
    return { same: false, firstChange: firstChangedLine(headFile.path, headText, h.text, h.baseLine, b.text) };
  }
  if (headFile.sha && baseFile.sha) return { same: headFile.sha === baseFile.sha };
  // Content that cannot be compared (binary, not loaded) counts as changed, never as edited.
  return { same: false };
}

/**
 * A migration in code is edited when the SQL it runs changed (whitespace ignored), not when the
 * code around it was reformatted; the first changed statement is where the finding points.
 */
function compareCode(head: ScriptRef, headFile: SourceFile, headText: string, base: ScriptRef, baseFile: SourceFile, baseText: string): Comparison {
  const h = comparableUnits(headFile.path, headText, head.section ?? "up");
  const b = comparableUnits(baseFile.path, baseText, base.section ?? "up");
  let i = 0;
  while (i < h.length && i < b.length && h[i]!.key === b[i]!.key) i++;
  if (i === h.length && i === b.length) return { same: true };
  const index = new LineIndex(headText);
  const at = h[Math.min(i, h.length - 1)]?.start ?? 0;
  return { same: false, firstChange: lineSpan(headFile.path, index, index.position(at).line) };
}

/** The whole of one line, as a finding's span. */
function lineSpan(file: string, index: LineIndex, line: number): Span {
  const startOffset = index.lineStart(line);
  const length = index.lineText(line).length;
  return { file, startLine: line, startColumn: 1, endLine: line, endColumn: length + 1, startOffset, endOffset: startOffset + length };
}

/** The first head line that differs from the base version of the same script. */
function firstChangedLine(file: string, fullText: string, headScript: string, baseLine: number, baseScript: string): Span {
  const h = headScript.split("\n");
  const b = baseScript.split("\n");
  let i = 0;
  while (i < h.length && i < b.length && h[i]!.replace(/\r$/, "") === b[i]!.replace(/\r$/, "")) i++;
  const index = new LineIndex(fullText);
  return lineSpan(file, index, Math.min(baseLine + Math.min(i, h.length - 1), index.lineCount));
}

/**
 * Pairs head and base migrations. Without a base, every migration counts as added.
 */
export function discover(
  input: { head: SourceFile[]; base?: SourceFile[] },
  config: Pick<Config, "paths" | "exclude" | "layout" | "dialect">,
): Discovery {
  const head = selectMigrationFiles(input.head, config);
  const headRoots = collectRoots(head, config);
  const problems = headRoots.flatMap((r) => r.problems);
  const sortProblems = () => problems.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
  const roots = headRoots.map((r) => ({ root: r.root, layout: r.spec.name }));
  const rootOf = new Map<string, RootResult>();
  for (const r of headRoots) for (const m of r.migrations) rootOf.set(m.id, r);
  const facts = new Map<string, MigrationFacts>();
  const fact = (id: string) => {
    let f = facts.get(id);
    if (!f) facts.set(id, (f = { editedAfterMerge: false, deletedAfterMerge: false, duplicateVersionOf: [] }));
    return f;
  };
  const headMigrations = headRoots.flatMap((r) => r.migrations);
  const recorded = headRoots.flatMap((r) => r.edited);
  if (!input.base) {
    const migrations = headMigrations.map((m): Migration => ({ ...m, status: "added" }));
    // Without a base, the tool's record (atlas.sum) is what was merged: a file that differs from it was edited.
    for (const e of recorded) Object.assign(fact(e.id), { editedAfterMerge: true, editedRecord: { record: e.record, consequence: e.consequence } });
    markDuplicates(migrations, rootOf, fact);
    return { migrations, facts, problems: sortProblems(), roots };
  }

  const headByPath = new Map(head.map((f) => [f.path, f]));
  const base = selectMigrationFiles(input.base, config);
  const baseByPath = new Map(base.map((f) => [f.path, f]));
  const baseRoots = collectRoots(base, config, new Map(headRoots.map((r) => [r.root, r.spec])));
  const baseMigrations = baseRoots.flatMap((r) => r.migrations);
  const baseById = new Map(baseMigrations.map((m) => [m.id, m]));
  const matched = new Set<string>();
  const migrations: Migration[] = headMigrations.map((m) => {
    const before = baseById.get(m.id);
    if (!before) return { ...m, status: "added" };
    matched.add(before.id);
    const up = compareScripts(m.up, headByPath.get(m.up.path), before.up, baseByPath.get(before.up.path));
    const down =
      !m.down && !before.down
        ? { same: true }
        : m.down && before.down
          ? compareScripts(m.down, headByPath.get(m.down.path), before.down, baseByPath.get(before.down.path))
          : { same: false };
    if (!up.same && !m.repeatable) {
      const f = fact(m.id);
      f.editedAfterMerge = true;
      f.editedAt = up.firstChange;
    }
    return { ...m, status: up.same && down.same ? "unchanged" : "modified" };
  });
  for (const r of baseRoots) for (const m of r.migrations) if (!rootOf.has(m.id)) rootOf.set(m.id, r);
  for (const m of baseMigrations) {
    if (matched.has(m.id)) continue;
    migrations.push({ ...m, status: "deleted" });
    if (!m.repeatable) fact(m.id).deletedAfterMerge = true;
  }
  // Against a base, only a merged migration the change edited is an edited migration; a file new
  // in the change (or one the change left as it was) that differs from the record means the record is stale.
  const statusOf = new Map(migrations.map((m) => [m.id, m.status]));
  for (const e of recorded) {
    const path = e.id.split("::")[0]!;
    if (statusOf.get(e.id) === "modified" && facts.get(e.id)?.editedAfterMerge) {
      facts.get(e.id)!.editedRecord = { record: e.record, consequence: e.consequence };
    } else {
      problems.push(problem(path, `${basename(path)} differs from the hash ${e.record} holds for it: ${e.consequence}`));
    }
  }
  markDuplicates(migrations, rootOf, fact);
  markOrdering(migrations, baseRoots, rootOf, fact);
  return { migrations, facts, problems: sortProblems(), roots };
}

function markDuplicates(migrations: Migration[], rootOf: Map<string, RootResult>, fact: (id: string) => MigrationFacts): void {
  const byVersion = new Map<string, Migration[]>();
  for (const m of migrations) {
    const root = rootOf.get(m.id);
    if (m.repeatable || m.status === "deleted" || !root?.spec.uniqueVersions) continue;
    const key = `${root.root}\u0000${m.version}`;
    const group = byVersion.get(key);
    if (group) group.push(m);
    else byVersion.set(key, [m]);
  }
  for (const group of byVersion.values()) {
    if (group.length < 2) continue;
    for (const m of group) fact(m.id).duplicateVersionOf = group.filter((o) => o !== m).map((o) => o.id);
  }
}

function markOrdering(migrations: Migration[], baseRoots: RootResult[], rootOf: Map<string, RootResult>, fact: (id: string) => MigrationFacts): void {
  const newestByRoot = new Map<string, FoundMigration>();
  for (const r of baseRoots) {
    for (const m of r.migrations) {
      if (m.repeatable) continue;
      const current = newestByRoot.get(r.root);
      if (!current || compareVersions(m.version, current.version) > 0) newestByRoot.set(r.root, m);
    }
  }
  for (const m of migrations) {
    if (m.status !== "added" || m.repeatable) continue;
    const root = rootOf.get(m.id)?.root;
    const newest = root === undefined ? undefined : newestByRoot.get(root);
    if (newest && compareVersions(m.version, newest.version) < 0) fact(m.id).orderedBefore = newest.id;
  }
}
