// A migration whose layout expects a rollback has none, or one that does nothing.
import type { Rule } from "../../src/core/analyze/rule.js";
import type { Statement } from "../../src/core/parse/index.js";
import { ALL_DIALECTS, expectedRollback } from "./_migration-files.js";

const CONSTANT_NODES = new Set(["A_Const", "TypeCast"]);
const MYSQL_CONSTANTS = new Set(["number", "single_quote_string", "double_quote_string", "string", "bool", "null"]);

/** `SELECT 1`, `SELECT 'irreversible'`: a statement that touches no schema and no data. */
export function isNoOp(statement: Statement): boolean {
  const ast = statement.ast ?? {};
  if (statement.kind === "SelectStmt") {
    if (ast.fromClause || ast.intoClause || ast.withClause) return false;
    return (ast.targetList ?? []).every((t: any) => {
      const val = t?.ResTarget?.val ?? {};
      const [node] = Object.keys(val);
      return node !== undefined && CONSTANT_NODES.has(node) && (node !== "TypeCast" || val.TypeCast?.arg?.A_Const);
    });
  }
  if (statement.kind === "select") {
    if (ast.from || ast.into?.expr) return false;
    return (ast.columns ?? []).every((c: any) => MYSQL_CONSTANTS.has(c?.expr?.type));
  }
  return false;
}

const rule: Rule = {
  id: "missing-rollback",
  title: "Migration without a working rollback",
  dialects: ALL_DIALECTS,
  severity: "warning",
  docs: {
    why: "A migration without a rollback cannot be undone when the deploy goes wrong: the only way back is a new forward migration written under pressure, or a restore from backup. A rollback that is empty, only comments or a no-op such as `SELECT 1` is worse, because the tool reports success while nothing was undone. Layouts whose tool has no down migrations by design (Prisma) are exempt, and so are Flyway repeatable and baseline migrations.",
    locks: [],
    work: "none",
    safeAlternative: [
      "1. Write the rollback next to the migration, the way the tool expects it: `U<version>__<description>.sql` (Flyway), `<version>_<name>.down.sql` (golang-migrate), a `-- migrate:down` section (dbmate), `revert/<change>.sql` (sqitch), `down.sql` in the migration's folder (diesel and similar), the class's `down(queryRunner)` method (TypeORM).",
      "2. Make it restore the schema the migration changed: drop what was added, re-create what was dropped (data dropped by the migration cannot come back: say so in a comment and keep the statements that are possible).",
      "3. Run the forward → rollback → forward test (`migration-guard test`) to prove it works.",
      "4. If the change truly cannot be reversed, make the rollback fail loudly (`DO $$ BEGIN RAISE EXCEPTION 'irreversible: …'; END $$;`) instead of pretending to succeed.",
    ].join("\n"),
  },
  examples: {
    bad: [
      {
        sql: "CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL);\n",
        path: "db/migrations/000001_create_customers.up.sql",
        note: "golang-migrate migration without its .down.sql",
      },
      {
        sql: "ALTER TABLE orders ADD COLUMN shipped_at timestamptz;\n",
        path: "db/migrations/000002_add_shipped_at.up.sql",
        files: { "db/migrations/000002_add_shipped_at.down.sql": "SELECT 1;\n" },
        note: "a rollback that does nothing",
      },
      {
        sql: "ALTER TABLE orders ADD COLUMN shipped_at timestamptz;\n",
        path: "db/migrations/000002_add_shipped_at.up.sql",
        files: { "db/migrations/000002_add_shipped_at.down.sql": "SELECT\n  'irreversible';\n" },
        note: "a multi-line no-op: the message quotes it on one line",
      },
      {
        sql: "-- migrate:up\nCREATE TABLE invoices (id bigint PRIMARY KEY);\n\n-- migrate:down\n-- nothing to do\n",
        path: "db/migrations/20240105120000_create_invoices.sql",
        note: "dbmate down section with only a comment",
      },
    ],
    good: [
      {
        sql: "CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL);\n",
        path: "db/migrations/000001_create_customers.up.sql",
        files: { "db/migrations/000001_create_customers.down.sql": "DROP TABLE customers;\n" },
      },
      {
        sql: "CREATE TABLE customers (id bigint PRIMARY KEY);\n",
        path: "prisma/migrations/20240101000000_init/migration.sql",
        files: { "prisma/migrations/migration_lock.toml": 'provider = "postgresql"\n' },
        note: "Prisma has no down migrations by design",
      },
      {
        sql: "-- migrate:up\nCREATE TABLE invoices (id bigint PRIMARY KEY);\n\n-- migrate:down\nDROP TABLE invoices;\n",
        path: "db/migrations/20240105120000_create_invoices.sql",
      },
    ],
  },
  checkMigration(migration, { down }) {
    if (migration.status === "deleted" || migration.repeatable || !migration.rollbackExpected) return;
    if (!migration.down) {
      return {
        message: `${migration.up.path} has no rollback: expected ${expectedRollback(migration)}.`,
        help: "Write the rollback now, while the change is fresh, and prove it with the forward → rollback → forward test.",
      };
    }
    // Unreadable or unparseable rollbacks have findings of their own.
    // SQL only known at run time (a TypeORM `down()` building it) may well undo the change.
    if (!down || down.problems.some((p) => p.kind === "parse-error" || p.kind === "unreadable-file" || p.kind === "unanalyzable-sql")) return;
    if (down.statements.length && !down.statements.every(isNoOp)) return;
    const where = migration.down.code
      ? `\`down()\` of ${migration.down.path}`
      : migration.down.section
        ? `the \`${SECTION_MARKER[migration.layout] ?? "-- migrate:down"}\` section of ${migration.down.path}`
        : `the rollback ${migration.down.path}`;
    const anchor = down.embedded?.anchor;
    const at = anchor !== undefined ? down.lines.position(anchor) : { line: down.baseLine, column: 1 };
    const line = at.line;
    const span = down.statements[0]?.span ?? {
      file: migration.down.path,
      startLine: line,
      startColumn: at.column,
      endLine: line,
      endColumn: at.column,
      startOffset: anchor ?? down.baseOffset,
      endOffset: anchor ?? down.baseOffset,
    };
    return {
      message: down.statements.length
        ? `${where} does nothing (\`${excerpt(down.statements[0]!.text)}\`): rolling back would report success and undo nothing.`
        : `${where} is empty: rolling back would report success and undo nothing.`,
      span,
      help: "Undo what the migration did, or make the rollback fail loudly if the change cannot be reversed.",
    };
  },
};

export default rule;

/** How a single-file layout marks its rollback section. */
const SECTION_MARKER: Partial<Record<string, string>> = { goose: "-- +goose Down", "node-pg-migrate": "-- Down Migration", dbmate: "-- migrate:down", liquibase: "--rollback" };

/** A statement quoted inside a one-line message: whitespace collapsed, long ones cut. */
function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > 60 ? `${flat.slice(0, 57)}…` : flat;
}
