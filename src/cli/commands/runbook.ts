// `migration-guard runbook [paths…]`: the Phase 6 deployment runbook (Markdown) for the
// migrations of a change, with commands for the detected migration tool.
import { analyzeChange } from "../../core/analyze/engine.js";
import { EvidenceReport } from "../../core/evidence/report.js";
import type { GateEvidence } from "../../core/gates/evidence.js";
import { gateEvidenceFromReport } from "../../core/gates/from-report.js";
import { resolveThresholds } from "../../core/gates/thresholds.js";
import { loadParsers } from "../../core/parse/index.js";
import { decodedTexts } from "../../core/parse/text.js";
import { renderRunbook } from "../../core/runbook/runbook.js";
import { readInputText, UsageError } from "../../fs/files.js";
import { loadRules } from "../../../rules/index.js";
import { parseCommandArgs } from "../args.js";
import { loadCliConfig } from "../config.js";
import type { CliIo } from "../main.js";
import { readChange } from "./check.js";

const HELP = `usage: migration-guard runbook [paths…] [options]

Prints the deployment runbook (Markdown) for the migrations under the given paths (default: .):
pre-deployment checklist, deployment commands for the detected migration tool, statements that
must run outside a transaction, lock_timeout and retries, monitoring and validation SQL,
rollback triggers and steps, post-deployment validation and documentation updates.

options:
  --base <ref>          only migrations added or changed since the merge base with <ref>
  --config <file>       configuration file (default: nearest .github/migration-guard.yml)
  --evidence <file>     JSON report of \`migration-guard test\`, for measured timings
  --lock-timeout <ms>   lock_timeout to recommend (default 2000, capped by thresholds.max_lock_timeout_ms)
  -h, --help            this help
`;

export default async function runbook(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {
    base: { type: "string" },
    config: { type: "string" },
    evidence: { type: "string" },
    "lock-timeout": { type: "string" },
    help: { type: "boolean", short: "h", default: false },
  });
  if (values.help) {
    io.stdout(HELP);
    return 0;
  }
  const { config } = loadCliConfig(io.cwd, values.config);
  const lockTimeoutMs = values["lock-timeout"] === undefined ? Math.min(2000, config.thresholds.max_lock_timeout_ms) : Number(values["lock-timeout"]);
  if (!Number.isInteger(lockTimeoutMs) || lockTimeoutMs <= 0) throw new UsageError(`--lock-timeout must be a positive number of milliseconds, got \`${values["lock-timeout"]}\``);
  const evidence = values.evidence ? readEvidence(io.cwd, values.evidence) : undefined;
  const input = readChange(positionals.length ? positionals : ["."], io.cwd, values.base);
  const [rules] = await Promise.all([loadRules(), loadParsers()]);
  const report = analyzeChange(input, config, rules);
  io.stdout(renderRunbook(report, { sources: decodedTexts(input.head), thresholds: resolveThresholds(config), lockTimeoutMs, evidence }));
  return 0;
}


/** A test report lists each statement once; tens of megabytes would be a forgery or a mistake. */
const MAX_EVIDENCE_BYTES = 16_000_000;

/** Reads and validates a `migration-guard test` JSON report; a bad file is a usage error naming it. */
export function readEvidence(cwd: string, file: string): GateEvidence {
  const text = readInputText(cwd, file, "the test report", MAX_EVIDENCE_BYTES);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new UsageError(`${file}: cannot read the test report (not JSON)`);
  }
  const parsed = EvidenceReport.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 5).map((i) => `  - ${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new UsageError(`${file}: not a migration-guard test report\n${problems.join("\n")}`);
  }
  return gateEvidenceFromReport(parsed.data, { url: file });
}
