import { engineRule } from "./_engine-rule.js";

export default engineRule({
  id: "parse-error",
  title: "SQL the database's own parser rejects",
  severity: "error",
  why: "The statement does not parse with the server's grammar (libpg_query for PostgreSQL, node-sql-parser for MySQL/MariaDB), so it will fail when the migration runs, usually halfway through a deploy. The rest of the file is still analyzed.",
  fix: "Fix the syntax at the reported line and column. If the statement is valid for your server but our parser rejects it, suppress with `-- migration-guard:ignore parse-error -- <reason>` and report it.",
  examples: { bad: ["ALTER TABLE orders ADD COLUM total int;"], good: ["ALTER TABLE orders ADD COLUMN total int;"] },
});
