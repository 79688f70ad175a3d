// Flyway (https://documentation.red-gate.com/fd/migrations): `V<version>__<description>.sql`
// versioned migrations, `U<version>__<description>.sql` undo migrations (the rollback of the
// V with the same version), `R__<description>.sql` repeatable migrations (re-applied whenever
// their checksum changes, so editing them is the intended workflow) and `B<version>__…`
// baseline migrations (only run on empty databases). Versions are dot- or underscore-separated
// numbers compared part by part, leading zeros ignored (`1_2` = `1.2`, `1.01` = `1.1`).
//
// Transactions: Flyway runs each migration in its own transaction on PostgreSQL
// (`executeInTransaction`, default true), sending statement after statement. A script config
// file `<script>.sql.conf` with `executeInTransaction=false` turns that off. Its PostgreSQL
// parser also runs a script whose statements are all non-transactional (CREATE INDEX
// CONCURRENTLY, VACUUM, …) outside one, and refuses a script mixing both kinds unless `mixed`
// is set: that is decided from the parsed statements (nonTransactionalDetection "flyway").
// Files that do not follow the naming are silently skipped by Flyway: reported here.
import type { SourceFile } from "../../model.js";
import { basename, isSql, namingScore, problem, textOf, type Collected, type FoundMigration, type LayoutSpec } from "../layout.js";

const VERSIONED = /^([VUB])(\d+(?:[._]\d+)*)__(.+)\.sql$/;
const REPEATABLE = /^R__(.+)\.sql$/;

/** `1_02.0` → `1.2`: Flyway treats these as the same version. */
export function flywayVersion(raw: string): string {
  const parts = raw.split(/[._]/).map((p) => p.replace(/^0+(?=\d)/, ""));
  while (parts.length > 1 && parts[parts.length - 1] === "0") parts.pop();
  return parts.join(".");
}

function describe(description: string): string {
  return description.replace(/_/g, " ");
}

function runsInTransaction(file: SourceFile, confByScript: Map<string, SourceFile>): boolean {
  const conf = confByScript.get(file.path);
  const confText = conf ? textOf(conf) : undefined;
  return !(confText && /^\s*executeInTransaction\s*=\s*false\s*$/im.test(confText));
}

export const flywayLayout: LayoutSpec = {
  name: "flyway",
  tool: "Flyway",
  transaction: "per-file",
  delivery: "per-statement",
  nonTransactionalDetection: "flyway",
  outsideTransaction:
    "put the statement in a migration of its own (Flyway runs a script holding only non-transactional statements without a transaction), or set `executeInTransaction=false` in `<script>.sql.conf` next to it",
  uniqueVersions: true,
  score: (files) => namingScore(files, (f) => VERSIONED.test(basename(f.path)) || REPEATABLE.test(basename(f.path))),
  collect(files): Collected {
    const confByScript = new Map(files.filter((f) => f.path.endsWith(".sql.conf")).map((f) => [f.path.slice(0, -5), f]));
    const undoByVersion = new Map<string, string>();
    const migrations: FoundMigration[] = [];
    const problems: Collected["problems"] = [];
    const sql = files.filter((f) => isSql(f.path));
    for (const f of sql) {
      const m = VERSIONED.exec(basename(f.path));
      if (m?.[1] === "U") undoByVersion.set(flywayVersion(m[2]!), f.path);
    }
    const pairedUndos = new Set<string>();
    for (const f of sql) {
      const name = basename(f.path);
      const transaction = runsInTransaction(f, confByScript) ? "per-file" : "none";
      const repeatable = REPEATABLE.exec(name);
      if (repeatable) {
        const description = describe(repeatable[1]!);
        // Repeatables run after every versioned migration, ordered by description.
        migrations.push({ id: f.path, version: `~R.${description}`, name: description, layout: "flyway", up: { path: f.path }, repeatable: true, rollbackExpected: false, transaction, delivery: "per-statement", nonTransactionalDetection: "flyway" });
        continue;
      }
      const versioned = VERSIONED.exec(name);
      if (!versioned) {
        problems.push(problem(f.path, `Flyway skips \`${name}\`: the name does not match \`V<version>__<description>.sql\`, \`U<version>__<description>.sql\` or \`R__<description>.sql\``));
        continue;
      }
      const [, prefix, raw, description] = versioned;
      if (prefix === "U") continue;
      const version = flywayVersion(raw!);
      const undo = prefix === "V" ? undoByVersion.get(version) : undefined;
      if (undo) pairedUndos.add(undo);
      migrations.push({
        id: f.path,
        version,
        name: describe(description!),
        layout: "flyway",
        up: { path: f.path },
        down: undo ? { path: undo } : undefined,
        // A baseline only runs on an empty database, replacing the versions up to its own:
        // editing it does not touch databases that already ran those versions.
        repeatable: prefix === "B",
        rollbackExpected: prefix === "V",
        transaction,
        delivery: "per-statement",
        nonTransactionalDetection: "flyway",
      });
    }
    for (const undo of undoByVersion.values()) {
      if (!pairedUndos.has(undo)) problems.push(problem(undo, `undo migration \`${basename(undo)}\` has no versioned migration \`V<same version>__….sql\` to undo`));
    }
    return { migrations, problems };
  },
};
