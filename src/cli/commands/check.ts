// `migration-guard check [paths…]`: the engine on files from disk, optionally only the
// migrations changed since a git ref (the same selection the bot makes on a pull request).
import { analyzeChange } from "../../core/analyze/engine.js";
import type { ChangeInput } from "../../core/model.js";
import { loadParsers } from "../../core/parse/index.js";
import { decodedTexts } from "../../core/parse/text.js";
import { FORMATS, render, type Format } from "../../core/render/index.js";
import { colorEnabled } from "../../core/render/human.js";
import { migrationCandidates } from "../../core/discover/index.js";
import { readLocalChange, type ChangeOptions } from "../../fs/change.js";
import { UsageError } from "../../fs/files.js";
import { loadRules } from "../../../rules/index.js";
import { parseCommandArgs } from "../args.js";
import { loadCliConfig } from "../config.js";
import type { CliIo } from "../main.js";
import { loadStatistics } from "./stats-query.js";
import { describeFixes, writeFixes } from "../write-fixes.js";

const HELP = `usage: migration-guard check [paths…] [options]

Analyzes the migrations under the given paths (default: .).

options:
  --base <ref>        only migrations added or changed since the merge base with <ref>
  --base-dir <dir>    only migrations added or changed compared with <dir>, a copy of the
                      base version of the one checked folder (<dir>/x.sql is the base of
                      <folder>/x.sql); a <dir> inside the folder is not checked itself
  --config <file>     configuration file (default: nearest .github/migration-guard.yml)
  --format <format>   ${FORMATS.join(" | ")} (default: human)
  --stats <file>      table statistics exported by \`migration-guard stats-query\` (default: stats_file)
  --no-color          plain terminal output (also NO_COLOR=1; FORCE_COLOR=1 forces color)
  --fix               apply the findings' mechanical fixes to the files, then report what remains
  -h, --help          this help

exit codes: 0 no finding at the fail level, 1 findings at or above it, 2 usage or config error
`;

export default async function check(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {
    base: { type: "string" },
    "base-dir": { type: "string" },
    config: { type: "string" },
    format: { type: "string", default: "human" },
    stats: { type: "string" },
    "no-color": { type: "boolean", default: false },
    fix: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  });
  if (values.help) {
    io.stdout(HELP);
    return 0;
  }
  const format = values.format as Format;
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(", ")}`);
  const loaded = loadCliConfig(io.cwd, values.config);
  const { config, stats } = loadStatistics(io.cwd, loaded.config, loaded.path, values.stats);
  // Read again after --fix, to report what remains in the fixed files.
  const read = () =>
    readChange(positionals.length ? positionals : ["."], io.cwd, values.base, {
      baseDir: values["base-dir"],
      select: (paths) => migrationCandidates(paths, config),
    });
  const input = read();
  const [rules] = await Promise.all([loadRules(), loadParsers()]);
  let report = analyzeChange(input, config, rules, { stats });
  let sources = decodedTexts(input.head);
  if (values.fix) {
    const fixed = writeFixes(report, sources, io.cwd);
    io.stderr(describeFixes(fixed));
    if (fixed.files.size) {
      const again = read();
      report = analyzeChange(again, config, rules, { stats });
      sources = decodedTexts(again.head);
    }
  }
  const color = format === "human" && colorEnabled(io.isTTY, io.env, values["no-color"]);
  io.stdout(render(report, format, { sources, rules, color, pretty: io.isTTY, width: io.columns ?? (Number(io.env.COLUMNS) || undefined) }));
  return report.summary.failed ? 1 : 0;
}


/** Head files from disk and, with a git ref or a base folder, the base side (see src/fs/change.ts). */
export function readChange(paths: string[], cwd: string, base?: string, options: Omit<ChangeOptions, "base"> = {}): ChangeInput {
  return readLocalChange(paths, cwd, { ...options, base });
}
