// Mattermost's morph (https://github.com/mattermost/morph): `<version>_<name>.up.sql` and
// `.down.sql`, in version order (golang-migrate's naming).
//
// Transactions: morph sends the whole file as one Exec inside a transaction per migration; a file
// that begins with `-- morph:nontransactional` runs without one (still one query: a lone
// CONCURRENTLY statement works, `SET …; CREATE INDEX CONCURRENTLY` fails). Chosen when a file
// carries that directive, or with `layout: morph`.
import type { SourceFile } from "../../model.js";
import { basename, isSql, numericVersion, problem, textOf, type Collected, type FoundMigration, type LayoutSpec } from "../layout.js";

const FILE = /^(\d+)_(.+)\.(up|down)\.sql$/;
const NON_TRANSACTIONAL = /^-- morph:nontransactional/;

const optsOut = (file: SourceFile) => NON_TRANSACTIONAL.test(textOf(file) ?? "");

export const morphLayout: LayoutSpec = {
  name: "morph",
  tool: "morph",
  transaction: "per-file",
  delivery: "whole-file",
  outsideTransaction: "begin the migration file with `-- morph:nontransactional` and keep the statement alone in it: morph then sends the file as one query without a transaction",
  uniqueVersions: true,
  score: (files) => (files.some((f) => isSql(f.path) && FILE.test(basename(f.path)) && optsOut(f)) ? 70 : 0),
  collect(files): Collected {
    const problems: Collected["problems"] = [];
    const ups = new Map<string, { file: SourceFile; name: string }>();
    const downs = new Map<string, string>();
    for (const f of files.filter((x) => isSql(x.path))) {
      const m = FILE.exec(basename(f.path));
      if (!m) {
        problems.push(problem(f.path, `morph skips \`${basename(f.path)}\`: the name does not match \`<version>_<name>.up.sql\` or .down.sql`));
        continue;
      }
      const version = numericVersion(m[1]!);
      if (m[3] === "down") downs.set(version, f.path);
      else ups.set(version, { file: f, name: m[2]! });
    }
    const migrations: FoundMigration[] = [...ups].map(([version, up]) => ({
      id: up.file.path,
      version,
      name: up.name,
      layout: "morph",
      up: { path: up.file.path },
      down: downs.has(version) ? { path: downs.get(version)! } : undefined,
      repeatable: false,
      rollbackExpected: true,
      transaction: optsOut(up.file) ? "none" : "per-file",
      delivery: "whole-file",
    }));
    for (const [version, down] of downs) if (!ups.has(version)) problems.push(problem(down, `${basename(down)} has no ${version}_….up.sql: a rollback without a migration`));
    return { migrations, problems };
  },
};
