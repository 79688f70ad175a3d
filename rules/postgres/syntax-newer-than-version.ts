import type { Rule } from "../../src/core/analyze/rule.js";
import { featuresOf, SYNTAX_FEATURES } from "./_syntax-versions.js";

const byVersion = [...new Set(SYNTAX_FEATURES.map((f) => f.since))]
  .map((v) => `- **${v}**: ${SYNTAX_FEATURES.filter((f) => f.since === v).map((f) => f.what).join("; ")}`)
  .join("\n");

/** The newest version any feature needs: configured at or above it, nothing can be too new. */
const NEWEST = Math.max(...SYNTAX_FEATURES.map((f) => f.since));

const rule: Rule = {
  id: "syntax-newer-than-version",
  title: "SQL that needs a newer PostgreSQL than the configured postgres_version",
  dialects: ["postgres"],
  severity: "error",
  docs: {
    why: `migration-guard parses with the PostgreSQL 18 grammar, and so does every developer's laptop with a recent PostgreSQL, but production runs \`postgres_version\`. A migration (or, more often, a rarely tested down migration) that uses newer syntax or a newer built-in function fails there with a syntax error or \`function does not exist\`. The rule knows these features (version they appeared in):\n\n${byVersion}`,
    locks: [],
    work: "none",
    versions: "Each feature above was checked on a real PostgreSQL 15 (older features run, newer ones fail) and on PGlite's PostgreSQL 18 (all run).",
    safeAlternative: [
      "1. Rewrite the statement with syntax the production version supports (e.g. give the subquery an alias; use `ALTER COLUMN … SET NOT NULL` instead of a named NOT NULL constraint; `CREATE TRIGGER` after `DROP TRIGGER IF EXISTS` instead of `CREATE OR REPLACE TRIGGER`).",
      "2. Or raise `postgres_version` in the config once production is upgraded.",
      "3. Run the migration test (`migration-guard test`) against the production major version.",
    ].join("\n"),
  },
  examples: {
    bad: [
      { sql: "SELECT count(*) FROM (SELECT 1);", config: { postgres_version: 15 }, note: "PostgreSQL 16's optional subquery alias" },
      { sql: "ALTER TABLE orders ADD CONSTRAINT orders_status_not_null NOT NULL status;", config: { postgres_version: 17 } },
      { sql: "CREATE UNIQUE INDEX users_email_key ON users (email) NULLS NOT DISTINCT;", config: { postgres_version: 14 } },
      { sql: "CREATE OR REPLACE TRIGGER orders_touch BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION touch();", config: { postgres_version: 13 } },
      { sql: "ALTER TABLE orders ADD COLUMN total_cents bigint GENERATED ALWAYS AS (total * 100) STORED;", config: { postgres_version: 11 } },
      { sql: "CREATE PROCEDURE archive() LANGUAGE sql AS 'SELECT 1';", config: { postgres_version: 10 } },
      { sql: "UPDATE orders SET status = 'new' FROM (SELECT id FROM orders WHERE status IS NULL) WHERE orders.id = id;", direction: "down", config: { postgres_version: 15 }, note: "a down migration written on a newer laptop" },
    ],
    good: [
      { sql: "SELECT count(*) FROM (SELECT 1) AS one;", config: { postgres_version: 15 } },
      { sql: "SELECT count(*) FROM (SELECT 1);", config: { postgres_version: 16 } },
      { sql: "ALTER TABLE orders ALTER COLUMN status SET NOT NULL;", config: { postgres_version: 12 } },
      { sql: "MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE;", config: { postgres_version: 15 } },
    ],
  },
  check(statement, { state }) {
    if (state.postgresVersion >= NEWEST) return;
    const newer = featuresOf(statement.kind, statement.ast).filter((f) => f.since > state.postgresVersion);
    if (!newer.length) return;
    return {
      message: `${newer.map((f) => `${f.what} needs PostgreSQL ${f.since}`).join("; ")} — the configured postgres_version is ${state.postgresVersion}, where this statement fails.`,
      help: "Rewrite it for the production version, or raise postgres_version after upgrading.",
    };
  },
};

export default rule;
