// `migration-guard init`: writes the GitHub Actions workflows from templates/: the ephemeral test
// (a database service of the production version from the configuration) and, with `--action`,
// the review and quality gates without hosting the App. Both pin the action to the version of
// migration-guard that wrote them.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { TOOL_VERSION } from "../../core/analyze/engine.js";
import type { Config } from "../../core/config/schema.js";
import { DEFAULT_CODE_PATTERNS, DEFAULT_PATHS } from "../../core/discover/index.js";
import { REVIEW_WORKFLOW_PATH, TEST_WORKFLOW_PATH } from "../../core/evidence/report.js";
import { UsageError } from "../../fs/files.js";
import { parseCommandArgs } from "../args.js";
import { CONFIG_PATH, loadCliConfig } from "../config.js";
import type { CliIo } from "../main.js";

/** The action at the version that wrote the workflow (a release tag of migration-guard's repository). */
export const ACTION_REF = `migration-guard/migration-guard@v${TOOL_VERSION}`;
/** The current MariaDB and MySQL long-term releases, for a `mysql_version` that names the other server. */
const MARIADB_LTS = "11.4";
const MYSQL_LTS = "8.4";

const HELP = `usage: migration-guard init [options]

Writes ${TEST_WORKFLOW_PATH}: on pull requests that touch migrations, start a database
service of the configured version, run \`migration-guard test\` (${ACTION_REF}) and upload
the JSON evidence report. With --action, also writes ${REVIEW_WORKFLOW_PATH}: the review,
check runs and quality gates run by the action with the workflow's token, no App to host.

options:
  --action            also write the review workflow (no hosted App)
  --force             overwrite existing workflow files
  --command <cmd>     run this command instead of the action in the test workflow, e.g. \`npx migration-guard\`
                      when migration-guard is a dev dependency (the workflow then runs \`npm ci\` first)
  --config <file>     configuration file (default: nearest ${CONFIG_PATH})
  --stdout            print the workflows instead of writing them
  -h, --help          this help
`;

export default async function init(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, {
    action: { type: "boolean", default: false },
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
  const service = databaseService(config);
  const files: [string, string][] = [[TEST_WORKFLOW_PATH, renderTestWorkflow(readTemplate("migration-guard-test.yml"), config, values.command, { nodeProject: existsSync(join(io.cwd, "package.json")) })]];
  if (values.action) files.push([REVIEW_WORKFLOW_PATH, renderReviewWorkflow(readTemplate("migration-guard-review.yml"))]);
  if (values.stdout) {
    io.stdout(files.map(([path, text]) => `# ${path}\n${text}`).join("\n"));
    return 0;
  }
  for (const [path] of files) {
    if (existsSync(join(io.cwd, path)) && !values.force) throw new UsageError(`${path} already exists; pass --force to overwrite it`);
  }
  for (const [path, text] of files) {
    const target = join(io.cwd, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, text);
  }
  for (const note of service.notes) io.stderr(`migration-guard init: ${note}\n`);
  const next = values.action ? "commit them" : "commit it, and install the migration-guard App (or run `init --action`) to see the evidence in reviews";
  io.stdout(`wrote ${files.map(([p]) => p).join(" and ")} (${service.image} service); ${next}\n`);
  return 0;
}

function readTemplate(name: string): string {
  const here = dirname(fileURLToPath(import.meta.url));
  // src/cli/commands (tests), dist/src/cli/commands (compiled) or dist/cli (the bundle):
  // templates/ is at the package root.
  for (const up of ["../../..", "../../../..", "../.."]) {
    const candidate = join(here, up, "templates", name);
    if (existsSync(candidate)) return readFileSync(candidate, "utf8");
  }
  throw new Error(`templates/${name} is missing from the installation`);
}

export interface DatabaseService {
  image: string;
  /** The job's `services:` entry, indented for the template. */
  lines: string[];
  url: string;
  /** What init chose that the configuration did not say. */
  notes: string[];
}

/**
 * The service container of the production database. Health checks go over TCP (`-h 127.0.0.1`):
 * the images' first-start servers listen only on a socket, so a socket check turns healthy before
 * the job can connect.
 */
export function databaseService(config: Config): DatabaseService {
  const notes: string[] = [];
  const health = (command: string) => ["        options: >-", `          --health-cmd "${command}" --health-interval 5s --health-timeout 5s --health-retries 30`];
  if (config.dialect === "postgres") {
    const image = `postgres:${config.postgres_version}`;
    return {
      image,
      notes,
      url: "postgres://postgres:postgres@localhost:5432/postgres",
      lines: ["      postgres:", `        image: ${image}`, "        env:", "          POSTGRES_PASSWORD: postgres", "        ports:", '          - "5432:5432"', ...health("pg_isready -h 127.0.0.1 -p 5432 -U postgres")],
    };
  }
  const mariadb = config.dialect === "mariadb";
  const major = Number(config.mysql_version.split(".")[0]);
  // One setting serves both servers: MariaDB is 10.x and later, MySQL 5.x/8.x/9.x.
  const fits = mariadb ? major >= 10 && major < 50 : major < 10;
  const version = fits ? config.mysql_version : mariadb ? MARIADB_LTS : MYSQL_LTS;
  if (!fits) notes.push(`mysql_version ${config.mysql_version} is not a ${mariadb ? "MariaDB" : "MySQL"} release; the workflow uses ${config.dialect}:${version} (set mysql_version to your production version)`);
  const image = `${config.dialect}:${version}`;
  return {
    image,
    notes,
    url: "mysql://root:root@127.0.0.1:3306/",
    lines: [
      "      database:",
      `        image: ${image}`,
      "        env:",
      mariadb ? "          MARIADB_ROOT_PASSWORD: root" : "          MYSQL_ROOT_PASSWORD: root",
      "        ports:",
      '          - "3306:3306"',
      ...health(`${mariadb ? "mariadb-admin" : "mysqladmin"} ping -h 127.0.0.1 -P 3306 -uroot -proot`),
    ],
  };
}

/** The test workflow for this configuration: trigger paths, database service, how the test runs. */
export function renderTestWorkflow(template: string, config: Config, command?: string, project: { nodeProject?: boolean } = {}): string {
  // By default: SQL files and the code files TypeORM migrations are written in.
  const paths = [...(config.paths.length ? config.paths : [...DEFAULT_PATHS, ...DEFAULT_CODE_PATTERNS]), CONFIG_PATH, TEST_WORKFLOW_PATH];
  const service = databaseService(config);
  const run = command ? commandSteps(command, service.url) : [...migrateCommandSetup(config, project.nodeProject === true), ...actionStep(service.url)];
  return template
    .replace("%%PATHS%%", paths.map((p) => `      - ${JSON.stringify(p)}`).join("\n"))
    .replace("%%SERVICE%%", service.lines.join("\n"))
    .replace("%%RUN%%", run.join("\n"));
}

export function renderReviewWorkflow(template: string): string {
  return template.replace("%%ACTION%%", ACTION_REF);
}

/** The project's Node.js (the current LTS) and its locked dependencies. */
const NODE_PROJECT_SETUP = [
  "      - uses: actions/setup-node@v4",
  "        with:",
  "          node-version: 24",
  "          cache: npm",
  "      - run: npm ci --no-audit --no-fund",
];

/**
 * With `test.command` the test runs the project's own migrate command, which needs the project's
 * dependencies: installed here for a Node project, left to the user (one line to fill) otherwise.
 */
function migrateCommandSetup(config: Config, nodeProject: boolean): string[] {
  const command = config.test.command;
  if (!command) return [];
  if (nodeProject) {
    return [
      `      # test.command (\`${command}\`) runs with the project's dependencies installed.`,
      ...NODE_PROJECT_SETUP,
    ];
  }
  return [
    `      # test.command (\`${command}\`) needs the project's dependencies: install them here, e.g.`,
    "      # - run: pip install -r requirements.txt   (Django, Alembic)",
    "      # - run: bundle install                    (Rails)",
  ];
}

function actionStep(url: string): string[] {
  return [
    "      - name: Migration test (forward, validate, rollback, forward again)",
    `        uses: ${ACTION_REF}`,
    "        with:",
    "          mode: test",
    `          database-url: ${url}`,
  ];
}

/** The project's own installation of migration-guard (a dev dependency), on the current Node LTS. */
function commandSteps(command: string, url: string): string[] {
  return [
    ...NODE_PROJECT_SETUP,
    "      - name: Migration test (forward, validate, rollback, forward again)",
    "        env:",
    "          MIGRATION_GUARD_HEAD_SHA: ${{ github.event.pull_request.head.sha }}",
    "        run: >-",
    `          ${command} test`,
    '          --base "origin/${{ github.base_ref }}"',
    `          --database-url ${url}`,
    "          --output migration-guard-test-report.json",
    '          --markdown "$GITHUB_STEP_SUMMARY"',
  ];
}
