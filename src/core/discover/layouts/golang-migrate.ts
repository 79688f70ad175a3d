// golang-migrate (https://github.com/golang-migrate/migrate, MIGRATIONS.md):
// `<version>_<title>.up.sql` and `<version>_<title>.down.sql`; the version is an unsigned
// integer (a sequence such as 000001 or a unix timestamp) and migrations run in numeric order.
// sqlx's reversible migrations (`<version>_<description>.up.sql`) use the same naming but run in a
// transaction: a folder with sqlx's `-- no-transaction` goes to the sqlx layout (or `layout: sqlx`).
//
// Transactions: the PostgreSQL driver never BEGINs around a migration ("none") but sends the
// whole file as one query ("whole-file"): PostgreSQL runs a query of several statements as one
// implicit transaction block (they commit or fail together, CREATE INDEX CONCURRENTLY fails in
// it), while a file holding a single statement runs outside any transaction block. With
// `x-multi-statement=true` in the database URL it splits the file at every `;` and sends each
// piece on its own: the config's `delivery: per-statement` says so.
// Files that do not follow the naming are skipped by golang-migrate: reported here.
import { basename, isSql, namingScore, numericVersion, problem, type Collected, type FoundMigration, type LayoutSpec } from "../layout.js";
import { atlasSumFile, checkAtlasSum } from "../atlas-sum.js";

const FILE = /^(\d+)_(.*)\.(up|down)\.sql$/;

export const golangMigrateLayout: LayoutSpec = {
  name: "golang-migrate",
  tool: "golang-migrate",
  transaction: "none",
  delivery: "whole-file",
  outsideTransaction:
    "put the statement in a migration file of its own: golang-migrate sends a file as one query, and a query holding a single statement runs outside any transaction block (or run golang-migrate with `x-multi-statement=true` and set `delivery: per-statement` in migration-guard's config)",
  uniqueVersions: true,
  // Without a single .up.sql this is not golang-migrate, whatever the downs look like.
  score: (files) => (files.some((f) => /\.up\.sql$/.test(f.path) && FILE.test(basename(f.path))) ? namingScore(files, (f) => FILE.test(basename(f.path))) : 0),
  collect(files): Collected {
    const ups = new Map<string, { path: string; version: string; title: string }[]>();
    const downs = new Map<string, string>();
    const problems: Collected["problems"] = [];
    for (const f of files.filter((x) => isSql(x.path))) {
      const m = FILE.exec(basename(f.path));
      if (!m) {
        problems.push(problem(f.path, `golang-migrate skips \`${basename(f.path)}\`: the name does not match \`<version>_<title>.up.sql\` or \`<version>_<title>.down.sql\``));
        continue;
      }
      const version = numericVersion(m[1]!);
      if (m[3] === "down") downs.set(version, f.path);
      else ups.set(version, [...(ups.get(version) ?? []), { path: f.path, version, title: m[2]! }]);
    }
    const migrations: FoundMigration[] = [];
    for (const [version, list] of ups) {
      for (const up of list) {
        const down = downs.get(version);
        migrations.push({
          id: up.path,
          version,
          name: up.title,
          layout: "golang-migrate",
          up: { path: up.path },
          down: down ? { path: down } : undefined,
          repeatable: false,
          rollbackExpected: true,
          transaction: "none",
          delivery: "whole-file",
        });
      }
    }
    for (const [version, down] of downs) {
      if (!ups.has(version)) problems.push(problem(down, `${basename(down)} has no ${version}_….up.sql: a rollback without a migration`));
    }
    // A folder Atlas writes with `--dir-format golang-migrate` has an atlas.sum over its `*.up.sql` files.
    const sum = atlasSumFile(files);
    const atlas = sum ? checkAtlasSum(sum, files.filter((f) => /\.up\.sql$/.test(f.path))) : { problems: [], edited: [] };
    return { migrations, problems: [...problems, ...atlas.problems], edited: atlas.edited };
  },
};
