// Shared measurement helpers for the benchmarks: wall time and peak RSS of a command via
// GNU time, interleaved runs, medians.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

/**
 * Installs an anchor tool from npm into bench/.work/anchors (not a project dependency: the
 * registry mirror here lacks some of their optional per-platform packages, which would
 * break `npm ci` for everyone). Returns the path of its bin.
 */
export function installAnchor(root, spec, bin) {
  const prefix = join(root, "bench", ".work", "anchors");
  const path = join(prefix, "node_modules", ".bin", bin);
  if (!existsSync(path)) {
    const result = spawnSync("npm", ["install", "--no-save", "--no-package-lock", "--no-audit", "--no-fund", "--prefix", prefix, spec], {
      stdio: "inherit",
    });
    if (result.status !== 0 || !existsSync(path)) throw new Error(`could not install ${spec} from npm`);
  }
  return path;
}

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

/** measure() for a run that must succeed (the parse floor): a crash must not pass for a fast run. */
export function measureOk(command, args, options = {}) {
  const sample = measure(command, args, options);
  if (sample.status !== 0) throw new Error(`${[command, ...args].join(" ")} exited with ${sample.status}`);
  return sample;
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
