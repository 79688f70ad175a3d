import { isNewTable, serverOf } from "../../src/core/analyze/mysql-ast.js";
import type { Rule, RuleHit } from "../../src/core/analyze/rule.js";
import { describePlan, existingTableAlter, opSpan, withInnodbSummary } from "./_alter.js";

const REBUILD_OPTIONS = new Set(["ENGINE", "TYPE", "ROW_FORMAT", "KEY_BLOCK_SIZE", "PAGE_COMPRESSED", "PAGE_COMPRESSION_LEVEL", "ENCRYPTED", "ENCRYPTION", "COMPRESSION"]);

const rule: Rule = {
  id: "mysql-table-rebuild",
  title: "OPTIMIZE TABLE, FORCE, ENGINE= or ROW_FORMAT= rebuilds the whole table",
  dialects: ["mysql", "mariadb"],
  severity: "warning",
  docs: {
    why: "`OPTIMIZE TABLE` (mapped to `ALTER TABLE … FORCE` for InnoDB), `ALTER TABLE … FORCE`, `ENGINE=InnoDB` on an InnoDB table, and ROW_FORMAT / KEY_BLOCK_SIZE / compression changes rebuild the whole clustered index and every secondary index. Writes continue (INPLACE, LOCK=NONE), but the rebuild reads and writes the entire table, needs free disk for a second copy plus the online alter log, and replicas lag for its whole duration. With a FULLTEXT or SPATIAL index on the table the rebuild needs LOCK=SHARED (writes blocked); changing to another engine, and ORDER BY, copy the table with writes blocked. Repartitioning is mysql-repartition.",
    locks: [],
    work: "rewrite",
    innodb: [
      { server: "mysql", versions: "5.6+", algorithm: "INPLACE", lock: "NONE", rebuildsTable: true },
      { server: "mariadb", versions: "10.0+", algorithm: "INPLACE", lock: "NONE", rebuildsTable: true },
    ],
    versions: "OPTIMIZE TABLE has no ALGORITHM clause; it runs online on MySQL 5.6.17+ and MariaDB 10.0+ unless the table has FULLTEXT indexes (then it copies). MariaDB's innodb_optimize_fulltext_only makes OPTIMIZE only merge FULLTEXT data.",
    safeAlternative: [
      "1. Leave space reclamation and defragmentation out of schema migrations: they are maintenance, to run off-peak with monitoring.",
      "2. If a rebuild is needed, run `ALTER TABLE t FORCE, ALGORITHM=INPLACE, LOCK=NONE` (fails fast instead of copying) or gh-ost / pt-online-schema-change with throttling on replica lag.",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TABLE events (id bigint PRIMARY KEY, payload varchar(200)) ENGINE=InnoDB;",
    bad: ["OPTIMIZE TABLE events;", "ALTER TABLE events FORCE;", "ALTER TABLE events ROW_FORMAT=COMPACT;"],
    good: ["ALTER TABLE events COMMENT = 'append-only event log';", "CREATE TABLE staging (id bigint PRIMARY KEY);\nALTER TABLE staging ENGINE=InnoDB;"],
  },
  check(statement, context) {
    if (statement.kind === "optimize") {
      const tables = (statement.ast?.tables ?? []).map((t: { name: string }) => t.name).filter((t: string) => !isNewTable(t, statement, context));
      if (tables.length === 0) return;
      return { message: `OPTIMIZE TABLE ${tables.join(", ")} rebuilds the whole table on ${serverOf(context.config).label} (online, but a full rewrite with replica lag; it copies with writes blocked if the table has FULLTEXT indexes).` };
    }
    const site = existingTableAlter(statement, context);
    if (!site) return;
    const hits: RuleHit[] = [];
    for (const { op, plan } of site.plan.ops) {
      const rebuilds =
        op.kind === "force" ||
        op.kind === "order-by" ||
        (op.kind === "table-option" && REBUILD_OPTIONS.has(op.name));
      if (!rebuilds) continue;
      const what = op.kind === "table-option" ? `${op.name}=${op.value}` : op.kind === "order-by" ? "ORDER BY" : "FORCE";
      hits.push({ message: `${what} on ${site.table} ${describePlan(plan, site.server)}.`, span: opSpan(statement, op, context) });
    }
    return hits;
  },
};

export default withInnodbSummary(rule);
