import { engineRule } from "./_engine-rule.js";

export default engineRule({
  id: "psql-meta-command",
  title: "psql meta-command in a migration",
  severity: "warning",
  why: "Backslash commands (`\\i`, `\\set`, `\\connect`) are interpreted by psql, not by PostgreSQL. Migration tools that send the file to the server (Flyway, golang-migrate, dbmate, Prisma…) fail on them, and included files are not analyzed.",
  fix: "Inline the SQL the command stands for, or run the file with psql only if your deploy really does.",
  examples: { bad: ["\\set ON_ERROR_STOP on\nCREATE TABLE t (id int);"], good: ["CREATE TABLE t (id int);"] },
});
