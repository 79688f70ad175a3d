// sqlx (launchbadge/sqlx, `sqlx migrate run` / `migrate!`): `<version>_<description>.sql`, or the
// reversible pair `<version>_<description>.up.sql` / `.down.sql`, in version order.
//
// Transactions: sqlx sends the whole file as one query inside a transaction of its own (with its
// bookkeeping insert), so CREATE INDEX CONCURRENTLY fails even alone in a file; a file that starts
// with `-- no-transaction` runs without one (still one query: `SET …; CREATE INDEX CONCURRENTLY`
// fails, a lone CONCURRENTLY statement works). Its reversible files share golang-migrate's naming,
// so a folder is taken for sqlx when a file says `-- no-transaction` (sqlx's own directive) or
// the configuration says `layout: sqlx`.
import type { SourceFile } from "../../model.js";
import { basename, isSql, numericVersion, problem, textOf, type Collected, type FoundMigration, type LayoutSpec } from "../layout.js";

const FILE = /^(\d+)_(.+?)(?:\.(up|down))?\.sql$/;
const NO_TRANSACTION = /^-- no-transaction/;

function optsOut(file: SourceFile): boolean {
  return NO_TRANSACTION.test(textOf(file) ?? "");
}

export const sqlxLayout: LayoutSpec = {
  name: "sqlx",
  tool: "sqlx",
  transaction: "per-file",
  delivery: "whole-file",
  outsideTransaction:
    "start the migration file with `-- no-transaction` and keep the statement alone in it: sqlx then sends the file as one query without a transaction, and a query holding one statement runs outside any transaction block",
  uniqueVersions: true,
  score: (files) => (files.some((f) => isSql(f.path) && FILE.test(basename(f.path)) && optsOut(f)) ? 70 : 0),
  collect(files): Collected {
    const problems: Collected["problems"] = [];
    const ups = new Map<string, { file: SourceFile; title: string; reversible: boolean }>();
    const downs = new Map<string, string>();
    for (const f of files.filter((x) => isSql(x.path))) {
      const m = FILE.exec(basename(f.path));
      if (!m) {
        problems.push(problem(f.path, `sqlx skips \`${basename(f.path)}\`: the name does not match \`<version>_<description>.sql\` (or .up.sql / .down.sql)`));
        continue;
      }
      const version = numericVersion(m[1]!);
      if (m[3] === "down") downs.set(version, f.path);
      else if (ups.has(version)) problems.push(problem(f.path, `sqlx refuses two migrations with version ${version}: ${basename(ups.get(version)!.file.path)} and ${basename(f.path)}`));
      else ups.set(version, { file: f, title: m[2]!, reversible: m[3] === "up" });
    }
    const migrations: FoundMigration[] = [];
    for (const [version, up] of ups) {
      const down = downs.get(version);
      migrations.push({
        id: up.file.path,
        version,
        name: up.title,
        layout: "sqlx",
        up: { path: up.file.path },
        down: down ? { path: down } : undefined,
        repeatable: false,
        // A simple (non-reversible) sqlx migration has no down by design.
        rollbackExpected: up.reversible,
        transaction: optsOut(up.file) ? "none" : "per-file",
        delivery: "whole-file",
      });
    }
    for (const [version, down] of downs) if (!ups.has(version)) problems.push(problem(down, `${basename(down)} has no ${version}_….up.sql: a rollback without a migration`));
    return { migrations, problems };
  },
};
