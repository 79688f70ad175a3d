/* eslint-disable @typescript-eslint/no-explicit-any */
import type { Rule } from "../../src/core/analyze/rule.js";
import { names, walk } from "../../src/core/analyze/pg-ast.js";
import type { Statement } from "../../src/core/parse/index.js";

/** NAMEDATALEN - 1: PostgreSQL keeps at most this many bytes of an identifier. */
const MAX_BYTES = 63;
const encoder = new TextEncoder();
const bytes = (s: string) => encoder.encode(s).length;

/** Names a statement defines (not the ones it merely refers to), as the parser returns them. */
function definedNames(statement: Statement): string[] {
  const { kind, ast } = statement;
  const out: (string | undefined)[] = [];
  const last = (list: any[]) => names(list).at(-1);
  if (kind === "CreateStmt") out.push(ast.relation?.relname);
  if (kind === "ViewStmt") out.push(ast.view?.relname);
  if (kind === "CreateTableAsStmt") out.push(ast.into?.rel?.relname);
  if (kind === "CreateSeqStmt") out.push(ast.sequence?.relname);
  if (kind === "CompositeTypeStmt") out.push(ast.typevar?.relname);
  if (kind === "CreateEnumStmt") out.push(last(ast.typeName));
  if (kind === "CreateDomainStmt") out.push(last(ast.domainname));
  if (kind === "CreateFunctionStmt") out.push(last(ast.funcname));
  if (kind === "CreateSchemaStmt") out.push(ast.schemaname);
  if (kind === "CreateTrigStmt") out.push(ast.trigname);
  if (kind === "IndexStmt") out.push(ast.idxname);
  if (kind === "RenameStmt") out.push(ast.newname);
  if (/^(Create|Alter)/.test(kind) || kind === "IndexStmt" || kind === "ViewStmt") {
    walk(ast, (n) => {
      if (n?.ColumnDef) out.push(n.ColumnDef.colname);
      if (n?.Constraint) out.push(n.Constraint.conname);
    });
  }
  return out.filter((n): n is string => typeof n === "string" && n.length > 0);
}

/** Identifiers as written in the SQL (quoted ones unquoted; unquoted ones folded to lower case). */
function writtenIdentifiers(text: string): string[] {
  const out: string[] = [];
  // Skip string literals and comments so their contents are not taken for names.
  const token = /'(?:[^']|'')*'|--[^\n]*|\/\*[\s\S]*?\*\/|"((?:[^"]|"")+)"|([A-Za-z_\u0080-\uffff][\w$\u0080-\uffff]*)/g;
  for (const m of text.matchAll(token)) {
    if (m[1] !== undefined) out.push(m[1].replace(/""/g, '"'));
    else if (m[2] !== undefined) out.push(m[2].toLowerCase());
  }
  return out;
}

const rule: Rule = {
  id: "identifier-too-long",
  title: "Identifier longer than 63 bytes (PostgreSQL truncates it)",
  dialects: ["postgres"],
  severity: "warning",
  optIn: true,
  docs: {
    why: "PostgreSQL keeps only the first 63 bytes (UTF-8) of an identifier and silently drops the rest (a NOTICE at most). The object then has a different name from the one in the migration: code, ORMs and later migrations that compare names do not find it, and two long names with the same 63-byte prefix collide. Opt-in: a naming rule.",
    locks: [],
    work: "none",
    safeAlternative: "1. Shorten the name to 63 bytes or fewer (count bytes, not characters: `ü` is 2 bytes).",
  },
  examples: {
    setup: "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, created_at timestamptz);",
    bad: [
      "CREATE INDEX index_orders_on_customer_id_and_created_at_for_the_monthly_report ON orders (customer_id, created_at);",
      'ALTER TABLE orders ADD COLUMN "überweisungsbestätigungsnummer_der_zahlungsabwicklung_für_händ" text;',
    ],
    good: [
      "CREATE INDEX orders_customer_id_created_at_idx ON orders (customer_id, created_at);",
      { sql: "COMMENT ON TABLE orders IS 'index_orders_on_customer_id_and_created_at_for_the_monthly_report';", note: "a string literal is not a name" },
      { sql: 'ALTER TABLE orders ADD COLUMN "überweisungsbestätigungsnummer_der_zahlungsabwicklung_fü" text;', note: "56 characters, 59 bytes" },
    ],
  },
  check(statement) {
    const defined = definedNames(statement).filter((n) => bytes(n) >= MAX_BYTES - 3);
    if (!defined.length) return;
    const long = writtenIdentifiers(statement.text).filter((w) => bytes(w) > MAX_BYTES);
    const hits = new Set<string>();
    for (const written of long) if (defined.some((d) => written.startsWith(d))) hits.add(written);
    return [...hits].map((written) => ({
      message: `\`${written}\` is ${bytes(written)} bytes long: PostgreSQL keeps only the first 63 and names the object \`${defined.find((d) => written.startsWith(d))}\`.`,
      help: "Shorten the name to 63 bytes or fewer.",
    }));
  },
};

export default rule;
