// Shared measurement helpers for the benchmarks: wall time and peak RSS of a command via
// GNU time, interleaved runs, medians.
import { spawnSync } from "node:child_process";

/** Runs a command once; returns wall seconds and peak RSS in MB (from /usr/bin/time). */
export function measure(command, args, options = {}) {
  const result = spawnSync("/usr/bin/time", ["-f", "__TIME__ %e %M", command, ...args], {
    encoding: "utf8",
    maxBuffer: 1024 * 1024 * 1024,
    ...options,
  });
  const line = result.stderr.split("\n").find((l) => l.startsWith("__TIME__"));
  if (!line) throw new Error(`could not measure ${command}: ${result.stderr.slice(0, 500)}`);
  const [, seconds, kb] = line.split(" ");
  return { seconds: Number(seconds), rssMb: Number(kb) / 1024, status: result.status, stdout: result.stdout };
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Alternates the contenders run by run so machine noise hits both alike. */
export function interleaved(contenders, runs) {
  const samples = Object.fromEntries(contenders.map((c) => [c.name, []]));
  for (let i = 0; i < runs; i++) {
    for (const c of contenders) samples[c.name].push(c.run());
  }
  return samples;
}

export function fmt(n, digits = 2) {
  return Number(n).toFixed(digits);
}
