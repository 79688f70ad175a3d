// The bundled GitHub Action's entry (action/index.js, built by `npm run build`; see action.yml).
// `mode: review` runs the app for the workflow's event with the workflow's token; `mode: test`
// runs `migration-guard test` against the job's database service and writes the evidence report
// the review reads. Inputs arrive as INPUT_<NAME> variables, as the Actions runner sets them.
import { readFileSync, realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { main, processIo } from "../cli/main.js";
import { EVIDENCE_FILE_NAME } from "../core/evidence/report.js";
import { runAction } from "./action.js";

/** `INPUT_DATABASE-URL` for the input `database-url`: the runner upper-cases names and keeps hyphens. */
function input(env: NodeJS.ProcessEnv, name: string): string {
  return (env[`INPUT_${name.replace(/ /g, "_").toUpperCase()}`] ?? "").trim();
}

/** The `migration-guard test` command line of `mode: test`. */
export function testArguments(env: NodeJS.ProcessEnv): string[] | string {
  const databaseUrl = input(env, "database-url");
  if (!databaseUrl) return "mode: test needs the `database-url` input (the job's postgres or mariadb/mysql service; `migration-guard init` writes it)";
  const base = input(env, "base") || (env.GITHUB_BASE_REF ? `origin/${env.GITHUB_BASE_REF}` : "");
  if (!base) return "mode: test runs on pull_request events (GITHUB_BASE_REF is empty), or give the `base` input";
  const args = ["test", "--base", base, "--database-url", databaseUrl, "--output", input(env, "output") || EVIDENCE_FILE_NAME];
  // On pull_request the checkout is GitHub's merge commit; the report belongs to the PR's head.
  const headSha = pullRequestHead(env);
  if (headSha) args.push("--head-sha", headSha);
  if (env.GITHUB_STEP_SUMMARY) args.push("--markdown", env.GITHUB_STEP_SUMMARY);
  const extra = input(env, "args");
  return extra ? [...args, ...extra.split(/\s+/)] : args;
}

function pullRequestHead(env: NodeJS.ProcessEnv): string | undefined {
  if (!env.GITHUB_EVENT_PATH) return undefined;
  try {
    const sha = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, "utf8"))?.pull_request?.head?.sha;
    return typeof sha === "string" && /^[0-9a-f]{40}$/.test(sha) ? sha : undefined;
  } catch {
    return undefined;
  }
}

export async function runActionEntry(env: NodeJS.ProcessEnv): Promise<number> {
  const mode = input(env, "mode") || "review";
  if (mode === "test") {
    const args = testArguments(env);
    if (typeof args === "string") {
      process.stdout.write(`::error::migration-guard: ${args}\n`);
      return 2;
    }
    return main(args, processIo());
  }
  if (mode !== "review") {
    process.stdout.write(`::error::migration-guard: unknown mode \`${mode}\` (review or test)\n`);
    return 2;
  }
  const token = input(env, "github-token") || env.GITHUB_TOKEN;
  const logLevel = input(env, "log-level") || env.LOG_LEVEL;
  const gatesSecret = input(env, "gates-secret") || env.GATES_STATE_SECRET;
  return runAction({ ...env, GITHUB_TOKEN: token, LOG_LEVEL: logLevel, GATES_STATE_SECRET: gatesSecret } as NodeJS.ProcessEnv);
}

// Run when this module is the process's entry (the bundle `node action/index.js`), not when imported.
const entry = process.argv[1];
if (entry && import.meta.url === pathToFileURL(realpathSync(entry)).href) {
  process.exitCode = await runActionEntry(process.env);
}
