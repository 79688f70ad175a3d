// The JSON Schema editors use to autocomplete `.github/migration-guard.yml`, derived from
// the zod schema so the two can never disagree (a test compares it with the shipped file).
import { z } from "zod";
import { ConfigSchema } from "./schema.js";

export const SCHEMA_ID = "https://migration-guard.dev/schema/migration-guard.schema.json";

export function configJsonSchema(): Record<string, unknown> {
  // "input": what users write (defaults make keys optional), not the parsed result.
  const schema = z.toJSONSchema(ConfigSchema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  return { ...schema, $id: SCHEMA_ID, title: "migration-guard configuration (.github/migration-guard.yml)" };
}
