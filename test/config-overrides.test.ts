// Per-path settings (`overrides:`): a monorepo whose services run different databases.
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseConfigText } from "../src/core/config/load.js";
import { analyzeFiles, ruleIds } from "./helpers/engine.js";
import { runCli } from "./helpers/cli.js";

const MERGE = "MERGE INTO accounts a USING staged s ON a.id = s.id WHEN MATCHED THEN UPDATE SET name = s.name;";
const MYSQL_ADD_COLUMN = "ALTER TABLE `orders` ADD COLUMN `note` varchar(40) NOT NULL DEFAULT '';";

const monorepo = {
  "services/api/db/migrations/0001_merge.up.sql": MERGE,
  "services/api/db/migrations/0001_merge.down.sql": "SELECT 1;",
  "services/billing/migrations/0001_note.up.sql": MYSQL_ADD_COLUMN,
  "services/billing/migrations/0001_note.down.sql": "ALTER TABLE `orders` DROP COLUMN `note`;",
};

const overrides = [
  { paths: ["services/billing/**"], dialect: "mysql" as const, mysql_version: "8.0" },
  { paths: ["services/api/**"], postgres_version: 13, rules: { "require-lock-timeout": "off" as const } },
];

describe("overrides: per-path settings", () => {
  it("analyzes each service with its own dialect and server version", async () => {
    const report = await analyzeFiles(monorepo, { config: { overrides } });
    const byPath = (p: string) => report.migrations.find((m) => m.migration.up.path.startsWith(p))!;
    const billing = byPath("services/billing");
    const api = byPath("services/api");
    // Backticks parse as MySQL: no parse error, a MySQL rule speaks.
    expect(billing.findings.map((f) => f.ruleId)).not.toContain("parse-error");
    expect(billing.dialect).toBe("mysql");
    // MERGE needs PostgreSQL 15: the api service runs 13.
    expect(api.findings.map((f) => f.ruleId)).toContain("syntax-newer-than-version");
    expect(api.postgresVersion).toBe(13);
    expect(ruleIds(report)).not.toContain("parse-error");
  });

  it("merges an override's rules over the top-level ones, only for its paths", async () => {
    const files = {
      "services/api/db/migrations/0001_t.up.sql": "ALTER TABLE accounts ADD CONSTRAINT c CHECK (id > 0);",
      "services/api/db/migrations/0001_t.down.sql": "ALTER TABLE accounts DROP CONSTRAINT c;",
      "services/web/db/migrations/0001_t.up.sql": "ALTER TABLE accounts ADD CONSTRAINT c CHECK (id > 0);",
      "services/web/db/migrations/0001_t.down.sql": "ALTER TABLE accounts DROP CONSTRAINT c;",
    };
    const report = await analyzeFiles(files, { config: { overrides: [overrides[1]!] } });
    const rulesOf = (p: string) => report.migrations.filter((m) => m.migration.up.path.startsWith(p)).flatMap((m) => m.findings.map((f) => f.ruleId));
    expect(rulesOf("services/web")).toContain("require-lock-timeout");
    expect(rulesOf("services/api")).not.toContain("require-lock-timeout");
    expect(rulesOf("services/api")).toContain("check-constraint-not-valid");
  });

  it("keeps each override's history apart: one service's tables are not another's", async () => {
    const base = {
      "services/a/migrations/0001_orders.up.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, note varchar(100));",
      "services/a/migrations/0001_orders.down.sql": "DROP TABLE orders;",
    };
    const head = {
      ...base,
      "services/b/migrations/0002_note.up.sql": "ALTER TABLE orders ALTER COLUMN note TYPE text;",
      "services/b/migrations/0002_note.down.sql": "ALTER TABLE orders ALTER COLUMN note TYPE varchar(100);",
    };
    const upRules = (report: Awaited<ReturnType<typeof analyzeFiles>>) =>
      report.migrations.flatMap((m) => m.findings).filter((f) => f.span.file.endsWith("0002_note.up.sql")).map((f) => f.ruleId);
    // One history: service a's varchar(100) → text is known to be free.
    expect(upRules(await analyzeFiles(head, { base }))).not.toContain("alter-column-type");
    // Service b has its own database: the old type of its orders.note is unknown.
    const separate = await analyzeFiles(head, { base, config: { overrides: [{ paths: ["services/b/**"], postgres_version: 16 }] } });
    expect(upRules(separate)).toContain("alter-column-type");
  });

  it("reports every problem of an override in one pass, with lines and did-you-mean", () => {
    const result = parseConfigText(
      ["overrides:", "  - paths: [services/billing/**]", "    dialetc: mysql", "    rules:", "      require-lock-timout: off", "  - postgres_version: 9"].join("\n"),
      { ruleIds: ["require-lock-timeout"] },
    );
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    expect(problems).toContainEqual(expect.objectContaining({ path: "overrides.0.dialetc", line: 3, message: expect.stringContaining("did you mean `dialect`") }));
    expect(problems).toContainEqual(expect.objectContaining({ path: "overrides.0.rules.require-lock-timout", line: 5, message: expect.stringContaining("`require-lock-timeout`") }));
    expect(problems).toContainEqual(expect.objectContaining({ path: "overrides.1.paths", line: 6 }));
    expect(problems).toContainEqual(expect.objectContaining({ path: "overrides.1.postgres_version", line: 6 }));
  });
});

describe("overrides in the CLI", () => {
  function repo(files: Record<string, string>): string {
    const dir = mkdtempSync(join(tmpdir(), "mg-overrides-"));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    return dir;
  }
  const config = [
    "overrides:",
    "  - paths: [services/billing/**]",
    "    dialect: mysql",
    "  - paths: [services/api/**]",
    "    postgres_version: 13",
  ].join("\n");

  it("check names each service's server", async () => {
    const dir = repo({ ...monorepo, ".github/migration-guard.yml": config });
    const run = await runCli(dir, ["check", ".", "--format", "json"]);
    const report = JSON.parse(run.stdout);
    expect(report.migrations.map((m: { dialect?: string }) => m.dialect ?? "postgres").sort()).toEqual(["mysql", "postgres"]);
    expect(run.stderr).not.toMatch(/parse/i);
  });

  it("test refuses a change across two separately configured services and says how to test each", async () => {
    const dir = repo({ ...monorepo, ".github/migration-guard.yml": config });
    const run = await runCli(dir, ["test", "."]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("2 separately configured histories");
    expect(run.stderr).toContain("services/billing/**");
  });

  it("test of one service uses that service's settings", async () => {
    const dir = repo({ ...monorepo, ".github/migration-guard.yml": config });
    const run = await runCli(dir, ["test", "services/billing"]);
    // The billing service is MySQL: there is no embedded MySQL to fall back on.
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("dialect mysql needs --database-url");
  });
});
