// Turns raw configuration (YAML text or an already-parsed object) into a validated Config,
// or a list of problems each naming its path. Never throws, never silently defaults.
import { parse as parseYaml, YAMLParseError } from "yaml";
import type { z } from "zod";
import { ConfigSchema, type Config } from "./schema.js";

export interface ConfigProblem {
  /** Dotted path inside the file (`rules.foo`, `tables.orders.rows`), or "" for the whole file. */
  path: string;
  message: string;
  line?: number;
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: ConfigProblem[] };

export const DEFAULT_CONFIG: Config = ConfigSchema.parse({});

export function parseConfigText(text: string): ConfigResult {
  let raw: unknown;
  try {
    raw = parseYaml(text, { prettyErrors: true }) ?? {};
  } catch (error) {
    const line = error instanceof YAMLParseError ? error.linePos?.[0]?.line : undefined;
    const message = error instanceof Error ? error.message.split("\n")[0]! : String(error);
    return { ok: false, problems: [{ path: "", message: `invalid YAML: ${message}`, line }] };
  }
  return validateConfig(raw);
}

export function validateConfig(raw: unknown): ConfigResult {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    return { ok: false, problems: [{ path: "", message: "the configuration must be a mapping of keys to values" }] };
  }
  // `_extends` is resolved by the GitHub config loader before we see the object.
  const { _extends: _ignored, ...rest } = raw as Record<string, unknown>;
  const result = ConfigSchema.safeParse(rest);
  if (result.success) return { ok: true, config: result.data };
  return { ok: false, problems: describeIssues(result.error.issues) };
}

export function describeIssues(issues: z.core.$ZodIssue[]): ConfigProblem[] {
  return issues.flatMap((issue) => {
    const path = issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({ path: path ? `${path}.${key}` : key, message: "unknown key" }));
    }
    return [{ path, message: issue.message }];
  });
}

export function formatConfigProblems(file: string, problems: ConfigProblem[]): string {
  const lines = problems.map((p) => `  - ${p.path || "(file)"}${p.line ? ` (line ${p.line})` : ""}: ${p.message}`);
  return `${file}: invalid configuration (${problems.length} problem${problems.length === 1 ? "" : "s"})\n${lines.join("\n")}`;
}
