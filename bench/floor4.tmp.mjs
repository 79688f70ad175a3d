import { loadModule, parseSync } from "libpg-query";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
const l0 = performance.now(); await loadModule(); console.log("load", (performance.now() - l0).toFixed(0));
const sqlFiles = (path) => statSync(path).isDirectory() ? readdirSync(path).sort().flatMap((n) => sqlFiles(join(path, n))) : path.endsWith(".sql") ? [path] : [];
const texts = sqlFiles(process.argv[2]).map(f => readFileSync(f, "utf8"));
for (let round = 0; round < 4; round++) { const a = performance.now(); for (const t of texts) parseSync(t); console.log("round", round, (performance.now() - a).toFixed(0)); }
