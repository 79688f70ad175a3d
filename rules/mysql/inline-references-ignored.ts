// A column's own `REFERENCES …` is valid syntax that MySQL before 9.0 (and MariaDB before 10.5)
// parses and throws away: the migration succeeds and the foreign key never exists.
/* eslint-disable @typescript-eslint/no-explicit-any */
import { alterOf, displayName, serverOf, type ServerVersion } from "../../src/core/analyze/mysql-ast.js";
import type { Rule, RuleHit } from "../../src/core/analyze/rule.js";

/** The server ignores inline REFERENCES: MySQL before 9.0.0 (WL#16130), MariaDB before 10.5 (MDEV-20729). */
function ignoresInlineReferences(server: ServerVersion): boolean {
  return server.flavor === "mysql" ? server.major < 9 : server.major < 10 || (server.major === 10 && server.minor < 5);
}

const rule: Rule = {
  id: "mysql-inline-references-ignored",
  title: "A column's inline REFERENCES creates no foreign key",
  dialects: ["mysql", "mariadb"],
  severity: "error",
  docs: {
    why: "MySQL parses a `REFERENCES other (id)` written inside a column definition (`customer_id bigint REFERENCES customers (id)`) and silently ignores it: the statement succeeds, no foreign key is created, and orphan rows are accepted from then on while the schema file suggests otherwise. Only a separate `FOREIGN KEY (…) REFERENCES …` clause creates the constraint. This holds for CREATE TABLE and ALTER TABLE … ADD/MODIFY/CHANGE COLUMN alike.",
    locks: [],
    work: "none",
    versions: "MySQL 9.0.0 enforces inline REFERENCES (WL#16130, bug #102904); MariaDB 10.5+ enforces them too (MDEV-20729; measured on MariaDB 10.11: CREATE TABLE and ADD COLUMN each create the key). The rule follows `dialect` and `mysql_version`.",
    safeAlternative: [
      "1. Write the key as a table-level clause: `customer_id bigint, CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id)` (in ALTER TABLE: `ADD COLUMN customer_id bigint, ADD CONSTRAINT … FOREIGN KEY …`).",
      "2. If the migration already ran, the key is missing on production: check for orphan rows, then add it (see `mysql-add-foreign-key` for doing so without copying the table).",
    ].join("\n"),
  },
  examples: {
    setup: "CREATE TABLE customers (id bigint PRIMARY KEY) ENGINE=InnoDB;\nCREATE TABLE orders (id bigint PRIMARY KEY) ENGINE=InnoDB;",
    bad: [
      "CREATE TABLE invoices (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers (id)) ENGINE=InnoDB;",
      "ALTER TABLE orders ADD COLUMN customer_id bigint REFERENCES customers (id);",
      { sql: "CREATE TABLE invoices (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers (id));", config: { dialect: "mariadb", mysql_version: "10.4" } },
    ],
    good: [
      "CREATE TABLE invoices (id bigint PRIMARY KEY, customer_id bigint, CONSTRAINT fk_invoices_customer FOREIGN KEY (customer_id) REFERENCES customers (id)) ENGINE=InnoDB;",
      "ALTER TABLE orders ADD COLUMN customer_id bigint, ADD CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id);",
      { sql: "CREATE TABLE invoices (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers (id));", config: { dialect: "mariadb", mysql_version: "10.11" }, note: "MariaDB 10.5+ creates the key" },
      { sql: "ALTER TABLE orders ADD COLUMN customer_id bigint REFERENCES customers (id);", config: { mysql_version: "9.1" }, note: "MySQL 9.0+ creates the key" },
    ],
  },
  check(statement, { config }) {
    const server = serverOf(config);
    if (!ignoresInlineReferences(server)) return;
    const hits: RuleHit[] = [];
    const hit = (table: string, column: string, referenced: string): RuleHit => ({
      message: `\`${table}.${column}\` declares \`REFERENCES ${referenced}\` inside its column definition: ${server.label} parses and ignores it, so no foreign key is created.`,
      help: `Write it as a separate clause: \`FOREIGN KEY (${column}) REFERENCES ${referenced} (…)\` (with ALTER TABLE: \`ADD CONSTRAINT … FOREIGN KEY\`).`,
    });
    if (statement.kind === "create" && statement.ast?.keyword === "table") {
      const table = String(statement.ast.table?.[0]?.table ?? "");
      for (const def of statement.ast.create_definitions ?? []) {
        if (def?.resource !== "column" || !def.reference_definition) continue;
        const referenced = String(def.reference_definition.table?.[0]?.table ?? "");
        hits.push(hit(table, String(def.column?.column ?? ""), referenced));
      }
    }
    const alter = alterOf(statement);
    for (const op of alter?.ops ?? []) {
      const definition = (op as any).definition;
      if (!definition?.references) continue;
      hits.push(hit(displayName(alter!.table), String((op as any).newName ?? (op as any).column ?? ""), displayName(definition.references)));
    }
    return hits;
  },
};

export default rule;
