// The InnoDB facts each MySQL/MariaDB rule declares (docs.innodb) checked against the real
// MariaDB 10.11 at 127.0.0.1:3306. For every bad example the rule flags with certainty, the
// flagged statement runs in a scratch database with explicit clauses:
//   - ALGORITHM=<declared> [, LOCK=<declared>]            must be accepted;
//   - the next cheaper algorithm (COPY → INPLACE, INPLACE with rebuild → NOCOPY,
//     INPLACE without rebuild → INSTANT)                 must be refused (ERROR 1845/1846);
//   - a weaker lock than declared (SHARED → NONE)        must be refused.
// Every good example must run on the server as written.
import mysql from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alterOf, appendClausesFix } from "../src/core/analyze/mysql-ast.js";
import { exampleSql, type InnodbDdlDoc, type Rule, type RuleExample } from "../src/core/analyze/rule.js";
import type { ConfigInput } from "../src/core/config/schema.js";
import { parseScript } from "../src/core/parse/index.js";
import type { Statement } from "../src/core/parse/script.js";
import { loadRules } from "../rules/index.js";
import { analyzeFiles } from "./helpers/engine.js";

const SERVER = { major: 10, minor: 11 };
const rules = (await loadRules()).filter((r) => r.dialects.includes("mariadb") && !r.dialects.includes("postgres"));
const withFacts = rules.filter((r) => mariadbRow(r));

/** The rule's MariaDB row covering 10.11 ("10.4+" or "10.0–10.3" forms). */
function mariadbRow(rule: Rule): InnodbDdlDoc | undefined {
  return rule.docs.innodb?.find((row) => {
    if (row.server !== "mariadb") return false;
    const [from, to] = row.versions.replace("+", "").split("–");
    const cmp = (v: string) => {
      const [a = 0, b = 0] = v.split(".").map(Number);
      return a === SERVER.major ? SERVER.minor - b : SERVER.major - a;
    };
    return cmp(from!) >= 0 && (to === undefined ? row.versions.endsWith("+") : cmp(to) <= 0);
  });
}

const ownConfig = (e: RuleExample): ConfigInput => (typeof e === "string" ? {} : (e.config ?? {}));
const setupOf = (rule: Rule, e: RuleExample) => (typeof e === "string" ? undefined : e.setup) ?? rule.examples.setup ?? "";
const mariadbExample = (e: RuleExample) => (ownConfig(e).dialect ?? "mariadb") === "mariadb";

function statementsOf(sql: string): Statement[] {
  const script = parseScript({ file: "example.sql", text: sql, baseOffset: 0, baseLine: 1, dialect: "mariadb" });
  expect(script.problems).toEqual([]);
  return script.statements;
}

/** The statement the rule flags with its default severity (uncertain hits are downgraded), if any. */
async function certainlyFlagged(rule: Rule, example: RuleExample): Promise<{ before: Statement[]; flagged: Statement } | undefined> {
  const sql = exampleSql(example);
  const report = await analyzeFiles({ "migrations/0001_example.sql": sql }, { config: { ...ownConfig(example), dialect: "mariadb", rules: { [rule.id]: rule.severity } } });
  const finding = report.migrations.flatMap((m) => m.findings).find((f) => f.ruleId === rule.id && f.severity === rule.severity);
  if (!finding) return undefined;
  const statements = statementsOf(sql);
  const flagged = statements.find((s) => s.span.startOffset <= finding.span.startOffset && finding.span.startOffset < s.span.endOffset)!;
  return { before: statements.filter((s) => s.index < flagged.index), flagged };
}

/** The flagged statement with its ALGORITHM/LOCK clauses replaced by the given ones. */
function withClauses(statement: Statement, algorithm: string, lock?: string): string {
  let text = statement.text;
  const alter = alterOf(statement);
  const clauses = alter ? [alter.algorithm, alter.lock].filter((c) => c !== undefined).sort((a, b) => b.start - a.start) : [];
  for (const c of clauses) {
    // Remove the clause and the comma that separates it from its neighbour.
    const before = text.slice(0, c.start).replace(/,\s*$/, "");
    const after = text.slice(c.end).replace(before.length === c.start ? /^\s*,/ : /^/, "");
    text = before + after;
  }
  if (!alter) text = text.replace(/\s+(ALGORITHM|LOCK)\s*=?\s*\w+/gi, "");
  const [stripped] = statementsOf(text);
  const fix = appendClausesFix(stripped!, { algorithm, lock });
  const edit = fix!.edits[0]!;
  return text.slice(0, edit.startOffset) + edit.replacement + text.slice(edit.endOffset);
}

const CHEAPER: Record<string, (row: InnodbDdlDoc) => string | undefined> = {
  COPY: () => "INPLACE",
  INPLACE: (row) => (row.rebuildsTable ? "NOCOPY" : "INSTANT"),
  INSTANT: () => undefined,
};
const WEAKER_LOCK: Record<string, string | undefined> = { NONE: undefined, SHARED: "NONE", EXCLUSIVE: "SHARED" };

let conn: mysql.Connection;
const database = `mg_innodb_${process.pid}_${Date.now()}`;

beforeAll(async () => {
  conn = await mysql.createConnection({ host: "127.0.0.1", user: "root", multipleStatements: true });
});
afterAll(async () => {
  await conn?.query(`DROP DATABASE IF EXISTS ${database}`);
  await conn?.end();
});

/** Runs setup, the statements before, then `sql` in a fresh scratch database; returns the errno or 0. */
async function runFresh(setup: string, before: string[], sql: string): Promise<{ errno: number; message: string }> {
  await conn.query(`DROP DATABASE IF EXISTS ${database}; CREATE DATABASE ${database}; USE ${database}`);
  if (setup.trim()) await conn.query(setup);
  for (const s of before) await conn.query(s);
  try {
    await conn.query(sql);
    return { errno: 0, message: "" };
  } catch (error) {
    const e = error as { errno?: number; message: string };
    return { errno: e.errno ?? -1, message: e.message };
  }
}

describe("the rules' InnoDB facts hold on MariaDB 10.11", () => {
  it("covers every MySQL/MariaDB rule that declares facts for MariaDB 10.11", () => {
    expect(withFacts.map((r) => r.id).length).toBeGreaterThanOrEqual(12);
  });

  describe.each(withFacts.map((r) => [r.id, r] as const))("%s", (_id, rule) => {
    const row = mariadbRow(rule)!;

    it(`bad examples: ALGORITHM=${row.algorithm}${row.algorithm === "INSTANT" ? "" : `, LOCK=${row.lock}`} is the best the server accepts`, async () => {
      let verified = 0;
      for (const example of rule.examples.bad.filter(mariadbExample)) {
        const site = await certainlyFlagged(rule, example);
        // RENAME TABLE / OPTIMIZE TABLE take no ALGORITHM clause; uncertain hits declare nothing.
        if (!site || !/^(ALTER|CREATE)\b/i.test(site.flagged.text)) continue;
        const setup = setupOf(rule, example);
        const before = site.before.map((s) => s.text);
        const declared = withClauses(site.flagged, row.algorithm, row.algorithm === "INSTANT" ? undefined : row.lock);
        expect(await runFresh(setup, before, declared), declared).toEqual({ errno: 0, message: "" });
        const cheaper = CHEAPER[row.algorithm]!(row);
        if (cheaper) {
          const sql = withClauses(site.flagged, cheaper, cheaper === "INSTANT" ? undefined : row.lock);
          const result = await runFresh(setup, before, sql);
          expect([1845, 1846], `${sql} → ${result.message}`).toContain(result.errno);
        }
        const weaker = WEAKER_LOCK[row.lock];
        if (weaker) {
          const sql = withClauses(site.flagged, row.algorithm, weaker);
          const result = await runFresh(setup, before, sql);
          expect([1845, 1846], `${sql} → ${result.message}`).toContain(result.errno);
        }
        verified++;
      }
      expect(verified, "at least one bad example is an ALTER/CREATE the rule flags with certainty").toBeGreaterThan(0);
    });
  });
});

describe("every MySQL/MariaDB rule's good examples run on MariaDB 10.11 as written", () => {
  it.each(rules.map((r) => [r.id, r] as const))("%s", async (_id, rule) => {
    for (const example of rule.examples.good.filter(mariadbExample)) {
      // Other files of the example (e.g. the up a down example reverses) run first.
      const others = typeof example === "string" ? [] : Object.values(example.files ?? {});
      const statements = [...others, exampleSql(example)].flatMap((sql) => statementsOf(sql).map((s) => s.text));
      const result = await runFresh(setupOf(rule, example), statements.slice(0, -1), statements.at(-1)!);
      expect(result, exampleSql(example)).toEqual({ errno: 0, message: "" });
    }
  });
});
