// The rule registry: every module in the folders below that default-exports a Rule.
// Adding a rule means adding one file; nothing here needs to change. (The CLI bundle replaces
// this loader with static imports of the same files: scripts/bundle.mjs.)
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Rule } from "../src/core/analyze/rule.js";
import { checkRegistry } from "./registry.js";

const FOLDERS = ["core", "postgres", "mysql"];
const here = dirname(fileURLToPath(import.meta.url));
let cached: Promise<Rule[]> | undefined;

export function loadRules(): Promise<Rule[]> {
  cached ??= importAll();
  return cached;
}

async function importAll(): Promise<Rule[]> {
  const files = FOLDERS.flatMap((folder) => {
    let names: string[] = [];
    try {
      names = readdirSync(join(here, folder));
    } catch {
      return [];
    }
    return names
      .filter((n) => /\.(ts|js)$/.test(n) && !/\.(test|d)\.(ts|js)$/.test(n) && !n.startsWith("_"))
      .sort()
      .map((n) => join(here, folder, n));
  });
  const modules = await Promise.all(files.map((f) => import(pathToFileURL(f).href)));
  return checkRegistry(
    modules.map((m) => m.default as Rule | undefined),
    files,
  );
}
