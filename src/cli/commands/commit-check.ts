// `migration-guard commit-check`: checks commit messages against the recipe's commit format
// (and their claims against the analysis and the test report); `--suggest` prints a ready
// message filled from the analysis. Usable as a commit-msg hook with `--message-file`.
import { analyzeChange } from "../../core/analyze/engine.js";
import { checkCommitFormat, type CommitInput } from "../../core/commit-format/check.js";
import { generateCommitMessage } from "../../core/commit-format/generate.js";
import { renderCommitFormatText } from "../../core/commit-format/render.js";
import { selectMigrationFiles } from "../../core/discover/index.js";
import { loadParsers } from "../../core/parse/index.js";
import { describeChanges } from "../../core/runbook/changes.js";
import { readInputText, UsageError } from "../../fs/files.js";
import { gitText as git } from "../../git/git.js";
import { loadRules } from "../../../rules/index.js";
import { parseCommandArgs } from "../args.js";
import { loadCliConfig } from "../config.js";
import type { CliIo } from "../main.js";
import { readChange } from "./check.js";
import { decodedTexts } from "../../core/parse/text.js";
import { readEvidence } from "./runbook.js";

const HELP = `usage: migration-guard commit-check [paths…] [options]

Checks commit messages against the recipe's format:
  feat(TICKET-ID): description / Migration: / Schema changes: / Data transformations: /
  Performance impact: / Rollback tested: Yes / Deployment window:
and their claims against the analysis of the migrations under the paths (default: .).

options:
  --base <ref>           check the commits since the merge base with <ref> that touch migrations
  --message-file <file>  check this message instead (e.g. in a commit-msg hook)
  --evidence <file>      JSON report of \`migration-guard test\` (backs "Rollback tested: Yes")
  --suggest              print a commit message filled from the analysis
  --config <file>        configuration file (default: nearest .github/migration-guard.yml)
  -h, --help             this help

exit codes: 0 every message follows the format, 1 problems found, 2 usage or config error
`;

export default async function commitCheck(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {
    base: { type: "string" },
    "message-file": { type: "string" },
    evidence: { type: "string" },
    suggest: { type: "boolean", default: false },
    config: { type: "string" },
    help: { type: "boolean", short: "h", default: false },
  });
  if (values.help) {
    io.stdout(HELP);
    return 0;
  }
  if (!values.base && !values["message-file"] && !values.suggest) throw new UsageError("give --base <ref>, --message-file <file> or --suggest (see --help)");
  const { config } = loadCliConfig(io.cwd, values.config);
  const paths = positionals.length ? positionals : ["."];
  const evidence = values.evidence ? readEvidence(io.cwd, values.evidence) : undefined;
  const input = readChange(paths, io.cwd, values.base);
  const [rules] = await Promise.all([loadRules(), loadParsers()]);
  const report = analyzeChange(input, config, rules);
  const changes = describeChanges(report, decodedTexts(input.head));
  if (values.suggest) {
    io.stdout(generateCommitMessage(report, config.commit_format, { changes, evidence }));
    if (!values.base && !values["message-file"]) return 0;
    io.stdout("\n");
  }
  const messages: CommitInput[] = [];
  if (values["message-file"]) messages.push({ source: "commit", message: readMessage(io.cwd, values["message-file"]) });
  if (values.base) messages.push(...commitsTouchingMigrations(io.cwd, values.base, config));
  const result = checkCommitFormat(messages, config.commit_format, { report, changes, evidence });
  io.stdout(renderCommitFormatText(result));
  return result.ok ? 0 : 1;
}

/** A commit message file; git's own are a few kilobytes. */
const MAX_MESSAGE_BYTES = 1_000_000;

function readMessage(cwd: string, file: string): string {
  // Git's commit-msg file holds comment lines (`# …`) that are not part of the message.
  return readInputText(cwd, file, "the commit message", MAX_MESSAGE_BYTES)
    .split("\n")
    .filter((l) => !l.startsWith("#"))
    .join("\n");
}

/** Commits between the merge base with `base` and HEAD whose changed files include migrations. */
function commitsTouchingMigrations(cwd: string, base: string, config: Parameters<typeof selectMigrationFiles>[1]): CommitInput[] {
  const mergeBase = git(["merge-base", base, "HEAD"], cwd).trim();
  const shas = git(["rev-list", "--reverse", "--no-merges", `${mergeBase}..HEAD`], cwd).split("\n").filter(Boolean);
  const prefix = git(["rev-parse", "--show-prefix"], cwd).trim();
  const out: CommitInput[] = [];
  for (const sha of shas) {
    const files = git(["diff-tree", "--no-commit-id", "--name-only", "-r", "--root", sha], cwd)
      .split("\n")
      .filter((p) => p && p.startsWith(prefix))
      .map((p) => ({ path: p.slice(prefix.length) }));
    if (!selectMigrationFiles(files, config).length) continue;
    out.push({ sha, source: "commit", message: git(["log", "-1", "--format=%B", sha], cwd).trimEnd() });
  }
  return out;
}
