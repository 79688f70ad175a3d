import type { Rule, RuleHit } from "../../src/core/analyze/rule.js";
import { alterCommands } from "../../src/core/analyze/pg-ast.js";
import type { Statement } from "../../src/core/parse/index.js";
import { alteredTable, insertAfterMatch } from "./_pg.js";

/** `IF [NOT] EXISTS` inserted after `pattern`, as a fix (when the text matches). */
function guard(statement: Statement, pattern: RegExp, text: string, what: string): RuleHit {
  const edit = insertAfterMatch(statement, pattern, text);
  return {
    message: `${what} without${text.replace(/^ /, " ")}: outside a transaction, a rerun after a partial failure stops here.`,
    fix: edit ? { description: `Add${text}`, edits: [edit] } : undefined,
    help: `Write${text} so the migration can be rerun.`,
  };
}

const DROP_OBJECT = /^\s*DROP\s+(?:MATERIALIZED\s+VIEW|FOREIGN\s+TABLE|TEXT\s+SEARCH\s+[A-Z]+|[A-Z]+)(?:\s+CONCURRENTLY)?/i;

function hits(statement: Statement): RuleHit[] {
  const { kind, ast } = statement;
  if (kind === "CreateStmt" && !ast.if_not_exists) return [guard(statement, /^\s*CREATE\s+(?:[A-Z]+\s+)*?TABLE\b/i, " IF NOT EXISTS", "CREATE TABLE")];
  if (kind === "IndexStmt" && !ast.if_not_exists) {
    if (!ast.idxname) return [{ message: "CREATE INDEX without a name cannot use IF NOT EXISTS: a rerun creates a second index.", help: "Name the index and write CREATE INDEX IF NOT EXISTS <name>." }];
    return [guard(statement, /\bINDEX(?:\s+CONCURRENTLY)?/i, " IF NOT EXISTS", "CREATE INDEX")];
  }
  if ((kind === "CreateSeqStmt" || kind === "CreateSchemaStmt" || kind === "CreateExtensionStmt") && !ast.if_not_exists) {
    const word = { CreateSeqStmt: "SEQUENCE", CreateSchemaStmt: "SCHEMA", CreateExtensionStmt: "EXTENSION" }[kind];
    return [guard(statement, new RegExp(`\\b${word}\\b`, "i"), " IF NOT EXISTS", `CREATE ${word}`)];
  }
  if (kind === "DropStmt" && !ast.missing_ok) {
    const m = DROP_OBJECT.exec(statement.text);
    return [guard(statement, DROP_OBJECT, " IF EXISTS", m ? m[0].trim().replace(/\s+/g, " ").toUpperCase() : "DROP")];
  }
  if (!alteredTable(statement)) return [];
  const cmds = alterCommands(ast);
  const single = cmds.length === 1; // a fix only when the one ADD/DROP is unambiguous in the text
  const out: RuleHit[] = [];
  for (const cmd of cmds) {
    if (cmd.missing_ok) continue;
    let hit: RuleHit | undefined;
    if (cmd.subtype === "AT_AddColumn") hit = guard(statement, /\bADD(?:\s+COLUMN)?/i, " IF NOT EXISTS", `ADD COLUMN ${cmd.def?.ColumnDef?.colname ?? ""}`.trim());
    if (cmd.subtype === "AT_DropColumn") hit = guard(statement, /\bDROP(?:\s+COLUMN)?/i, " IF EXISTS", `DROP COLUMN ${cmd.name}`);
    if (cmd.subtype === "AT_DropConstraint") hit = guard(statement, /\bDROP\s+CONSTRAINT/i, " IF EXISTS", `DROP CONSTRAINT ${cmd.name}`);
    if (hit) out.push(single ? hit : { ...hit, fix: undefined });
  }
  return out;
}

const rule: Rule = {
  id: "prefer-robust-statements",
  title: "CREATE/DROP outside a transaction without IF [NOT] EXISTS",
  dialects: ["postgres"],
  severity: "warning",
  optIn: true,
  docs: {
    why: "A migration that runs outside a transaction (because it uses CONCURRENTLY, or the tool does not wrap files) can fail halfway: the statements before the failure stay applied. The usual recovery is to rerun it, and then the first `CREATE TABLE`/`CREATE INDEX` that already succeeded fails with \"already exists\" (or a `DROP` with \"does not exist\"), so someone must repair the database by hand. `IF [NOT] EXISTS` makes each statement safe to rerun. Inside a transaction the whole file rolls back, so the rule stays silent there. Opt-in (squawk `prefer-robust-stmts`). Note that `CREATE INDEX CONCURRENTLY IF NOT EXISTS` skips an INVALID index left by a failed build: drop it first.",
    locks: [],
    work: "none",
    safeAlternative: [
      "1. Write `CREATE TABLE IF NOT EXISTS`, `CREATE INDEX [CONCURRENTLY] IF NOT EXISTS <name>`, `ADD COLUMN IF NOT EXISTS`.",
      "2. Write `DROP … IF EXISTS`, `DROP COLUMN IF EXISTS`, `DROP CONSTRAINT IF EXISTS`.",
      "3. Before rerunning a failed `CREATE INDEX CONCURRENTLY`, drop the INVALID index it left (`DROP INDEX CONCURRENTLY IF EXISTS <name>`).",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TABLE orders (id bigint PRIMARY KEY, note text);",
    bad: [
      { sql: "CREATE INDEX CONCURRENTLY orders_note_idx ON orders (note);", config: { transaction: "none" } },
      { sql: "CREATE TABLE refunds (id bigint PRIMARY KEY);", config: { transaction: "none" } },
      { sql: "ALTER TABLE orders DROP COLUMN note;", config: { transaction: "none" } },
      { sql: "DROP INDEX CONCURRENTLY orders_note_idx;", config: { transaction: "none" } },
    ],
    good: [
      { sql: "CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_note_idx ON orders (note);", config: { transaction: "none" } },
      { sql: "CREATE TABLE IF NOT EXISTS refunds (id bigint PRIMARY KEY);\nALTER TABLE orders ADD COLUMN IF NOT EXISTS refunded boolean;", config: { transaction: "none" } },
      { sql: "DROP TABLE IF EXISTS refunds;", config: { transaction: "none" } },
      { sql: "CREATE TABLE refunds (id bigint PRIMARY KEY);", config: { transaction: "per-file" }, note: "the tool's transaction rolls the whole file back" },
      { sql: "BEGIN;\nCREATE TABLE refunds (id bigint PRIMARY KEY);\nCOMMIT;", config: { transaction: "none" } },
    ],
  },
  check(statement, { state }) {
    if (state.inTransaction) return;
    return hits(statement);
  },
};

export default rule;
