// Drizzle (drizzle-kit generate + drizzle-orm's migrator): `<folder>/<NNNN>_<tag>.sql` with
// `<folder>/meta/_journal.json`, whose `entries[].tag` name the files in the order they run.
// drizzle-kit separates statements with `--> statement-breakpoint` lines (comments to the
// parser); the migrator sends each chunk on its own. No down migrations by design.
//
// Transactions: the migrator runs *all* pending migrations in one transaction, with no opt-out
// (verified with drizzle-orm 0.45: CREATE INDEX CONCURRENTLY always fails with 25001). Modelled
// as a transaction per file, which is what matters for one file's statements; locks taken by an
// earlier file of the same run are in fact held until the last one commits.
import { basename, dirname, problem, textOf, type Collected, type FoundMigration, type LayoutSpec } from "../layout.js";

const FILE = /^(\d{4,})_([^/]+)\.sql$/;
export const JOURNAL = /(^|\/)meta\/_journal\.json$/;
const BREAKPOINT = /^--> statement-breakpoint\s*$/m;

/** The journal's tags in order, or why it cannot be read. */
function journalTags(text: string | undefined): { tags: string[] } | { problem: string } {
  if (text === undefined) return { problem: "meta/_journal.json could not be read" };
  try {
    const entries = (JSON.parse(text) as { entries?: unknown }).entries;
    if (!Array.isArray(entries)) return { problem: "meta/_journal.json has no `entries` list" };
    const tags = entries.map((e) => (e && typeof e === "object" ? (e as { tag?: unknown }).tag : undefined));
    if (!tags.every((t): t is string => typeof t === "string")) return { problem: "an entry of meta/_journal.json has no `tag`" };
    return { tags };
  } catch (error) {
    return { problem: `meta/_journal.json is not valid JSON (${(error as Error).message})` };
  }
}

export const drizzleLayout: LayoutSpec = {
  name: "drizzle",
  tool: "Drizzle",
  transaction: "per-file",
  delivery: "per-statement",
  outsideTransaction:
    "Drizzle's migrator runs every migration inside one transaction and has no opt-out: run the statement outside drizzle (e.g. a one-off `psql -c` step in the deployment), or generate a custom migration and apply it with another tool",
  uniqueVersions: true,
  // The journal is drizzle-kit's own file.
  score(files) {
    const journal = files.some((f) => JOURNAL.test(f.path));
    const named = files.filter((f) => FILE.test(basename(f.path))).length;
    const breakpoints = files.some((f) => FILE.test(basename(f.path)) && BREAKPOINT.test(textOf(f) ?? ""));
    return named && (journal || breakpoints) ? 60 : 0;
  },
  collect(files): Collected {
    const problems: Collected["problems"] = [];
    const journal = files.find((f) => JOURNAL.test(f.path));
    const read = journal ? journalTags(textOf(journal)) : { problem: "" };
    const tags = "tags" in read ? read.tags : undefined;
    if (journal && "problem" in read) problems.push(problem(journal.path, `${read.problem}: the migrations are ordered by file name instead`));
    const sql = files.filter((f) => f.path.endsWith(".sql"));
    const migrations: FoundMigration[] = [];
    for (const f of sql) {
      const m = FILE.exec(basename(f.path));
      if (!m) {
        problems.push(problem(f.path, `Drizzle only runs \`<NNNN>_<tag>.sql\` files listed in meta/_journal.json: \`${basename(f.path)}\` is never run`));
        continue;
      }
      const tag = basename(f.path).replace(/\.sql$/, "");
      const position = tags?.indexOf(tag) ?? -1;
      if (tags && position < 0) {
        problems.push(problem(f.path, `${basename(f.path)} is not in ${journal!.path}, so Drizzle's migrator never runs it`));
        continue;
      }
      migrations.push({
        id: f.path,
        version: tags ? String(position).padStart(6, "0") : m[1]!,
        name: m[2]!,
        layout: "drizzle",
        up: { path: f.path },
        repeatable: false,
        rollbackExpected: false,
        transaction: "per-file",
        delivery: "per-statement",
      });
    }
    for (const tag of tags ?? []) {
      const folder = dirname(dirname(journal!.path));
      if (!sql.some((f) => basename(f.path) === `${tag}.sql`)) problems.push(problem(journal!.path, `meta/_journal.json lists ${tag}, but ${folder ? `${folder}/` : ""}${tag}.sql does not exist`));
    }
    return { migrations, problems };
  },
};
