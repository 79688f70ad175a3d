// Configuration: every problem is reported with its path, nothing is silently defaulted,
// and the shipped JSON Schema is the one derived from the zod schema.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import Ajv from "ajv/dist/2020.js";
import { configJsonSchema, undescribedProperties } from "../src/core/config/json-schema.js";
import { loadRules } from "../rules/index.js";
import { formatConfigProblems, parseConfigText } from "../src/core/config/load.js";

const RULE_IDS = (await loadRules()).map((r) => r.id);

describe("configuration", () => {
  it("accepts a realistic file and fills defaults", () => {
    const result = parseConfigText(`
paths: ["db/migrations/**/*.sql"]
dialect: postgres
postgres_version: 13
preset: strict
rules:
  require-concurrent-index: warning
  parse-error: off
tables:
  orders: { rows: 80000000, bytes: 40GB }
thresholds:
  max_blocking_seconds: 2
`);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.postgres_version).toBe(13);
    expect(result.config.rules["parse-error"]).toBe("off");
    expect(result.config.tables.orders).toEqual({ rows: 80000000, bytes: "40GB" });
    expect(result.config.thresholds.max_blocking_seconds).toBe(2);
    expect(result.config.thresholds.large_table_rows).toBe(1_000_000);
    expect(result.config.fail_level).toBe("error");
  });

  it("treats an empty file as all defaults", () => {
    const result = parseConfigText("");
    expect(result.ok && result.config.preset).toBe("recommended");
  });

  it("lists every problem with its path: unknown keys and wrong types", () => {
    const result = parseConfigText(`
postgres_versoin: 14
postgres_version: "fifteen"
rules:
  require-concurrent-index: loud
tables:
  orders: { rows: -1, size: 3 }
`);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const byPath = Object.fromEntries(result.problems.map((p) => [p.path, p.message]));
    expect(Object.keys(byPath).sort()).toEqual(
      ["postgres_version", "postgres_versoin", "rules.require-concurrent-index", "tables.orders.rows", "tables.orders.size"].sort(),
    );
    expect(byPath.postgres_versoin).toBe("unknown key");
    expect(byPath["tables.orders.size"]).toBe("unknown key");
    const text = formatConfigProblems(".github/migration-guard.yml", result.problems);
    expect(text.split("\n")[0]).toBe(".github/migration-guard.yml: invalid configuration (5 problems)");
  });

  it("reports invalid YAML with its line", () => {
    const result = parseConfigText("rules:\n  a: [1, 2\nfoo: bar\n");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems[0]!.message).toMatch(/^invalid YAML/);
    expect(result.problems[0]!.line).toBeGreaterThan(0);
  });

  it("rejects a file that is not a mapping", () => {
    const result = parseConfigText("- just\n- a list\n");
    expect(result.ok).toBe(false);
  });

  it("ignores _extends, which the GitHub loader resolves before validation", () => {
    const result = parseConfigText("_extends: .github\npreset: strict\n");
    expect(result.ok).toBe(true);
  });

  it("ships the JSON Schema derived from the zod schema (run `npm run schema` after changing it)", () => {
    const shipped = JSON.parse(readFileSync(new URL("../schema/migration-guard.schema.json", import.meta.url), "utf8"));
    expect(shipped).toEqual(configJsonSchema(RULE_IDS));
  });

  it("explains every property, enumerates the rule ids and their values, and accepts _extends", async () => {
    const schema = configJsonSchema(RULE_IDS);
    expect(undescribedProperties(schema)).toEqual([]);
    const properties = schema.properties as Record<string, any>;
    expect(properties.rules.propertyNames.enum).toContain("require-concurrent-index");
    expect(JSON.stringify(properties.rules.additionalProperties)).toContain('"off","info","warning","error"');
    const validate = new Ajv({ strict: false }).compile(schema);
    expect(validate({ _extends: ".github", rules: { "require-concurrent-index": "warning" } })).toBe(true);
    expect(validate({ rules: { "require-concurent-index": "warning" } })).toBe(false);
  });
});
