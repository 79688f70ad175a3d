// goose (https://github.com/pressly/goose): one file per migration, `<version>_<name>.sql` with an
// integer version (a sequence or a YYYYMMDDHHMMSS timestamp), holding both directions in the
// sections `-- +goose Up` and `-- +goose Down` (Up required and first). `-- +goose StatementBegin`
// / `StatementEnd` fence statements that contain semicolons; to the real parser they are comments.
//
// Transactions: goose splits the file into statements and runs each with its own Exec inside one
// transaction per file (`BEGIN` … `COMMIT`), unless the file says `-- +goose NO TRANSACTION`
// (for both directions), which is how CREATE INDEX CONCURRENTLY runs — then statement by
// statement with no transaction, so `SET lock_timeout` before it works.
// Go-code migrations (`<version>_<name>.go`) are listed as not analyzable, not silently skipped.
import type { SourceFile } from "../../model.js";
import { basename, isSql, numericVersion, problem, textOf, type Collected, type FoundMigration, type LayoutSpec } from "../layout.js";
import { atlasSumFile, checkAtlasSum } from "../atlas-sum.js";

const FILE = /^(\d+)_(.+)\.sql$/i;
const GO_FILE = /^(\d+)_(.+)\.go$/;
/** goose matches annotations case-insensitively, with no leading whitespace. */
const UP = /^--\s*\+goose\s+up\b/im;
const DOWN = /^--\s*\+goose\s+down\b/im;
const NO_TRANSACTION = /^--\s*\+goose\s+no\s+transaction\b/im;

function isGooseFile(file: SourceFile): boolean {
  const text = textOf(file);
  return FILE.test(basename(file.path)) && text !== undefined && UP.test(text);
}

export const gooseLayout: LayoutSpec = {
  name: "goose",
  tool: "goose",
  transaction: "per-file",
  delivery: "per-statement",
  outsideTransaction: "add `-- +goose NO TRANSACTION` to the file: goose then runs its statements one by one without a transaction (so a `SET lock_timeout` before the statement still works)",
  uniqueVersions: true,
  // The `-- +goose Up` annotation is goose's own: a folder of such files is goose, above dbmate's
  // naming-only match.
  score(files) {
    const sql = files.filter((f) => isSql(f.path));
    if (!sql.length) return 0;
    const annotated = sql.filter(isGooseFile).length;
    return annotated ? 10 * (annotated / sql.length) + 1 : 0;
  },
  collect(files): Collected {
    const migrations: FoundMigration[] = [];
    const problems: Collected["problems"] = [];
    for (const f of files) {
      const name = basename(f.path);
      if (GO_FILE.test(name)) {
        problems.push(problem(f.path, `${name} is a goose migration written in Go: its SQL is built at run time and cannot be analyzed; check what it runs by hand`));
        continue;
      }
      if (!isSql(f.path)) continue;
      const m = FILE.exec(name);
      if (!m) {
        problems.push(problem(f.path, `goose skips \`${name}\`: the name does not match \`<version>_<name>.sql\``));
        continue;
      }
      const text = textOf(f);
      if (text !== undefined && !UP.test(text)) {
        problems.push(problem(f.path, `goose refuses ${name}: it has no \`-- +goose Up\` annotation`));
        continue;
      }
      migrations.push({
        id: f.path,
        version: numericVersion(m[1]!),
        name: m[2]!,
        layout: "goose",
        up: { path: f.path, section: "up" },
        down: text === undefined || DOWN.test(text) ? { path: f.path, section: "down" } : undefined,
        repeatable: false,
        rollbackExpected: true,
        transaction: text !== undefined && NO_TRANSACTION.test(text) ? "none" : "per-file",
        delivery: "per-statement",
      });
    }
    // A folder Atlas writes with `--dir-format goose` has an atlas.sum over its `*.sql` files.
    const sum = atlasSumFile(files);
    const atlas = sum ? checkAtlasSum(sum, files.filter((f) => isSql(f.path))) : { problems: [], edited: [] };
    return { migrations, problems: [...problems, ...atlas.problems], edited: atlas.edited };
  },
};
