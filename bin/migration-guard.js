#!/usr/bin/env node
// Thin launcher: the CLI is compiled and bundled to dist/cli/ by `npm run build` (run
// automatically by `npm ci`).
import { main } from "../dist/cli/main.js";

// `migration-guard rules | head`: a reader that stops early is not an error.
process.stdout.on("error", (error) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(`migration-guard: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 2;
  },
);
