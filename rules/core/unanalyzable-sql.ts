// SQL a code migration (TypeORM) runs that cannot be read from the file: reported where it is,
// so that a reviewer knows which part of the change nothing checked.
import type { Rule } from "../../src/core/analyze/rule.js";
import { ALL_DIALECTS } from "./_migration-files.js";

const FILE = "src/migrations/1700000000000-AddOrdersStatus.ts";

/** The examples' migration: `up()` holds the given lines, `down()` drops the column again. */
function migrationClass(up: string[]): string {
  return [
    'import { MigrationInterface, QueryRunner } from "typeorm";',
    "",
    "export class AddOrdersStatus1700000000000 implements MigrationInterface {",
    "  public async up(queryRunner: QueryRunner): Promise<void> {",
    ...up,
    "  }",
    "",
    "  public async down(queryRunner: QueryRunner): Promise<void> {",
    '    await queryRunner.query(`ALTER TABLE "orders" DROP COLUMN "status"`);',
    "  }",
    "}",
    "",
  ].join("\n");
}

const rule: Rule = {
  id: "unanalyzable-sql",
  title: "SQL built at run time, not analyzed",
  dialects: ALL_DIALECTS,
  severity: "warning",
  docs: {
    why: "A TypeORM migration's SQL is read from the strings its `up()` and `down()` pass to `queryRunner.query(…)`. A template literal with `${…}`, a variable, a concatenation, a helper function handed the query runner, or a schema builder call (`queryRunner.createTable(…)`, `addColumn(…)`, `createIndex(…)`) only has its SQL at run time, so none of the locking, rewrite and rollback checks saw it: the risky statement of the change may be exactly that one.",
    locks: [],
    work: "none",
    safeAlternative: [
      "1. Write the statement as a plain string or a template literal without `${…}` (what `typeorm migration:generate` writes): `` await queryRunner.query(`ALTER TABLE \"orders\" ADD \"status\" text`) ``.",
      "2. Values belong in query parameters, not in the SQL text: `` await queryRunner.query(`UPDATE \"orders\" SET \"status\" = $1 WHERE \"status\" IS NULL`, [\"new\"]) ``.",
      "3. If the SQL really depends on run-time values, review it by hand, then silence the finding with `// migration-guard:ignore unanalyzable-sql -- <why>` on the line before the call.",
    ].join("\n"),
  },
  examples: {
    bad: [
      {
        path: FILE,
        sql: migrationClass(['    const table = "orders";', '    await queryRunner.query(`ALTER TABLE "${table}" ADD "status" text`);']),
        note: "the table name is interpolated: the statement is only known at run time",
      },
    ],
    good: [
      {
        path: FILE,
        sql: migrationClass([
          '    await queryRunner.query(`ALTER TABLE "orders" ADD "status" text`);',
          '    await queryRunner.query(`UPDATE "orders" SET "status" = $1 WHERE "status" IS NULL`, ["new"]);',
        ]),
      },
    ],
  },
};

export default rule;
