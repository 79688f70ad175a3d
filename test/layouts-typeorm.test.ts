// TypeORM: migration classes in TypeScript/JavaScript. Which files are migrations, the SQL their
// `up()` / `down()` pass to `queryRunner.query`, findings at the lines and columns of the `.ts`
// file, what cannot be read (reported, never skipped), transactions, fixes inside strings, and
// edits of merged migrations. Every file here is written for these tests.
import { describe, expect, it } from "vitest";
import { parse } from "@babel/parser";
import picomatch from "picomatch";
import { DEFAULT_CONFIG } from "../src/core/config/load.js";
import { DEFAULT_CODE_PATTERNS, migrationCandidates } from "../src/core/discover/index.js";
import { discover } from "../src/core/discover/index.js";
import { applyFixes } from "../src/core/fix/apply.js";
import type { Finding } from "../src/core/model.js";
import { validateConfig } from "../src/core/config/load.js";
import { loadParsers } from "../src/core/parse/index.js";
import { planTest } from "../src/evidence/change.js";
import { executableScript } from "../src/evidence/statements.js";
import { planFor } from "../src/evidence/executor.js";
import { fileSemantics } from "../src/core/analyze/transaction.js";
import { analyzeFiles } from "./helpers/engine.js";
import { offlineGitHub } from "./helpers/nock.js";
import { mockGitHub, pullRequestPayload, scenario } from "./fixtures/github/scenario.js";
import { testApp } from "./fixtures/github/probot.js";

const DIR = "src/migrations";

/** A TypeORM migration class as `typeorm migration:create` writes it, with the given bodies. */
function migration(name: string, up: string[], down: string[] = [], extra: string[] = []): string {
  return [
    'import { MigrationInterface, QueryRunner } from "typeorm";',
    "",
    `export class ${name} implements MigrationInterface {`,
    `  name = "${name}";`,
    ...extra.map((l) => `  ${l}`),
    "",
    "  public async up(queryRunner: QueryRunner): Promise<void> {",
    ...up.map((l) => `    ${l}`),
    "  }",
    "",
    "  public async down(queryRunner: QueryRunner): Promise<void> {",
    ...down.map((l) => `    ${l}`),
    "  }",
    "}",
    "",
  ].join("\n");
}

const q = (sql: string) => `await queryRunner.query(\`${sql}\`);`;
const all = (report: Awaited<ReturnType<typeof analyzeFiles>>): Finding[] => [...report.migrations.flatMap((m) => m.findings), ...report.otherFindings];
const located = (report: Awaited<ReturnType<typeof analyzeFiles>>) => all(report).map((f) => `${f.ruleId} ${f.span.file}:${f.span.startLine}:${f.span.startColumn}`).sort();

const CREATE = migration("CreateOrders1700000000000", [q('CREATE TABLE "orders" ("id" SERIAL NOT NULL PRIMARY KEY, "total" integer NOT NULL)')], [q('DROP TABLE "orders"')]);

describe("discovery", () => {
  it("takes classes with up(queryRunner) as migrations, ordered by the timestamp of the class name; other code is ignored", () => {
    const head = [
      { path: `${DIR}/1710000000000-AddTotalIndex.ts`, content: migration("AddTotalIndex1710000000000", [q('CREATE INDEX "IDX_total" ON "orders" ("total")')], [q('DROP INDEX "IDX_total"')]) },
      { path: `${DIR}/1700000000000-CreateOrders.ts`, content: CREATE },
      // Not migrations: a barrel file and a helper in the same folder, a data source elsewhere.
      { path: `${DIR}/index.ts`, content: 'export * from "./1700000000000-CreateOrders";\n' },
      { path: `${DIR}/helpers.ts`, content: "export function quote(name: string): string {\n  return `\"${name}\"`;\n}\n" },
      { path: "src/data-source.ts", content: 'import { DataSource } from "typeorm";\nexport default new DataSource({ type: "postgres", migrations: ["src/migrations/*.ts"] });\n' },
    ];
    const { migrations, problems, roots } = discover({ head }, { ...DEFAULT_CONFIG, layout: "auto" });
    expect(roots).toEqual([{ root: DIR, layout: "typeorm" }]);
    expect(problems).toEqual([]);
    expect(migrations.map((m) => ({ id: m.id, version: m.version, name: m.name, up: m.up, down: m.down, transaction: m.transaction }))).toEqual([
      {
        id: `${DIR}/1700000000000-CreateOrders.ts`,
        version: "1700000000000",
        name: "CreateOrders1700000000000",
        up: { path: `${DIR}/1700000000000-CreateOrders.ts`, section: "up", code: "typeorm" },
        down: { path: `${DIR}/1700000000000-CreateOrders.ts`, section: "down", code: "typeorm" },
        transaction: "per-file",
      },
      {
        id: `${DIR}/1710000000000-AddTotalIndex.ts`,
        version: "1710000000000",
        name: "AddTotalIndex1710000000000",
        up: { path: `${DIR}/1710000000000-AddTotalIndex.ts`, section: "up", code: "typeorm" },
        down: { path: `${DIR}/1710000000000-AddTotalIndex.ts`, section: "down", code: "typeorm" },
        transaction: "per-file",
      },
    ]);
  });

  it("reads JavaScript migrations: class fields, names set in the constructor, a missing down(), tsc's output", async () => {
    const head = {
      "packages/backend/migration/1600000000000-Init.js": [
        "export class Init1600000000000 {",
        "  name = 'Init1600000000000'",
        "  async up(queryRunner) {",
        '    await queryRunner.query(`CREATE TABLE "note" ("id" integer PRIMARY KEY)`);',
        "  }",
        "  async down(queryRunner) {",
        '    await queryRunner.query(`DROP TABLE "note"`);',
        "  }",
        "}",
        "",
      ].join("\n"),
      "packages/backend/migration/1600000000001-Compiled.js": [
        '"use strict";',
        "module.exports = class compiled1600000000001 {",
        "  constructor() {",
        "    this.name = 'compiled1600000000001';",
        "    this.transaction = false;",
        "  }",
        "  async up(queryRunner) {",
        '    await queryRunner.query(`CREATE INDEX CONCURRENTLY "IDX_note" ON "note" ("id")`);',
        "  }",
        "}",
        "",
      ].join("\n"),
    };
    // What tsc writes for an ES2015 target: the queries sit in a generator inside __awaiter.
    const tsc = [
      '"use strict";',
      'Object.defineProperty(exports, "__esModule", { value: true });',
      "exports.AddNote1600000000002 = void 0;",
      "class AddNote1600000000002 {",
      "    up(queryRunner) {",
      "        return __awaiter(this, void 0, void 0, function* () {",
      '            yield queryRunner.query(`ALTER TABLE "note" ADD "text" text`);',
      "        });",
      "    }",
      "    down(queryRunner) {",
      "        return __awaiter(this, void 0, void 0, function* () {",
      '            yield queryRunner.query(`ALTER TABLE "note" DROP COLUMN "text"`);',
      "        });",
      "    }",
      "}",
      "exports.AddNote1600000000002 = AddNote1600000000002;",
      "",
    ].join("\n");
    const files = [...Object.entries(head).map(([path, content]) => ({ path, content })), { path: "dist/migrations/1600000000002-AddNote.js", content: tsc }];
    const { migrations } = discover({ head: files }, { ...DEFAULT_CONFIG, layout: "auto" });
    expect(migrations.map((m) => [m.name, m.version, m.transaction, m.down !== undefined])).toEqual([
      ["AddNote1600000000002", "1600000000002", "per-file", true],
      ["Init1600000000000", "1600000000000", "per-file", true],
      ["compiled1600000000001", "1600000000001", "none", false],
    ]);
    const report = await analyzeFiles(files);
    expect(report.migrations.find((m) => m.migration.name === "AddNote1600000000002")!.statements).toEqual({ up: 1, down: 1 });
  });

  it("reports a class TypeORM refuses (no timestamp at the end of its name) and a file that does not parse", () => {
    const head = [
      { path: `${DIR}/1700000000000-CreateOrders.ts`, content: CREATE },
      { path: `${DIR}/1700000000001-NoStamp.ts`, content: migration("NoStamp", [q("SELECT 1")]) },
      { path: `${DIR}/1700000000002-Broken.ts`, content: "export class Broken1700000000002 implements MigrationInterface {\n  async up(queryRunner: QueryRunner) {\n    await queryRunner.query(`SELECT 1`;\n  }\n}\n" },
    ];
    const { migrations, problems } = discover({ head }, { ...DEFAULT_CONFIG, layout: "auto" });
    expect(migrations.map((m) => m.name)).toEqual(["CreateOrders1700000000000"]);
    expect(problems.map((p) => `${p.ruleId} ${p.file}:${p.line}`)).toEqual([
      `unrecognized-migration-file ${DIR}/1700000000001-NoStamp.ts:3`,
      `unanalyzable-sql ${DIR}/1700000000002-Broken.ts:3`,
    ]);
    expect(problems[0]!.message).toContain("a migration class name must end with a 13-digit JavaScript timestamp");
    expect(problems[1]!.message).toMatch(/could not be read as TypeScript\/JavaScript .*line 3\): the SQL it runs was not analyzed/);
  });

  it("knows merged migrations listed without content by TypeORM's generated name (the App does not fetch them)", () => {
    const listed = (path: string, sha: string) => ({ path, sha });
    const added = { path: `${DIR}/1720000000000-AddNote.ts`, sha: "c".repeat(40), content: migration("AddNote1720000000000", [q('ALTER TABLE "orders" ADD "note" text')], [q('ALTER TABLE "orders" DROP COLUMN "note"')]) };
    const base = [listed(`${DIR}/1700000000000-CreateOrders.ts`, "a".repeat(40)), listed(`${DIR}/1710000000000-AddTotalIndex.ts`, "b".repeat(40)), listed(`${DIR}/index.ts`, "d".repeat(40))];
    const { migrations } = discover({ head: [...base, added], base }, { ...DEFAULT_CONFIG, layout: "auto" });
    expect(migrations.map((m) => [m.id, m.version, m.status])).toEqual([
      [`${DIR}/1700000000000-CreateOrders.ts`, "1700000000000", "unchanged"],
      [`${DIR}/1710000000000-AddTotalIndex.ts`, "1710000000000", "unchanged"],
      [`${DIR}/1720000000000-AddNote.ts`, "1720000000000", "added"],
    ]);
    // Listed without content, a node-pg-migrate or knex script is no TypeORM migration.
    const other = discover({ head: [listed("migrations/1700000000000_create-users.js", "e".repeat(40)), listed("migrations/20240101120000_create_users.js", "f".repeat(40))] }, { ...DEFAULT_CONFIG, layout: "auto" });
    expect(other.migrations).toEqual([]);
  });

  it("leaves other tools' folders alone: SQL layouts keep their layout, knex/Sequelize/node-pg-migrate code is no migration", () => {
    const head = [
      { path: "db/migrations/000001_init.up.sql", content: "CREATE TABLE a (id int);\n" },
      { path: "db/migrations/000001_init.down.sql", content: "DROP TABLE a;\n" },
      { path: "db/migrations/helpers.ts", content: "export const x = 1;\n" },
      { path: "migrations/20240101120000-create-users.js", content: "module.exports = {\n  async up(queryInterface, Sequelize) {\n    await queryInterface.createTable('users', { id: Sequelize.INTEGER });\n  },\n  async down(queryInterface) {\n    await queryInterface.dropTable('users');\n  },\n};\n" },
      { path: "knex/migrations/20240101120000_create_users.js", content: "exports.up = function (knex) {\n  return knex.schema.createTable('users', (t) => t.increments());\n};\nexports.down = (knex) => knex.schema.dropTable('users');\n" },
      { path: "pgm/migrations/1700000000000_create-users.js", content: "exports.up = (pgm) => {\n  pgm.createTable('users', { id: 'id' });\n};\n" },
    ];
    const { migrations, roots, problems } = discover({ head }, { ...DEFAULT_CONFIG, layout: "auto" });
    expect(roots).toEqual([{ root: "db/migrations", layout: "golang-migrate" }]);
    expect(migrations.map((m) => m.id)).toEqual(["db/migrations/000001_init.up.sql"]);
    expect(problems).toEqual([]);
  });
});

describe("the workflow init writes", () => {
  it("is triggered by the code files discovery reads by default", () => {
    const paths = ["src/migrations/1700000000000-CreateOrders.ts", "packages/backend/migration/1600000000000-Init.js", "db/migrations/helpers.ts", "src/app.ts", "src/2fa-codes.ts"];
    const trigger = picomatch(DEFAULT_CODE_PATTERNS);
    const read = migrationCandidates(paths, DEFAULT_CONFIG);
    expect(read).toEqual(paths.slice(0, 3));
    expect(paths.filter((p) => trigger(p))).toEqual(read);
  });
});

describe("analysis", () => {
  it("points findings at the line and column of the SQL inside the .ts file, for template and quoted strings", async () => {
    const file = `${DIR}/1710000000000-Orders.ts`;
    const report = await analyzeFiles({
      [`${DIR}/1700000000000-CreateOrders.ts`]: CREATE,
      [file]: migration(
        "Orders1710000000000",
        [
          q('CREATE INDEX "IDX_total" ON "orders" ("total")'),
          "await queryRunner.query(",
          "  'ALTER TABLE \"orders\" ALTER COLUMN \"total\" TYPE bigint',",
          ");",
          "await queryRunner.query(\"UPDATE \\\"orders\\\" SET \\\"total\\\" = 0 WHERE \\\"total\\\" < 0; CREATE INDEX \\\"IDX_x\\\" ON \\\"orders\\\" (\\\"id\\\")\");",
        ],
        [q('DROP INDEX "IDX_total"')],
      ),
    }, { config: { rules: { "require-lock-timeout": "off", "statement-after-access-exclusive": "off", "data-change-with-ddl": "off" } } });
    const ours = located(report).filter((l) => l.includes(file));
    expect(ours).toEqual(
      expect.arrayContaining([
        `require-concurrent-index ${file}:7:30`,
        `alter-column-type ${file}:9:8`,
        // After escapes the columns stay those of the file: `\"` counts as the two characters it is.
        `require-concurrent-index ${file}:11:87`,
      ]),
    );
    expect(all(report).filter((f) => f.ruleId === "parse-error")).toEqual([]);
    // The UPDATE has a WHERE: the escaped quotes were read as SQL quotes.
    expect(ours.filter((l) => l.startsWith("update-delete-without-where"))).toEqual([]);
  });

  it("reports what cannot be read, with file and line: interpolation, variables, concatenation, schema builders, helpers", async () => {
    const file = `${DIR}/1710000000000-Dynamic.ts`;
    const report = await analyzeFiles({
      [file]: migration(
        "Dynamic1710000000000",
        [
          'const table = "orders";',
          "await queryRunner.query(`ALTER TABLE \"${table}\" ADD \"note\" text`);",
          "const sql = 'DROP TABLE old';",
          "await queryRunner.query(sql);",
          "await queryRunner.query('ALTER TABLE a ' + 'ADD b int');",
          'await queryRunner.createIndex("orders", new TableIndex({ columnNames: ["note"] }));',
          "await addAuditColumns(queryRunner);",
          'if (await queryRunner.hasTable("orders")) await queryRunner.query(`SELECT 1`);',
        ],
        [q('ALTER TABLE "orders" DROP COLUMN "note"')],
      ),
    });
    const found = all(report).filter((f) => f.ruleId === "unanalyzable-sql").map((f) => `${f.span.startLine} ${f.message}`);
    expect(found).toEqual([
      "8 `queryRunner.query(…)` on line 8 builds its SQL with `${…}`: the SQL it runs is only known at run time",
      "10 `queryRunner.query(…)` on line 10 passes SQL that is not a string literal: the SQL it runs is only known at run time",
      "11 `queryRunner.query(…)` on line 11 builds its SQL by concatenation: the SQL it runs is only known at run time",
      "12 `queryRunner.createIndex(…)` on line 12 builds its SQL at run time",
      "13 `addAuditColumns(…)` on line 13 is handed the query runner: the SQL it runs is not in this method",
    ]);
    expect(all(report).filter((f) => f.ruleId === "parse-error")).toEqual([]);
  });

  it("a `--` comment at the end of a string does not join the next call's SQL to it", async () => {
    const report = await analyzeFiles({
      [`${DIR}/1700000000000-CreateOrders.ts`]: CREATE,
      [`${DIR}/1710000000000-Two.ts`]: migration("Two1710000000000", ["await queryRunner.query(`SELECT 1 -- warm up`);", q('CREATE INDEX "IDX_total" ON "orders" ("total")')]),
    });
    const two = report.migrations.find((m) => m.migration.name === "Two1710000000000")!;
    expect(two.statements.up).toBe(2);
    expect(two.findings.map((f) => `${f.ruleId}:${f.span.startLine}`)).toContain("require-concurrent-index:8");
  });

  it("reads escaped quotes as the SQL they stand for: TypeORM's MySQL migrations escape every backtick", async () => {
    const file = `${DIR}/1710000000000-MysqlUsers.ts`;
    const report = await analyzeFiles(
      {
        [`${DIR}/1700000000000-MysqlInit.ts`]: migration("MysqlInit1700000000000", ["await queryRunner.query(`CREATE TABLE \\`user\\` (\\`id\\` int NOT NULL AUTO_INCREMENT, \\`name\\` varchar(255) NOT NULL, PRIMARY KEY (\\`id\\`)) ENGINE=InnoDB`);"]),
        [file]: migration("MysqlUsers1710000000000", ["await queryRunner.query(`ALTER TABLE \\`user\\` DROP COLUMN \\`name\\``);"], ["await queryRunner.query(\"ALTER TABLE `user` ADD `name` varchar(255) NOT NULL\");"]),
      },
      { config: { dialect: "mysql" } },
    );
    expect(all(report).filter((f) => f.ruleId === "parse-error")).toEqual([]);
    const drop = all(report).find((f) => f.ruleId === "mysql-drop-column");
    expect(drop?.message).toContain("Dropping user.name");
    // The clause, at its column in the file: the escapes before it gave their room back at the space.
    expect(drop?.span).toMatchObject({ file, startLine: 7, startColumn: 51 });
  });

  it("parses query parameters: $1 on PostgreSQL, ? on MySQL", async () => {
    const pg = await analyzeFiles({
      [`${DIR}/1700000000000-CreateOrders.ts`]: CREATE,
      [`${DIR}/1710000000000-Fill.ts`]: migration("Fill1710000000000", ['await queryRunner.query(`UPDATE "orders" SET "total" = $1 WHERE "id" = $2`, [0, 1]);']),
    });
    expect(all(pg).filter((f) => f.ruleId === "parse-error")).toEqual([]);
    expect(pg.migrations.find((m) => m.migration.name === "Fill1710000000000")!.statements.up).toBe(1);
    const mysql = await analyzeFiles(
      { [`${DIR}/1710000000000-Fill.ts`]: migration("Fill1710000000000", ["await queryRunner.query(\"UPDATE `orders` SET `total` = ? WHERE `note` = '?' AND `id` = ?\", [0, 1]);"]) },
      { config: { dialect: "mysql" } },
    );
    expect(all(mysql).filter((f) => f.ruleId === "parse-error")).toEqual([]);
    expect(mysql.migrations[0]!.statements.up).toBe(1);
  });

  it("runs a migration in TypeORM's transaction unless the class says transaction = false", async () => {
    const index = (name: string, extra: string[]) => migration(name, [q('CREATE INDEX CONCURRENTLY "IDX_total" ON "orders" ("total")')], [q('DROP INDEX CONCURRENTLY "IDX_total"')], extra);
    const inTransaction = await analyzeFiles({ [`${DIR}/1700000000000-CreateOrders.ts`]: CREATE, [`${DIR}/1710000000000-Idx.ts`]: index("Idx1710000000000", []) });
    const finding = all(inTransaction).find((f) => f.ruleId === "concurrently-in-transaction");
    expect(finding?.span).toMatchObject({ file: `${DIR}/1710000000000-Idx.ts`, startLine: 7 });
    expect(finding?.help).toContain("`transaction = false`");
    for (const extra of [["transaction = false;"], ['transaction = process.env.CONCURRENT === "1" ? false : undefined;']]) {
      const outside = await analyzeFiles({ [`${DIR}/1700000000000-CreateOrders.ts`]: CREATE, [`${DIR}/1710000000000-Idx.ts`]: index("Idx1710000000000", extra) });
      expect(all(outside).filter((f) => f.ruleId === "concurrently-in-transaction")).toEqual([]);
    }
  });

  it("without TypeORM's transaction, one query() call holding several statements is still one transaction block", async () => {
    const idx = 'CREATE INDEX CONCURRENTLY "IDX_total" ON "orders" ("total")';
    const run = (up: string[]) => analyzeFiles({ [`${DIR}/1700000000000-CreateOrders.ts`]: CREATE, [`${DIR}/1710000000000-Idx.ts`]: migration("Idx1710000000000", up, [q('DROP INDEX CONCURRENTLY "IDX_total"')], ["transaction = false;"]) });
    const together = all(await run([q(`SET lock_timeout = '5s'; ${idx}`)])).find((f) => f.ruleId === "concurrently-in-transaction");
    expect(together?.message).toContain("a query holding several statements is one query, which PostgreSQL runs as one transaction block");
    expect(together?.span.startLine).toBe(8);
    const apart = await run([q("SET lock_timeout = '5s'"), q(idx)]);
    expect(all(apart).filter((f) => f.ruleId === "concurrently-in-transaction")).toEqual([]);
  });

  it("an empty down() is an empty rollback, pointed at the method; a down() that builds its SQL is not", async () => {
    const file = `${DIR}/1710000000000-Drop.ts`;
    const report = await analyzeFiles({ [`${DIR}/1700000000000-CreateOrders.ts`]: CREATE, [file]: migration("Drop1710000000000", [q('ALTER TABLE "orders" DROP COLUMN "total"')], []) });
    const missing = all(report).find((f) => f.ruleId === "missing-rollback");
    expect(missing?.message).toBe(`\`down()\` of ${file} is empty: rolling back would report success and undo nothing.`);
    expect(missing?.span.startLine).toBe(10);
    const dynamic = await analyzeFiles({ [file]: migration("Drop1710000000000", [q('ALTER TABLE "orders" DROP COLUMN "total"')], ["await queryRunner.query(`ALTER TABLE \"orders\" ADD \"total\" ${TYPE}`);"]) });
    expect(all(dynamic).map((f) => f.ruleId)).not.toContain("missing-rollback");
    expect(all(dynamic).map((f) => f.ruleId)).toContain("unanalyzable-sql");
  });

  // Found on a real history: a NOT NULL column added right after TRUNCATE in the same migration
  // (TypeORM's transaction) cannot fail on existing rows: the table is empty and stays so until COMMIT.
  it("a NOT NULL column added after TRUNCATE in TypeORM's transaction is no add-required-column; without the TRUNCATE it is", async () => {
    const add = q('ALTER TABLE "orders" ADD "day" character varying(16) NOT NULL');
    const emptied = await analyzeFiles({ [`${DIR}/1700000000000-CreateOrders.ts`]: CREATE, [`${DIR}/1710000000000-Day.ts`]: migration("Day1710000000000", [q('TRUNCATE TABLE "orders"'), add]) });
    expect(all(emptied).map((f) => f.ruleId)).not.toContain("add-required-column");
    const kept = await analyzeFiles({ [`${DIR}/1700000000000-CreateOrders.ts`]: CREATE, [`${DIR}/1710000000000-Day.ts`]: migration("Day1710000000000", [add]) });
    expect(all(kept).map((f) => f.ruleId)).toContain("add-required-column");
    // Without TypeORM's transaction (transaction = false) rows can come back between the two queries.
    const outside = await analyzeFiles({ [`${DIR}/1700000000000-CreateOrders.ts`]: CREATE, [`${DIR}/1710000000000-Day.ts`]: migration("Day1710000000000", [q('TRUNCATE TABLE "orders"'), add], [], ["transaction = false;"]) });
    expect(all(outside).map((f) => f.ruleId)).toContain("add-required-column");
  });

  it("a `// migration-guard:ignore` comment suppresses like its SQL form", async () => {
    const report = await analyzeFiles({
      [`${DIR}/1700000000000-CreateOrders.ts`]: CREATE,
      [`${DIR}/1710000000000-Idx.ts`]: migration("Idx1710000000000", ["// migration-guard:ignore require-concurrent-index -- orders is tiny", q('CREATE INDEX "IDX_total" ON "orders" ("total")')], [q('DROP INDEX "IDX_total"')]),
    });
    const finding = all(report).find((f) => f.ruleId === "require-concurrent-index");
    expect(finding?.suppressed).toEqual({ reason: "orders is tiny" });
    const dynamic = await analyzeFiles({
      [`${DIR}/1710000000000-Dyn.ts`]: migration("Dyn1710000000000", [
        "// migration-guard:ignore unanalyzable-sql -- the table name comes from our own constant",
        "await queryRunner.query(`DROP TABLE ${OLD}`);",
        "await queryRunner.query(`DROP TABLE ${OTHER}`);",
      ]),
    });
    expect(all(dynamic).filter((f) => f.ruleId === "unanalyzable-sql").map((f) => [f.span.startLine, f.suppressed?.reason])).toEqual([
      [8, "the table name comes from our own constant"],
      [9, undefined],
    ]);
  });
});

describe("fixes inside strings", () => {
  it("keeps only fixes that fit in their string, and the fixed file still parses and analyzes", async () => {
    const file = `${DIR}/1710000000000-Mixed.ts`;
    const source = migration("Mixed1710000000000", [
      q('ALTER TABLE "orders" ADD "placed_at" timestamp'),
      q('ALTER TABLE "orders" ADD "code" varchar(20)'),
      "await queryRunner.query('ALTER TABLE \"orders\" ADD \"paid_at\" timestamp');",
      q('DROP INDEX "IDX_total"'),
      "await queryRunner.query('ALTER TABLE \"orders\" ADD \"note\" varchar(10) DEFAULT \\'n/a\\'');",
    ], [q('ALTER TABLE "orders" DROP COLUMN "placed_at"')]);
    const files = { [`${DIR}/1700000000000-CreateOrders.ts`]: CREATE, [file]: source };
    const report = await analyzeFiles(files, { config: { preset: "strict" } });
    const fixes = all(report).filter((f) => f.fix && f.span.file === file);
    expect(fixes.length).toBeGreaterThan(0);
    // No fix adds a statement to a query (a second statement changes how TypeORM's one query runs).
    for (const f of fixes) for (const e of f.fix!.edits) expect(e.replacement).not.toContain(";");
    const applied = applyFixes(fixes, new Map(Object.entries(files)));
    const fixed = applied.files.get(file)!;
    expect(fixed).not.toBe(source);
    expect(() => parse(fixed, { sourceType: "module", plugins: ["typescript"] })).not.toThrow();
    const again = await analyzeFiles({ ...files, [file]: fixed }, { config: { preset: "strict" } });
    expect(all(again).filter((f) => f.ruleId === "parse-error")).toEqual([]);
    expect(again.migrations.find((m) => m.migration.id === file)!.statements.up).toBe(5);
  });
});

describe("edited merged migrations", () => {
  const file = `${DIR}/1700000000000-CreateOrders.ts`;
  const edited = async (head: string) => {
    const report = await analyzeFiles({ [file]: head }, { base: { [file]: CREATE } });
    return all(report).filter((f) => f.ruleId === "edited-merged-migration");
  };

  it("reformatting the code or the SQL's whitespace is no edit", async () => {
    const reformatted = CREATE.replace(/ {4}await queryRunner\.query\(`CREATE TABLE "orders" \(/, '    // the table\n    await queryRunner.query(\n      `CREATE TABLE "orders"\n        (').replace(/`\);\n  }\n\n  public async down/, "`,\n    );\n  }\n\n  public async down");
    expect(reformatted).not.toBe(CREATE);
    expect(await edited(reformatted)).toEqual([]);
  });

  it("changed SQL is an edit, pointed at the changed statement's line", async () => {
    const changed = CREATE.replace('"total" integer NOT NULL', '"total" bigint NOT NULL');
    const found = await edited(["// a comment that moves everything down", changed].join("\n"));
    expect(found.map((f) => f.span.startLine)).toEqual([8]);
  });
});

describe("the ephemeral test runs what TypeORM would send", () => {
  it("writes literal query parameters into the SQL, and refuses code whose SQL is only known at run time", async () => {
    await loadParsers();
    const config = validateConfig({});
    if (!config.ok) throw new Error("config");
    const head = [
      { path: `${DIR}/1700000000000-CreateOrders.ts`, content: CREATE },
      { path: `${DIR}/1710000000000-Fill.ts`, content: migration("Fill1710000000000", ['await queryRunner.query(`UPDATE "orders" SET "total" = $1 WHERE "id" = $2 AND "note" <> \'$1\'`, [-1, "it\'s"]);']) },
      { path: `${DIR}/1720000000000-Dyn.ts`, content: migration("Dyn1720000000000", ["await queryRunner.query(`DROP TABLE ${OLD}`);"]) },
    ];
    const plan = planTest({ head }, config.config);
    const [, fill, dynamic] = plan.change.map((c) => executableScript(c.up));
    expect(fill!.problems).toEqual([]);
    expect(fill!.statements.map((s) => [s.span.startLine, s.text])).toEqual([[7, `UPDATE "orders" SET "total" = -1 WHERE "id" = 'it''s' AND "note" <> '$1'`]]);
    expect(dynamic!.problems).toEqual([{ where: `${DIR}/1720000000000-Dyn.ts:7`, message: "cannot be tested from the file: `queryRunner.query(…)` on line 7 builds its SQL with `${…}`: the SQL it runs is only known at run time" }]);
  });

  it("builds the environment from merged migrations without their run-time parts, and says what it left out", async () => {
    await loadParsers();
    const config = validateConfig({});
    if (!config.ok) throw new Error("config");
    const merged = migration("Fix1710000000000", [
      q('ALTER TABLE "orders" ADD "note" text'),
      "await queryRunner.query(`UPDATE \"orders\" SET \"note\" = '${NOTE}'`);",
      'await queryRunner.query(`UPDATE "orders" SET "total" = $1`, [computeTotal()]);',
    ]);
    const head = [
      { path: `${DIR}/1700000000000-CreateOrders.ts`, content: CREATE },
      { path: `${DIR}/1710000000000-Fix.ts`, content: merged },
      { path: `${DIR}/1720000000000-Idx.ts`, content: migration("Idx1720000000000", [q('CREATE INDEX "IDX_note" ON "orders" ("note")')]) },
    ];
    const plan = planTest({ head }, config.config, { last: 1 });
    const fix = plan.environment.scripts.find((s) => s.id.endsWith("Fix.ts"))!;
    const script = executableScript(fix.source);
    expect(script.problems).toEqual([]);
    expect(script.statements.map((s) => s.text)).toEqual(['ALTER TABLE "orders" ADD "note" text']);
    expect(plan.notes.map((n) => `${n.where} ${n.message}`)).toEqual([
      `${DIR}/1710000000000-Fix.ts:8 not applied to the environment: \`queryRunner.query(…)\` on line 8 builds its SQL with \`\${…}\`: the SQL it runs is only known at run time`,
      `${DIR}/1710000000000-Fix.ts:9 not applied to the environment: the \`query(…)\` on line 9 passes parameter values only known at run time`,
    ]);
  });

  it("sends the statements of one query() call together: outside TypeORM's transaction they are one transaction block", async () => {
    await loadParsers();
    const config = validateConfig({});
    if (!config.ok) throw new Error("config");
    const idx = 'CREATE INDEX CONCURRENTLY "IDX_total" ON "orders" ("total")';
    const head = [
      { path: `${DIR}/1700000000000-CreateOrders.ts`, content: CREATE },
      { path: `${DIR}/1710000000000-Idx.ts`, content: migration("Idx1710000000000", [q(`SET lock_timeout = '5s'; ${idx}`), q("ANALYZE orders")], [], ["transaction = false;"]) },
    ];
    const plan = planTest({ head }, config.config);
    const change = plan.change.find((c) => c.migration.name === "Idx1710000000000")!;
    const script = executableScript(change.up);
    expect(script.queries).toEqual([0, 0, 1]);
    const ctx = { postgresVersion: 15, ops: { dialect: "postgres" } } as unknown as Parameters<typeof planFor>[2];
    expect(planFor(script, fileSemantics(change.migration, config.config), ctx).modes).toEqual(["file-transaction", "file-transaction", "own-transaction"]);
  });
});

describe("the App on a pull request adding a TypeORM migration", () => {
  offlineGitHub();

  it("reviews the added .ts file with inline comments on its lines; merged migrations listed by name stay merged", async () => {
    const file = `${DIR}/1710000000000-AddStatus.ts`;
    const added = migration("AddStatus1710000000000", [q('ALTER TABLE "orders" ADD "status" varchar(20)'), q('CREATE INDEX "IDX_status" ON "orders" ("status")')], [q('DROP INDEX "IDX_status"'), q('ALTER TABLE "orders" DROP COLUMN "status"')]);
    const s = scenario({ base: { [`${DIR}/1700000000000-CreateOrders.ts`]: CREATE }, changes: { [file]: added } });
    const { writes } = mockGitHub(s, { config: "gates:\n  enabled: false\ncommit_format:\n  enabled: false\n", readsChange: true, blobs: true });
    const app = await testApp();
    await app.receive("pull_request", pullRequestPayload(s, "opened"));
    expect(writes.reviews).toHaveLength(1);
    const review = writes.reviews[0]!;
    const comments = review.comments.map((c: { path: string; line: number; body: string }) => `${c.path}:${c.line} ${/require-concurrent-index|require-lock-timeout/.exec(c.body)?.[0] ?? ""}`);
    expect(comments).toEqual(expect.arrayContaining([`${file}:8 require-concurrent-index`]));
    expect(review.comments.every((c: { path: string }) => c.path === file)).toBe(true);
    expect(review.body).toContain("1710000000000-AddStatus.ts");
    expect(review.body).not.toContain("1700000000000-CreateOrders.ts");
  });
});
