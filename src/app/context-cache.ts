// The App's memory of merged migrations across deliveries: their text by blob SHA and their
// parse, so a delivery costs what its changed files cost, however long the history is.
// Bounded: MIGRATION_GUARD_CONTEXT_CACHE_MB (default 64) for the text, four times that for parses.
import type { ParseCache, StateCache } from "../core/analyze/engine.js";
import type { AnalysisState } from "../core/analyze/state.js";
import { SizedLru } from "../core/cache/lru.js";
import type { ParsedScript } from "../core/parse/index.js";
import type { BlobCache } from "../github/change.js";
import type { SourceFile } from "../core/model.js";

export interface BaseTree {
  files: SourceFile[];
  truncated: boolean;
}

/** Measured (300 generated migrations, heap after GC): a parse holds about 24 bytes per character of its text. */
const PARSE_BYTES_PER_CHAR = 24;

export interface ContextCaches {
  blobs: BlobCache & { readonly size: number; readonly count: number };
  parses: ParseCache & { readonly size: number; readonly count: number };
  /** Base trees by repository and commit SHA (a commit's tree never changes). */
  trees: { get(key: string): BaseTree | undefined; set(key: string, tree: BaseTree): void; readonly count: number };
  /** Replayed merged histories, by base: a handful of branches are reviewed at a time. */
  states: StateCache & { readonly count: number };
}

/** Replayed histories kept: one per base branch state being reviewed (each holds the schema's column and index knowledge). */
const STATES_KEPT = 8;

export function createContextCaches(env: NodeJS.ProcessEnv = process.env): ContextCaches {
  const configured = Number(env.MIGRATION_GUARD_CONTEXT_CACHE_MB ?? 64);
  const megabytes = Number.isFinite(configured) && configured >= 0 ? configured : 64;
  const textBytes = megabytes * 1e6;
  return {
    blobs: new SizedLru<string>(textBytes, (text) => text.length * 2),
    parses: new SizedLru<ParsedScript>(textBytes * 4, (script) => scriptChars(script) * PARSE_BYTES_PER_CHAR),
    trees: new SizedLru<BaseTree>(textBytes, (tree) => tree.files.reduce((n, f) => n + f.path.length * 2 + 120, 0)),
    states: new SizedLru<AnalysisState>(megabytes > 0 ? STATES_KEPT : 0, () => 1),
  };
}

function scriptChars(script: ParsedScript): number {
  return script.text.length + 64;
}
