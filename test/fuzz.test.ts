// The fuzzer (`npm run fuzz`; a small run of it is part of `npm test`): every case must end with
// a report or a one-line refusal naming the bad option file, within a time bound, and the
// sentinel migrations beside the odd input must still be reported. See test/fuzz/cases.ts.
//   MG_FUZZ_CASES (default 45), MG_FUZZ_SEED (default 1), MG_FUZZ_SPAWN=1 (run the built CLI in a
//   child process: catches aborts and stray stdout too), MG_FUZZ_REPORT=<file> (write the tally).
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { fuzzCases, SENTINELS, type FuzzCase, type FuzzFile } from "./fuzz/cases.js";

const REPO = join(dirname(fileURLToPath(import.meta.url)), "..");
const COUNT = Number(process.env.MG_FUZZ_CASES ?? 45);
const SEED = Number(process.env.MG_FUZZ_SEED ?? 1);
const SPAWN = process.env.MG_FUZZ_SPAWN === "1";
/** A case still running after this is a hang (in-process runs can only notice afterwards). */
const HANG_MS = 60_000;

type Outcome = { kind: "ok" | "crash" | "hang" | "lost"; detail?: string; ms: number };

/** A path with lone surrogates \udc80-\udcff stands for raw bytes (file names that are not UTF-8). */
function fsPath(path: string): string | Buffer {
  if (!/[\udc80-\udcff]/.test(path)) return path;
  return Buffer.concat([...path].map((c) => (/[\udc80-\udcff]/.test(c) ? Buffer.from([c.charCodeAt(0) - 0xdc00]) : Buffer.from(c))));
}

function lay(root: string, files: FuzzFile[]): void {
  for (const f of [...SENTINELS, ...files]) {
    const target = join(root, f.path);
    mkdirSync(dirname(target), { recursive: true });
    const path = fsPath(target);
    if ("content" in f) writeFileSync(path, f.content);
    else if ("symlink" in f) symlinkSync(f.symlink, path);
    else if ("fifo" in f) execFileSync("mkfifo", [target]);
    else mkdirSync(path, { recursive: true });
  }
}

async function run(c: FuzzCase, cwd: string): Promise<{ code: number | null; stdout: string; stderr: string; signal?: string | null; thrown?: string }> {
  if (SPAWN) {
    const r = spawnSync(process.execPath, [join(REPO, "bin/migration-guard.js"), ...c.argv], { cwd, encoding: "utf8", timeout: HANG_MS, maxBuffer: 256 * 1024 * 1024 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr, signal: r.signal };
  }
  try {
    return await runCli(cwd, c.argv);
  } catch (error) {
    return { code: null, stdout: "", stderr: "", thrown: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

async function judge(c: FuzzCase): Promise<Outcome> {
  const cwd = mkdtempSync(join(tmpdir(), "mg-fuzz-"));
  try {
    lay(cwd, c.files);
    const started = performance.now();
    const r = await run(c, cwd);
    const ms = performance.now() - started;
    if (r.signal === "SIGTERM" || ms > HANG_MS) return { kind: "hang", ms };
    if (r.thrown || r.signal || r.code === null) return { kind: "crash", detail: r.thrown ?? `signal ${r.signal}`, ms };
    if (r.code === 2) {
      const first = r.stderr.split("\n")[0] ?? "";
      if (c.refusable && first.startsWith(`migration-guard ${c.argv[0]}: ${c.refusable}: `)) return { kind: "ok", ms };
      return { kind: "crash", detail: `exit 2: ${r.stderr.slice(0, 300)}`, ms };
    }
    if (r.code !== 0 && r.code !== 1) return { kind: "crash", detail: `exit ${r.code}: ${r.stderr.slice(0, 300)}`, ms };
    if (c.argv[0] === "runbook") {
      // The runbook names every migration it covers.
      const missing = SENTINELS.filter((s) => !r.stdout.includes(s.path.split("/").pop()!.replace(/\.sql$/, "")));
      return missing.length ? { kind: "lost", detail: `runbook lacks ${missing.map((s) => s.path)}`, ms } : { kind: "ok", ms };
    }
    let report: any;
    try {
      report = JSON.parse(r.stdout);
    } catch {
      return { kind: "crash", detail: `stdout is not JSON: ${r.stdout.slice(0, 200)}`, ms };
    }
    const findings = [...report.migrations.flatMap((m: any) => m.findings), ...report.otherFindings];
    const internal = findings.filter((f: any) => f.ruleId === "internal-error");
    if (internal.length) return { kind: "crash", detail: `internal-error: ${internal[0].message.slice(0, 200)}`, ms };
    const lost = SENTINELS.filter((s) => !findings.some((f: any) => f.ruleId === s.rule && f.span.file === s.path));
    if (lost.length) return { kind: "lost", detail: `sentinel findings missing: ${lost.map((s) => s.path)}`, ms };
    // The odd file itself must show up: analyzed (a migration of the report) or named by a finding.
    for (const f of c.files) {
      if (!f.path.startsWith("db/") || "dir" in f) continue;
      const shown = f.path.replace(/[\udc80-\udcff]/g, "\ufffd");
      const seen = report.migrations.some((m: any) => m.migration.up.path === shown) || findings.some((x: any) => x.span.file === shown);
      if (!seen) return { kind: "lost", detail: `${shown} is neither analyzed nor reported`, ms };
    }
    return { kind: "ok", ms };
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

describe(`fuzzing the CLI (seed ${SEED}, ${COUNT} cases${SPAWN ? ", built CLI in child processes" : ""})`, () => {
  it(
    "ends every case with a report or a one-line refusal, and loses no sentinel finding",
    async () => {
      const tally = { cases: 0, ok: 0, crash: 0, hang: 0, lost: 0 };
      const byFamily: Record<string, number> = {};
      const failures: string[] = [];
      let slowest = { ms: 0, what: "" };
      for (const c of fuzzCases(SEED, COUNT)) {
        const outcome = await judge(c);
        tally.cases++;
        tally[outcome.kind]++;
        byFamily[c.family] = (byFamily[c.family] ?? 0) + 1;
        if (outcome.ms > slowest.ms) slowest = { ms: Math.round(outcome.ms), what: `#${c.id} ${c.family}: ${c.what}` };
        if (outcome.kind !== "ok") failures.push(`#${c.id} ${c.family} (${c.what}): ${outcome.kind}${outcome.detail ? ` — ${outcome.detail}` : ""}`);
      }
      const summary = { seed: SEED, spawn: SPAWN, ...tally, byFamily, slowest };
      if (process.env.MG_FUZZ_REPORT) writeFileSync(process.env.MG_FUZZ_REPORT, `${JSON.stringify({ ...summary, failures }, null, 2)}\n`);
      console.log(JSON.stringify(summary));
      expect(failures).toEqual([]);
    },
    COUNT * HANG_MS,
  );
});
