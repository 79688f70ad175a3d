// A migration that exists on the base branch is gone from the change.
import type { Rule } from "../../src/core/analyze/rule.js";
import { ALL_DIALECTS } from "./_migration-files.js";

const rule: Rule = {
  id: "deleted-merged-migration",
  title: "Merged migration deleted or renamed",
  dialects: ALL_DIALECTS,
  severity: "error",
  docs: {
    why: "A migration on the base branch may already have run somewhere. Deleting or renaming it does not undo it there: those databases keep its schema while fresh ones never get it, and tools that validate their history (Flyway, Prisma, sqitch) stop with an error about an applied migration they can no longer find.",
    locks: [],
    work: "none",
    safeAlternative: [
      "1. Keep the merged migration file as it is.",
      "2. To undo its effect, add a new migration that reverses it.",
      "3. To squash old migrations, use the tool's baseline mechanism (Flyway `B` migrations, Prisma baselining) and do it in a pull request of its own.",
    ].join("\n"),
  },
  examples: {
    bad: [
      {
        sql: "CREATE TABLE customers (id bigint PRIMARY KEY);\n",
        path: "db/migrations/000001_create_customers.up.sql",
        files: { "db/migrations/000001_create_customers.down.sql": "DROP TABLE customers;\n" },
        base: {
          "db/migrations/000001_create_customers.up.sql": "CREATE TABLE customers (id bigint PRIMARY KEY);\n",
          "db/migrations/000001_create_customers.down.sql": "DROP TABLE customers;\n",
          "db/migrations/000002_create_orders.up.sql": "CREATE TABLE orders (id bigint PRIMARY KEY);\n",
          "db/migrations/000002_create_orders.down.sql": "DROP TABLE orders;\n",
        },
      },
    ],
    good: [
      {
        sql: "DROP TABLE orders;\n",
        path: "db/migrations/000003_drop_orders.up.sql",
        files: {
          "db/migrations/000003_drop_orders.down.sql": "CREATE TABLE orders (id bigint PRIMARY KEY);\n",
          "db/migrations/000002_create_orders.up.sql": "CREATE TABLE orders (id bigint PRIMARY KEY);\n",
          "db/migrations/000002_create_orders.down.sql": "DROP TABLE orders;\n",
        },
        base: {
          "db/migrations/000002_create_orders.up.sql": "CREATE TABLE orders (id bigint PRIMARY KEY);\n",
          "db/migrations/000002_create_orders.down.sql": "DROP TABLE orders;\n",
        },
        note: "undo it with a new migration instead",
      },
    ],
  },
  checkMigration(migration, { facts }) {
    if (!facts.deletedAfterMerge) return;
    return {
      message: `${migration.up.path} exists on the base branch but was deleted or renamed: databases that already ran it keep its changes, fresh ones never get them.`,
      help: "Keep the merged file; reverse its effect with a new migration.",
    };
  },
};

export default rule;
