// `migration-guard explain <rule-id>`: a rule's documentation in the terminal.
import { renderRuleDoc } from "../../core/render/rule-doc.js";
import { UsageError } from "../../fs/files.js";
import { loadRules } from "../../../rules/index.js";
import { parseCommandArgs } from "../args.js";
import type { CliIo } from "../main.js";

export default async function explain(args: string[], io: CliIo): Promise<number> {
  const { positionals } = parseCommandArgs(args, {});
  const id = positionals[0];
  if (!id) throw new UsageError("usage: migration-guard explain <rule-id>");
  const rules = await loadRules();
  const rule = rules.find((r) => r.id === id);
  if (!rule) throw new UsageError(`unknown rule \`${id}\`; \`migration-guard rules\` lists them`);
  io.stdout(renderRuleDoc(rule));
  return 0;
}
