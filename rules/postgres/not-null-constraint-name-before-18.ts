import type { Rule, RuleHit } from "../../src/core/analyze/rule.js";
import { alterCommands, names, relationName, stripPublic } from "../../src/core/analyze/pg-ast.js";
import type { AnalysisState } from "../../src/core/analyze/state.js";
import type { Statement } from "../../src/core/parse/index.js";

/** The constraint names a statement refers to, with the table and whether a missing one is tolerated. */
function referencedConstraints(statement: Statement): { table: string; name: string; verb: string; missingOk: boolean }[] {
  const { kind, ast } = statement;
  if (kind === "RenameStmt" && ast.renameType === "OBJECT_TABCONSTRAINT" && ast.subname) {
    return [{ table: relationName(ast.relation), name: ast.subname, verb: "renames", missingOk: Boolean(ast.missing_ok) }];
  }
  if (kind === "CommentStmt" && ast.objtype === "OBJECT_TABCONSTRAINT") {
    const items = names(ast.object?.List?.items);
    return items.length > 1 ? [{ table: items.slice(0, -1).join("."), name: items.at(-1)!, verb: "comments on", missingOk: false }] : [];
  }
  if (kind !== "AlterTableStmt") return [];
  const table = relationName(ast.relation);
  return alterCommands(ast).flatMap((cmd) => {
    if (cmd.subtype === "AT_DropConstraint" && cmd.name) return [{ table, name: cmd.name as string, verb: "drops", missingOk: Boolean(cmd.missing_ok) }];
    if (cmd.subtype === "AT_ValidateConstraint" && cmd.name) return [{ table, name: cmd.name as string, verb: "validates", missingOk: false }];
    const altered = cmd.def?.ATAlterConstraint?.conname ?? cmd.def?.Constraint?.conname;
    if (cmd.subtype === "AT_AlterConstraint" && altered) return [{ table, name: altered as string, verb: "alters", missingOk: false }];
    return [];
  });
}

/** `orders_email_not_null` for table `orders`: the name PostgreSQL 18 gives a column's NOT NULL. */
function looksGenerated(table: string, name: string): boolean {
  const bare = stripPublic(table).split(".").pop()!;
  return name.startsWith(`${bare}_`) && name.endsWith("_not_null") && name.length > bare.length + "_not_null".length + 1;
}

function namedByMigrations(state: AnalysisState, table: string, name: string): boolean {
  const key = `${stripPublic(table)}:${name}`;
  return state.namedConstraints.has(key) || state.constraintsAddedInChange.has(key);
}

const rule: Rule = {
  id: "not-null-constraint-name-before-18",
  title: "Refers to a NOT NULL constraint by the name only PostgreSQL 18 gives it",
  dialects: ["postgres"],
  severity: "error",
  docs: {
    why: "PostgreSQL 18 records every column's NOT NULL as a named constraint, `<table>_<column>_not_null`, and a schema dumped or written on 18 may rename, drop, validate or comment on it by that name. Before 18 a NOT NULL is a column flag with no constraint behind it: `DROP CONSTRAINT orders_email_not_null` or `RENAME CONSTRAINT orders_email_not_null …` fails with \"constraint does not exist\" (and `DROP CONSTRAINT IF EXISTS` silently leaves the column NOT NULL). The rule reports such a name when `postgres_version` is below 18 and no analyzed migration created a constraint of that name itself (a `CHECK (email IS NOT NULL)` named so is fine).",
    locks: [],
    work: "metadata only",
    versions: "PostgreSQL 18+: NOT NULL constraints are named and listed in pg_constraint. Before 18: use `ALTER COLUMN … DROP NOT NULL` / `SET NOT NULL`.",
    safeAlternative: [
      "1. To drop it before PostgreSQL 18: `ALTER TABLE <table> ALTER COLUMN <column> DROP NOT NULL;` (works on every version).",
      "2. To rename it: nothing to rename before 18; drop the statement, or guard it on the server version.",
      "3. If production already runs PostgreSQL 18, set `postgres_version: 18` in the configuration.",
    ].join("\n"),
  },
  examples: {
    bad: [
      { sql: "ALTER TABLE orders DROP CONSTRAINT orders_email_not_null;", config: { postgres_version: 16 } },
      { sql: "ALTER TABLE orders RENAME CONSTRAINT orders_email_not_null TO orders_email_required;", config: { postgres_version: 15 } },
      { sql: "ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_email_not_null;", config: { postgres_version: 17 }, note: "does nothing before 18: the column stays NOT NULL" },
    ],
    good: [
      { sql: "ALTER TABLE orders DROP CONSTRAINT orders_email_not_null;", config: { postgres_version: 18 } },
      { sql: "ALTER TABLE orders ALTER COLUMN email DROP NOT NULL;", config: { postgres_version: 15 } },
      {
        sql: "ALTER TABLE orders DROP CONSTRAINT orders_email_not_null;",
        files: { "migrations/0000_check.sql": "ALTER TABLE orders ADD CONSTRAINT orders_email_not_null CHECK (email IS NOT NULL) NOT VALID;" },
        config: { postgres_version: 15 },
        note: "the NOT VALID recipe named its own CHECK so, in an earlier migration",
      },
    ],
  },
  check(statement, { state }) {
    if (state.postgresVersion >= 18) return;
    const hits: RuleHit[] = [];
    for (const ref of referencedConstraints(statement)) {
      if (!looksGenerated(ref.table, ref.name) || namedByMigrations(state, ref.table, ref.name)) continue;
      const column = ref.name.slice(stripPublic(ref.table).split(".").pop()!.length + 1, -"_not_null".length);
      hits.push({
        message: ref.missingOk
          ? `\`${ref.name}\` is the name PostgreSQL 18 gives the NOT NULL of \`${ref.table}.${column}\`; before 18 no such constraint exists, so this statement does nothing and the column stays NOT NULL (postgres_version ${state.postgresVersion}).`
          : `This statement ${ref.verb} \`${ref.name}\`, the name PostgreSQL 18 gives the NOT NULL of \`${ref.table}.${column}\`; before 18 no such constraint exists and it fails with "constraint does not exist" (postgres_version ${state.postgresVersion}).`,
        severity: ref.missingOk ? "warning" : undefined,
        help: ref.verb === "drops" ? `Use \`ALTER TABLE ${ref.table} ALTER COLUMN ${column} DROP NOT NULL;\`, which works on every version.` : "Before PostgreSQL 18 a NOT NULL has no constraint name: leave it out, or set `postgres_version: 18` if production runs 18.",
      });
    }
    return hits;
  },
};

export default rule;
