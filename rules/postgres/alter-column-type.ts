import type { Rule } from "../../src/core/analyze/rule.js";
import { alterCommands, names, stripPublic } from "../../src/core/analyze/pg-ast.js";
import { columnType } from "../../src/core/analyze/state.js";
import type { Severity } from "../../src/core/model.js";
import { existingAlteredTable, lock, SIZE_NOTE, sizedSeverity, sizeHint } from "./_pg.js";
import { describeType, typeChange, usingIsNoop } from "./_types.js";

const rule: Rule = {
  id: "alter-column-type",
  title: "Column type change that rewrites the table",
  dialects: ["postgres"],
  severity: "error",
  docs: {
    why: `\`ALTER COLUMN … TYPE\` holds an ACCESS EXCLUSIVE lock and, unless the new type is binary-coercible from the old one, rewrites the whole table and rebuilds every index: no reads or writes for the duration, and old application code may break on the new type. Binary-coercible changes are metadata only (verified on PostgreSQL 15 with relfilenode): varchar(n) → varchar(m ≥ n), varchar → text, text → varchar without a length, numeric(p,s) → numeric(q ≥ p, s) or numeric, a larger timestamp/time/interval precision, varbit widening, cidr → inet. timestamp → timestamptz skips the rewrite only when the session TimeZone is UTC. The rule knows the old type when an earlier migration it analyzed declared the column; otherwise a target that *could* be binary-coercible is reported at \`info\`.\n\n${SIZE_NOTE}`,
    locks: [{ on: "altered table", mode: "ACCESS EXCLUSIVE", relation: "orders" }],
    work: "rewrite",
    versions: "Binary-coercible changes skip the rewrite since PostgreSQL 9.2; timestamp → timestamptz under TimeZone UTC since 12.",
    safeAlternative: [
      "1. Add a new column with the new type (`ADD COLUMN <col>_new <type>`).",
      "2. Keep both in sync: write both from the application or a trigger.",
      "3. Backfill `<col>_new` in batches.",
      "4. Move reads to the new column, stop writing the old one.",
      "5. Drop the old column and rename the new one in a later release (expand–contract).",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TABLE orders (id bigint PRIMARY KEY, quantity int, note varchar(20), total numeric(10,2));",
    bad: [
      "ALTER TABLE orders ALTER COLUMN quantity TYPE bigint;",
      { sql: "ALTER TABLE orders ALTER COLUMN note TYPE varchar(10);", files: { "migrations/0000_orders.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, quantity int, note varchar(20), total numeric(10,2));" }, note: "narrowing rewrites (and may fail)" },
      { sql: "ALTER TABLE orders ALTER COLUMN total TYPE numeric(12,3);", files: { "migrations/0000_orders.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, quantity int, note varchar(20), total numeric(10,2));" } },
      { sql: "ALTER TABLE orders ALTER COLUMN total TYPE numeric(8,2);", files: { "migrations/0000_orders.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, quantity int, note varchar(20), total numeric(10,2));" }, note: "lower precision: rewrites (measured on PostgreSQL 15)" },
      {
        sql: "ALTER TABLE orders ALTER COLUMN note TYPE varchar(20) COLLATE \"C\";",
        setup: "CREATE TABLE orders (id bigint PRIMARY KEY, quantity int, note varchar(20), total numeric(10,2)); CREATE INDEX orders_note_idx ON orders (note);",
        files: { "migrations/0000_orders.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, quantity int, note varchar(20), total numeric(10,2));\nCREATE INDEX orders_note_idx ON orders (note);" },
        note: "only the collation changes: the table stays, its index on the column is rebuilt (measured on PostgreSQL 15)",
      },
    ],
    good: [
      { sql: "ALTER TABLE orders ALTER COLUMN note TYPE varchar(40);", files: { "migrations/0000_orders.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, quantity int, note varchar(20), total numeric(10,2));" }, note: "varchar widening" },
      { sql: "ALTER TABLE orders ALTER COLUMN note TYPE text;", files: { "migrations/0000_orders.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, quantity int, note varchar(20), total numeric(10,2));" }, note: "varchar → text" },
      { sql: "ALTER TABLE orders ALTER COLUMN total TYPE numeric;", files: { "migrations/0000_orders.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, quantity int, note varchar(20), total numeric(10,2));" }, note: "dropping the precision: no rewrite (measured on PostgreSQL 15)" },
      { sql: "ALTER TABLE orders ALTER COLUMN total TYPE numeric(14,2);", files: { "migrations/0000_orders.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, quantity int, note varchar(20), total numeric(10,2));" } },
      "CREATE TABLE refunds (id bigint, amount int);\nALTER TABLE refunds ALTER COLUMN amount TYPE bigint;",
    ],
  },
  check(statement, { state, config }) {
    const table = existingAlteredTable(statement, state);
    if (!table) return;
    const hits = [];
    for (const cmd of alterCommands(statement.ast)) {
      if (cmd.subtype !== "AT_AlterColumnType") continue;
      const to = columnType(cmd.def?.ColumnDef?.typeName);
      const from = state.columnTypes.get(`${stripPublic(table)}.${cmd.name}`);
      const using = cmd.def?.ColumnDef?.raw_default;
      const change = usingIsNoop(using, cmd.name) ? typeChange(from, to) : "rewrite";
      const collation = names(cmd.def?.ColumnDef?.collClause?.collname).join(".");
      if (change === "no rewrite" && collation) {
        // Measured on PostgreSQL 15: no table rewrite, but each index on the column is rebuilt (a scan) under ACCESS EXCLUSIVE.
        hits.push({
          message: `Changing only the collation of \`${table}.${cmd.name}\`${sizeHint(config, table)} to "${collation}" keeps the table, but rebuilds every index on the column under an ACCESS EXCLUSIVE lock: no reads or writes until the rebuild ends.`,
          severity: sizedSeverity(config, table, "warning") ?? "warning",
          locks: [lock(table, "ACCESS EXCLUSIVE")],
          help: "Build the new index CONCURRENTLY with the new collation (`CREATE INDEX CONCURRENTLY … (col COLLATE \"C\")`), switch queries to it, then drop the old index; or change the collation when the table is small.",
        });
        continue;
      }
      if (change === "no rewrite") continue;
      // `ALTER TYPE t RENAME TO t_old; CREATE TYPE t …`: the column still has the renamed type.
      const renamed = from && from.name === to.name ? state.renamedTypes.get(from.name) : undefined;
      const fromText = from ? `from ${renamed ? `${describeType({ ...from, name: renamed })} (renamed from ${from.name})` : describeType(from)} ` : "";
      const target = `\`${table}.${cmd.name}\`${sizeHint(config, table)} ${fromText}to ${describeType(to)}`;
      let severity: Severity | undefined = sizedSeverity(config, table, "error");
      let message = `Changing ${target} rewrites the table and its indexes under an ACCESS EXCLUSIVE lock.`;
      if (change === "unknown") {
        severity = "info";
        message = `Changing ${target}: no rewrite only if the old type is binary-coercible (e.g. varchar → text, a wider varchar or numeric precision); otherwise the table is rewritten under an ACCESS EXCLUSIVE lock. The old type is not declared in the analyzed migrations.`;
      } else if (change === "rewrite unless UTC") {
        severity = severity === "error" ? "warning" : severity;
        message = `Changing ${target} rewrites the table under an ACCESS EXCLUSIVE lock unless the migration session's TimeZone is UTC (PostgreSQL 12+).`;
      }
      hits.push({ message, severity, locks: [lock(table, "ACCESS EXCLUSIVE")], help: "Use expand–contract: new column, dual writes, batched backfill, switch reads, drop the old column." });
    }
    return hits;
  },
};

export default rule;
