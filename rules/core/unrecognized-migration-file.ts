// A file in a migration folder that the folder's tool would skip or refuse.
import type { Rule } from "../../src/core/analyze/rule.js";
import { ALL_DIALECTS } from "./_migration-files.js";

const rule: Rule = {
  id: "unrecognized-migration-file",
  title: "File the migration tool skips or refuses",
  dialects: ALL_DIALECTS,
  severity: "warning",
  docs: {
    why: "Migration tools find migrations by name. A file whose name is slightly off (`V2_add_index.sql` with one underscore for Flyway, `3_add_index.sql` without `.up` for golang-migrate), a rollback without its migration, a sqitch change missing from `sqitch.plan` or a plan entry without its deploy script is skipped silently or stops the deploy: the change you reviewed never runs.",
    locks: [],
    work: "none",
    safeAlternative: [
      "1. Rename the file to the tool's naming (the finding says which), or add it to `sqitch.plan` with `sqitch add`.",
      "2. If the file is not a migration (a seed, a one-off script), move it out of the migration folder or list it under `exclude:` in `.github/migration-guard.yml`.",
    ].join("\n"),
  },
  examples: {
    bad: [
      {
        sql: "CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);\n",
        path: "db/migration/V2_add_orders_customer_idx.sql",
        files: { "db/migration/V1__create_orders.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint);\n" },
        note: "one underscore: Flyway never runs it",
      },
    ],
    good: [
      {
        sql: "CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);\n",
        path: "db/migration/V2__add_orders_customer_idx.sql",
        files: { "db/migration/V1__create_orders.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint);\n" },
      },
    ],
  },
};

export default rule;
