#!/usr/bin/env bash
# Trace mode (`test --command`) with TypeORM's and Sequelize's own CLIs from npm, on two small
# projects written here (a base commit and a pull request each), against a PostgreSQL server.
# Usage: bench/real-world/trace-orms.sh [postgres-url]   (after `npm run build`)
# Knex and node-pg-migrate are covered by test/trace-command.test.ts.
set -euo pipefail
URL="${1:-postgres://postgres@127.0.0.1:5432/postgres}"
MG="$(cd "$(dirname "$0")/../.." && pwd)/bin/migration-guard.js"
WORK="$(mktemp -d)"
cd "$WORK" && npm init -y >/dev/null && npm install --no-audit --no-fund typeorm@0.3 sequelize@6 sequelize-cli@6 pg >/dev/null
project() { rm -rf "$WORK/$1" && mkdir -p "$WORK/$1" && cd "$WORK/$1" && ln -s "$WORK/node_modules" node_modules && git init -q -b main && echo node_modules > .gitignore; }
commit() { git add -A && git -c user.name=b -c user.email=b@example.com commit -qm "$1"; }

project typeorm && mkdir migrations
cat > data-source.js <<'EOF'
const { DataSource } = require("typeorm");
module.exports.default = new DataSource({ type: "postgres", url: process.env.DATABASE_URL, migrations: [__dirname + "/migrations/*.js"] });
EOF
cat > migrations/1700000000000-Users.js <<'EOF'
module.exports = class Users1700000000000 {
  async up(q) { await q.query(`CREATE TABLE "users" ("id" SERIAL PRIMARY KEY, "email" character varying NOT NULL)`); }
  async down(q) { await q.query(`DROP TABLE "users"`); }
};
EOF
commit base && git checkout -qb pr
cat > migrations/1700000000001-Email.js <<'EOF'
module.exports = class Email1700000000001 {
  async up(q) {
    await q.query(`ALTER TABLE "users" ADD "verified" boolean NOT NULL DEFAULT false`);
    await q.query(`CREATE UNIQUE INDEX "IDX_email" ON "users" ("email")`);
    await q.query(`UPDATE "users" SET "verified" = $1 WHERE "email" LIKE $2`, [true, "%@example.com"]);
  }
  async down(q) { await q.query(`DROP INDEX "IDX_email"`); await q.query(`ALTER TABLE "users" DROP COLUMN "verified"`); }
};
EOF
commit change
node "$MG" test --base main --database-url "$URL" --command "npx typeorm migration:run -d data-source.js" --down-command "npx typeorm migration:revert -d data-source.js" 2>/dev/null || true

project sequelize && mkdir migrations config
echo '{"development":{"use_env_variable":"DATABASE_URL","dialect":"postgres"}}' > config/config.json
cat > migrations/20240101000000-create-orders.js <<'EOF'
module.exports = {
  async up(qi, S) { await qi.createTable("orders", { id: { type: S.INTEGER, primaryKey: true, autoIncrement: true }, total: { type: S.INTEGER } }); },
  async down(qi) { await qi.dropTable("orders"); },
};
EOF
commit base && git checkout -qb pr
cat > migrations/20240201000000-total-bigint.js <<'EOF'
module.exports = {
  async up(qi, S) { await qi.changeColumn("orders", "total", { type: S.BIGINT }); await qi.addIndex("orders", ["total"]); },
  async down(qi, S) { await qi.removeIndex("orders", ["total"]); await qi.changeColumn("orders", "total", { type: S.INTEGER }); },
};
EOF
commit change
node "$MG" test --base main --database-url "$URL" --command "npx sequelize-cli db:migrate" --down-command "npx sequelize-cli db:migrate:undo" 2>/dev/null || true
rm -rf "$WORK"
