// Liquibase formatted SQL (https://docs.liquibase.com/concepts/changelogs/sql-format.html): files
// that start with `--liquibase formatted sql`, each holding changesets (`--changeset author:id`),
// each changeset one migration with its `--rollback` lines as the rollback.
//
// Transactions: every changeset runs in a transaction of its own (`runInTransaction` defaults to
// true); `runInTransaction:false` runs it in autocommit, statement by statement, which is how
// CREATE INDEX CONCURRENTLY runs. Statements are split and sent one by one, at `;` or at the
// changeset's `endDelimiter`; with `splitStatements:false` the changeset is sent as one statement
// (one query: several statements in it run as one implicit transaction block even with
// runInTransaction:false). Preconditions are read, not evaluated (../liquibase-sql.ts).
// `runOnChange:true` (or `runAlways:true`) changesets are meant to be edited, like Flyway's `R__`.
// An included `.sql` file without the header is run by Liquibase as one raw-SQL changeset.
// Order: the master changelog's `include` / `includeAll` entries (XML, YAML or JSON) when the
// folder holds one, else file names in order (what `includeAll` does), changesets in file order.
import type { SourceFile } from "../../model.js";
import { changesets, FORMATTED_SQL } from "../liquibase-sql.js";
import { basename, dirname, isSql, problem, textOf, type Collected, type FoundMigration, type LayoutSpec } from "../layout.js";

/** Master changelogs Liquibase projects name this way (db.changelog-master.yaml, changelog.xml…). */
export const CHANGELOG_FILE = /(^|\/)[^/]*([cC]hange[lL]og|master)[^/]*\.(xml|ya?ml|json)$/;

function isFormatted(file: SourceFile): boolean {
  const text = textOf(file);
  return isSql(file.path) && text !== undefined && FORMATTED_SQL.test(text);
}

/** The SQL files a master changelog includes, in its order (paths relative to the changelog's folder). */
function includedOrder(changelog: SourceFile, sqlPaths: string[]): string[] {
  const text = textOf(changelog) ?? "";
  const dir = dirname(changelog.path);
  const refs = [...text.matchAll(/\b(file|path)["']?\s*[:=]\s*["']?([^"'\s,}>]+)/g)].map((m) => ({ kind: m[1]!, target: m[2]! }));
  const clean = (target: string) => target.replace(/^\.?\//, "").replace(/\/+$/, "");
  // Relative to the changelog's folder, or classpath-relative (`db/changelog/x.sql`): matched by their ending.
  const under = (p: string, target: string) => p === (dir ? `${dir}/${clean(target)}` : clean(target)) || p.endsWith(`/${clean(target)}`) || p === clean(target);
  const out: string[] = [];
  for (const ref of refs) {
    const matches = ref.kind === "file" ? sqlPaths.filter((p) => under(p, ref.target)) : sqlPaths.filter((p) => under(dirname(p), ref.target));
    for (const p of [...matches].sort()) if (!out.includes(p)) out.push(p);
  }
  return out;
}

export const liquibaseLayout: LayoutSpec = {
  name: "liquibase",
  tool: "Liquibase",
  transaction: "per-file",
  delivery: "per-statement",
  outsideTransaction: "add `runInTransaction:false` to the changeset's `--changeset` line: Liquibase then runs its statements in autocommit, one by one (so a `SET lock_timeout` before the statement still works)",
  uniqueVersions: false,
  // The `--liquibase formatted sql` header is Liquibase's own.
  score(files) {
    const sql = files.filter((f) => isSql(f.path));
    const formatted = sql.filter(isFormatted).length;
    return formatted ? 50 * (formatted / sql.length) + 1 : 0;
  },
  collect(files): Collected {
    const migrations: FoundMigration[] = [];
    const problems: Collected["problems"] = [];
    const sql = files.filter((f) => isSql(f.path));
    const master = files.find((f) => CHANGELOG_FILE.test(f.path));
    const listed = master ? includedOrder(master, sql.map((f) => f.path)) : [];
    const rank = (path: string) => (listed.includes(path) ? listed.indexOf(path) : listed.length);
    const ordered = [...sql].sort((a, b) => rank(a.path) - rank(b.path) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    let sequence = 0;
    for (const f of ordered) {
      const text = textOf(f);
      if (text === undefined) continue;
      if (master && listed.length && !listed.includes(f.path)) {
        problems.push(problem(f.path, `${basename(f.path)} is not included by ${master.path}, so Liquibase never runs it`));
      }
      if (!FORMATTED_SQL.test(text)) {
        // An included SQL file without the header is one raw-SQL changeset: the whole file, one transaction.
        migrations.push({ id: f.path, version: String(++sequence).padStart(6, "0"), name: basename(f.path), layout: "liquibase", up: { path: f.path }, repeatable: false, rollbackExpected: true, transaction: "per-file", delivery: "per-statement" });
        continue;
      }
      const found = changesets(text);
      if (!found.length) problems.push(problem(f.path, `${basename(f.path)} has no \`--changeset author:id\` line: Liquibase runs nothing from it`));
      for (const c of found) {
        const attr = (name: string) => c.attributes[name]?.toLowerCase();
        migrations.push({
          id: `${f.path}::${c.key}`,
          version: String(++sequence).padStart(6, "0"),
          name: c.key,
          layout: "liquibase",
          up: { path: f.path, changeset: c.key },
          down: c.hasRollback ? { path: f.path, changeset: c.key, section: "down" } : undefined,
          repeatable: attr("runonchange") === "true" || attr("runalways") === "true",
          rollbackExpected: true,
          transaction: attr("runintransaction") === "false" ? "none" : "per-file",
          // splitStatements:false: Liquibase sends the changeset's SQL as one statement.
          delivery: c.splitStatements ? "per-statement" : "whole-file",
        });
      }
    }
    return { migrations, problems };
  },
};
