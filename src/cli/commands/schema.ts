// `migration-guard schema`: prints the configuration's JSON Schema (shipped as schema/migration-guard.schema.json).
import { configJsonSchema } from "../../core/config/json-schema.js";
import type { CliIo } from "../main.js";

export default async function schema(_args: string[], io: CliIo): Promise<number> {
  io.stdout(JSON.stringify(configJsonSchema(), null, 2) + "\n");
  return 0;
}
