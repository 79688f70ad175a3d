// `migration-guard rules`: the catalog, one line per rule.
import { activeRules } from "../../core/analyze/engine.js";
import { loadRules } from "../../../rules/index.js";
import { parseCommandArgs } from "../args.js";
import { loadCliConfig } from "../config.js";
import type { CliIo } from "../main.js";

export default async function rules(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, {
    config: { type: "string" },
    json: { type: "boolean", default: false },
  });
  const { config } = loadCliConfig(io.cwd, values.config);
  const all = await loadRules();
  const active = activeRules(all, config);
  if (values.json) {
    io.stdout(JSON.stringify(all.map((r) => ({ id: r.id, title: r.title, dialects: r.dialects, severity: active.get(r.id)?.severity ?? "off" })), null, 2) + "\n");
    return 0;
  }
  const width = Math.max(...all.map((r) => r.id.length));
  for (const r of all) {
    const severity = active.get(r.id)?.severity ?? "off";
    io.stdout(`${r.id.padEnd(width)}  ${severity.padEnd(7)}  ${r.dialects.join(",").padEnd(21)}  ${r.title}\n`);
  }
  return 0;
}
