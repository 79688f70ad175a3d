// One folder per migration holding `up.sql` and `down.sql`: diesel
// (`migrations/2015-12-19-180527_create_users/`), Sourcegraph (`migrations/frontend/1648051770_name/`)
// and similar runners. The version is the folder name up to its first underscore and orders
// the migrations numerically, part by part.
//
// Transactions: diesel runs each migration in a transaction of its own unless the folder's
// `metadata.toml` says `run_in_transaction = false`; Sourcegraph likewise, unless its
// `metadata.yaml` says `createIndexConcurrently: true`. diesel sends up.sql as one query
// (`batch_execute`), so without its transaction several statements still form one implicit
// transaction block (diesel's docs warn about it): CONCURRENTLY must be alone in the file.
import type { SourceFile } from "../../model.js";
import { basename, dirname, namingScore, problem, textOf, type Collected, type FoundMigration, type LayoutSpec } from "../layout.js";

const FOLDER = /^(\d[\d-]*)_(.+)$/;
const SCRIPT = /^(up|down)\.sql$/;

function folderOf(path: string): RegExpExecArray | null {
  return FOLDER.exec(basename(dirname(path)));
}

function transactional(folder: string, metadata: Map<string, SourceFile>): boolean {
  const toml = metadata.get(`${folder}/metadata.toml`);
  const tomlText = toml ? textOf(toml) : undefined;
  if (tomlText && /^\s*run_in_transaction\s*=\s*false\s*$/m.test(tomlText)) return false;
  const yaml = metadata.get(`${folder}/metadata.yaml`);
  const yamlText = yaml ? textOf(yaml) : undefined;
  return !(yamlText && /^\s*createIndexConcurrently\s*:\s*true\s*$/m.test(yamlText));
}

export const upDownDirLayout: LayoutSpec = {
  name: "up-down-dir",
  transaction: "per-file",
  delivery: "whole-file",
  outsideTransaction:
    "put the statement alone in the up.sql of a migration whose metadata.toml says `run_in_transaction = false` (Sourcegraph: `createIndexConcurrently: true` in metadata.yaml): the file is sent as one query, so several statements form one transaction block even without the tool's",
  uniqueVersions: true,
  score: (files) => namingScore(files, (f) => SCRIPT.test(basename(f.path)) && folderOf(f.path) !== null),
  collect(files): Collected {
    const metadata = new Map(files.filter((f) => /^metadata\.(toml|yaml)$/.test(basename(f.path))).map((f) => [f.path, f]));
    const byFolder = new Map<string, { up?: string; down?: string }>();
    const problems: Collected["problems"] = [];
    for (const f of files.filter((x) => x.path.toLowerCase().endsWith(".sql"))) {
      const script = SCRIPT.exec(basename(f.path));
      if (!script || !folderOf(f.path)) {
        problems.push(problem(f.path, `only \`<version>_<name>/up.sql\` and down.sql are run in this folder: \`${f.path}\` is never applied`));
        continue;
      }
      const folder = dirname(f.path);
      const entry = byFolder.get(folder) ?? {};
      entry[script[1] as "up" | "down"] = f.path;
      byFolder.set(folder, entry);
    }
    const migrations: FoundMigration[] = [];
    for (const [folder, { up, down }] of byFolder) {
      if (!up) {
        problems.push(problem(down!, `${folder} has a down.sql but no up.sql`));
        continue;
      }
      const m = folderOf(up)!;
      migrations.push({
        id: up,
        version: m[1]!,
        name: m[2]!,
        layout: "up-down-dir",
        up: { path: up },
        down: down ? { path: down } : undefined,
        repeatable: false,
        rollbackExpected: true,
        transaction: transactional(folder, metadata) ? "per-file" : "none",
        delivery: "whole-file",
      });
    }
    return { migrations, problems };
  },
};
