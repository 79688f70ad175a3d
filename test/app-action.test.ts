// GitHub Action mode (src/app/action.ts): the same app function, run once for the workflow's
// event file with the workflow's GITHUB_TOKEN, through our own thin Probot 14 adapter.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { offlineGitHub } from "./helpers/nock.js";
import { runAction } from "../src/app/action.js";
import { startFakeGitHub } from "../bench/app-fake-github.mjs";
import { example, mockGitHub, pullRequestPayload, scenario } from "./fixtures/github/scenario.js";

let dir: string;

offlineGitHub();
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "mg-action-"));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The variables a workflow step gets, with the event written where GITHUB_EVENT_PATH says. */
function actionEnv(payload: unknown, extra: Record<string, string> = {}): Record<string, string> {
  const eventPath = join(dir, "event.json");
  writeFileSync(eventPath, JSON.stringify(payload));
  return {
    GITHUB_TOKEN: "ghs_workflow_token",
    GITHUB_RUN_ID: "1234",
    GITHUB_EVENT_NAME: "pull_request",
    GITHUB_EVENT_PATH: eventPath,
    LOG_LEVEL: "warn",
    ...extra,
  };
}

/** The gates (sticky comment, their own check run) have their own tests; here only the review. */
const CONFIG = "transaction: none\ngates:\n  enabled: false\ncommit_format:\n  enabled: false\n";

const orders = () =>
  scenario({
    base: { "db/migrations/0001_orders.up.sql": "CREATE TABLE orders (id bigint, customer_id bigint);\n" },
    changes: { "db/migrations/0002_index.up.sql": "SET lock_timeout = '2s';\nCREATE INDEX orders_customer_idx ON orders (customer_id);\n" },
  });

describe("GitHub Action mode, in process", () => {
  it("refuses an event file missing what the app reads with one error line, before any call", async () => {
    const payload = example("pull_request", "opened") as Record<string, any>;
    delete payload.pull_request.head;
    const lines: string[] = [];
    const code = await runAction(actionEnv(payload), (l) => void lines.push(l));
    expect(code).toBe(1);
    expect(lines).toEqual(["::error::the pull_request event cannot be handled: pull_request.head: Invalid input: expected object, received undefined\n"]);
  });

  it("reviews the workflow's pull request with the GITHUB_TOKEN and exits 0", async () => {
    const s = orders();
    const payload = pullRequestPayload(s, "opened");
    delete payload.installation; // workflow event payloads carry none
    const { reads, writes } = mockGitHub(s, { config: CONFIG, readsChange: true, tokenAuth: true });
    const authorization: string[] = [];
    reads.on("request", (req) => authorization.push(String(req.headers.authorization)));
    const lines: string[] = [];
    const code = await runAction(actionEnv(payload), (l) => void lines.push(l));
    expect(code, lines.join("")).toBe(0);
    expect(reads.pendingMocks()).toEqual([]);
    expect(authorization.length).toBeGreaterThan(0);
    expect(authorization.every((a) => a === "token ghs_workflow_token")).toBe(true);
    expect(writes.checkRuns).toHaveLength(1);
    expect(writes.reviews).toHaveLength(1);
    expect(writes.reviews[0]!.event).toBe("REQUEST_CHANGES");
    const index = writes.reviews[0]!.comments.find((c: any) => c.body.includes("finding require-concurrent-index:"));
    expect([index.path, index.line]).toEqual(["db/migrations/0002_index.up.sql", 2]);
    expect(lines.filter((l) => l.startsWith("::error::"))).toEqual([]);
  });

  it("exits 1 with an ::error:: line when the review could not finish (after its failure check run)", async () => {
    const s = orders();
    const payload = pullRequestPayload(s, "opened");
    delete payload.installation;
    const { writes } = mockGitHub(s, { config: CONFIG, listFiles: false, tokenAuth: true });
    nock("https://api.github.com").get(`/repos/Codertocat/Hello-World/pulls/${s.number}/files`).query(true).reply(404, { message: "Not Found" });
    const lines: string[] = [];
    const code = await runAction(actionEnv(payload), (l) => void lines.push(l));
    expect(code).toBe(1);
    expect(writes.checkRuns.map((c) => c.conclusion)).toEqual(["failure"]);
    expect(lines.some((l) => l.startsWith("::error::") && l.includes("HTTP 404"))).toBe(true);
  });

  it("exits 1 without calling GitHub when the token or the event file is missing", async () => {
    const payload = pullRequestPayload(orders(), "opened");
    const lines: string[] = [];
    expect(await runAction({ ...actionEnv(payload), GITHUB_TOKEN: "" }, (l) => void lines.push(l))).toBe(1);
    expect(lines.join("")).toMatch(/^::error::.*GITHUB_TOKEN/);
    lines.length = 0;
    expect(await runAction({ ...actionEnv(payload), GITHUB_EVENT_PATH: join(dir, "missing.json") }, (l) => void lines.push(l))).toBe(1);
    expect(lines.join("")).toMatch(/^::error::cannot read the event file/);
  });
});

describe("GitHub Action mode, the committed bundle as the runner starts it", () => {
  const entry = join(import.meta.dirname, "..", "action", "index.js");

  it("posts the check run and the review to GITHUB_API_URL with the workflow token", async () => {
    expect(existsSync(entry), `${entry} is missing: run \`npm run action:update\``).toBe(true);
    const files = {
      "db/migrations/20240201000000_index.up.sql": "CREATE INDEX orders_created_idx ON orders (created_at);\n",
      "db/migrations/20240201000000_index.down.sql": "DROP INDEX orders_created_idx;\n",
    };
    const base = { "db/migrations/20240101000000_init.up.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, created_at timestamptz);\n" };
    const github = await startFakeGitHub({ files, base, config: "gates:\n  enabled: false\ncommit_format:\n  enabled: false\n" });
    try {
      // The real `pull_request.opened` payload as a workflow receives it: no installation.
      const payload = example("pull_request", "opened");
      delete payload.installation;
      payload.pull_request.changed_files = 2;
      github.heads.set(payload.pull_request.number, payload.pull_request.head.sha);
      // The runner passes inputs as INPUT_<NAME>, the token from the `github-token` input.
      const { GITHUB_TOKEN: token, ...env } = actionEnv(payload, { GITHUB_API_URL: `http://${github.host}/api/v3`, PATH: process.env.PATH ?? "" });
      Object.assign(env, { INPUT_MODE: "review", "INPUT_GITHUB-TOKEN": token, "INPUT_LOG-LEVEL": "info" });
      const run = await runNode(entry, env);
      expect(run.code, run.output).toBe(0);
      expect(github.errors).toEqual([]);
      const events = github.byPr.get(payload.pull_request.number) ?? [];
      // The file listing and the state query go out in parallel; the check run, then the review, after them.
      expect(events.map((e: { kind: string }) => e.kind).slice(0, 2).sort()).toEqual(["files", "state"]);
      expect(events.map((e: { kind: string }) => e.kind).slice(2)).toEqual(["check-run", "review"]);
      const checkRun = events.find((e: { kind: string }) => e.kind === "check-run");
      expect(checkRun.conclusion).toBe("failure"); // a blocking CREATE INDEX on an existing table
      expect(events.find((e: { kind: string }) => e.kind === "review").comments).toBeGreaterThan(0);
      expect([...github.byToken.keys()]).toEqual(["token ghs_workflow_token"]);
      expect(run.output).toMatch(/REQUEST_CHANGES/);
    } finally {
      await github.close();
    }
  });
});

function runNode(script: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], { env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}
