// Plain folder of .sql files applied in name order (a hand-rolled runner, psql in a loop).
// Rollbacks are found by the common conventions: `x.down.sql` / `x_down.sql` /
// `x-rollback.sql` next to `x.sql` (or `x.up.sql`), or `down/x.sql` below the folder.
// Transactions: an unknown runner is assumed not to wrap files, so only the file's own
// BEGIN/COMMIT count.
import { basename, dirname, isSql, problem, type Collected, type FoundMigration, type LayoutSpec } from "../layout.js";

const DOWN = /(?:[._-]down|[._-]rollback|[._-]revert)\.sql$/i;
const UP = /(?:[._-]up)?\.sql$/i;
const DOWN_DIR = /(^|\/)(down|rollback)\/[^/]+$/i;

export const plainLayout: LayoutSpec = {
  name: "plain",
  transaction: "none",
  delivery: "per-statement",
  outsideTransaction: "keep the statement outside BEGIN … COMMIT, and run the file without a wrapping transaction (e.g. `psql -f`, not `psql -1`)",
  uniqueVersions: false,
  score: (files) => (files.some((f) => isSql(f.path)) ? 1 : 0),
  collect(files): Collected {
    const sql = files.filter((f) => isSql(f.path));
    const downs = new Map<string, string>();
    for (const f of sql) {
      const name = basename(f.path);
      if (DOWN.test(name)) downs.set(`${dirname(f.path)}/${name.replace(DOWN, "")}`, f.path);
      else if (DOWN_DIR.test(f.path)) downs.set(`${dirname(dirname(f.path))}/${name.replace(/\.sql$/i, "")}`, f.path);
    }
    const paired = new Set<string>();
    const migrations = sql
      .filter((f) => !DOWN.test(basename(f.path)) && !DOWN_DIR.test(f.path))
      .map((f): FoundMigration => {
        const name = basename(f.path).replace(UP, "");
        const down = downs.get(`${dirname(f.path)}/${name}`);
        if (down) paired.add(down);
        return {
          id: f.path,
          // The runner orders by file name, so the name is the version.
          version: name,
          name,
          layout: "plain",
          up: { path: f.path },
          down: down ? { path: down } : undefined,
          repeatable: false,
          rollbackExpected: true,
          transaction: "none",
          delivery: "per-statement",
        };
      });
    const problems = [...downs.values()]
      .filter((d) => !paired.has(d))
      .map((d) => problem(d, `rollback ${d} has no matching migration: no file of that name next to it (or above its down/ folder)`));
    return { migrations, problems };
  },
};
