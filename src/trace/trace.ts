// Trace mode of the ephemeral test: the project's own migrate command runs against a capture
// database through the wire relay, first on the base commit (the pre-change schema), then on
// the head (the change), then its down command (the rollback). What each phase sent becomes a
// SQL script that the ephemeral test replays on a fresh scratch database like migration files,
// with seed data, lock tracing, the blocking probe and the rollback diff.
import { capturedScript, type CapturedScript } from "../core/trace/capture.js";
import { errorMessage, type ScratchDatabase } from "../db/session.js";
import { connectionEnv, runCommand, type BaseTree, type CommandRun } from "./command.js";
import { WireRecorder } from "./wire-recorder.js";

export interface TraceRequest {
  command: string;
  downCommand?: string;
  /** Where the head's command runs (the user's working folder). */
  headCwd: string;
  /** The base commit's tree; absent: the change starts from an empty database. */
  base?: BaseTree;
  /** Time limit of each command and of each statement it sends. */
  commandMs: number;
  statementMs: number;
  signal?: AbortSignal;
  echo?: (text: string) => void;
}

export interface TracedPhase {
  run: CommandRun;
  script: CapturedScript;
}

export interface TraceResult {
  base?: TracedPhase;
  change?: TracedPhase;
  rollback?: TracedPhase;
}

export class TraceUnavailableError extends Error {}

export async function traceMigrateCommands(db: ScratchDatabase, request: TraceRequest): Promise<TraceResult> {
  if (!db.connectionUrl) throw new TraceUnavailableError(`tracing a migrate command needs a PostgreSQL server (--database-url postgres://…): ${db.kind} accepts no connection from another program`);
  const target = new URL(db.connectionUrl);
  const recorder = new WireRecorder({ host: target.hostname, port: Number(target.port || 5432) });
  const port = await recorder.start();
  try {
    await limitStatements(db, request.statementMs);
    const relayed = new URL(db.connectionUrl);
    relayed.hostname = "127.0.0.1";
    relayed.port = String(port);
    const env = connectionEnv(relayed.toString());
    const phase = async (name: CommandRun["phase"], command: string, cwd: string, shownCwd: string): Promise<TracedPhase> => {
      const from = recorder.events.length;
      // The relay records a query in the same callback that passes its answer on: by the time the
      // command has read its last answer and exited, every event is there.
      const run = await runCommand(name, command, { cwd, shownCwd, env, timeoutMs: request.commandMs, signal: request.signal, echo: request.echo });
      return { run, script: capturedScript(recorder.events.slice(from), { failed: run.exitCode !== 0 }) };
    };
    const result: TraceResult = {};
    if (request.base) {
      result.base = await phase("base", request.command, request.base.cwd, "the base commit");
      if (result.base.run.exitCode !== 0 || request.signal?.aborted) return result;
    }
    result.change = await phase("change", request.command, request.headCwd, ".");
    if (result.change.run.exitCode !== 0 || !request.downCommand || request.signal?.aborted) return result;
    result.rollback = await phase("rollback", request.downCommand, request.headCwd, ".");
    return result;
  } finally {
    await recorder.stop();
  }
}

/** Every session of the command (whatever its driver) runs under the test's statement time limit. */
async function limitStatements(db: ScratchDatabase, statementMs: number): Promise<void> {
  const session = await db.connect();
  try {
    await session.query(`ALTER DATABASE "${db.name.replaceAll('"', '""')}" SET statement_timeout = ${Math.round(statementMs)}`);
  } catch (error) {
    throw new TraceUnavailableError(`cannot set the capture database's statement time limit: ${errorMessage(error)}`);
  } finally {
    await session.close();
  }
}
