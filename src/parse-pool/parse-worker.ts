// A parse worker: decodes and parses the scripts it is given, in order, and posts each one as
// JSON on its port (JSON.parse on the main thread costs a third of the structured clone of the
// same tree). After each post it bumps a shared counter, so the main thread, which waits
// synchronously inside the pure engine, knows when to look at the port.
import { workerData, type MessagePort } from "node:worker_threads";
import { parseScriptFile } from "../core/discover/sections.js";
import { loadParsers } from "../core/parse/index.js";
import type { ParseJob, ParseResult } from "./index.js";

const { port, signal, jobs } = workerData as { port: MessagePort; signal: Int32Array; jobs: ParseJob[] };

function post(result: ParseResult): void {
  port.postMessage(result);
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
}

try {
  await loadParsers();
  for (const job of jobs) {
    try {
      const read = parseScriptFile(job.ref, job.content, job.dialect);
      // Undecodable content and SQL read out of code are left to the engine: it reports the one
      // and keeps the other's strings' places.
      if (!("script" in read) || read.script.embedded) {
        post({ key: job.key });
        continue;
      }
      const { lines: _lines, ...plain } = read.script;
      post({ key: job.key, json: JSON.stringify(plain) });
    } catch {
      post({ key: job.key });
    }
  }
} catch {
  post({ fatal: true });
}
