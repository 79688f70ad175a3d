// Deployment commands per migration tool (the layout discovery detected). Each entry says how to
// see the state, apply, roll back, and how to run a statement outside the tool's transaction.
import type { Layout, Migration } from "../model.js";
import { basename, dirname } from "../discover/layout.js";

/** Sqitch names a change by its plan entry, which is also its deploy script's file name. */
const sqitchChange = (m: Migration) => basename(m.up.path).replace(/\.sql$/i, "");
/** Prisma names a migration by its folder. */
const prismaFolder = (m: Migration) => basename(dirname(m.up.path));

export interface ToolCommands {
  tool: string;
  status: string[];
  /** Commands that apply exactly the migrations of this change, in order. */
  apply: string[];
  /** Commands that undo them, newest first. */
  rollback: string[];
  /** How to keep a statement that cannot run in a transaction out of the tool's transaction. */
  nonTransactional: string;
  /** How to give every statement the tool runs a short lock_timeout. */
  lockTimeout: (ms: number) => { how: string; commands: string[] };
}

/** libpq reads PGOPTIONS: psql, Sqitch (which runs psql). */
const viaPgOptions = (ms: number) => ({ how: "libpq clients read PGOPTIONS", commands: [`export PGOPTIONS='-c lock_timeout=${ms}ms'`] });
/** lib/pq (golang-migrate, dbmate) passes the connection string's `options` to the server. */
const viaUrlOptions = (ms: number) => ({
  how: "add the `options` parameter to the connection string",
  commands: [`export DATABASE_URL="$DATABASE_URL$(case "$DATABASE_URL" in *\\?*) echo '&';; *) echo '?';; esac)options=-c%20lock_timeout%3D${ms}ms"`],
});

const DB = '"$DATABASE_URL"';
const psqlFile = (file: string, single: boolean) => `psql ${DB} -v ON_ERROR_STOP=1${single ? " --single-transaction" : ""} -f ${file}`;

/** The folder the tool is pointed at for these migrations. */
export function migrationsDir(m: Migration): string {
  const dir = dirname(m.up.path);
  if (m.layout === "prisma" || m.layout === "up-down-dir") return dirname(dir) || ".";
  if (m.layout === "sqitch") return dirname(dir) || ".";
  return dir || ".";
}

export function toolCommands(layout: Layout, migrations: Migration[]): ToolCommands {
  const newestFirst = [...migrations].reverse();
  const lastVersioned = migrations.filter((m) => !m.repeatable).at(-1);
  const dir = migrations[0] ? migrationsDir(migrations[0]) : ".";
  const n = migrations.length;
  switch (layout) {
    case "flyway":
      return {
        tool: "Flyway",
        status: [`flyway -locations=filesystem:${dir} info`, `flyway -locations=filesystem:${dir} validate`],
        apply: [`flyway -locations=filesystem:${dir} migrate${lastVersioned ? ` -target=${lastVersioned.version}` : ""}`],
        rollback: newestFirst.map((m) =>
          m.down ? psqlFile(m.down.path, true) + `   # Flyway Teams: flyway undo -target=${m.version}` : `# ${m.id}: no U${m.version}__ undo script; restore from backup or write one`,
        ),
        nonTransactional: "put the statement in a migration of its own with the script config `-- flyway:executeInTransaction=false` on its first line (Flyway ≥ 9) or a `<name>.sql.conf` file containing `executeInTransaction=false`",
        lockTimeout: (ms) => ({ how: "Flyway runs `initSql` on every connection it opens", commands: [`export FLYWAY_INIT_SQL="SET lock_timeout = '${ms}ms'"`] }),
      };
    case "golang-migrate":
      return {
        tool: "golang-migrate",
        status: [`migrate -path ${dir} -database ${DB} version`],
        apply: [`migrate -path ${dir} -database ${DB} up ${n}`],
        rollback: [`migrate -path ${dir} -database ${DB} down ${n}`],
        nonTransactional: "put the statement alone in its own migration file: a multi-statement file runs as one implicit transaction",
        lockTimeout: viaUrlOptions,
      };
    case "goose":
      return {
        tool: "goose",
        status: [`goose -dir ${dir} postgres "$DATABASE_URL" status`],
        apply: [`goose -dir ${dir} postgres "$DATABASE_URL" up-by-one   # ${n}× (or: up-to ${migrations.at(-1)?.version ?? "<version>"})`],
        rollback: newestFirst.map((m) => `goose -dir ${dir} postgres "$DATABASE_URL" down   # undoes ${m.version}_${m.name}`),
        nonTransactional: "add `-- +goose NO TRANSACTION` to the migration file: goose then runs its statements one by one outside a transaction",
        lockTimeout: viaPgOptions,
      };
    case "sqlx":
      return {
        tool: "sqlx",
        status: [`sqlx migrate info --source ${dir}`],
        apply: [`sqlx migrate run --source ${dir}`],
        rollback: newestFirst.map((m) => (m.down ? `sqlx migrate revert --source ${dir}   # undoes ${m.version}_${m.name}` : `# ${m.id}: a simple sqlx migration has no down; write the reverse SQL`)),
        nonTransactional: "start the migration file with `-- no-transaction` and keep the statement alone in it",
        lockTimeout: viaUrlOptions,
      };
    case "morph":
      return {
        tool: "morph",
        status: ["<service> db migrate status   # e.g. mattermost db version"],
        apply: ["<service> db migrate   # morph applies pending migrations"],
        rollback: newestFirst.map((m) => (m.down ? psqlFile(m.down.path, m.transaction === "per-file") : `# ${m.id}: no down file`)),
        nonTransactional: "begin the migration file with `-- morph:nontransactional` and keep the statement alone in it",
        lockTimeout: viaUrlOptions,
      };
    case "node-pg-migrate":
      return {
        tool: "node-pg-migrate",
        status: [`npx node-pg-migrate up --dry-run -m ${dir}`],
        apply: [`npx node-pg-migrate up ${n} -m ${dir}`],
        rollback: [`npx node-pg-migrate down ${n} -m ${dir}`],
        nonTransactional: "write the migration in JavaScript or TypeScript with `pgm.noTransaction()`: SQL migrations always run in node-pg-migrate's transaction",
        lockTimeout: viaUrlOptions,
      };
    case "supabase":
      return {
        tool: "Supabase CLI",
        status: ["supabase migration list   # local and remote versions side by side"],
        apply: ['supabase db push --db-url "$DATABASE_URL"   # pending migrations, each file in its own transaction'],
        rollback: newestFirst.map((m) => `# ${m.id}: Supabase has no down migrations; write the reverse SQL as a new migration (or run it with psql)`),
        nonTransactional: "the Supabase CLI (v2.109 or later) runs CREATE/DROP INDEX CONCURRENTLY, REINDEX CONCURRENTLY, VACUUM, ALTER SYSTEM and CLUSTER outside the migration's transaction by itself",
        lockTimeout: viaUrlOptions,
      };
    case "typeorm":
      return {
        tool: "TypeORM",
        status: ["npx typeorm migration:show -d <data-source file>   # [X] applied, [ ] pending"],
        apply: ["npx typeorm migration:run -d <data-source file>   # all pending migrations; add --transaction each for one transaction per migration"],
        rollback: newestFirst.map((m) => `npx typeorm migration:revert -d <data-source file>   # runs down() of ${m.name}`),
        nonTransactional:
          "set `transaction = false` on the migration class and run with `migrationsTransactionMode: \"each\"` (or `typeorm migration:run --transaction each`); keep the statement in a migration of its own",
        lockTimeout: (ms) => ({ how: "node-postgres (TypeORM's PostgreSQL driver) reads PGOPTIONS", commands: [`export PGOPTIONS='-c lock_timeout=${ms}ms'`] }),
      };
    case "drizzle":
      return {
        tool: "Drizzle",
        status: ["npx drizzle-kit check   # and compare meta/_journal.json with the __drizzle_migrations table"],
        apply: ["npx drizzle-kit migrate   # all pending migrations, in one transaction"],
        rollback: newestFirst.map((m) => `# ${m.id}: Drizzle has no down migrations; write the reverse SQL and run it with psql`),
        nonTransactional: "Drizzle runs every migration in one transaction with no opt-out: run the statement outside drizzle (a one-off `psql -c` step)",
        lockTimeout: viaUrlOptions,
      };
    case "atlas":
      return {
        tool: "Atlas",
        status: [`atlas migrate status --dir file://${dir} --url ${DB}`],
        apply: [`atlas migrate apply ${n} --dir file://${dir} --url ${DB}`],
        rollback: [`atlas migrate down ${n} --dir file://${dir} --url ${DB} --dev-url <dev database>`],
        nonTransactional: "add `-- atlas:txmode none` at the top of the migration file: Atlas then runs its statements without a transaction",
        lockTimeout: viaUrlOptions,
      };
    case "liquibase":
      return {
        tool: "Liquibase",
        status: [`liquibase --changelog-file=<master changelog> --url=<jdbc url> status --verbose`],
        apply: [`liquibase --changelog-file=<master changelog> --url=<jdbc url> update-count ${n}`],
        rollback: [`liquibase --changelog-file=<master changelog> --url=<jdbc url> rollback-count ${n}`],
        nonTransactional: "add `runInTransaction:false` to the changeset's `--changeset` line: Liquibase then runs its statements in autocommit, one by one",
        lockTimeout: (ms) => ({ how: "add the `options` parameter to the JDBC URL (pgjdbc passes it to the server)", commands: [`--url="jdbc:postgresql://<host>/<db>?options=-c%20lock_timeout%3D${ms}ms"`] }),
      };
    case "popx":
      return {
        tool: "popx (Ory)",
        status: ["<service> migrate status   # e.g. kratos migrate sql --read-from-env status"],
        apply: ["<service> migrate sql --read-from-env --yes"],
        rollback: newestFirst.map((m) => (m.down ? psqlFile(m.down.path, m.transaction === "per-file") : `# ${m.id}: no down file`)),
        nonTransactional: "name the file `<version>_<name>.postgres.autocommit.up.sql`: popx then sends it without a transaction (keep the statement alone in it)",
        lockTimeout: viaPgOptions,
      };
    case "dbmate":
      return {
        tool: "dbmate",
        status: [`dbmate --migrations-dir ${dir} status`],
        apply: [`dbmate --migrations-dir ${dir} --no-dump-schema up`],
        rollback: newestFirst.map((m) => `dbmate --migrations-dir ${dir} rollback   # undoes ${m.name}`),
        nonTransactional: "mark the migration's up section `-- migrate:up transaction:false`",
        lockTimeout: viaUrlOptions,
      };
    case "sqitch":
      return {
        tool: "Sqitch",
        status: [`sqitch status --chdir ${dir} db:pg:`],
        apply: [`sqitch deploy --chdir ${dir} --verify db:pg:${lastVersioned ? ` --to ${sqitchChange(lastVersioned)}` : ""}`],
        rollback: [`sqitch revert --chdir ${dir} -y db:pg: --to @HEAD~${n}`],
        nonTransactional: "Sqitch runs each deploy script in a transaction for PostgreSQL; move the statement to a script that starts with `COMMIT;` only if you accept a partial deploy, or run it by hand with psql before `sqitch deploy` and make the deploy script idempotent (`IF NOT EXISTS`)",
        lockTimeout: viaPgOptions,
      };
    case "prisma":
      return {
        tool: "Prisma Migrate",
        status: ["npx prisma migrate status"],
        apply: ["npx prisma migrate deploy"],
        rollback: [
          "# Prisma has no down migrations: generate the reverse SQL before deploying, e.g.",
          `npx prisma migrate diff --from-schema-datamodel prisma/schema.prisma --to-schema-datasource prisma/schema.prisma --script > rollback.sql   # run on the old schema.prisma`,
          psqlFile("rollback.sql", true),
          ...newestFirst.map((m) => `npx prisma migrate resolve --rolled-back ${prismaFolder(m)}`),
        ],
        nonTransactional: "Prisma runs each migration.sql without an explicit transaction, but a multi-statement file is one implicit transaction: keep a CONCURRENTLY statement alone in its own migration",
        lockTimeout: (ms) => ({ how: "Prisma passes no session options: start each migration.sql with the setting", commands: [`# first line of each migration.sql:  SET lock_timeout = '${ms}ms';`] }),
      };
    case "up-down-dir":
      return {
        tool: "up/down folders (diesel, sqlx, …)",
        status: ["diesel migration list   # or: sqlx migrate info"],
        apply: migrations.map((m) => psqlFile(m.up.path, m.transaction === "per-file") + "   # or: diesel migration run / sqlx migrate run"),
        rollback: newestFirst.map((m) => (m.down ? psqlFile(m.down.path, m.transaction === "per-file") + "   # or: diesel migration revert" : `# ${m.id}: no down.sql`)),
        nonTransactional: "diesel: add `-- no-transaction` as the first line of up.sql (diesel ≥ 2.1); sqlx: `-- no-transaction`; or keep the statement alone in its own migration",
        lockTimeout: viaPgOptions,
      };
    case "plain":
      return {
        tool: "plain SQL files (psql)",
        status: ["psql \"$DATABASE_URL\" -c '\\dt'"],
        apply: migrations.map((m) => psqlFile(m.up.path, true)),
        rollback: newestFirst.map((m) => (m.down ? psqlFile(m.down.path, true) : `# ${m.id}: no rollback script`)),
        nonTransactional: "run the statement with psql outside `--single-transaction`, as shown below",
        lockTimeout: viaPgOptions,
      };
  }
}
