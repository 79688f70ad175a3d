// `migration-guard check [paths…]`: the engine on files from disk, optionally only the
// migrations changed since a git ref (the same selection the bot makes on a pull request).
import { analyzeChange } from "../../core/analyze/engine.js";
import type { ChangeInput, SourceFile } from "../../core/model.js";
import { loadParsers } from "../../core/parse/index.js";
import { decodeSource } from "../../core/parse/text.js";
import { FORMATS, render, type Format } from "../../core/render/index.js";
import { UsageError, readFiles } from "../../fs/files.js";
import { baseFiles, blobSha } from "../../git/git.js";
import { loadRules } from "../../../rules/index.js";
import { parseCommandArgs } from "../args.js";
import { loadCliConfig } from "../config.js";
import type { CliIo } from "../main.js";

const HELP = `usage: migration-guard check [paths…] [options]

Analyzes the migrations under the given paths (default: .).

options:
  --base <ref>        only migrations added or changed since the merge base with <ref>
  --config <file>     configuration file (default: nearest .github/migration-guard.yml)
  --format <format>   ${FORMATS.join(" | ")} (default: human)
  --no-color          plain terminal output
  -h, --help          this help

exit codes: 0 no finding at the fail level, 1 findings at or above it, 2 usage or config error
`;

export default async function check(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {
    base: { type: "string" },
    config: { type: "string" },
    format: { type: "string", default: "human" },
    "no-color": { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  });
  if (values.help) {
    io.stdout(HELP);
    return 0;
  }
  const format = values.format as Format;
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(", ")}`);
  const { config } = loadCliConfig(io.cwd, values.config);
  const input = readChange(positionals.length ? positionals : ["."], io.cwd, values.base);
  const [rules] = await Promise.all([loadRules(), loadParsers()]);
  const report = analyzeChange(input, config, rules);
  const sources = new Map<string, string>();
  for (const f of input.head) {
    if (f.content === undefined) continue;
    const decoded = decodeSource(f.content);
    if (decoded.ok) sources.set(f.path, decoded.text);
  }
  const color = format === "human" && io.isTTY && !values["no-color"] && !io.env.NO_COLOR;
  io.stdout(render(report, format, { sources, rules, color }));
  return report.summary.failed ? 1 : 0;
}

export function readChange(paths: string[], cwd: string, base?: string): ChangeInput {
  const head = readFiles(paths, cwd);
  if (!base) return { head };
  const prefixes = paths.map((p) => p.replace(/^\.\/?/, "").replace(/\/$/, ""));
  const inScope = (f: SourceFile) => prefixes.some((p) => p === "" || f.path === p || f.path.startsWith(`${p}/`));
  return {
    head: head.map((f) => ({ ...f, sha: blobSha(f.content!) })),
    base: baseFiles(base, cwd).filter(inScope),
  };
}
