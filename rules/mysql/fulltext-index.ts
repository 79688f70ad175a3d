import type { Rule } from "../../src/core/analyze/rule.js";
import { serverOf } from "../../src/core/analyze/mysql-ast.js";
import { describePlan, existingTableAlter, existingTableIndexStatement, failsFast, opHits, withInnodbSummary } from "./_alter.js";

const rule: Rule = {
  id: "mysql-fulltext-index",
  title: "Adding a FULLTEXT index blocks writes and, the first time, rebuilds the table",
  dialects: ["mysql", "mariadb"],
  severity: "error",
  docs: {
    why: "A FULLTEXT index builds in place but cannot take concurrent writes: the weakest lock the server accepts is LOCK=SHARED, so every INSERT, UPDATE and DELETE waits for the whole build. The first FULLTEXT index of a table also adds the hidden FTS_DOC_ID column, which rebuilds the table.",
    locks: [],
    work: "index build",
    innodb: [
      { server: "mysql", versions: "5.6+", algorithm: "INPLACE", lock: "SHARED", rebuildsTable: true },
      { server: "mariadb", versions: "10.0+", algorithm: "INPLACE", lock: "SHARED", rebuildsTable: true },
    ],
    versions: "A FULLTEXT index added to a table that already has one (or has a user FTS_DOC_ID column) does not rebuild it but still needs LOCK=SHARED. Once a table has a FULLTEXT index, later rebuilds (FORCE, OPTIMIZE) need LOCK=SHARED too.",
    safeAlternative: [
      "1. Build it with gh-ost / pt-online-schema-change, which build on a shadow table while writes continue.",
      "2. Or schedule it in a maintenance window with `ALGORITHM=INPLACE, LOCK=SHARED` written out, after measuring the build time on a production-sized copy.",
      "3. For FULLTEXT, consider creating the table with an explicit `FTS_DOC_ID BIGINT UNSIGNED NOT NULL AUTO_INCREMENT` column and unique index `FTS_DOC_ID_INDEX` so later FULLTEXT indexes do not rebuild it.",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TABLE articles (id bigint PRIMARY KEY, title varchar(200), body text) ENGINE=InnoDB;",
    bad: ["ALTER TABLE articles ADD FULLTEXT INDEX ft_articles_body (body);", "CREATE FULLTEXT INDEX ft_articles_title ON articles (title);"],
    good: [
      "CREATE TABLE posts (id bigint PRIMARY KEY, body text);\nALTER TABLE posts ADD FULLTEXT INDEX ft_posts_body (body);",
    ],
  },
  check(statement, context) {
    const site = existingTableAlter(statement, context);
    if (site) {
      return opHits(site, "add-index", (op, plan) =>
        op.index !== "fulltext" || failsFast(site, plan) ? undefined : { message: `Adding FULLTEXT index ${op.name ?? ""} on ${site.table} ${describePlan(plan, site.server)}.`.replace("  ", " ") },
      );
    }
    const index = existingTableIndexStatement(statement, context);
    if (statement.kind !== "create" || index?.type !== "fulltext" || String(index.ast.lock_option?.lock ?? "").toUpperCase() === "NONE") return;
    return { message: `Creating FULLTEXT index ${index.ast.index} on ${index.table} blocks writes for the whole build (LOCK=SHARED) on ${serverOf(context.config).label}; the first one rebuilds the table.` };
  },
};

export default withInnodbSummary(rule);
