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

/**
 * Limits checked before the YAML parser runs: its cost grows faster than linearly with the number
 * of keys (60,000 keys take tens of seconds), and a configuration file is a few hundred lines.
 */
export const MAX_CONFIG_BYTES = 256_000;
export const MAX_CONFIG_KEYS = 5_000;

export function parseConfigText(text: string): ConfigResult {
  const tooBig = sizeProblem(text, MAX_CONFIG_BYTES, MAX_CONFIG_KEYS, "configuration");
  if (tooBig) return { ok: false, problems: [tooBig] };
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

/**
 * A file over `maxBytes`, or with more than `maxKeys` mapping keys (counted as `key:` pairs and
 * JSON-style `"key":` pairs, an upper bound that needs no parsing), is refused before parsing.
 */
export function sizeProblem(text: string, maxBytes: number, maxKeys: number, what: string): ConfigProblem | undefined {
  const bytes = Buffer.byteLength(text);
  if (bytes > maxBytes) return { path: "", message: `the ${what} file is ${bytes} bytes; the limit is ${maxBytes}` };
  let keys = 0;
  for (let i = text.indexOf(":"); i >= 0; i = text.indexOf(":", i + 1)) {
    if (++keys > maxKeys) return { path: "", message: `the ${what} file has more than ${maxKeys} keys; the limit is ${maxKeys}` };
  }
  return undefined;
}

/**
 * Rule ids in `rules:` that no rule has: a typo there would otherwise silently leave the rule at
 * its default. Each problem suggests the closest known id.
 */
export function unknownRuleProblems(config: Pick<Config, "rules">, known: readonly string[]): ConfigProblem[] {
  return Object.keys(config.rules)
    .filter((id) => !known.includes(id))
    .map((id) => {
      const guess = closest(id, known);
      return { path: `rules.${id}`, message: `no rule has this id${guess ? `; did you mean \`${guess}\`?` : ""} (\`migration-guard rules\` lists them)` };
    });
}

/** The known word nearest to `word` by edit distance, if it is near enough to be a likely typo. */
export function closest(word: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const [w, c] = [word.toLowerCase(), candidate.toLowerCase()];
    // `lock-timout` for `require-lock-timeout`: a typo of the id's ending counts too.
    const d = Math.min(editDistance(w, c), c.length > w.length ? editDistance(w, c.slice(-w.length)) + 1 : Infinity);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
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
