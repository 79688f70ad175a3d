// Parses a long history's scripts on worker threads while the engine analyzes the earlier ones.
// The engine is pure and synchronous; it asks its parse cache for each script in order, and this
// cache blocks (Atomics.wait) until the worker that was given the script has posted it. Whatever a
// worker does not deliver (an error, a script read out of code, a stalled thread) the engine
// parses itself, so results never depend on the pool.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from "node:worker_threads";
import { parseKey, type ParseCache } from "../core/analyze/engine.js";
import type { Config } from "../core/config/schema.js";
import { discover } from "../core/discover/index.js";
import type { ChangeInput, Dialect, ScriptRef, SourceFile } from "../core/model.js";
import type { ParsedScript } from "../core/parse/index.js";
import { LineIndex } from "../core/parse/text.js";
import { blobSha } from "../git/git.js";

export interface ParseJob {
  key: string;
  ref: ScriptRef;
  content: string | Uint8Array;
  dialect: Dialect;
}

/** A parsed script as JSON (without its line index), nothing when the engine must parse it itself, or a worker that could not start. */
export type ParseResult = { key: string; json?: string } | { fatal: true };

export interface ParsePool extends ParseCache {
  /** Scripts given to the workers, and how many of them the engine took from them. */
  readonly planned: number;
  readonly delivered: number;
  close(): Promise<void>;
}

export interface ParsePoolOptions {
  /**
   * Worker threads; default none. Measured on 2 cores (BENCHMARKS.md, "Parse workers"), one worker
   * made a whole-history check slower: V8's own GC and compiler threads already use the second core.
   */
  workers?: number;
  /** No pool below this many bytes of files (default DEFAULT_MIN_BYTES). */
  minBytes?: number;
  /** The compiled worker; default: parse-worker.js beside this module (dist/ only). */
  workerFile?: string;
  /** How long to wait for one script before parsing it on the main thread. */
  stallMs?: number;
}

/** Below this much SQL a caller that leaves the size to the pool gets none (starting a worker costs ~0.1 s); not a measured crossover. */
export const DEFAULT_MIN_BYTES = 256 * 1024;

interface Lane {
  worker: Worker;
  port: MessagePort;
  signal: Int32Array;
  dead: boolean;
}

/**
 * Starts the workers for the scripts `input` will have analyzed, or returns undefined when a pool
 * would not pay. Analyze the returned input (its files carry the blob SHAs the cache is keyed by).
 */
export function startParsePool(input: ChangeInput, config: Config, options: ParsePoolOptions = {}): { input: ChangeInput; pool: ParsePool } | undefined {
  const workerFile = options.workerFile ?? fileURLToPath(new URL("./parse-worker.js", import.meta.url));
  const count = options.workers ?? 0;
  if (count < 1 || config.overrides.length || !existsSync(workerFile)) return undefined;
  const bytes = input.head.reduce((sum, file) => sum + (file.content?.length ?? 0), 0);
  if (bytes < (options.minBytes ?? DEFAULT_MIN_BYTES)) return undefined;
  input = { ...input, head: input.head.map((f) => (f.sha || f.content === undefined ? f : { ...f, sha: blobSha(f.content) })) };
  const jobs = parseJobs(input, config);
  const lanes: Lane[] = [];
  const laneOf = new Map<string, Lane>();
  const perLane: ParseJob[][] = Array.from({ length: Math.min(count, jobs.length) }, () => []);
  // Round robin in analysis order: every worker stays just ahead of the engine.
  jobs.forEach((job, i) => perLane[i % perLane.length]!.push(job));
  for (const laneJobs of perLane) {
    const { port1, port2 } = new MessageChannel();
    const signal = new Int32Array(new SharedArrayBuffer(4));
    const worker = new Worker(workerFile, { workerData: { port: port2, signal, jobs: laneJobs }, transferList: [port2] });
    worker.unref();
    port1.unref();
    const lane: Lane = { worker, port: port1, signal, dead: false };
    worker.on("error", () => (lane.dead = true));
    lanes.push(lane);
    for (const job of laneJobs) laneOf.set(job.key, lane);
  }
  return { input, pool: new WorkerParseCache(lanes, laneOf, options.stallMs ?? 5_000) };
}

/** Pool options from MIGRATION_GUARD_PARSE_WORKERS=N (N worker threads, whatever the history's size); none without it. */
export function poolOptionsFromEnv(env: Record<string, string | undefined>): ParsePoolOptions | undefined {
  const workers = Number(env.MIGRATION_GUARD_PARSE_WORKERS?.trim() || 0);
  return Number.isInteger(workers) && workers > 0 ? { workers, minBytes: 0 } : undefined;
}

/** Every script the engine will parse, in the order it will ask for them. */
function parseJobs(input: ChangeInput, config: Config): ParseJob[] {
  const contents = new Map<string, SourceFile>(input.head.map((f) => [f.path, f]));
  const jobs: ParseJob[] = [];
  const seen = new Set<string>();
  const add = (ref: ScriptRef | undefined) => {
    const file = ref && contents.get(ref.path);
    if (!ref || file?.content === undefined) return;
    const key = parseKey(ref, file, config.dialect);
    if (!key || seen.has(key)) return;
    seen.add(key);
    jobs.push({ key, ref, content: file.content, dialect: config.dialect });
  };
  for (const migration of discover(input, config).migrations) {
    if (migration.status === "deleted") continue;
    add(migration.up);
    if (migration.status !== "unchanged") add(migration.down);
  }
  return jobs;
}

class WorkerParseCache implements ParsePool {
  private readonly json = new Map<string, string | undefined>();
  delivered = 0;
  readonly planned: number;

  constructor(
    private readonly lanes: Lane[],
    private readonly laneOf: Map<string, Lane>,
    private readonly stallMs: number,
  ) {
    this.planned = laneOf.size;
  }

  /** Each script is handed over once (the engine asks once per script) and not kept: a long history's trees would stay alive for the whole run. */
  get(key: string): ParsedScript | undefined {
    const lane = this.laneOf.get(key);
    if (!lane) return undefined;
    while (!this.json.has(key) && !lane.dead) {
      const seen = Atomics.load(lane.signal, 0);
      this.drain(lane);
      if (this.json.has(key) || lane.dead) break;
      // A worker that posts nothing for this long is treated as gone: the engine parses the rest.
      if (Atomics.wait(lane.signal, 0, seen, this.stallMs) === "timed-out") lane.dead = true;
    }
    const json = this.json.get(key);
    this.json.delete(key);
    this.laneOf.delete(key);
    if (json === undefined) return undefined;
    const plain = JSON.parse(json) as Omit<ParsedScript, "lines">;
    this.delivered++;
    return { ...plain, lines: new LineIndex(plain.text) };
  }

  set(): void {}

  async close(): Promise<void> {
    await Promise.all(this.lanes.map((lane) => lane.worker.terminate()));
  }

  private drain(lane: Lane): void {
    for (let message = receiveMessageOnPort(lane.port); message; message = receiveMessageOnPort(lane.port)) {
      const result = message.message as ParseResult;
      if ("fatal" in result) lane.dead = true;
      else this.json.set(result.key, result.json);
    }
  }
}
