// Prisma Migrate (https://www.prisma.io/docs/orm/prisma-migrate): `migrations/<timestamp>_<name>/migration.sql`
// plus `migrations/migration_lock.toml`; migrations run in folder-name order and are identified
// by folder name, so two folders with the same timestamp do not conflict. Prisma has no down
// migrations by design (rollbackExpected false); a `down.sql` generated with
// `prisma migrate diff` next to `migration.sql`, as Prisma's docs suggest, is paired when present.
//
// Transactions: Prisma does not BEGIN around a migration ("none") but sends migration.sql as
// one query ("whole-file"): PostgreSQL runs several statements as one implicit transaction
// block (CREATE INDEX CONCURRENTLY fails in a multi-statement migration.sql with error 25001,
// prisma/prisma#14456), while a migration.sql holding one statement runs outside any.
import { basename, dirname, namingScore, problem, type Collected, type FoundMigration, type LayoutSpec } from "../layout.js";

const FOLDER = /^(\d+)_(.+)$/;

function folderOf(path: string): RegExpExecArray | null {
  return FOLDER.exec(basename(dirname(path)));
}

export const prismaLayout: LayoutSpec = {
  name: "prisma",
  tool: "Prisma",
  transaction: "none",
  delivery: "whole-file",
  outsideTransaction:
    "put the statement alone in a migration of its own (`prisma migrate dev --create-only`, then edit migration.sql): Prisma sends migration.sql as one query, and a query holding a single statement runs outside any transaction block",
  uniqueVersions: false,
  score(files) {
    const lock = files.some((f) => basename(f.path) === "migration_lock.toml") ? 2 : 0;
    const named = namingScore(files, (f) => basename(f.path) === "migration.sql" && folderOf(f.path) !== null);
    return named > 0 ? named + lock : 0;
  },
  collect(files): Collected {
    const byFolder = new Map<string, { up?: string; down?: string }>();
    const problems: Collected["problems"] = [];
    for (const f of files) {
      const name = basename(f.path);
      if (name === "migration_lock.toml" || !name.toLowerCase().endsWith(".sql")) continue;
      const folder = dirname(f.path);
      const entry = byFolder.get(folder) ?? {};
      if (folderOf(f.path) && name === "migration.sql") entry.up = f.path;
      else if (folderOf(f.path) && name === "down.sql") entry.down = f.path;
      else {
        problems.push(problem(f.path, `Prisma only applies \`<timestamp>_<name>/migration.sql\`: \`${f.path}\` is never run`));
        continue;
      }
      byFolder.set(folder, entry);
    }
    const migrations: FoundMigration[] = [];
    for (const [folder, { up, down }] of byFolder) {
      if (!up) {
        problems.push(problem(down!, `${folder} has a down.sql but no migration.sql`));
        continue;
      }
      const m = folderOf(up)!;
      migrations.push({
        id: up,
        // Prisma orders by the whole folder name; the timestamp comes first in it.
        version: `${m[1]}.${m[2]}`,
        name: m[2]!,
        layout: "prisma",
        up: { path: up },
        down: down ? { path: down } : undefined,
        repeatable: false,
        rollbackExpected: false,
        transaction: "none",
        delivery: "whole-file",
      });
    }
    return { migrations, problems };
  },
};
