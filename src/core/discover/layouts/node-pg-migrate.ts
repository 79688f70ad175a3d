// node-pg-migrate SQL migrations (https://salsita.github.io/node-pg-migrate): `<timestamp>_<name>.sql`
// holding both directions under `-- Up Migration` and `-- Down Migration`, run in file-name order.
//
// Transactions: the CLI runs all pending migrations in one transaction (`single-transaction`,
// the default; `--no-single-transaction` wraps each migration in its own) and sends a SQL file's
// section as one query. SQL migrations have no opt-out (only JS ones: `pgm.noTransaction()`), so
// CREATE INDEX CONCURRENTLY always fails in a .sql migration (verified with node-pg-migrate 9.0).
import { basename, isSql, problem, textOf, type Collected, type FoundMigration, type LayoutSpec } from "../layout.js";

const FILE = /^(\d+)[_-](.+)\.sql$/;
/** node-pg-migrate's own marker regex: `^\s*--[\s-]*up\s+migration`. */
const UP = /^\s*--[\s-]*up\s+migration/im;
const DOWN = /^\s*--[\s-]*down\s+migration/im;

export const nodePgMigrateLayout: LayoutSpec = {
  name: "node-pg-migrate",
  tool: "node-pg-migrate",
  transaction: "per-file",
  delivery: "whole-file",
  outsideTransaction:
    "write this migration in JavaScript or TypeScript with `pgm.noTransaction()` (SQL migrations always run in node-pg-migrate's transaction)",
  uniqueVersions: false,
  score(files) {
    const sql = files.filter((f) => isSql(f.path));
    const marked = sql.filter((f) => UP.test(textOf(f) ?? "")).length;
    return marked ? 10 * (marked / sql.length) + 2 : 0;
  },
  collect(files): Collected {
    const problems: Collected["problems"] = [];
    const migrations: FoundMigration[] = [];
    for (const f of files.filter((x) => isSql(x.path))) {
      const name = basename(f.path);
      const text = textOf(f);
      const m = FILE.exec(name);
      if (!m || (text !== undefined && !UP.test(text))) {
        problems.push(problem(f.path, `node-pg-migrate runs \`${name}\` only with a \`-- Up Migration\` section and a \`<timestamp>_<name>.sql\` name`));
        continue;
      }
      migrations.push({
        id: f.path,
        // node-pg-migrate sorts by file name.
        version: name,
        name: m[2]!,
        layout: "node-pg-migrate",
        up: { path: f.path, section: "up" },
        down: text === undefined || DOWN.test(text) ? { path: f.path, section: "down" } : undefined,
        repeatable: false,
        rollbackExpected: true,
        transaction: "per-file",
        delivery: "whole-file",
      });
    }
    return { migrations, problems };
  },
};
