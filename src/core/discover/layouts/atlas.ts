// Atlas versioned migrations (https://atlasgo.io/versioned/apply): `<version>_<name>.sql` in a
// folder with `atlas.sum`, the integrity file listing each file with its hash in run order
// (checked in ../atlas-sum.ts, as `atlas migrate validate` does). No down files by design.
// Per-file directive at the top: `-- atlas:txmode none|file`.
//
// Transactions: `atlas migrate apply` lexes each file and runs its statements one by one in one
// transaction per file (`--tx-mode file`, the default); `-- atlas:txmode none` runs them
// without one, which is how CREATE INDEX CONCURRENTLY runs.
// A folder Atlas keeps in another tool's format (`--dir-format golang-migrate|goose|dbmate|flyway`)
// has an atlas.sum too: it goes to that tool's layout, which checks the sum over its own files.
import { atlasSumFile, checkAtlasSum } from "../atlas-sum.js";
import { basename, isSql, problem, textOf, type Collected, type FoundMigration, type LayoutSpec } from "../layout.js";

const FILE = /^(\d+)(?:_(.+))?\.sql$/;
const TXMODE = /^--\s*atlas:txmode\s+(\w+)/m;
/** Files of the formats Atlas also writes: golang-migrate's up/down pairs, Flyway's V/U/R files, goose and dbmate sections. */
const OTHER_FORMAT_NAME = /(\.(up|down)\.sql$)|(^[VUBR]\d*(_\d+)*__)/;
const OTHER_FORMAT_TEXT = /^\s*--\s*(\+goose\s+up|migrate:up)\b/im;

function otherFormat(files: Parameters<LayoutSpec["score"]>[0]): boolean {
  const sql = files.filter((f) => isSql(f.path));
  const other = sql.filter((f) => OTHER_FORMAT_NAME.test(basename(f.path)) || OTHER_FORMAT_TEXT.test(textOf(f) ?? ""));
  return other.length * 2 > sql.length;
}

export const atlasLayout: LayoutSpec = {
  name: "atlas",
  tool: "Atlas",
  transaction: "per-file",
  delivery: "per-statement",
  outsideTransaction: "add `-- atlas:txmode none` at the top of the file (followed by a blank line): Atlas then runs its statements one by one without a transaction",
  uniqueVersions: true,
  score: (files) => (atlasSumFile(files) && !otherFormat(files) ? 100 : 0),
  collect(files): Collected {
    const sum = atlasSumFile(files);
    const sql = files.filter((x) => isSql(x.path));
    // Atlas hashes every `*.sql` of the folder (LocalDir.Files).
    const { problems, edited } = sum ? checkAtlasSum(sum, sql) : { problems: [], edited: [] };
    const migrations: FoundMigration[] = [];
    for (const f of sql) {
      const name = basename(f.path);
      const m = FILE.exec(name);
      if (!m) {
        problems.push(problem(f.path, `Atlas only runs \`<version>_<name>.sql\` files: \`${name}\` is never run`));
        continue;
      }
      const mode = TXMODE.exec(textOf(f) ?? "")?.[1]?.toLowerCase();
      migrations.push({
        id: f.path,
        version: m[1]!,
        name: m[2] ?? m[1]!,
        layout: "atlas",
        up: { path: f.path },
        repeatable: false,
        rollbackExpected: false,
        transaction: mode === "none" ? "none" : "per-file",
        delivery: "per-statement",
      });
    }
    return { migrations, problems, edited };
  },
};
