// Liquibase formatted SQL: how a changeset is cut into statements (`endDelimiter`,
// `splitStatements:false`, `rollbackEndDelimiter`) in check and in the migration test, and
// `--preconditions` lines, which are read and never taken for SQL.
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_CONFIG } from "../src/core/config/load.js";
import { discover } from "../src/core/discover/index.js";
import { changesets, endingAt, withParameters } from "../src/core/discover/liquibase-sql.js";
import { scriptSource } from "../src/core/discover/sections.js";
import { analyzeFiles } from "./helpers/engine.js";

const DIR = "db/changelog";
const HEAD = "--liquibase formatted sql\n\n--changeset alice:1\nCREATE TABLE accounts (id bigint PRIMARY KEY, email text);\n--rollback DROP TABLE accounts;\n\n";
const changelog = (body: string) => ({ [`${DIR}/001-accounts.sql`]: HEAD + body });
const located = (report: Awaited<ReturnType<typeof analyzeFiles>>) =>
  [...report.migrations.flatMap((m) => m.findings), ...report.otherFindings].map((f) => `${f.ruleId}:${f.span.startLine}`).sort();
/** The statements the parser sees in changeset `key`, with their first lines. */
const statementsOf = async (text: string, key: string) => {
  const { loadParsers, parseScript } = await import("../src/core/parse/index.js");
  await loadParsers();
  const source = scriptSource({ path: "x.sql", changeset: key }, text, "postgres");
  const parsed = await parseScript(source);
  return parsed.statements.map((s) => [s.span.startLine, s.text.replace(/\s+/g, " ").trim()]);
};

describe("endDelimiter", () => {
  it("GO as a word: statements end there, not at `;`, in any case, never inside quotes or comments", () => {
    expect(endingAt("SELECT 'GO';\ngo\nSELECT 1 -- GO\nGO", "GO")).toBe("SELECT 'GO';\n; \nSELECT 1 -- GO\n; ");
    expect(endingAt("CREATE TABLE going (id int)\nGO", "GO")).toBe("CREATE TABLE going (id int)\n; ");
  });

  it("`/` only as the first character of a line, so a division stays", () => {
    expect(endingAt("SELECT 4 / 2\n/\n  /\n", "/")).toBe("SELECT 4 / 2\n;\n  /\n");
  });

  it("`$$` is a delimiter when it is the changeset's delimiter, not a dollar quote", () => {
    expect(endingAt("CREATE TABLE a (id int)$$\nCREATE TABLE b (id int)$$", "$$")).toBe("CREATE TABLE a (id int); \nCREATE TABLE b (id int); ");
    expect(endingAt("SELECT $f$ / $f$;\n/", "/")).toBe("SELECT $f$ / $f$;\n;");
  });

  it("a changeset split at GO lines is parsed into its statements, on the file's lines", async () => {
    const text = HEAD + "--changeset alice:2 endDelimiter:GO\nALTER TABLE accounts ADD COLUMN plan text\nGO\nCREATE INDEX accounts_plan_idx ON accounts (plan)\nGO\n";
    expect(await statementsOf(text, "alice:2")).toEqual([
      [8, "ALTER TABLE accounts ADD COLUMN plan text"],
      [10, "CREATE INDEX accounts_plan_idx ON accounts (plan)"],
    ]);
    const report = await analyzeFiles({ [`${DIR}/001-accounts.sql`]: text }, { base: changelog(""), config: { layout: "liquibase" } });
    const at = located(report);
    expect(at.filter((l) => l.startsWith("parse-error"))).toEqual([]);
    expect(at).toContain("require-concurrent-index:10");
  });

  it("with `/` lines, a function body holding `;` stays one statement", async () => {
    const text = HEAD + "--changeset alice:2 endDelimiter:/\nCREATE FUNCTION one() RETURNS int LANGUAGE sql AS 'SELECT 1; SELECT 1'\n/\nSELECT one()\n/\n";
    expect((await statementsOf(text, "alice:2")).map(([line]) => line)).toEqual([8, 10]);
  });

  it("rollbackEndDelimiter cuts the rollback the same way", async () => {
    const text = HEAD + "--changeset alice:2 rollbackEndDelimiter:GO\nALTER TABLE accounts ADD COLUMN plan text;\n--rollback ALTER TABLE accounts DROP COLUMN plan\n--rollback GO\n";
    const source = scriptSource({ path: "x.sql", changeset: "alice:2", section: "down" }, text, "postgres");
    expect(source.text.replace(/\s+/g, " ").trim()).toBe("ALTER TABLE accounts DROP COLUMN plan ;");
  });
});

describe("splitStatements:false", () => {
  it("the changeset is one query: with runInTransaction:false, two statements form one implicit block and CONCURRENTLY fails there", async () => {
    const one = "--changeset alice:2 runInTransaction:false splitStatements:false\nCREATE INDEX CONCURRENTLY accounts_email_idx ON accounts (email);\nANALYZE accounts;\n";
    const { migrations } = discover({ head: Object.entries(changelog(one)).map(([path, content]) => ({ path, content })) }, { ...DEFAULT_CONFIG, layout: "auto" });
    expect(migrations.map((m) => [m.name, m.transaction, m.delivery])).toEqual([
      ["alice:1", "per-file", "per-statement"],
      ["alice:2", "none", "whole-file"],
    ]);
    expect(located(await analyzeFiles(changelog(one), { base: changelog("") }))).toContain("concurrently-in-transaction:8");
    // Split (the default), each statement runs on its own in autocommit: nothing to say.
    const split = one.replace(" splitStatements:false", "");
    expect(located(await analyzeFiles(changelog(split), { base: changelog("") })).filter((l) => l.startsWith("concurrently"))).toEqual([]);
    // A lone statement sent as one query runs outside any transaction block.
    const lone = "--changeset alice:2 runInTransaction:false splitStatements:false\nCREATE INDEX CONCURRENTLY accounts_email_idx ON accounts (email);\n";
    expect(located(await analyzeFiles(changelog(lone), { base: changelog("") })).filter((l) => l.startsWith("concurrently"))).toEqual([]);
  });

  it("an endDelimiter is not applied when splitStatements is false (Liquibase sends the text as written)", async () => {
    const text = HEAD + "--changeset alice:2 splitStatements:false endDelimiter:GO\nSELECT 1\nGO\n";
    const [c] = changesets(text).filter((x) => x.key === "alice:2");
    expect([c!.splitStatements, c!.endDelimiter]).toEqual([false, "GO"]);
    expect(scriptSource({ path: "x.sql", changeset: "alice:2" }, text, "postgres").text).toMatch(/\nGO$/);
  });
});

describe("changelog parameters", () => {
  it("`${name}` becomes an identifier of the same length, so the statement parses on its own lines", async () => {
    expect(withParameters("GRANT CONNECT ON DATABASE audit TO ${anSvcName};")).toBe("GRANT CONNECT ON DATABASE audit TO __anSvcName_;");
    expect(withParameters("CREATE SCHEMA ${db.schema-name};")).toBe("CREATE SCHEMA __db_schema_name_;");
    const text = HEAD + "--changeset alice:2\nGRANT SELECT ON accounts TO ${readerRole};\nALTER TABLE ${schema}.accounts ADD COLUMN plan text;\n--rollback REVOKE SELECT ON accounts FROM ${readerRole};\n";
    expect(await statementsOf(text, "alice:2")).toEqual([
      [8, "GRANT SELECT ON accounts TO __readerRole_"],
      [9, "ALTER TABLE __schema_.accounts ADD COLUMN plan text"],
    ]);
    const down = scriptSource({ path: "x.sql", changeset: "alice:2", section: "down" }, text, "postgres").text;
    expect(down.trim()).toBe("REVOKE SELECT ON accounts FROM __readerRole_;");
    const report = await analyzeFiles({ [`${DIR}/001-accounts.sql`]: text }, { base: changelog(""), config: { layout: "liquibase" } });
    expect(located(report).filter((l) => l.startsWith("parse-error"))).toEqual([]);
  });
});

describe("--preconditions", () => {
  const text =
    HEAD +
    "--changeset alice:2\n--preconditions onFail:MARK_RAN onError:HALT\n--precondition-sql-check expectedResult:0 SELECT count(*) FROM accounts WHERE plan IS NULL\n--precondition-table-exists tableName:accounts\nALTER TABLE accounts ALTER COLUMN email SET NOT NULL;\n";

  it("are read: onFail, onError, each check with its attributes and SQL", () => {
    const c = changesets(text).find((x) => x.key === "alice:2")!;
    expect(c.preconditions).toEqual({
      onFail: "MARK_RAN",
      onError: "HALT",
      checks: [
        { name: "sql-check", attributes: { expectedResult: "0" }, sql: "SELECT count(*) FROM accounts WHERE plan IS NULL", line: 9 },
        { name: "table-exists", attributes: { tableName: "accounts" }, line: 10 },
      ],
    });
    expect(changesets(text).find((x) => x.key === "alice:1")!.preconditions).toBeUndefined();
  });

  it("are not SQL of the changeset: only the ALTER is analyzed", async () => {
    expect(await statementsOf(text, "alice:2")).toEqual([[11, "ALTER TABLE accounts ALTER COLUMN email SET NOT NULL"]]);
  });
});

describe("Liquibase delimiters in the migration test (PGlite)", () => {
  it("runs a GO-delimited changeset statement by statement and fails a split:false CONCURRENTLY pair in its implicit block", async () => {
    const { runCli } = await import("./helpers/cli.js");
    const dir = mkdtempSync(join(tmpdir(), "mg-liquibase-"));
    const write = (path: string, text: string) => {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    };
    write(`${DIR}/db.changelog-master.yaml`, "databaseChangeLog:\n  - include:\n      file: 001-accounts.sql\n      relativeToChangelogFile: true\n");
    write(
      `${DIR}/001-accounts.sql`,
      HEAD +
        "--changeset alice:2 endDelimiter:GO\nALTER TABLE accounts ADD COLUMN plan text\nGO\nCREATE FUNCTION plan_of(a bigint) RETURNS text LANGUAGE sql AS 'SELECT plan FROM accounts WHERE id = a; '\nGO\n--rollback DROP FUNCTION plan_of(bigint); ALTER TABLE accounts DROP COLUMN plan;\n\n" +
        "--changeset alice:3 runInTransaction:false splitStatements:false\nCREATE INDEX CONCURRENTLY accounts_plan_idx ON accounts (plan);\nANALYZE accounts;\n--rollback DROP INDEX accounts_plan_idx;\n",
    );
    const run = await runCli(dir, ["test", DIR, "--last", "2", "--format", "json"]);
    const report = JSON.parse(run.stdout);
    const [two, three] = report.migrations;
    expect(two.forward.ok).toBe(true);
    expect(two.forward.statements.map((s: { line: number; mode: string }) => [s.line, s.mode])).toEqual([
      [8, "file-transaction"],
      [10, "file-transaction"],
    ]);
    expect(three.forward.ok).toBe(false);
    expect(three.forward.error.message).toMatch(/cannot run inside a transaction block/);
  }, 60_000);
});
