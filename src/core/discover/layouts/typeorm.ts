// TypeORM (https://typeorm.io/docs/migrations/why): migrations are TypeScript or JavaScript classes,
// usually `<timestamp>-<Name>.ts` in `src/migrations/`, whose `up(queryRunner)` runs the change and
// `down(queryRunner)` undoes it. The SQL is what they pass to `queryRunner.query(…)`, read with a
// real parser (../typeorm-code.ts); a file without such a class is not a migration and is ignored.
//
// Order: the 13-digit JavaScript timestamp at the end of the class name (or of its `name`
// property); TypeORM refuses a class without one ("Migration class name should have a JavaScript
// timestamp appended").
// Transactions: `migrationsTransactionMode` defaults to "all", one transaction around every
// pending migration; "each" gives each migration its own. A class with `transaction = false`
// runs without one, which is how CREATE INDEX CONCURRENTLY runs (only in mode "each": in mode
// "all" TypeORM refuses the override with ForbiddenTransactionModeOverrideError). Each
// `queryRunner.query` call is one query sent on its own.
import type { SourceFile } from "../../model.js";
import { readTypeormFile, isCodeFile, TYPEORM_FILE_NAME, TYPEORM_GENERATED_NAME } from "../typeorm-code.js";
import { basename, isSql, problem, textOf, type Collected, type FoundMigration, type LayoutSpec } from "../layout.js";

/** Known by name only: listed without content (merged files the App does not fetch). */
function byNameOnly(file: SourceFile): boolean {
  return file.content === undefined && file.unreadable === undefined && isCodeFile(file.path) && TYPEORM_GENERATED_NAME.test(basename(file.path));
}

function isTypeormMigration(file: SourceFile): boolean {
  if (!isCodeFile(file.path)) return false;
  if (byNameOnly(file)) return true;
  const text = textOf(file);
  return text !== undefined && readTypeormFile(file.path, text).kind === "migration";
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

export const typeormLayout: LayoutSpec = {
  name: "typeorm",
  tool: "TypeORM",
  transaction: "per-file",
  delivery: "per-statement",
  outsideTransaction:
    "move the statement to a migration of its own with `transaction = false` on the class, and run migrations with `migrationsTransactionMode: \"each\"` (or `typeorm migration:run --transaction each`): TypeORM then runs that migration without a transaction (in the default mode `all` it refuses the override)",
  uniqueVersions: false,
  // Only code files holding a migration class count: SQL folders score 0 and keep their layout.
  score(files) {
    const migrations = files.filter(isTypeormMigration).length;
    if (!migrations) return 0;
    const sql = files.filter((f) => isSql(f.path)).length;
    return (20 * migrations) / (migrations + sql);
  },
  collect(files): Collected {
    const migrations: FoundMigration[] = [];
    const problems: Collected["problems"] = [];
    for (const f of files) {
      const name = basename(f.path);
      if (isSql(f.path)) {
        problems.push(problem(f.path, `TypeORM runs migration classes, not SQL files: \`${name}\` is never run`));
        continue;
      }
      if (!isCodeFile(f.path)) continue;
      if (byNameOnly(f)) {
        // Its class cannot be read: the name's timestamp is the version (TypeORM's generator writes
        // the same one into the class name), and a down() is assumed, as migration:create writes one.
        const [, version, title] = TYPEORM_GENERATED_NAME.exec(name)!;
        migrations.push({ id: f.path, version: version!, name: `${title}${version}`, layout: "typeorm", up: { path: f.path, section: "up", code: "typeorm" }, down: { path: f.path, section: "down", code: "typeorm" }, repeatable: false, rollbackExpected: true, transaction: "per-file", delivery: "per-statement" });
        continue;
      }
      const text = textOf(f);
      if (text === undefined) continue;
      const read = readTypeormFile(f.path, text);
      if (read.kind === "unparsable") {
        // Only a file named or written like a migration is worth a word.
        if (TYPEORM_FILE_NAME.test(f.path) || /queryRunner|MigrationInterface/.test(text)) {
          const line = lineAt(text, read.offset);
          problems.push(problem(f.path, `${name} could not be read as TypeScript/JavaScript (${read.message}, line ${line}): the SQL it runs was not analyzed`, line, "unanalyzable-sql"));
        }
        continue;
      }
      if (read.kind !== "migration") continue;
      const m = read.migration;
      if (!m.timestamp) {
        problems.push(problem(f.path, `TypeORM refuses \`${m.name || name}\`: a migration class name must end with a 13-digit JavaScript timestamp (e.g. \`AddUsers1700000000000\`)`, lineAt(text, m.start)));
        continue;
      }
      migrations.push({
        id: f.path,
        version: m.timestamp,
        name: m.name,
        layout: "typeorm",
        up: { path: f.path, section: "up", code: "typeorm" },
        down: m.down ? { path: f.path, section: "down", code: "typeorm" } : undefined,
        repeatable: false,
        rollbackExpected: true,
        transaction: m.noTransaction ? "none" : "per-file",
        delivery: "per-statement",
      });
    }
    return { migrations, problems };
  },
};
