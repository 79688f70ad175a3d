// `migration-guard <command>`: parses the command name and hands the rest to its module.
import { UsageError } from "../fs/files.js";

export type CommandRunner = (args: string[], io: CliIo) => Promise<number>;

export interface CliIo {
  cwd: string;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
}

/** One module per command; each default-exports a CommandRunner. */
const COMMANDS: Record<string, { summary: string; load: () => Promise<{ default: CommandRunner }> }> = {
  check: { summary: "analyze migrations and report findings", load: () => import("./commands/check.js") },
  test: { summary: "apply the change on a scratch database: forward, validate, rollback, forward again", load: () => import("./commands/test.js") },
  init: { summary: "write the GitHub Actions workflow that runs `test` on pull requests", load: () => import("./commands/init.js") },
  rules: { summary: "list the rules", load: () => import("./commands/rules.js") },
  explain: { summary: "print a rule's documentation", load: () => import("./commands/explain.js") },
  schema: { summary: "print the configuration file's JSON Schema", load: () => import("./commands/schema.js") },
  runbook: { summary: "print the deployment runbook for the change", load: () => import("./commands/runbook.js") },
  "commit-check": { summary: "check commit messages against the recipe's format", load: () => import("./commands/commit-check.js") },
  "stats-query": { summary: "print the query that exports table statistics from production", load: () => import("./commands/stats-query.js") },
  app: { summary: "start the GitHub App's webhook server (APP_ID, PRIVATE_KEY, WEBHOOK_SECRET from the environment)", load: () => import("./commands/app.js") },
};

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `usage: migration-guard <command> [options]\n\ncommands:\n${lines.join("\n")}\n\nRun \`migration-guard <command> --help\` for a command's options.\n`;
}

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    io.stdout(usage());
    return name ? 0 : 2;
  }
  if (name === "--version") {
    const { TOOL_VERSION } = await import("../core/analyze/engine.js");
    io.stdout(`${TOOL_VERSION}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr(`migration-guard: unknown command \`${name}\`\n\n${usage()}`);
    return 2;
  }
  try {
    return await (await command.load()).default(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`migration-guard ${name}: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

/**
 * The process's io. Only what the command prints goes to stdout: anything else written there
 * (a native or WASM module's diagnostics, a stray console.log) goes to stderr, so that
 * `--format json | jq` never reads a corrupted document.
 */
export function processIo(): CliIo {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: any, ...rest: any[]) => (process.stderr.write as any)(chunk, ...rest)) as typeof process.stdout.write;
  return {
    cwd: process.cwd(),
    stdout: (t) => write(t),
    stderr: (t) => process.stderr.write(t),
    isTTY: Boolean(process.stdout.isTTY),
    env: process.env,
  };
}
