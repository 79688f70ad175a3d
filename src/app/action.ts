// GitHub Action entry: the same app function, run once for the workflow's event with the
// workflow's GITHUB_TOKEN (no App registration, no server). See action.yml and action-entry.ts.
// A thin adapter of our own instead of @probot/adapter-github-actions, which bundles Probot 13
// (a second Probot, Octokit and pino in the install) and exits 0 when the run failed.
import { readFileSync } from "node:fs";
import { pino, type DestinationStream, type Logger } from "pino";
import { Probot } from "probot";
import { z } from "zod";
import { checkWebhook } from "../github/schemas.js";
import app from "./index.js";

const LEVELS = ["trace", "debug", "info", "warn", "error", "fatal"] as const;

/** The variables GitHub Actions sets for every step (GITHUB_TOKEN is passed by action.yml). */
const ActionEnv = z.object({
  GITHUB_TOKEN: z.string().min(1, "GITHUB_TOKEN is empty: pass the workflow's token (action.yml does, from the `github-token` input)"),
  GITHUB_EVENT_NAME: z.string().min(1),
  GITHUB_EVENT_PATH: z.string().min(1),
  /** REST base URL: https://api.github.com, or https://HOST/api/v3 on GitHub Enterprise Server. */
  GITHUB_API_URL: z.url().default("https://api.github.com"),
  /** Used as the delivery id in the logs. */
  GITHUB_RUN_ID: z.string().default("action"),
  LOG_LEVEL: z.enum(LEVELS).default("info"),
  /** The `gates-secret` input (action-entry.ts): the key that signs the quality gates' state. */
  GATES_STATE_SECRET: z.string().optional(),
});

const EventPayload = z.looseObject({ action: z.string().optional() });

/**
 * Runs the app for the workflow's event and resolves to the process exit code: 1 when the
 * environment or event file is invalid, a handler threw, or the app logged an error (it logs
 * one when it could not finish a review, after leaving a failure check run).
 */
export async function runAction(env: NodeJS.ProcessEnv, write: (line: string) => void = (l) => process.stdout.write(l)): Promise<number> {
  const parsed = ActionEnv.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    write(`::error::migration-guard: the action's environment is incomplete (${problems})\n`);
    return 1;
  }
  const vars = parsed.data;
  const errors = { count: 0 };
  const log = actionsLogger(vars.LOG_LEVEL, write, errors);
  let payload: z.infer<typeof EventPayload>;
  try {
    payload = EventPayload.parse(JSON.parse(readFileSync(vars.GITHUB_EVENT_PATH, "utf8")));
  } catch (error) {
    log.error(`cannot read the event file ${vars.GITHUB_EVENT_PATH}: ${(error as Error).message}`);
    return 1;
  }
  const check = checkWebhook(vars.GITHUB_EVENT_NAME, payload);
  if (!check.ok) {
    log.error(`the ${vars.GITHUB_EVENT_NAME} event cannot be handled: ${check.problem}`);
    return 1;
  }
  if (!check.handled) {
    log.info(`migration-guard does not act on ${vars.GITHUB_EVENT_NAME} events`);
    return 0;
  }
  const probot = new Probot({ githubToken: vars.GITHUB_TOKEN, baseUrl: vars.GITHUB_API_URL.replace(/\/$/, ""), log });
  await probot.load(app);
  const restore = gatesEnvironment(vars.GATES_STATE_SECRET);
  try {
    // The event's name and payload are GitHub's; Probot routes them like a webhook delivery.
    await probot.receive({ id: vars.GITHUB_RUN_ID, name: vars.GITHUB_EVENT_NAME, payload } as Parameters<Probot["receive"]>[0]);
  } catch (error) {
    log.error({ err: error }, `the ${vars.GITHUB_EVENT_NAME} event failed: ${(error as Error).message}`);
  } finally {
    restore();
  }
  return errors.count ? 1 : 0;
}

/**
 * The gates read their settings from the process environment (src/github/gates/handlers.ts
 * `resolveOptions`), as the App's server sets them; the action's come in `env` (the
 * `gates-secret` input arrives there, not in process.env). Without this the state was written
 * unsigned whatever the input said. APP_ID is cleared: the workflow token is no App's, and an
 * App id left in the job's environment would make the app look for its comments under that App
 * and start a new quality-gates comment on every run. Restored afterwards (tests run in process).
 */
function gatesEnvironment(secret: string | undefined): () => void {
  const saved = { GATES_STATE_SECRET: process.env.GATES_STATE_SECRET, APP_ID: process.env.APP_ID };
  const set = (name: keyof typeof saved, value: string | undefined) => {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  };
  set("GATES_STATE_SECRET", secret || undefined);
  set("APP_ID", undefined);
  return () => {
    set("GATES_STATE_SECRET", saved.GATES_STATE_SECRET);
    set("APP_ID", saved.APP_ID);
  };
}

/**
 * pino writing what a workflow log shows well: errors and warnings as `::error::` /
 * `::warning::` commands (annotations on the run), the rest as plain lines. Counts errors.
 */
function actionsLogger(level: (typeof LEVELS)[number], write: (line: string) => void, errors: { count: number }): Logger {
  const destination: DestinationStream = {
    write(line: string) {
      const entry = JSON.parse(line) as { level: number; msg?: string; err?: { message?: string } };
      const text = [entry.msg, entry.err?.message && !entry.msg?.includes(entry.err.message) ? entry.err.message : undefined].filter(Boolean).join(": ");
      if (entry.level >= 50) {
        errors.count++;
        write(`::error::${escapeCommand(text)}\n`);
      } else if (entry.level >= 40) write(`::warning::${escapeCommand(text)}\n`);
      else write(`${text}\n`);
    },
  };
  return pino({ level, name: "migration-guard" }, destination);
}

/** Workflow command data: `%`, CR and LF are escaped so a message stays one annotation. */
function escapeCommand(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}
