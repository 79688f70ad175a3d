// `migration-guard schema`: prints the configuration's JSON Schema (shipped as schema/migration-guard.schema.json).
import { configJsonSchema } from "../../core/config/json-schema.js";
import { loadRules } from "../../../rules/index.js";
import type { CliIo } from "../main.js";

export default async function schema(_args: string[], io: CliIo): Promise<number> {
  const rules = await loadRules();
  io.stdout(JSON.stringify(configJsonSchema(rules.map((r) => r.id)), null, 2) + "\n");
  return 0;
}
