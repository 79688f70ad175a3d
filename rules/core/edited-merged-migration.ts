// A migration that already exists on the base branch was edited by the change.
import type { Rule } from "../../src/core/analyze/rule.js";
import { ALL_DIALECTS, appliedBehaviour } from "./_migration-files.js";

const BASE = "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL);\n";

const rule: Rule = {
  id: "edited-merged-migration",
  title: "Migration edited after it was merged",
  dialects: ALL_DIALECTS,
  severity: "error",
  docs: {
    why: "Once a migration is on the base branch it may already have run in staging, production or a colleague's database. Migration tools record that a version ran and never run it again, so an edit reaches only fresh databases: environments drift apart silently, or the tool refuses to continue (Flyway's checksum validation, Prisma's modified-migration check). Flyway repeatable (`R__`) and baseline (`B`) migrations are meant to be edited and are exempt; editing only a rollback is not flagged. Atlas's `atlas.sum` records each file's hash: a file that differs from it is reported even without a base branch.",
    locks: [],
    work: "none",
    safeAlternative: [
      "1. Restore the merged migration to its content on the base branch.",
      "2. Put the change in a new migration with a version after the newest one.",
      "3. If the old migration is broken and has run nowhere, say so in the pull request and suppress this finding with that reason.",
    ].join("\n"),
  },
  examples: {
    bad: [
      {
        sql: "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, total_cents bigint);\n",
        path: "db/migration/V1__create_orders.sql",
        base: { "db/migration/V1__create_orders.sql": BASE },
        note: "a column slipped into a merged Flyway migration",
      },
    ],
    good: [
      {
        sql: BASE,
        path: "db/migration/V1__create_orders.sql",
        files: { "db/migration/V2__add_total.sql": "ALTER TABLE orders ADD COLUMN total_cents bigint;\n" },
        base: { "db/migration/V1__create_orders.sql": BASE },
        note: "the change goes into a new migration",
      },
      {
        sql: "CREATE OR REPLACE VIEW order_totals AS SELECT customer_id, count(*) AS orders FROM orders GROUP BY customer_id;\n",
        path: "db/migration/R__order_totals.sql",
        base: { "db/migration/R__order_totals.sql": "CREATE OR REPLACE VIEW order_totals AS SELECT customer_id FROM orders;\n" },
        note: "repeatable migrations are re-applied when they change",
      },
    ],
  },
  checkMigration(migration, { facts }) {
    if (!facts.editedAfterMerge) return;
    const where = facts.editedAt ? ` (first change on line ${facts.editedAt.startLine})` : "";
    const record = facts.editedRecord;
    if (record && !facts.editedAt) {
      // No base to compare with: the tool's own record of the folder (atlas.sum) tells the edit.
      return {
        message: `${migration.up.path} differs from the content ${record.record} recorded for it: it was edited after it was hashed, databases that ran the hashed version never run this edit, and ${record.consequence}.`,
        help: "Restore the migration to the content it was hashed with and put the change in a new migration; re-hash only a migration that has run nowhere.",
      };
    }
    if (record) {
      return {
        message: `${migration.up.path} already exists on the base branch with other content${where}: databases that ran the old version never run this edit, and ${record.consequence}.`,
        span: facts.editedAt,
        help: "Restore the merged migration and put the change in a new migration.",
      };
    }
    return {
      message: `${migration.up.path} already exists on the base branch with other content${where}: databases that ran the old version never run this edit, and ${appliedBehaviour(migration.layout)}.`,
      span: facts.editedAt,
      help: "Restore the merged migration and put the change in a new migration.",
    };
  },
};

export default rule;
