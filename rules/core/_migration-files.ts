// Shared wording for the discovery rules: what a layout calls a migration's rollback, and
// what its tool does with a migration it has already applied.
import type { Migration } from "../../src/core/model.js";

export const ALL_DIALECTS: ["postgres", "mysql", "mariadb"] = ["postgres", "mysql", "mariadb"];

/** Where the layout's tool expects the rollback of `m`. */
export function expectedRollback(m: Migration): string {
  const file = m.up.path.slice(m.up.path.lastIndexOf("/") + 1);
  const dir = m.up.path.slice(0, m.up.path.lastIndexOf("/") + 1);
  switch (m.layout) {
    case "flyway":
      return `an undo migration ${dir}${file.replace(/^V/, "U")}`;
    case "golang-migrate":
      return `${m.up.path.replace(/\.up\.sql$/, ".down.sql")}`;
    case "dbmate":
      return `a \`-- migrate:down\` section in ${m.up.path}`;
    case "goose":
      return `a \`-- +goose Down\` section in ${m.up.path}`;
    case "node-pg-migrate":
      return `a \`-- Down Migration\` section in ${m.up.path}`;
    case "liquibase":
      return `\`--rollback\` lines (or a \`/* liquibase rollback */\` block) in changeset ${m.up.changeset ?? m.name} of ${m.up.path}`;
    case "sqitch":
      return `a revert script ${m.up.path.replace(/(^|\/)deploy\//, "$1revert/")}`;
    case "typeorm":
      return `a \`down(queryRunner)\` method in the migration class of ${m.up.path} (\`typeorm migration:revert\` calls it)`;
    case "up-down-dir":
    case "prisma":
      return `${dir}down.sql`;
    default:
      return `${dir}${file.replace(/(\.up)?\.sql$/i, ".down.sql")}`;
  }
}

/** What happens on databases that already ran the base version of `m`. */
export function appliedBehaviour(layout: Migration["layout"]): string {
  switch (layout) {
    case "flyway":
      return "Flyway's validate fails there with a checksum mismatch";
    case "prisma":
      return "Prisma reports the migration as modified after it was applied";
    case "sqitch":
      return "sqitch does not deploy a change twice";
    default:
      return "the tool skips it there, because it only records that the version ran";
  }
}
