// Plain folder of .sql files applied in name order; a `*.down.sql`, `*_down.sql` or
// `down/<same name>` file is the rollback when present.
import { basename, dirname, type FoundMigration, type LayoutSpec } from "../layout.js";

const DOWN = /(?:[._-]down|[._-]rollback|[._-]revert)\.sql$/i;

export const plainLayout: LayoutSpec = {
  name: "plain",
  transaction: "none",
  score: (paths) => (paths.some((p) => p.toLowerCase().endsWith(".sql")) ? 1 : 0),
  collect(files) {
    const sql = files.filter((f) => f.path.toLowerCase().endsWith(".sql"));
    const downs = new Map<string, string>();
    for (const f of sql) {
      const name = basename(f.path);
      if (DOWN.test(name)) downs.set(`${dirname(f.path)}/${name.replace(DOWN, "")}`, f.path);
      else if (/(^|\/)(down|rollback)\//i.test(f.path)) {
        downs.set(`${dirname(dirname(f.path))}/${name.replace(/\.sql$/i, "")}`, f.path);
      }
    }
    const downPaths = new Set(downs.values());
    return sql
      .filter((f) => !downPaths.has(f.path))
      .map((f): FoundMigration => {
        const name = basename(f.path).replace(/(?:[._-]up)?\.sql$/i, "");
        const down = downs.get(`${dirname(f.path)}/${name}`);
        return {
          id: f.path,
          version: name,
          name,
          layout: "plain",
          up: { path: f.path },
          down: down ? { path: down } : undefined,
          repeatable: false,
          rollbackExpected: true,
          transaction: "none",
        };
      });
  },
};
