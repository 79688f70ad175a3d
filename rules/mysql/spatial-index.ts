import type { Rule } from "../../src/core/analyze/rule.js";
import { serverOf } from "../../src/core/analyze/mysql-ast.js";
import { describePlan, existingTableAlter, existingTableIndexStatement, failsFast, opHits, withInnodbSummary } from "./_alter.js";

const rule: Rule = {
  id: "mysql-spatial-index",
  title: "Adding a SPATIAL index blocks writes",
  dialects: ["mysql", "mariadb"],
  severity: "error",
  docs: {
    why: "A SPATIAL (R-tree) index builds in place without rebuilding the table, but InnoDB cannot log concurrent changes to it: the weakest lock the server accepts is LOCK=SHARED, so every INSERT, UPDATE and DELETE waits for the whole build.",
    locks: [],
    work: "index build",
    innodb: [
      { server: "mysql", versions: "5.7+", algorithm: "INPLACE", lock: "SHARED", rebuildsTable: false },
      { server: "mariadb", versions: "10.2+", algorithm: "INPLACE", lock: "SHARED", rebuildsTable: false },
    ],
    versions: "InnoDB supports SPATIAL indexes since MySQL 5.7 and MariaDB 10.2; the column must be NOT NULL (and, on MySQL 8.0, should carry an SRID for the index to be used). Once a table has a SPATIAL index, later rebuilds (FORCE, OPTIMIZE) need LOCK=SHARED too.",
    safeAlternative: [
      "1. Build it with gh-ost / pt-online-schema-change, which build on a shadow table while writes continue.",
      "2. Or schedule it in a maintenance window with `ALGORITHM=INPLACE, LOCK=SHARED` written out, after measuring the build time on a production-sized copy.",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TABLE stores (id bigint PRIMARY KEY, location point NOT NULL) ENGINE=InnoDB;",
    bad: ["ALTER TABLE stores ADD SPATIAL INDEX sp_stores_location (location);", "CREATE SPATIAL INDEX sp_stores_location ON stores (location);"],
    good: [
      "CREATE TABLE depots (id bigint PRIMARY KEY, location point NOT NULL);\nALTER TABLE depots ADD SPATIAL INDEX sp_depots_location (location);",
    ],
  },
  check(statement, context) {
    const site = existingTableAlter(statement, context);
    if (site) {
      return opHits(site, "add-index", (op, plan) =>
        op.index !== "spatial" || failsFast(site, plan) ? undefined : { message: `Adding SPATIAL index ${op.name ?? ""} on ${site.table} ${describePlan(plan, site.server)}.`.replace("  ", " ") },
      );
    }
    const index = existingTableIndexStatement(statement, context);
    if (statement.kind !== "create" || index?.type !== "spatial" || String(index.ast.lock_option?.lock ?? "").toUpperCase() === "NONE") return;
    return { message: `Creating SPATIAL index ${index.ast.index} on ${index.table} blocks writes for the whole build (LOCK=SHARED) on ${serverOf(context.config).label}.` };
  },
};

export default withInnodbSummary(rule);
