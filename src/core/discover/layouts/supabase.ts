// Supabase CLI (`supabase db push`, `supabase migration up`): `supabase/migrations/<timestamp>_<name>.sql`
// in timestamp order, no down migrations by design (a rollback is a new migration).
//
// Transactions: the CLI runs each file's statements in one transaction of its own ("We are
// running each migration file in its own transaction", supabase/cli#2898). Since v2.109 it runs
// the statements that cannot be in a transaction block (CREATE [UNIQUE] INDEX CONCURRENTLY,
// REINDEX … CONCURRENTLY, VACUUM, ALTER SYSTEM, CLUSTER; DROP INDEX CONCURRENTLY since
// supabase/cli#6276) on their own, outside the batch; any other such statement fails the file.
import { basename, isSql, numericVersion, problem, type Collected, type FoundMigration, type LayoutSpec } from "../layout.js";

const FILE = /^(\d+)_(.+)\.sql$/;
const IN_SUPABASE = /(^|\/)supabase\/migrations\/[^/]+$/;

export const supabaseLayout: LayoutSpec = {
  name: "supabase",
  tool: "Supabase CLI",
  transaction: "per-file",
  delivery: "per-statement",
  nonTransactionalDetection: "supabase",
  outsideTransaction:
    "the Supabase CLI (v2.109 or later) runs CREATE INDEX CONCURRENTLY, REINDEX CONCURRENTLY, DROP INDEX CONCURRENTLY, VACUUM, ALTER SYSTEM and CLUSTER outside the migration's transaction by itself; other statements that cannot run in a transaction block must be run by hand",
  uniqueVersions: true,
  score: (files) => {
    const sql = files.filter((f) => isSql(f.path));
    return sql.length && sql.every((f) => IN_SUPABASE.test(f.path)) && sql.some((f) => FILE.test(basename(f.path))) ? 75 : 0;
  },
  collect(files): Collected {
    const problems: Collected["problems"] = [];
    const migrations: FoundMigration[] = [];
    const seen = new Map<string, string>();
    for (const f of files.filter((x) => isSql(x.path))) {
      const m = FILE.exec(basename(f.path));
      if (!m) {
        problems.push(problem(f.path, `the Supabase CLI skips \`${basename(f.path)}\`: the name does not match \`<timestamp>_<name>.sql\``));
        continue;
      }
      const version = numericVersion(m[1]!);
      const other = seen.get(version);
      if (other) {
        problems.push(problem(f.path, `the Supabase CLI refuses two migrations with version ${version}: \`${basename(other)}\` and \`${basename(f.path)}\``));
        continue;
      }
      seen.set(version, f.path);
      migrations.push({
        id: f.path,
        version,
        name: m[2]!,
        layout: "supabase",
        up: { path: f.path },
        repeatable: false,
        rollbackExpected: false,
        transaction: "per-file",
        delivery: "per-statement",
        nonTransactionalDetection: "supabase",
      });
    }
    return { migrations, problems };
  },
};
