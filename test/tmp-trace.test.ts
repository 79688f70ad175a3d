import { it } from "vitest";
import { loadParsers } from "../src/core/parse/index.js";
import { createScratchDatabase } from "../src/db/index.js";
import { traceMigrateCommands } from "../src/trace/trace.js";
it("smoke", async () => {
  await loadParsers();
  const db = await createScratchDatabase("postgres://postgres@127.0.0.1:5432/test", { allowExisting: true });
  try {
    const r = await traceMigrateCommands(db, { command: "node /work/main/node_modules/knex/bin/cli.js --knexfile knexfile.cjs migrate:latest", downCommand: "node /work/main/node_modules/knex/bin/cli.js --knexfile knexfile.cjs migrate:rollback", headCwd: "/tmp/knexproj", commandMs: 60000, statementMs: 10000 });
    console.log(JSON.stringify(r, null, 1));
  } finally { await db.drop(); }
}, 60000);
