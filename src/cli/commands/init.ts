// `migration-guard init`: writes .github/workflows/migration-guard.yml from templates/, with a
// database service of the production version from the configuration.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Config } from "../../core/config/schema.js";
import { DEFAULT_PATHS } from "../../core/discover/index.js";
import { UsageError } from "../../fs/files.js";
import { parseCommandArgs } from "../args.js";
import { CONFIG_PATH, loadCliConfig } from "../config.js";
import type { CliIo } from "../main.js";

export const WORKFLOW_PATH = ".github/workflows/migration-guard.yml";

const HELP = `usage: migration-guard init [options]

Writes ${WORKFLOW_PATH}: on pull requests that touch migrations, start a database service of
the configured version, run \`migration-guard test\` and upload the JSON report as an artifact.

options:
  --force             overwrite an existing workflow file
  --command <cmd>     how the workflow runs the CLI (default: node .migration-guard/bin/migration-guard.js, built by the workflow from migration-guard's repository)
  --config <file>     configuration file (default: nearest ${CONFIG_PATH})
  --stdout            print the workflow instead of writing it
  -h, --help          this help
`;

export default async function init(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, {
    force: { type: "boolean", default: false },
    command: { type: "string" },
    config: { type: "string" },
    stdout: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  });
  if (values.help) {
    io.stdout(HELP);
    return 0;
  }
  const { config } = loadCliConfig(io.cwd, values.config);
  const workflow = renderWorkflow(readTemplate(), config, values.command ?? DEFAULT_COMMAND);
  if (values.stdout) {
    io.stdout(workflow);
    return 0;
  }
  const target = join(io.cwd, WORKFLOW_PATH);
  if (existsSync(target) && !values.force) throw new UsageError(`${WORKFLOW_PATH} already exists; pass --force to overwrite it`);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, workflow);
  io.stdout(`wrote ${WORKFLOW_PATH} (${serviceImage(config)} service); commit it, and install the migration-guard App to see the evidence in reviews\n`);
  return 0;
}

function readTemplate(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  // src/cli/commands (tests), dist/src/cli/commands (compiled) or dist/cli (the bundle):
  // templates/ is at the package root.
  for (const up of ["../../..", "../../../..", "../.."]) {
    const candidate = join(here, up, "templates", "migration-guard.yml");
    if (existsSync(candidate)) return readFileSync(candidate, "utf8");
  }
  throw new Error("templates/migration-guard.yml is missing from the installation");
}

export function serviceImage(config: Config): string {
  if (config.dialect === "postgres") return `postgres:${config.postgres_version}`;
  return `${config.dialect}:${config.mysql_version}`;
}

/** The CLI as the workflow's own checkout-and-build step installs it (the package is not on npm). */
export const DEFAULT_COMMAND = "node .migration-guard/bin/migration-guard.js";

/** The workflow for this configuration: trigger paths, database service, connection URL, CLI command. */
export function renderWorkflow(template: string, config: Config, command: string): string {
  const paths = [...(config.paths.length ? config.paths : DEFAULT_PATHS), CONFIG_PATH, WORKFLOW_PATH];
  const image = serviceImage(config);
  const service =
    config.dialect === "postgres"
      ? [
          "      postgres:",
          `        image: ${image}`,
          "        env:",
          "          POSTGRES_PASSWORD: postgres",
          "        ports:",
          '          - "5432:5432"',
          "        options: >-",
          "          --health-cmd pg_isready --health-interval 5s --health-timeout 5s --health-retries 20",
        ]
      : [
          "      database:",
          `        image: ${image}`,
          "        env:",
          config.dialect === "mariadb" ? "          MARIADB_ROOT_PASSWORD: root" : "          MYSQL_ROOT_PASSWORD: root",
          "        ports:",
          '          - "3306:3306"',
          "        options: >-",
          `          --health-cmd "${config.dialect === "mariadb" ? "healthcheck.sh --connect --innodb_initialized" : "mysqladmin ping -proot"}" --health-interval 5s --health-timeout 5s --health-retries 20`,
        ];
  const url = config.dialect === "postgres" ? "postgres://postgres:postgres@localhost:5432/postgres" : "mysql://root:root@127.0.0.1:3306/";
  return template
    .replace("%%PATHS%%", paths.map((p) => `      - ${JSON.stringify(p)}`).join("\n"))
    .replace("%%SERVICE%%", service.join("\n"))
    .replace("%%DATABASE_URL%%", url)
    .replace("%%COMMAND%%", command);
}
