// `migration-guard app`: starts the GitHub App's webhook server from the installed package, with
// the environment `npm start` reads (APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH, WEBHOOK_SECRET,
// PORT, HOST, LOG_LEVEL, REDIS_URL; a .env file in the working directory is read too).
import { parseCommandArgs } from "../args.js";
import type { CliIo } from "../main.js";

const HELP = `usage: migration-guard app

Starts the GitHub App's webhook server (what \`npm start\` runs). Configured by environment
variables: APP_ID, PRIVATE_KEY (or PRIVATE_KEY_PATH), WEBHOOK_SECRET, PORT (default 3000),
HOST (default localhost; 0.0.0.0 in a container), LOG_LEVEL, REDIS_URL (several instances).
A .env file in the working directory is read too. See docs/github-app.md.
`;

export default async function app(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, { help: { type: "boolean", short: "h", default: false } });
  if (values.help) {
    io.stdout(HELP);
    return 0;
  }
  const { startServer } = await import("../../app/server.js");
  // The server keeps the process alive; the exit code only matters once it stops.
  await startServer(process.env);
  return 0;
}
