// Ory's popx (github.com/ory/x/popx, used by Kratos, Hydra, Keto): one folder holding each
// migration once per database dialect, `<version>_<name>[.<dialect>][.autocommit].(up|down).sql`
// (regex in popx's match.go). For a version, the file of the configured dialect wins over the
// generic one (no dialect part); files of other dialects are not run on this database, so they
// are neither analyzed nor paired across dialects.
//
// Transactions: popx sends a file as one Exec inside a transaction per migration, except for
// `.autocommit` files (and on MySQL, which commits every DDL statement anyway): those are one
// multi-statement query with no transaction of popx's own.
import type { Dialect } from "../../model.js";
import { basename, isSql, namingScore, numericVersion, problem, type Collected, type FoundMigration, type LayoutSpec } from "../layout.js";

const FILE = /^(\d+)_([^.]+)(?:\.([a-z0-9]+))?(\.autocommit)?\.(up|down)\.sql$/;
/** popx's dialect names: `postgres`, `mysql`, `sqlite3`, `cockroach`. */
const POPX_DIALECTS = new Set(["postgres", "mysql", "sqlite3", "cockroach", "sqlite"]);

function popxDialect(dialect: Dialect): string {
  return dialect === "postgres" ? "postgres" : "mysql";
}

interface PopxFile {
  path: string;
  version: string;
  name: string;
  dialect?: string;
  autocommit: boolean;
  direction: "up" | "down";
}

function parse(path: string): PopxFile | undefined {
  const m = FILE.exec(basename(path));
  if (!m || (m[3] && !POPX_DIALECTS.has(m[3]))) return undefined;
  return { path, version: numericVersion(m[1]!), name: m[2]!, dialect: m[3], autocommit: Boolean(m[4]), direction: m[5] as "up" | "down" };
}

export const popxLayout: LayoutSpec = {
  name: "popx",
  tool: "popx",
  transaction: "per-file",
  delivery: "whole-file",
  outsideTransaction: "put the statement alone in a file named `<version>_<name>.postgres.autocommit.up.sql`: popx sends it without a transaction (the file is one query, so nothing else may share it)",
  uniqueVersions: true,
  // Only a folder with per-dialect files is popx; golang-migrate's naming covers the rest.
  score(files) {
    if (!files.some((f) => parse(f.path)?.dialect)) return 0;
    return namingScore(files, (f) => parse(f.path) !== undefined) + 1;
  },
  collect(files, { dialect }): Collected {
    const wanted = popxDialect(dialect);
    const problems: Collected["problems"] = [];
    // version → direction → the file that applies on this dialect (its own beats the generic one).
    const chosen = new Map<string, Partial<Record<"up" | "down", PopxFile>>>();
    for (const f of files.filter((x) => isSql(x.path))) {
      const parsed = parse(f.path);
      if (!parsed) {
        problems.push(problem(f.path, `popx skips \`${basename(f.path)}\`: the name does not match \`<version>_<name>[.<dialect>][.autocommit].(up|down).sql\``));
        continue;
      }
      if (parsed.dialect && parsed.dialect !== wanted) continue;
      const entry = chosen.get(parsed.version) ?? {};
      const current = entry[parsed.direction];
      if (!current || (!current.dialect && parsed.dialect)) entry[parsed.direction] = parsed;
      chosen.set(parsed.version, entry);
    }
    const migrations: FoundMigration[] = [];
    for (const [version, { up, down }] of chosen) {
      if (!up) {
        if (down) problems.push(problem(down.path, `${basename(down.path)} has no ${version}_….up.sql for ${wanted}: a rollback without a migration`));
        continue;
      }
      migrations.push({
        id: up.path,
        version,
        name: up.name,
        layout: "popx",
        up: { path: up.path },
        down: down ? { path: down.path } : undefined,
        repeatable: false,
        rollbackExpected: true,
        transaction: up.autocommit || wanted === "mysql" ? "none" : "per-file",
        delivery: "whole-file",
      });
    }
    return { migrations, problems };
  },
};
