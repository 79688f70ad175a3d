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
    expect(byPath.postgres_versoin).toBe("unknown key; did you mean `postgres_version`?");
    expect(byPath["tables.orders.size"]).toBe("unknown key");
    const text = formatConfigProblems(".github/migration-guard.yml", result.problems);
    expect(text.split("\n")[0]).toBe(".github/migration-guard.yml: invalid configuration (5 problems)");
  });

  it("reports every problem in one pass, in file order, with its line, a did-you-mean and the allowed values", () => {
    const result = parseConfigText("dialect: postgress\nrulez:\n  drop-table: off\nrules:\n  drop-tabel: error\ngates:\n  required: [nope]\n", { ruleIds: ["drop-table", "set-not-null"] });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(formatConfigProblems(".github/migration-guard.yml", result.problems)).toBe(
      [
        ".github/migration-guard.yml: invalid configuration (4 problems)",
        "  - dialect (line 1): `postgress` is not allowed; use one of postgres, mysql, mariadb (did you mean `postgres`?)",
        "  - rulez (line 2): unknown key; did you mean `rules`?",
        "  - rules.drop-tabel (line 5): no rule has this id; did you mean `drop-table`? (`migration-guard rules` lists them)",
        "  - gates.required.0 (line 7): unknown gate `nope` (known: scripts-reviewed, rollback-validated, performance-acceptable, data-integrity, zero-data-loss, app-compatibility, monitoring-configured, runbook-reviewed)",
      ].join("\n"),
    );
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

describe("configuration under hostile or mistaken input", () => {
  it("names an unknown rule id with the closest known one", async () => {
    const { loadRules } = await import("../rules/index.js");
    const { unknownRuleProblems } = await import("../src/core/config/load.js");
    const ids = (await loadRules()).map((r) => r.id);
    const parsed = parseConfigText("rules:\n  require-concurent-index: warning\n  lock-timout: off\n  parse-error: off\n  zzz: off\n");
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(unknownRuleProblems(parsed.config, ids)).toEqual([
      { path: "rules.require-concurent-index", message: "no rule has this id; did you mean `require-concurrent-index`? (`migration-guard rules` lists them)" },
      { path: "rules.lock-timout", message: "no rule has this id; did you mean `require-lock-timeout`? (`migration-guard rules` lists them)" },
      { path: "rules.zzz", message: "no rule has this id (`migration-guard rules` lists them)" },
    ]);
  });

  it("refuses files too large or with too many keys before parsing them", () => {
    const keys = parseConfigText(`tables:\n${Array.from({ length: 60_000 }, (_, i) => `  t${i}: {rows: 1}`).join("\n")}\n`);
    expect(keys).toEqual({ ok: false, problems: [{ path: "", message: "the configuration file is 1188898 bytes; the limit is 256000" }] });
    const many = parseConfigText(`tables: {${Array.from({ length: 6_000 }, (_, i) => `t${i}: 1`).join(", ")}}\n`);
    expect(many).toEqual({ ok: false, problems: [{ path: "", message: "the configuration file has more than 5000 keys; the limit is 5000" }] });
  });

  it("bounds numbers so that estimates stay finite", () => {
    const result = parseConfigText(
      "thresholds:\n  rewrite_bytes_per_second: 0\n  index_build_bytes_per_second: 0 MB\ntables:\n  orders: { rows: 1e308, bytes: 99999999999TB }\n",
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    // In the file's order.
    expect(result.problems.map((p) => `${p.line} ${p.path}: ${p.message}`)).toEqual([
      "2 thresholds.rewrite_bytes_per_second: at least 1 KB per second",
      "3 thresholds.index_build_bytes_per_second: at least 1 KB per second",
      "5 tables.orders.rows: Too big: expected number to be <=10000000000000",
      "5 tables.orders.bytes: larger than 10 PB: not a real size",
    ]);
  });

  it("refuses a ticket pattern that needs backtracking, and matches the rest in linear time", async () => {
    const { CommitFormatConfig, findTicket } = await import("../src/core/commit-format/config.js");
    const backref = CommitFormatConfig.safeParse({ ticket_pattern: "(A+)\\1" });
    expect(backref.success).toBe(false);
    expect(backref.error?.issues[0]?.message).toMatch(/^not a regular expression migration-guard can match in linear time \(invalid escape sequence: `\\1`\); backreferences and lookaround are not supported$/);
    const { checkFormat } = await import("../src/core/commit-format/check.js");
    const { parseCommitMessage } = await import("../src/core/commit-format/parse.js");
    const config = CommitFormatConfig.parse({ ticket_pattern: "(a+)+b", required_fields: [], max_subject_length: 10_000 });
    // A backtracking engine would not return from these (the test would time out).
    const problems = checkFormat(parseCommitMessage(`feat(${"a".repeat(5_000)}): x`), config);
    expect(findTicket("(a+)+b", `${"a".repeat(50_000)}!`)).toBeUndefined();
    expect(problems.map((p) => p.message)).toEqual([expect.stringMatching(/^ticket id `a+` does not match `\(a\+\)\+b`$/)]);
  });
});
