#!/usr/bin/env bash
# Trace mode on a real Knex history as a pull request: the first K migrations on `main`, the rest
# on `pr`, the repository's own knexfile (it reads POSTGRES_* variables, mapped from PG*).
# Usage: bench/real-world/trace-knex-history.sh <bare mirror of 18F/analytics-reporter-api> [K] [postgres-url]
# Run `npm run build` first. Nothing of the repository is kept.
set -euo pipefail
MIRROR="$1"; K="${2:-7}"; URL="${3:-postgres://postgres@127.0.0.1:5432/postgres}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
SRC="$(mktemp -d)"; PR="$(mktemp -d)"
trap 'rm -rf "$SRC" "$PR"' EXIT
git -C "$MIRROR" archive HEAD knexfile.js migrations | tar -x -C "$SRC"
cd "$PR" && git init -q -b main && echo node_modules > .gitignore && cp "$SRC/knexfile.js" . && mkdir migrations
ls "$SRC/migrations" | sort | head -n "$K" | while read -r f; do cp "$SRC/migrations/$f" migrations/; done
git add -A && git -c user.name=b -c user.email=b@example.com commit -qm base && git checkout -qb pr
cp "$SRC"/migrations/* migrations/ && git add -A && git -c user.name=b -c user.email=b@example.com commit -qm pr
ln -s "$ROOT/node_modules" node_modules
KNEX='POSTGRES_HOST=$PGHOST POSTGRES_USER=$PGUSER POSTGRES_PASSWORD=$PGPASSWORD POSTGRES_DATABASE=$PGDATABASE npx knex --knexfile knexfile.js --env development'
echo "history at $(git -C "$MIRROR" rev-parse --short HEAD): $K base migrations, $(ls migrations | wc -l) in all"
node "$ROOT/bin/migration-guard.js" test --base main --database-url "$URL" --command "$KNEX migrate:latest" --down-command "$KNEX migrate:rollback" 2>/dev/null || true
