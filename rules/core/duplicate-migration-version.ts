// Two migrations of one folder share a version.
import type { Rule } from "../../src/core/analyze/rule.js";
import { ALL_DIALECTS } from "./_migration-files.js";

const rule: Rule = {
  id: "duplicate-migration-version",
  title: "Two migrations with the same version",
  dialects: ALL_DIALECTS,
  severity: "error",
  docs: {
    why: "The version is how the tool records what ran. Two migrations with the same version (usually two branches that picked the next sequence number at the same time) make Flyway and golang-migrate refuse to start, and make tools that only record the version run one of them and silently skip the other. Flyway treats `1.1`, `1_1` and `1.01` as the same version.",
    locks: [],
    work: "none",
    safeAlternative: [
      "1. Keep the version of the migration that was merged first.",
      "2. Give the other one the next free version (rebase first, then renumber).",
    ].join("\n"),
  },
  examples: {
    bad: [
      {
        sql: "ALTER TABLE orders ADD COLUMN coupon_code text;\n",
        path: "db/migration/V3__add_coupon_code.sql",
        files: { "db/migration/V3__add_gift_wrap.sql": "ALTER TABLE orders ADD COLUMN gift_wrap boolean;\n" },
      },
      {
        sql: "ALTER TABLE orders ADD COLUMN coupon_code text;\n",
        path: "db/migration/V1_1__add_coupon_code.sql",
        files: { "db/migration/V1.1__add_gift_wrap.sql": "ALTER TABLE orders ADD COLUMN gift_wrap boolean;\n" },
        note: "Flyway reads 1_1 as 1.1",
      },
    ],
    good: [
      {
        sql: "ALTER TABLE orders ADD COLUMN coupon_code text;\n",
        path: "db/migration/V3__add_coupon_code.sql",
        files: { "db/migration/V4__add_gift_wrap.sql": "ALTER TABLE orders ADD COLUMN gift_wrap boolean;\n" },
      },
    ],
  },
  checkMigration(migration, { facts }) {
    if (!facts.duplicateVersionOf.length || migration.status === "deleted") return;
    return {
      message: `${migration.up.path} has version ${migration.version}, like ${facts.duplicateVersionOf.join(", ")}: the tool refuses to run, or runs only one of them.`,
      help: "Give one of them the next free version.",
    };
  },
};

export default rule;
