// `migration-guard test --command`: traces the project's migrate command on a capture database
// (base commit, then head, then the down command), then hands the captured statements to the
// ephemeral test as the change, and adds the trace and the rules' findings on it to the report.
import { resolve } from "node:path";
import type { Config } from "../core/config/schema.js";
import type { EvidenceReport } from "../core/evidence/report.js";
import type { ScratchDatabase, ScratchOptions } from "../db/index.js";
import { openScratch } from "./scratch.js";
import type { PlannedTest } from "../evidence/change.js";
import { baseWorktree, type BaseTree } from "../trace/command.js";
import { tracedTest, traceFindings, traceSummary } from "../trace/plan.js";
import { traceMigrateCommands, TraceUnavailableError, type TraceResult } from "../trace/trace.js";
import { UsageError } from "../fs/files.js";

export interface TraceChangeRequest {
  url: string | undefined;
  command: string;
  downCommand?: string;
  cwd: string;
  base?: string;
  baseDir?: string;
  config: Config;
  scratch: ScratchOptions;
  signal: AbortSignal;
  echo?: (text: string) => void;
}

export async function traceChange(request: TraceChangeRequest): Promise<{ plan: PlannedTest; result: TraceResult }> {
  if (!request.url || !/^postgres(ql)?:/i.test(request.url)) {
    throw new UsageError("--command needs --database-url postgres://… (or MIGRATION_GUARD_DATABASE_URL): the migrate command connects to a scratch database on that server; embedded PGlite accepts no connection from another program");
  }
  let base: BaseTree | undefined;
  if (request.base) {
    try {
      base = baseWorktree(request.cwd, request.base);
    } catch (error) {
      throw new UsageError(`--base ${request.base}: cannot check out the merge base to run \`${request.command}\` on it: ${error instanceof Error ? error.message : String(error)}`);
    }
  } else if (request.baseDir) base = { cwd: resolve(request.cwd, request.baseDir), remove() {} };
  try {
    const capture = await openScratch(request.url, request.scratch);
    try {
      const timeouts = request.config.test.timeouts;
      const result = await traceMigrateCommands(capture, {
        command: request.command,
        ...(request.downCommand ? { downCommand: request.downCommand } : {}),
        headCwd: request.cwd,
        ...(base ? { base } : {}),
        commandMs: timeouts.total_ms,
        statementMs: timeouts.statement_ms,
        signal: request.signal,
        echo: request.echo,
      });
      return { plan: tracedTest(result, request.command), result };
    } catch (error) {
      if (error instanceof TraceUnavailableError) throw new UsageError(error.message);
      throw error;
    } finally {
      await capture.drop().catch(() => undefined);
    }
  } finally {
    base?.remove();
  }
}

/** The report with the trace, its findings, and the commands' own failures in the verdict. */
export async function withTrace(report: EvidenceReport, result: TraceResult, config: Config): Promise<EvidenceReport> {
  // The rules are loaded only for a traced command (a plain test reads ~0.4 MB less code).
  const { loadRules } = await import("../../rules/index.js");
  const findings = traceFindings(result, config, await loadRules());
  const { trace, failures, problems } = traceSummary(result, findings);
  const verdictFailures = [...failures, ...report.verdict.failures];
  const nothing = !result.change?.script.sql.trim() && failures.length === 0;
  const warnings = nothing ? [`\`${result.change?.run.command ?? ""}\` changed nothing in the database: there was no migration to apply`, ...report.verdict.warnings] : report.verdict.warnings;
  return {
    ...report,
    trace,
    problems: [...problems, ...report.problems],
    gates: failures.length ? { ...report.gates, tested: false } : report.gates,
    verdict: { passed: report.verdict.passed && failures.length === 0, failures: verdictFailures, warnings },
  };
}
