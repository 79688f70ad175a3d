// Which migrations build the environment and which are the change under test, with the SQL
// text of each: unchanged base migrations (and, in their base version, edited or deleted ones)
// build the pre-change schema; added ones are the change. Without a base, `--last <n>` picks the
// change, or the whole history is the change.
import { AS_WRITTEN, fileSemantics } from "../core/analyze/transaction.js";
import type { Config } from "../core/config/schema.js";
import { discover } from "../core/discover/index.js";
import { scriptSource } from "../core/discover/sections.js";
import type { ChangeInput, Dialect, Migration, ScriptRef, SourceFile, SqlSource } from "../core/model.js";
import { decodeSource } from "../core/parse/text.js";
import type { Problem } from "../core/evidence/report.js";
import type { ChangeMigration, TestInput } from "./runner.js";

export interface PlannedTest {
  environment: TestInput["environment"];
  change: ChangeMigration[];
  notes: Problem[];
  /** Files that could not be read: the run cannot be trusted, so the CLI stops. */
  problems: Problem[];
}

export function planTest(input: ChangeInput, config: Config, options: { last?: number; schemaFile?: { path: string; text: string } } = {}): PlannedTest {
  const dialect: Dialect = config.dialect;
  const { migrations } = discover(input, config);
  const head = new Map(input.head.map((f) => [f.path, f]));
  const base = new Map((input.base ?? []).map((f) => [f.path, f]));
  const notes: Problem[] = [];
  const problems: Problem[] = [];
  const source = (ref: ScriptRef, files: Map<string, SourceFile>): SqlSource | undefined => {
    const file = files.get(ref.path);
    if (!file || file.content === undefined) {
      problems.push({ where: ref.path, message: "cannot read the file's content" });
      return undefined;
    }
    const decoded = decodeSource(file.content);
    if (!decoded.ok) {
      problems.push({ where: ref.path, message: decoded.problem });
      return undefined;
    }
    return scriptSource(ref, decoded.text, dialect, { run: true });
  };
  const runsAs = (m: Migration) => fileSemantics(m, config);
  // A merged code migration that builds part of its SQL at run time (a data fix through TypeORM's
  // query builder): the environment gets the rest of it, and the note says what was left out.
  const environmentSource = (source: SqlSource): SqlSource => {
    if (!source.embedded?.unanalyzable.length) return source;
    for (const u of source.embedded.unanalyzable) {
      notes.push({ where: `${source.file}:${source.text.slice(0, u.start).split("\n").length}`, message: `not applied to the environment: ${u.message}` });
    }
    return { ...source, embedded: { ...source.embedded, unanalyzable: [] } };
  };

  const environment: TestInput["environment"]["scripts"] = [];
  const change: ChangeMigration[] = [];
  const ordered = migrations.filter((m) => !runsLast(m)).concat(migrations.filter(runsLast));
  const isChange = changeSelector(ordered, input.base !== undefined, options.last);
  for (const m of ordered) {
    if (isChange(m)) {
      const up = source(m.up, head);
      const down = m.down ? source(m.down, head) : undefined;
      if (up) change.push({ migration: m, up, ...(down ? { down } : {}) });
      continue;
    }
    if (options.schemaFile) continue;
    if (m.status === "modified" || m.status === "deleted") {
      // Production ran the base version; tools will not re-run an edited file.
      const up = source(m.up, base);
      if (up) environment.push({ id: m.id, source: environmentSource(up), runsAs: runsAs(m) });
      notes.push({ where: m.up.path, message: m.status === "modified" ? "edited after it was merged: the environment uses its base version, which is what production ran" : "deleted by the change: the environment still applies it, as production did" });
      continue;
    }
    const up = source(m.up, head);
    if (up) environment.push({ id: m.id, source: environmentSource(up), runsAs: runsAs(m) });
  }
  if (options.schemaFile) {
    return {
      environment: { source: "schema_file", scripts: [{ id: options.schemaFile.path, source: { file: options.schemaFile.path, text: options.schemaFile.text, baseOffset: 0, baseLine: 1, dialect }, runsAs: AS_WRITTEN }] },
      change,
      notes,
      problems,
    };
  }
  return { environment: { source: environment.length ? "migrations" : "empty", scripts: environment }, change, notes, problems };
}

/**
 * Flyway runs repeatable (`R__`) migrations after all versioned ones; Liquibase runs its
 * `runOnChange` changesets where the changelog lists them.
 */
function runsLast(m: Migration): boolean {
  return m.repeatable && m.layout !== "liquibase";
}

function changeSelector(migrations: Migration[], hasBase: boolean, last: number | undefined): (m: Migration) => boolean {
  if (hasBase) return (m) => m.status === "added";
  if (last === undefined) return (m) => m.status !== "deleted";
  const versioned = migrations.filter((m) => !runsLast(m));
  const chosen = new Set(versioned.slice(Math.max(0, versioned.length - last)).map((m) => m.id));
  return (m) => chosen.has(m.id);
}
