// Turns raw configuration (YAML text or an already-parsed object) into a validated Config,
// or a list of problems each naming its path. Never throws, never silently defaults.
import { isMap, isSeq, LineCounter, parseDocument, type Document } from "yaml";
import type { z } from "zod";
import { closestName, editDistance } from "../did-you-mean.js";
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

/** What validation may check beyond the schema: rule ids in `rules:` must name a rule. */
export interface ConfigCheck {
  ruleIds?: readonly string[];
}

export function parseConfigText(text: string, check: ConfigCheck = {}): ConfigResult {
  const tooBig = sizeProblem(text, MAX_CONFIG_BYTES, MAX_CONFIG_KEYS, "configuration");
  if (tooBig) return { ok: false, problems: [tooBig] };
  const lines = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: true, lineCounter: lines });
  if (doc.errors.length) {
    return { ok: false, problems: doc.errors.map((e) => ({ path: "", message: `invalid YAML: ${e.message.split("\n")[0]!}`, line: e.linePos?.[0]?.line })) };
  }
  let raw: unknown;
  try {
    // toJS resolves aliases: an alias bomb throws here (yaml's maxAliasCount).
    raw = doc.toJS() ?? {};
  } catch (error) {
    return { ok: false, problems: [{ path: "", message: `invalid YAML: ${error instanceof Error ? error.message.split("\n")[0]! : String(error)}` }] };
  }
  return validateConfig(raw, check, (path) => lineOfPath(doc, lines, path));
}

/** The line of the key (or item) at `path` in the YAML document, when the document has it. */
function lineOfPath(doc: Document, lines: LineCounter, path: readonly PropertyKey[]): number | undefined {
  let node: unknown = doc.contents;
  let offset: number | undefined;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => String((p.key as { value?: unknown } | null)?.value ?? p.key) === String(segment));
      if (!pair) break;
      offset = (pair.key as { range?: [number, number, number] } | null)?.range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node)) {
      const item = node.items[Number(segment)] as { range?: [number, number, number] } | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else break;
  }
  return offset === undefined ? undefined : lines.linePos(offset).line;
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

/**
 * Every problem at once: the schema's (with the key's line, a did-you-mean for unknown keys and
 * misspelt values, the allowed values of an enum) and, with `check.ruleIds`, unknown rule ids.
 */
export function validateConfig(raw: unknown, check: ConfigCheck = {}, lineOf?: (path: readonly PropertyKey[]) => number | undefined): ConfigResult {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    return { ok: false, problems: [{ path: "", message: "the configuration must be a mapping of keys to values" }] };
  }
  // `_extends` is resolved by the GitHub config loader before we see the object.
  const { _extends: _ignored, ...rest } = raw as Record<string, unknown>;
  const result = ConfigSchema.safeParse(rest);
  const problems = result.success ? [] : describeIssues(result.error.issues, rest, lineOf);
  if (check.ruleIds) problems.push(...ruleIdProblems(rest, check.ruleIds, lineOf));
  if (!problems.length && result.success) return { ok: true, config: result.data };
  return { ok: false, problems: problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)) };
}

/** Unknown rule ids in `rules:` and in each override's `rules:`. */
function ruleIdProblems(raw: Record<string, unknown>, known: readonly string[], lineOf?: (path: readonly PropertyKey[]) => number | undefined): ConfigProblem[] {
  const isMapping = (v: unknown): v is Record<string, unknown> => Boolean(v) && typeof v === "object" && !Array.isArray(v);
  const places: (readonly PropertyKey[])[] = [["rules"]];
  if (Array.isArray(raw.overrides)) raw.overrides.forEach((_, i) => places.push(["overrides", i, "rules"]));
  return places.flatMap((place) => {
    const rules = valueAt(raw, place);
    if (!isMapping(rules)) return [];
    const prefix = place.map(String).join(".");
    return unknownRuleProblems({ rules: rules as Config["rules"] }, known).map((p) => {
      const id = p.path.slice("rules.".length);
      return { ...p, path: `${prefix}.${id}`, ...lineAt(lineOf, [...place, id]) };
    });
  });
}

function lineAt(lineOf: ((path: readonly PropertyKey[]) => number | undefined) | undefined, path: readonly PropertyKey[]): { line?: number } {
  const line = lineOf?.(path);
  return line === undefined ? {} : { line };
}

export function describeIssues(issues: z.core.$ZodIssue[], raw: unknown = undefined, lineOf?: (path: readonly PropertyKey[]) => number | undefined): ConfigProblem[] {
  return issues.flatMap((issue) => {
    const path = issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys") {
      const known = knownKeys(issue.path);
      return issue.keys.map((key) => {
        const guess = closestName(key, known);
        return { path: path ? `${path}.${key}` : key, message: `unknown key${guess ? `; did you mean \`${guess}\`?` : ""}`, ...lineAt(lineOf, [...issue.path, key]) };
      });
    }
    if (issue.code === "invalid_value" && issue.values.every((v) => typeof v === "string")) {
      const allowed = issue.values as string[];
      const given = valueAt(raw, issue.path);
      const guess = typeof given === "string" ? closestName(given, allowed) : undefined;
      const shown = given === undefined ? "this value" : `\`${String(given)}\``;
      return [{ path, message: `${shown} is not allowed; use one of ${allowed.join(", ")}${guess ? ` (did you mean \`${guess}\`?)` : ""}`, ...lineAt(lineOf, issue.path) }];
    }
    return [{ path, message: issue.message, ...lineAt(lineOf, issue.path) }];
  });
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let value = raw;
  for (const segment of path) value = value && typeof value === "object" ? (value as Record<PropertyKey, unknown>)[segment] : undefined;
  return value;
}

/** The keys the schema knows at `path` (for a did-you-mean), through defaults, optionals, records and arrays. */
function knownKeys(path: readonly PropertyKey[]): string[] {
  let schema: unknown = ConfigSchema;
  const def = (s: unknown) => (s as { _zod?: { def?: Record<string, unknown> } })._zod?.def ?? {};
  const unwrap = (s: unknown): unknown => {
    for (let d = def(s); ["default", "optional", "nullable", "prefault", "catch", "readonly"].includes(String(d.type)); d = def(s)) s = d.innerType;
    if (def(s).type === "pipe") return unwrap(def(s).in);
    return s;
  };
  for (const segment of path) {
    const d = def(unwrap(schema));
    if (d.type === "object") schema = (d.shape as Record<string, unknown>)[String(segment)];
    else if (d.type === "record") schema = d.valueType;
    else if (d.type === "array") schema = d.element;
    else return [];
  }
  const d = def(unwrap(schema));
  return d.type === "object" ? Object.keys(d.shape as Record<string, unknown>) : [];
}

export function formatConfigProblems(file: string, problems: ConfigProblem[]): string {
  const lines = problems.map((p) => `  - ${p.path || "(file)"}${p.line ? ` (line ${p.line})` : ""}: ${p.message}`);
  return `${file}: invalid configuration (${problems.length} problem${problems.length === 1 ? "" : "s"})\n${lines.join("\n")}`;
}
