// `migration-guard test`: the ephemeral migration test on a scratch database (PostgreSQL by URL,
// MariaDB by URL, or embedded PGlite), with the JSON evidence report and its Markdown summary.
import { readFileSync, writeFileSync, appendFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { TOOL_VERSION } from "../../core/analyze/engine.js";
import { migrationCandidates } from "../../core/discover/index.js";
import { renderEvidenceHuman } from "../../core/evidence/human.js";
import { renderEvidenceMarkdown } from "../../core/evidence/markdown.js";
import { EVIDENCE_SCHEMA_VERSION, EvidenceReport, evidenceJsonSchema } from "../../core/evidence/report.js";
import { TestThresholds } from "../../core/evidence/config.js";
import { loadParsers } from "../../core/parse/index.js";
import type { ScratchDatabase } from "../../db/index.js";
import { redact } from "../../db/session.js";
import { planTest, type PlannedTest } from "../../evidence/change.js";
import { splitByScope } from "../../core/config/overrides.js";
import type { Config } from "../../core/config/schema.js";
import type { ChangeInput } from "../../core/model.js";
import { AbortedError } from "../../evidence/executor.js";
import { runTest } from "../../evidence/runner.js";
import { INTERRUPTS, openScratch } from "../scratch.js";
import type { traceChange } from "../trace-change.js";
import { readLocalChangeAsync } from "../../fs/change.js";
import { UsageError } from "../../fs/files.js";
import { gitText } from "../../git/git.js";
import { parseCommandArgs } from "../args.js";
import { loadCliConfig } from "../config.js";
import type { CliIo } from "../main.js";

const HELP = `usage: migration-guard test [paths…] [options]

Applies the change's migrations to a scratch database it creates and drops: builds the
pre-change schema and seed data, then forward (with lock tracing and a blocking probe),
validate, rollback with a full schema diff, forward again, and a partial-failure test.

options:
  --database-url <url>   postgres://… or mysql://… server to create the scratch database on
                         (also MIGRATION_GUARD_DATABASE_URL); default: embedded PGlite, which
                         starts from a copy of its empty database kept in ~/.cache/migration-guard
                         ($XDG_CACHE_HOME); MIGRATION_GUARD_PGLITE_CACHE=off keeps none
  --allow-existing       run even when the target database holds user tables
  --base <ref>           the change is the migrations added since the merge base with <ref>
  --base-dir <dir>       the change is the migrations added compared with <dir> (a base copy)
  --last <n>             without a base: the last <n> migrations are the change
  --command <cmd>        trace the project's own migrate command instead of reading SQL files
                         (default: test.command): it runs with DATABASE_URL (and PGHOST, PGPORT,
                         PGUSER, PGPASSWORD, PGDATABASE) set to a capture database, on the base
                         commit first when --base is given; every statement it sends is recorded
                         and tested like a migration file (needs --database-url postgres://…)
  --down-command <cmd>   the command that rolls the change back (default: test.down_command)
  --seed-rows <n>        rows per table (default: test.seed.rows, 1000)
  --no-probe             skip the blocking probe
  --no-partial-failure   skip the partial-failure step
  --output <file>        write the JSON report (the CI artifact) to <file>
  --markdown <file>      append the Markdown report to <file> (e.g. $GITHUB_STEP_SUMMARY)
  --format <format>      what to print: human | markdown | json (default: human)
  --head-sha <sha>       commit the report is for (default: MIGRATION_GUARD_HEAD_SHA, else git HEAD)
  --config <file>        configuration file (default: nearest .github/migration-guard.yml)
  --print-schema         print the report's JSON Schema and exit
  -h, --help             this help

exit codes: 0 passed, 1 a step failed or a threshold was exceeded, 2 usage, configuration or
database setup error, 130 interrupted (the scratch database is dropped in every case). With
--output, the file is removed first and holds a failed report on every exit but 0 and 1.
`;

export default async function test(args: string[], io: CliIo): Promise<number> {
  // A report left in the working tree (a pull request can commit one) must never pass for this
  // run's: remove it before anything can fail, and write a failed report on every early exit.
  const output = outputArgument(args);
  const outputPath = output === undefined ? undefined : resolve(io.cwd, output);
  if (outputPath) rmSync(outputPath, { force: true });
  try {
    const code = await runTestCommand(args, io, outputPath);
    if (code === 130 && outputPath) writeFailedReport(outputPath, args, io, "interrupted before the test finished");
    return code;
  } catch (error) {
    if (outputPath) writeFailedReport(outputPath, args, io, error instanceof Error ? error.message : String(error));
    throw error;
  }
}

async function runTestCommand(args: string[], io: CliIo, outputPath: string | undefined): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {
    "database-url": { type: "string" },
    "allow-existing": { type: "boolean", default: false },
    base: { type: "string" },
    "base-dir": { type: "string" },
    last: { type: "string" },
    "seed-rows": { type: "string" },
    command: { type: "string" },
    "down-command": { type: "string" },
    "no-probe": { type: "boolean", default: false },
    "no-partial-failure": { type: "boolean", default: false },
    output: { type: "string" },
    markdown: { type: "string" },
    format: { type: "string", default: "human" },
    "head-sha": { type: "string" },
    config: { type: "string" },
    "print-schema": { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  });
  if (values.help) {
    io.stdout(HELP);
    return 0;
  }
  if (values["print-schema"]) {
    io.stdout(`${JSON.stringify(evidenceJsonSchema(), null, 2)}\n`);
    return 0;
  }
  if (!["human", "markdown", "json"].includes(values.format)) throw new UsageError("--format must be human, markdown or json");
  const last = optionalCount(values.last, "--last");
  const seedRows = optionalCount(values["seed-rows"], "--seed-rows");
  const { config: loaded, path: configPath } = loadCliConfig(io.cwd, values.config);
  const configured = seedRows === undefined ? loaded : { ...loaded, test: { ...loaded.test, seed: { ...loaded.test.seed, rows: seedRows } } };
  const url = values["database-url"] ?? io.env.MIGRATION_GUARD_DATABASE_URL;
  const traceCommand = values.command ?? configured.test.command;
  const timeouts = configured.test.timeouts;
  const scratchOptions = {
    allowExisting: values["allow-existing"],
    limits: { statementMs: timeouts.statement_ms, idleInTransactionMs: timeouts.idle_in_transaction_ms, totalMs: timeouts.total_ms },
  };
  // The server creates the scratch database (~0.2 s on PostgreSQL) while this process reads and
  // plans the change; a planning error drops it again.
  const early = !traceCommand && url && /^(postgres(ql)?|mysql|mariadb):/i.test(url) ? openScratch(url, scratchOptions) : undefined;
  early?.catch(() => undefined);
  // Loading the driver before the change is read lets the server create the database while the
  // change is read and planned: loaded afterwards, it waited for the planning to end.
  if (early) await (/^postgres/i.test(url!) ? import("../../db/postgres.js") : import("../../db/mariadb.js")).catch(() => undefined);
  try {
    return await planAndRun(early);
  } catch (error) {
    await early?.then((db) => db.drop()).catch(() => undefined);
    throw error;
  }

  async function planAndRun(early: Promise<ScratchDatabase> | undefined): Promise<number> {
    // Only PostgreSQL SQL needs libpg_query (a traced command is PostgreSQL).
    if (traceCommand || configured.dialect === "postgres" || configured.overrides.some((o) => o.dialect === "postgres")) await loadParsers();
    const downCommand = values["down-command"] ?? configured.test.down_command;
    if (downCommand && !traceCommand) throw new UsageError("--down-command needs --command (or test.command): it rolls back what the migrate command applied");
    // Paths in the config are relative to the repository root (the folder holding .github/).
    const configDir = !configPath ? io.cwd : /[\\/]\.github[\\/][^\\/]+$/.test(configPath) ? join(configPath, "..", "..") : join(configPath, "..");
    const controller = new AbortController();
    let traced: Awaited<ReturnType<typeof traceChange>> | undefined;
    let headCommit: string | undefined;
    let config: Config;
    let plan: PlannedTest;
    if (traceCommand) {
      if (positionals.length) throw new UsageError(`--command traces what the command does; it takes no paths (got ${positionals.join(", ")})`);
      io.stderr(`migration-guard test: tracing \`${traceCommand}\`${values.base ? ` on the merge base with ${values.base}, then on the working tree` : ""}\n`);
      // Ctrl-C stops the command; the capture database and the base worktree are still removed.
      const interrupt = () => controller.abort();
      for (const signal of INTERRUPTS) process.on(signal, interrupt);
      try {
        // Only `--command` loads the tracing code (and the rules it lints the traced SQL with).
        const { traceChange } = await import("../trace-change.js");
        traced = await traceChange({
          url,
          command: traceCommand,
          ...(downCommand ? { downCommand } : {}),
          cwd: io.cwd,
          base: values.base,
          baseDir: values["base-dir"],
          config: configured,
          scratch: scratchOptions,
          signal: controller.signal,
          echo: (text) => io.stderr(text),
        });
      } finally {
        for (const signal of INTERRUPTS) process.off(signal, interrupt);
      }
      if (controller.signal.aborted) {
        io.stderr("\nmigration-guard test: interrupted while tracing; capture database dropped\n");
        return 130;
      }
      config = { ...configured, dialect: "postgres" };
      plan = traced.plan;
    } else {
      const read = await readLocalChangeAsync(positionals.length ? positionals : ["."], io.cwd, {
        base: values.base,
        baseDir: values["base-dir"],
        select: (paths) => migrationCandidates(paths, configured),
      });
      const input = read.input;
      headCommit = read.head;
      const schemaFile = configured.test.schema_file ? { path: configured.test.schema_file, text: readConfigFile(configDir, configured.test.schema_file, "test.schema_file") } : undefined;
      ({ config, plan } = planScopedTest(input, configured, { last, schemaFile }));
    }
    const wantsMysql = config.dialect !== "postgres";
    if (wantsMysql && !url) throw new UsageError(`dialect ${config.dialect} needs --database-url mysql://… (there is no embedded MySQL)`);
    if (url && wantsMysql !== /^(mysql|mariadb):/i.test(url)) throw new UsageError(`--database-url ${redact(url)} does not match the configured dialect ${config.dialect}`);
    if (plan.problems.length) throw new UsageError(plan.problems.map((p) => `${p.where}: ${p.message}`).join("\n"));
    const seedFile = config.test.seed.file
      ? { file: config.test.seed.file, text: readConfigFile(configDir, config.test.seed.file, "test.seed.file"), baseOffset: 0, baseLine: 1, dialect: config.dialect }
      : undefined;

    const progress = io.isTTY ? (m: string) => io.stderr(`\r\x1b[2K${m}`) : undefined;
    let db: ScratchDatabase | undefined;
    const onSignal = () => {
      if (controller.signal.aborted) return;
      controller.abort();
      // Dropping the database also ends a statement that is still running.
      void db?.drop().catch(() => undefined);
    };
    // A closed terminal (SIGHUP) is an interruption like Ctrl-C: without a handler Node exits at once
    // and leaves the scratch database, with its running statement, behind.
    for (const signal of INTERRUPTS) process.on(signal, onSignal);
    let report: EvidenceReport;
    try {
      db = await (early ?? openScratch(url, scratchOptions));
      progress?.(`scratch database ${db.name} on ${db.kind} ${db.serverVersion}`);
      report = await runTest(db, {
        environment: plan.environment,
        change: plan.change,
        config,
        seedFile,
        notes: plan.notes,
        options: {
          probe: !values["no-probe"],
          partialFailure: !values["no-partial-failure"],
          headSha: values["head-sha"] ?? io.env.MIGRATION_GUARD_HEAD_SHA ?? headCommit ?? gitHead(io.cwd),
          baseRef: values.base,
          toolVersion: TOOL_VERSION,
        },
        onProgress: progress,
        signal: controller.signal,
      });
    } catch (error) {
      if (controller.signal.aborted || error instanceof AbortedError) {
        io.stderr(`\nmigration-guard test: interrupted; scratch database ${db?.name ?? ""} dropped\n`);
        return 130;
      }
      throw error;
    } finally {
      for (const signal of INTERRUPTS) process.off(signal, onSignal);
      await db?.drop().catch((e) => io.stderr(`migration-guard test: could not drop scratch database ${db?.name}: ${e instanceof Error ? e.message : String(e)}\n`));
      if (progress) io.stderr("\r\x1b[2K");
    }
    if (traced) report = await (await import("../trace-change.js")).withTrace(report, traced.result, config);
    if (outputPath) writeFileSync(outputPath, `${JSON.stringify(report, null, 2)}\n`);
    if (values.markdown) appendFileSync(resolve(io.cwd, values.markdown), renderEvidenceMarkdown(report));
    const printed = { human: renderEvidenceHuman, markdown: renderEvidenceMarkdown, json: (r: typeof report) => `${JSON.stringify(r, null, 2)}\n` }[values.format as "human" | "markdown" | "json"];
    io.stdout(printed(report));
    return report.verdict.passed ? 0 : 1;
  }
}

/** `--output <file>` / `--output=<file>`, read before argument parsing (which may itself fail). */
function outputArgument(args: string[]): string | undefined {
  let found: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") break;
    if (arg === "--output" && i + 1 < args.length) found = args[++i];
    else if (arg.startsWith("--output=")) found = arg.slice("--output=".length);
  }
  return found || undefined;
}

/** The report of a run that could not test anything: it fails and ticks no gate. */
function writeFailedReport(path: string, args: string[], io: CliIo, reason: string): void {
  const url = flagValue(args, "--database-url") ?? io.env.MIGRATION_GUARD_DATABASE_URL;
  const kind = !url ? "pglite" : /^(mysql|mariadb):/i.test(url) ? "mariadb" : "postgres";
  const headSha = flagValue(args, "--head-sha") ?? io.env.MIGRATION_GUARD_HEAD_SHA ?? gitHead(io.cwd);
  const report = EvidenceReport.parse({
    schemaVersion: EVIDENCE_SCHEMA_VERSION,
    kind: "migration-guard-test-report",
    tool: { name: "migration-guard", version: TOOL_VERSION },
    createdAt: new Date().toISOString(),
    ...(headSha ? { headSha } : {}),
    engine: { kind, serverVersion: "unknown", majorVersion: 0, configuredVersion: "unknown" },
    settings: { seedRows: 0, probe: false, partialFailure: false, thresholds: TestThresholds.parse({}) },
    environment: { source: "empty", baseMigrations: [], seeded: [], problems: [] },
    steps: [],
    migrations: [],
    validation: [],
    rollback: { ran: false, schemaDiff: [], checksums: [], lossy: false, missingDowns: [] },
    probe: { enabled: false, reason: "the test did not run", slowdowns: [] },
    gates: { tested: false, "rollback-validated": false, "data-integrity": false, "zero-data-loss": false },
    verdict: { passed: false, failures: [`the test did not run: ${reason}`], warnings: [] },
    problems: [{ message: reason }],
  });
  try {
    writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
  } catch (error) {
    io.stderr(`migration-guard test: cannot write ${path}: ${error instanceof Error ? error.message : String(error)}\n`);
  }
}

function flagValue(args: string[], flag: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === flag && i + 1 < args.length) return args[i + 1];
    if (args[i]!.startsWith(`${flag}=`)) return args[i]!.slice(flag.length + 1);
  }
  return undefined;
}

/**
 * With path overrides, one test covers one history: the override (or the top level) whose files
 * the change touches. A change across several is refused with the commands that test each.
 */
function planScopedTest(input: ChangeInput, config: Config, options: Parameters<typeof planTest>[2]): { config: Config; plan: PlannedTest } {
  const scopes = splitByScope(config, input).map((scope) => ({ ...scope, plan: planTest(scope, scope.config, options) }));
  const changed = scopes.filter((s) => s.plan.change.length);
  if (changed.length > 1) {
    const where = changed.map((s) => `  ${s.paths ? `overrides paths ${s.paths.join(", ")}` : "top-level settings"}: ${s.plan.change.map((c) => c.migration.id).join(", ")}`);
    throw new UsageError(`the change has migrations of ${changed.length} separately configured histories (overrides:); test each on its own by passing its folder, e.g. \`migration-guard test <folder>\`:\n${where.join("\n")}`);
  }
  return changed[0] ?? scopes[0]!;
}

function optionalCount(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag} must be a non-negative whole number, got \`${value}\``);
  return Number(value);
}

function readConfigFile(dir: string, path: string, key: string): string {
  try {
    return readFileSync(join(dir, path), "utf8");
  } catch {
    throw new UsageError(`${key}: cannot read ${path} (relative to the repository root ${dir})`);
  }
}

function gitHead(cwd: string): string | undefined {
  try {
    return gitText(["rev-parse", "HEAD"], cwd).trim() || undefined;
  } catch {
    return undefined;
  }
}
