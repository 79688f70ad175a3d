// Bundles the compiled CLI (dist/src/cli/main.js) into dist/cli/, run by `npm run build`.
// Why: Node's ESM loader costs ~0.5 ms per module, and the CLI loads ~550 (zod alone is 231,
// the rules 175): bundling them cut `migration-guard rules` from 0.31 s to 0.17 s of start-up.
// Commands stay lazy chunks. Packages with WASM, native or their own lazy loading stay external.
import { readdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { rolldown } from "rolldown";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
/** Pure-JS packages worth inlining: many small modules each. */
const INLINE = ["zod", "yaml", "picomatch"];
const RULE_FOLDERS = ["core", "postgres", "mysql"];

/**
 * rules/index.ts finds the rule files with readdir at run time (adding a rule touches one file);
 * a bundle cannot follow that, so the loader is replaced by static imports of the same files.
 */
function staticRules() {
  const loader = join(dist, "rules", "index.js");
  return {
    name: "static-rules",
    load(id) {
      if (id !== loader) return null;
      const files = RULE_FOLDERS.flatMap((folder) =>
        readdirSync(join(dist, "rules", folder))
          .filter((n) => n.endsWith(".js") && !n.startsWith("_"))
          .sort()
          .map((n) => `./${folder}/${n}`),
      );
      const imports = files.map((f, i) => `import rule${i} from ${JSON.stringify(f)};`).join("\n");
      return `${imports}
import { checkRegistry } from "./registry.js";
const rules = checkRegistry([${files.map((_, i) => `rule${i}`).join(", ")}], ${JSON.stringify(files)});
export function loadRules() { return Promise.resolve(rules); }
`;
    },
  };
}

const isInlined = (id) => INLINE.some((p) => id === p || id.startsWith(`${p}/`));
const bundle = await rolldown({
  input: { main: join(dist, "src", "cli", "main.js") },
  platform: "node",
  external: (id) => !id.startsWith(".") && !id.startsWith("/") && !isInlined(id),
  plugins: [staticRules()],
  logLevel: "warn",
});
rmSync(join(dist, "cli"), { recursive: true, force: true });
await bundle.write({ dir: join(dist, "cli"), format: "esm", entryFileNames: "[name].js", chunkFileNames: "[name]-[hash].js", sourcemap: true });
await bundle.close();
