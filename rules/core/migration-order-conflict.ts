// A new migration sorts before a migration already merged on the base branch.
import type { Rule } from "../../src/core/analyze/rule.js";
import type { Migration } from "../../src/core/model.js";
import { ALL_DIALECTS } from "./_migration-files.js";

function consequence(layout: Migration["layout"]): string {
  switch (layout) {
    case "flyway":
      return "Flyway refuses to apply it there unless outOfOrder is enabled";
    case "golang-migrate":
      return "golang-migrate never applies it there, because it only records the highest version that ran";
    default:
      return "it runs after newer migrations there but before them on a fresh database, so the two can end in different schemas";
  }
}

const rule: Rule = {
  id: "migration-order-conflict",
  title: "New migration ordered before a merged one",
  dialects: ALL_DIALECTS,
  severity: "error",
  docs: {
    why: "Migration tools apply versions in order. A branch that was created before someone else merged a newer migration, and then adds a migration with an older version (an older timestamp or a lower sequence number), is applied in a different order on databases that already ran the newer one than on fresh ones, or not at all, depending on the tool.",
    locks: [],
    work: "none",
    safeAlternative: [
      "1. Rebase the branch on the base branch.",
      "2. Renumber or re-timestamp the new migration so it sorts after the newest merged one (`dbmate new`, `migrate create -seq`, `sqitch add` all do this for you).",
      "3. Check that it still makes sense after the migration it now follows.",
    ].join("\n"),
  },
  examples: {
    bad: [
      {
        sql: "-- migrate:up\nALTER TABLE customers ADD COLUMN phone text;\n\n-- migrate:down\nALTER TABLE customers DROP COLUMN phone;\n",
        path: "db/migrations/20240110090000_add_customer_phone.sql",
        files: {
          "db/migrations/20240115090000_create_invoices.sql": "-- migrate:up\nCREATE TABLE invoices (id bigint PRIMARY KEY);\n\n-- migrate:down\nDROP TABLE invoices;\n",
        },
        base: {
          "db/migrations/20240115090000_create_invoices.sql": "-- migrate:up\nCREATE TABLE invoices (id bigint PRIMARY KEY);\n\n-- migrate:down\nDROP TABLE invoices;\n",
        },
      },
    ],
    good: [
      {
        sql: "-- migrate:up\nALTER TABLE customers ADD COLUMN phone text;\n\n-- migrate:down\nALTER TABLE customers DROP COLUMN phone;\n",
        path: "db/migrations/20240120090000_add_customer_phone.sql",
        files: {
          "db/migrations/20240115090000_create_invoices.sql": "-- migrate:up\nCREATE TABLE invoices (id bigint PRIMARY KEY);\n\n-- migrate:down\nDROP TABLE invoices;\n",
        },
        base: {
          "db/migrations/20240115090000_create_invoices.sql": "-- migrate:up\nCREATE TABLE invoices (id bigint PRIMARY KEY);\n\n-- migrate:down\nDROP TABLE invoices;\n",
        },
      },
    ],
  },
  checkMigration(migration, { facts }) {
    if (!facts.orderedBefore) return;
    return {
      message: `${migration.up.path} (version ${migration.version}) sorts before ${facts.orderedBefore}, already on the base branch: on databases that ran that one, ${consequence(migration.layout)}.`,
      help: "Give the new migration a version after the newest merged one.",
    };
  },
};

export default rule;
