// Bundles the compiled CLI, App server and Action entry (dist/src/…) into dist/cli/, run by
// `npm run build`. Why: Node's ESM loader costs ~0.5 ms per module, and the CLI loads ~550 (zod
// alone is 231, the rules 175): bundling cut `migration-guard rules` from 0.31 s to 0.17 s of
// start-up. And the published package then needs no JavaScript dependency at run time: only the
// two that carry WebAssembly and data files (libpg-query, PGlite) stay external. Commands stay
// lazy chunks. node-sql-parser ships every database's grammar (89 MB); the two builds we load
// (MySQL, MariaDB) are copied to dist/vendor/ with its license instead, and so is @babel/parser
// (0.5 MB, read only when a TypeORM migration in TypeScript/JavaScript is analyzed).
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { rolldown } from "rolldown";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
/** Packages that stay installed dependencies: WebAssembly and data files cannot be bundled. */
const EXTERNAL = ["libpg-query", "@electric-sql/pglite", "pg-native"];
const SQL_PARSER_BUILDS = ["mysql", "mariadb"];
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

/**
 * node-sql-parser's builds are loaded by name at run time (src/core/parse/mysql.ts); in a bundle
 * they are read from `vendor`, a folder relative to the bundle's files.
 */
function vendoredSqlParser(vendor) {
  return {
    name: "vendored-sql-parser",
    transform(code, id) {
      if (!id.endsWith(join("src", "core", "parse", "mysql.js"))) return null;
      const replaced = code.replace("`node-sql-parser/build/${database}`", `\`${vendor}/node-sql-parser/\${database}.js\``);
      if (replaced === code) throw new Error("bundle: src/core/parse/mysql.js no longer loads node-sql-parser/build/${database}");
      return { code: replaced, map: null };
    },
  };
}

/**
 * @babel/parser is loaded on first use by src/core/discover/typeorm-code.ts; in a bundle it is
 * read from `vendor`, like node-sql-parser, so SQL-only runs never load it.
 */
function vendoredBabelParser(vendor) {
  return {
    name: "vendored-babel-parser",
    transform(code, id) {
      if (!id.endsWith(join("src", "core", "discover", "typeorm-code.js"))) return null;
      const replaced = code.replace('require("@babel/parser")', `require("${vendor}/babel-parser/index.js")`);
      if (replaced === code) throw new Error('bundle: src/core/discover/typeorm-code.js no longer loads require("@babel/parser")');
      return { code: replaced, map: null };
    },
  };
}

/**
 * node-postgres asks at load time whether it runs on Cloudflare Workers, by constructing a fetch
 * `Response`: on Node 20 that loads undici and web streams, ~35 ms of every `test --database-url`
 * start-up. The bundles run on Node only, so the answer is fixed.
 */
function nodeOnlyPg() {
  return {
    name: "node-only-pg",
    transform(code, id) {
      if (!id.endsWith(join("pg", "lib", "stream.js"))) return null;
      const replaced = code.replace("if (isCloudflareRuntime()) {", "if (false) {");
      if (replaced === code) throw new Error("bundle: pg/lib/stream.js no longer calls isCloudflareRuntime() in getStreamFuncs");
      return { code: replaced, map: null };
    },
  };
}

function copyBabelParser(to) {
  const from = join(root, "node_modules", "@babel", "parser");
  mkdirSync(to, { recursive: true });
  copyFileSync(join(from, "lib", "index.js"), join(to, "index.js"));
  copyFileSync(join(from, "LICENSE"), join(to, "LICENSE"));
  writeFileSync(join(to, "package.json"), `${JSON.stringify({ type: "commonjs" })}\n`);
}

function copySqlParserBuilds(to) {
  const from = join(root, "node_modules", "node-sql-parser");
  mkdirSync(to, { recursive: true });
  for (const build of SQL_PARSER_BUILDS) copyFileSync(join(from, "build", `${build}.js`), join(to, `${build}.js`));
  copyFileSync(join(from, "LICENSE"), join(to, "LICENSE"));
  // The builds are CommonJS; the package root says "type": "module".
  writeFileSync(join(to, "package.json"), `${JSON.stringify({ type: "commonjs" })}\n`);
}

const isBuiltin = (id) => id.startsWith("node:") || builtinModules.includes(id);
const isExternal = (id) => isBuiltin(id) || EXTERNAL.some((p) => id === p || id.startsWith(`${p}/`));
const onLog = (level, log, handler) => {
  // bottleneck (Probot's rate limiter) hides an optional `require("ioredis")` behind eval; harmless.
  if (log.code === "EVAL" || log.code === "SOURCEMAP_BROKEN") return;
  handler(level, log);
};

async function build(options, output) {
  const bundle = await rolldown({ platform: "node", logLevel: "warn", onLog, ...options });
  await bundle.write(output);
  await bundle.close();
}

// The package: CLI, App server and Action entries; libpg-query and PGlite stay installed dependencies.
rmSync(join(dist, "cli"), { recursive: true, force: true });
rmSync(join(dist, "vendor"), { recursive: true, force: true });
copySqlParserBuilds(join(dist, "vendor", "node-sql-parser"));
copyBabelParser(join(dist, "vendor", "babel-parser"));
await build(
  {
    // parse-worker: the thread a long history's scripts are parsed on (src/parse-pool/), found beside the chunks.
    input: { main: join(dist, "src", "cli", "main.js"), app: join(dist, "src", "app", "index.js"), "parse-worker": join(dist, "src", "parse-pool", "parse-worker.js") },
    external: isExternal,
    plugins: [staticRules(), vendoredSqlParser("../vendor"), vendoredBabelParser("../vendor"), nodeOnlyPg()],
  },
  { dir: join(dist, "cli"), format: "esm", entryFileNames: "[name].js", chunkFileNames: "[name]-[hash].js", sourcemap: true },
);

// The GitHub Action (action.yml runs action/index.js with the runner's Node): one file with every
// dependency inlined, libpg-query's WebAssembly beside it (it loads it from its own folder), no
// PGlite (the action's test mode runs against the job's database service). Committed to git by
// `npm run action:update`, and compared with this fresh build by test/package.test.ts.
const actionDir = join(dist, "action");
rmSync(actionDir, { recursive: true, force: true });
copySqlParserBuilds(join(actionDir, "vendor", "node-sql-parser"));
copyBabelParser(join(actionDir, "vendor", "babel-parser"));
copyFileSync(join(root, "node_modules", "libpg-query", "wasm", "libpg-query.wasm"), join(actionDir, "libpg-query.wasm"));
copyFileSync(join(root, "node_modules", "libpg-query", "LICENSE"), join(actionDir, "libpg-query.LICENSE"));
await build(
  {
    input: join(dist, "src", "app", "action-entry.js"),
    external: (id) => isBuiltin(id) || id === "pg-native" || id === "@electric-sql/pglite" || id.startsWith("@electric-sql/pglite/"),
    plugins: [staticRules(), vendoredSqlParser("./vendor"), vendoredBabelParser("./vendor"), nodeOnlyPg()],
  },
  {
    file: join(actionDir, "index.js"),
    format: "esm",
    codeSplitting: false,
    sourcemap: false,
    minify: true,
    // CommonJS dependencies inlined into an ES module still ask for these (libpg-query finds its .wasm by __dirname).
    banner: [
      'import { createRequire as __createRequire } from "node:module";',
      'import { fileURLToPath as __fileURLToPath } from "node:url";',
      "const __filename = __fileURLToPath(import.meta.url);",
      'const __dirname = __fileURLToPath(new URL(".", import.meta.url));',
      "const require = __createRequire(import.meta.url);",
    ].join("\n"),
  },
);
