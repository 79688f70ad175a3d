// Atlas versioned migrations (https://atlasgo.io/versioned/apply): `<version>_<name>.sql` in a
// folder with `atlas.sum`, the integrity file listing each file with its hash in run order.
// No down files by design. Per-file directive at the top: `-- atlas:txmode none|file`.
//
// Transactions: `atlas migrate apply` lexes each file and runs its statements one by one in one
// transaction per file (`--tx-mode file`, the default); `-- atlas:txmode none` runs them
// without one, which is how CREATE INDEX CONCURRENTLY runs.
import { basename, isSql, problem, textOf, type Collected, type FoundMigration, type LayoutSpec } from "../layout.js";

const FILE = /^(\d+)(?:_(.+))?\.sql$/;
const TXMODE = /^--\s*atlas:txmode\s+(\w+)/m;

/** The files atlas.sum lists, in its order (the first line is the sum of the whole folder). */
function sumOrder(text: string | undefined): string[] {
  return (text ?? "")
    .split("\n")
    .slice(1)
    .map((l) => l.trim().split(/\s+/)[0] ?? "")
    .filter((name) => name.endsWith(".sql"));
}

export const atlasLayout: LayoutSpec = {
  name: "atlas",
  tool: "Atlas",
  transaction: "per-file",
  delivery: "per-statement",
  outsideTransaction: "add `-- atlas:txmode none` at the top of the file (followed by a blank line): Atlas then runs its statements one by one without a transaction",
  uniqueVersions: true,
  score: (files) => (files.some((f) => basename(f.path) === "atlas.sum") ? 100 : 0),
  collect(files): Collected {
    const problems: Collected["problems"] = [];
    const sum = files.find((f) => basename(f.path) === "atlas.sum");
    const listed = sumOrder(sum ? textOf(sum) : undefined);
    const migrations: FoundMigration[] = [];
    for (const f of files.filter((x) => isSql(x.path))) {
      const name = basename(f.path);
      const m = FILE.exec(name);
      if (!m) {
        problems.push(problem(f.path, `Atlas only runs \`<version>_<name>.sql\` files: \`${name}\` is never run`));
        continue;
      }
      if (listed.length && !listed.includes(name)) {
        problems.push(problem(f.path, `${name} is not in atlas.sum: \`atlas migrate apply\` refuses the folder until \`atlas migrate hash\` is run`));
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
    return { migrations, problems };
  },
};
