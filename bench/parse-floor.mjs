// The floor under any Node tool built on libpg-query: start Node, load the WASM parser, read the
// files and parse them, nothing else (no rules, no report). check-vs-squawk runs it beside both.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { loadModule, parseSync } from "libpg-query";

await loadModule();
let statements = 0;
// Folders are walked to any depth (diesel and golang-migrate-in-folders keep one folder per migration).
const sqlFiles = (path) =>
  statSync(path).isDirectory() ? readdirSync(path).sort().flatMap((n) => sqlFiles(join(path, n))) : path.endsWith(".sql") ? [path] : [];
for (const path of process.argv.slice(2)) {
  for (const file of sqlFiles(path)) statements += parseSync(readFileSync(file, "utf8")).stmts.length;
}
process.stdout.write(`${statements}\n`);
