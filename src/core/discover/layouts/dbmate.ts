// dbmate (https://github.com/amacneil/dbmate): one file per migration, `<version>_<name>.sql`
// with a numeric version (dbmate writes a UTC timestamp, YYYYMMDDHHMMSS), holding both
// directions in sections that start with `-- migrate:up` and `-- migrate:down`.
//
// Transactions: dbmate runs each section in a transaction of its own unless its marker says
// `transaction:false` (`-- migrate:up transaction:false`), which is how CREATE INDEX
// CONCURRENTLY is run. The migration's mode follows the up section's marker. Either way a
// section is sent as one query ("whole-file"), so a `transaction:false` section of several
// statements still runs as one implicit transaction block: CONCURRENTLY must be alone in it.
// dbmate refuses a file without `-- migrate:up`: reported here.
import type { SourceFile } from "../../model.js";
import { sectionOptions } from "../sections.js";
import { basename, isSql, namingScore, numericVersion, problem, textOf, type Collected, type FoundMigration, type LayoutSpec } from "../layout.js";
import { atlasSumFile, checkAtlasSum } from "../atlas-sum.js";

const FILE = /^(\d+)_?(.*)\.sql$/;
const UP_MARKER = /^--\s*migrate:up\b/m;
const DOWN_MARKER = /^--\s*migrate:down\b/m;

function hasUpMarker(file: SourceFile): boolean {
  const text = textOf(file);
  return text !== undefined && UP_MARKER.test(text);
}

export const dbmateLayout: LayoutSpec = {
  name: "dbmate",
  tool: "dbmate",
  transaction: "per-file",
  delivery: "whole-file",
  outsideTransaction:
    "put the statement alone in a migration whose up section starts `-- migrate:up transaction:false`: dbmate sends a section as one query, so even without its transaction several statements form one transaction block",
  uniqueVersions: true,
  score: (files) => namingScore(files, (f) => FILE.test(basename(f.path)) && hasUpMarker(f)),
  collect(files): Collected {
    const migrations: FoundMigration[] = [];
    const problems: Collected["problems"] = [];
    for (const f of files.filter((x) => isSql(x.path))) {
      const m = FILE.exec(basename(f.path));
      if (!m) {
        problems.push(problem(f.path, `dbmate skips \`${basename(f.path)}\`: the name does not start with a numeric version (\`<timestamp>_<name>.sql\`)`));
        continue;
      }
      const text = textOf(f);
      // Content is absent for base files listed by blob id only: trust the layout then.
      if (text !== undefined && !UP_MARKER.test(text)) {
        problems.push(problem(f.path, `dbmate refuses ${basename(f.path)}: it has no \`-- migrate:up\` section`));
        continue;
      }
      const hasDown = text === undefined || DOWN_MARKER.test(text);
      const transactional = text === undefined || sectionOptions(text, "up").transaction !== "false";
      migrations.push({
        id: f.path,
        version: numericVersion(m[1]!),
        name: m[2] || m[1]!,
        layout: "dbmate",
        up: { path: f.path, section: "up" },
        down: hasDown ? { path: f.path, section: "down" } : undefined,
        repeatable: false,
        rollbackExpected: true,
        transaction: transactional ? "per-file" : "none",
        delivery: "whole-file",
      });
    }
    // A folder Atlas writes with `--dir-format dbmate` has an atlas.sum over its `*.sql` files.
    const sum = atlasSumFile(files);
    const atlas = sum ? checkAtlasSum(sum, files.filter((f) => isSql(f.path))) : { problems: [], edited: [] };
    return { migrations, problems: [...problems, ...atlas.problems], edited: atlas.edited };
  },
};
