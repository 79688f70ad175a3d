// The parse stage on the inputs real migrations contain: exact spans, dollar quotes, psql
// meta-commands, CRLF and BOM, bad statements in the middle of good ones.
import { beforeAll, describe, expect, it } from "vitest";
import { loadParsers, parseScript } from "../src/core/parse/index.js";
import { decodeSource } from "../src/core/parse/text.js";
import type { SqlSource } from "../src/core/model.js";

beforeAll(() => loadParsers());

const pg = (text: string, file = "m.sql"): SqlSource => ({ file, text, baseOffset: 0, baseLine: 1, dialect: "postgres" });

describe("PostgreSQL parsing", () => {
  it("keeps each statement's exact text and position, several on one line", () => {
    const script = parseScript(pg("CREATE TABLE a (id int); CREATE TABLE b (id int);\n\n  DROP TABLE a;"));
    expect(script.statements.map((s) => [s.kind, s.text, s.span.startLine, s.span.startColumn])).toEqual([
      ["CreateStmt", "CREATE TABLE a (id int)", 1, 1],
      ["CreateStmt", "CREATE TABLE b (id int)", 1, 26],
      ["DropStmt", "DROP TABLE a", 3, 3],
    ]);
    expect(script.problems).toEqual([]);
  });

  it("points past leading comments and counts non-ASCII characters, not bytes", () => {
    const text = "-- crée la table «clients»\nCREATE TABLE clients (nom text DEFAULT 'Zoë');\nCREATE INDEX i ON clients (nom);";
    const script = parseScript(pg(text));
    expect(script.statements[0]!.span.startLine).toBe(2);
    expect(script.statements[1]!.text).toBe("CREATE INDEX i ON clients (nom)");
    expect(script.statements[1]!.span.startLine).toBe(3);
    expect(text.slice(script.statements[1]!.span.startOffset, script.statements[1]!.span.endOffset)).toBe(
      "CREATE INDEX i ON clients (nom)",
    );
  });

  it("handles dollar-quoted function bodies containing semicolons", () => {
    const text = `CREATE FUNCTION touch() RETURNS trigger AS $body$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END;
$body$ LANGUAGE plpgsql;
CREATE TABLE t (id int);`;
    const script = parseScript(pg(text));
    expect(script.statements.map((s) => s.kind)).toEqual(["CreateFunctionStmt", "CreateStmt"]);
    expect(script.statements[1]!.span.startLine).toBe(7);
  });

  it("reports a statement the parser rejects and still parses the rest of the file", () => {
    const text = "CREATE TABLE a (id int);\nALTER TABLE a ADD CONSTRAINT;\nCREATE INDEX i ON a (id);\n";
    const script = parseScript(pg(text));
    expect(script.statements.map((s) => s.kind)).toEqual(["CreateStmt", "IndexStmt"]);
    expect(script.statements[1]!.span.startLine).toBe(3);
    expect(script.problems).toHaveLength(1);
    expect(script.problems[0]).toMatchObject({ kind: "parse-error", span: { file: "m.sql", startLine: 2 } });
    expect(script.problems[0]!.message).toMatch(/syntax error/);
  });

  it("keeps BEGIN ATOMIC function bodies whole when another statement is rejected", () => {
    const fn = (name: string) =>
      `CREATE FUNCTION ${name}(a int) RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT CASE WHEN a > 0 THEN a END;\n  SELECT a + 1;\nEND;\n`;
    const text = `${fn("before_bad")}ALTER TABLE a ADD CONSTRAINT;\n${fn("after_bad")}CREATE INDEX i ON a (id);\n`;
    const script = parseScript(pg(text));
    // No phantom END (a COMMIT), no syntax error inside the bodies: only the rejected ALTER.
    expect(script.statements.map((s) => s.kind)).toEqual(["CreateFunctionStmt", "CreateFunctionStmt", "IndexStmt"]);
    expect(script.problems.map((p) => [p.kind, p.span.startLine])).toEqual([["parse-error", 6]]);
    expect(script.statements[1]!.span.startLine).toBe(7);
    expect(script.statements[1]!.text.endsWith("END")).toBe(true);
  });

  it("reports a rejected BEGIN ATOMIC function once, as one statement", () => {
    const text = "CREATE TABLE a (id int);\nCREATE FUNCTION f() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELEC 1;\n  SELECT 2;\nEND;\nCREATE INDEX i ON a (id);\n";
    const script = parseScript(pg(text));
    expect(script.statements.map((s) => s.kind)).toEqual(["CreateStmt", "IndexStmt"]);
    expect(script.problems).toHaveLength(1);
    expect(script.problems[0]).toMatchObject({ kind: "parse-error", span: { startLine: 4 } });
  });

  it("reports an unterminated string with its position", () => {
    const script = parseScript(pg("CREATE TABLE a (id int);\nINSERT INTO a VALUES ('oops);\n"));
    expect(script.statements.map((s) => s.kind)).toEqual(["CreateStmt"]);
    expect(script.problems[0]).toMatchObject({ kind: "parse-error", span: { startLine: 2 } });
  });

  it("reports psql meta-commands instead of failing on them", () => {
    const text = "\\set ON_ERROR_STOP on\nCREATE TABLE a (id int);\n\\i other.sql\n\\connect app\nSELECT 1;";
    const script = parseScript(pg(text));
    expect(script.statements.map((s) => s.kind)).toEqual(["CreateStmt", "SelectStmt"]);
    expect(script.problems.map((p) => [p.kind, p.span.startLine])).toEqual([
      ["psql-meta-command", 1],
      ["psql-meta-command", 3],
      ["psql-meta-command", 4],
    ]);
  });

  it("reads CRLF files with the right lines", () => {
    const script = parseScript(pg("BEGIN;\r\nCREATE TABLE a (id int);\r\nCOMMIT;\r\n"));
    expect(script.statements.map((s) => [s.kind, s.span.startLine])).toEqual([
      ["TransactionStmt", 1],
      ["CreateStmt", 2],
      ["TransactionStmt", 3],
    ]);
  });

  it("accepts empty and comment-only files", () => {
    expect(parseScript(pg("")).statements).toEqual([]);
    expect(parseScript(pg("-- nothing yet\n/* later */\n")).statements).toEqual([]);
  });

  it("offsets spans of a section cut out of a larger file", () => {
    const script = parseScript({ file: "x.sql", text: "\nDROP TABLE a;\n", baseOffset: 100, baseLine: 10, dialect: "postgres" });
    expect(script.statements[0]!.span).toMatchObject({ startLine: 11, startOffset: 101 });
  });
});

describe("decoding file content", () => {
  it("drops a UTF-8 BOM", () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...Buffer.from("SELECT 1;")]);
    expect(decodeSource(bytes)).toEqual({ ok: true, text: "SELECT 1;" });
  });

  it("refuses binary and non-UTF-8 content with a reason", () => {
    expect(decodeSource(new Uint8Array([0x53, 0x00, 0x01]))).toEqual({ ok: false, problem: "binary file (contains NUL bytes)" });
    expect(decodeSource(new Uint8Array([0x53, 0xe9, 0x20]))).toEqual({ ok: false, problem: "not valid UTF-8 text" });
  });
});

describe("MySQL splitting", () => {
  it("starts a -- comment only when whitespace follows, as MySQL does", async () => {
    const { lexSql } = await import("../src/core/parse/lexer.js");
    const text = "UPDATE t SET a = 5--1;\n-- a comment; with a semicolon\nDELETE FROM t WHERE id = 1;";
    const lexed = lexSql(text, { dialect: "mysql" });
    expect(lexed.statements.map((r) => text.slice(r.start, r.end))).toEqual([
      "UPDATE t SET a = 5--1",
      "DELETE FROM t WHERE id = 1",
    ]);
    expect(lexed.comments).toHaveLength(1);
  });
});

describe("inputs that once lost the analysis", () => {
  // PostgreSQL accepts all of these; the JS stack is far shallower than its parser's.
  const deep = {
    "db/V1__subqueries.sql": `SELECT ${"(SELECT ".repeat(900)}1${")".repeat(900)};\n`,
    "db/V2__case.sql": `SELECT ${"CASE WHEN true THEN ".repeat(1500)}1${" END".repeat(1500)};\n`,
    "db/V3__sum.sql": `SELECT ${"1+".repeat(3000)}1;\n`,
    "db/V4__nested_in_ddl.sql": `ALTER TABLE t ADD CONSTRAINT c CHECK (${"(".repeat(800)}x > 0${")".repeat(800)});\nUPDATE t SET x = ${"1+".repeat(3000)}1;\n`,
    "db/V5__sentinel.sql": "DROP TABLE users;\n",
  };

  it("analyzes deeply nested expressions with every rule, and keeps the other files' findings", async () => {
    const { analyzeFiles, ruleIds } = await import("./helpers/engine.js");
    const report = await analyzeFiles(deep);
    const internal = report.migrations.flatMap((m) => m.findings).filter((f) => f.ruleId === "internal-error" || f.ruleId === "parse-error");
    expect(internal.map((f) => f.message)).toEqual([]);
    expect(ruleIds(report)).toContain("drop-table");
    expect(report.migrations).toHaveLength(5);
  }, 60_000);

  it("does the same under the MySQL dialect", async () => {
    const { analyzeFiles, ruleIds } = await import("./helpers/engine.js");
    const report = await analyzeFiles(
      {
        "db/V1__subqueries.sql": `SELECT ${"(SELECT ".repeat(900)}1${")".repeat(900)};\n`,
        "db/V2__sum.sql": `UPDATE t SET x = ${"1+".repeat(3000)}1;\n`,
        "db/V3__sentinel.sql": "DROP TABLE users;\n",
      },
      { config: { dialect: "mysql" } },
    );
    const internal = report.migrations.flatMap((m) => m.findings).filter((f) => f.ruleId === "internal-error");
    expect(internal.map((f) => f.message)).toEqual([]);
    // node-sql-parser's own recursion gives up on the 900-deep subquery: that statement alone is reported.
    const parseErrors = report.migrations.flatMap((m) => m.findings).filter((f) => f.ruleId === "parse-error");
    expect(parseErrors.map((f) => f.span.file)).toEqual(["db/V1__subqueries.sql"]);
    expect(ruleIds(report)).toEqual(expect.arrayContaining(["mysql-drop-table", "mysql-unbatched-data-change"]));
  }, 60_000);

  // Quadratic before (49 s for these): the default test timeout is the hang guard, not a benchmark.
  it("parses 100,000 nested comment openers and reports the unterminated comment", () => {
    const script = parseScript(pg(`SELECT 1;\n${"/*".repeat(100_000)}\nSELECT 2;\n`));
    expect(script.statements.map((s) => s.text)).toEqual(["SELECT 1"]);
    expect(script.problems.map((p) => [p.message, p.span.startLine])).toEqual([["unterminated block comment", 2]]);
  });

  it("parses a terminated nested comment 20,000 deep", () => {
    const script = parseScript(pg(`${"/*".repeat(20_000)}${"*/".repeat(20_000)}\nCREATE INDEX i ON t (x);\n`));
    expect(script.statements.map((s) => [s.kind, s.span.startLine])).toEqual([["IndexStmt", 2]]);
    expect(script.problems).toEqual([]);
  });

  it("parses a large file in runs of statements, keeping every statement's position", () => {
    const row = "INSERT INTO t (a, b) VALUES (1, 'x');\n";
    const count = Math.ceil(1_500_000 / row.length);
    const script = parseScript(pg(`${row.repeat(count)}DROP TABLE users;\n`));
    expect(script.statements).toHaveLength(count + 1);
    expect(script.statements.map((s) => s.index)).toEqual([...Array(count + 1).keys()]);
    const last = script.statements.at(-1)!;
    expect([last.kind, last.span.startLine, last.text]).toEqual(["DropStmt", count + 1, "DROP TABLE users"]);
    expect(script.problems).toEqual([]);
  }, 60_000);

  it("reports a script larger than the limit instead of parsing it", async () => {
    const { MAX_SCRIPT_BYTES } = await import("../src/core/parse/index.js");
    const script = parseScript(pg("SELECT 1;\n".repeat(Math.ceil(MAX_SCRIPT_BYTES / 10) + 1), "big.sql"));
    expect(script.statements).toEqual([]);
    expect(script.problems.map((p) => p.kind)).toEqual(["unreadable-file"]);
    expect(script.problems[0]!.message).toMatch(/^big\.sql: too large to analyze \(8\.0 MB; the limit is 8\.0 MB\)/);
  });
});
