// GitHub Action mode: @probot/adapter-github-actions runs the same app function for the
// workflow's event file, authenticated with GITHUB_TOKEN (what src/app/action.ts does).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "@probot/adapter-github-actions";
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import app from "../src/app/index.js";
import { mockGitHub, pullRequestPayload, scenario } from "./fixtures/github/scenario.js";

const saved = { ...process.env };
let dir: string;

beforeEach(() => {
  nock.disableNetConnect();
  dir = mkdtempSync(join(tmpdir(), "mg-action-"));
});

afterEach(() => {
  process.env = { ...saved };
  rmSync(dir, { recursive: true, force: true });
  nock.cleanAll();
  nock.enableNetConnect();
});

describe("GitHub Action mode", () => {
  it("reviews the workflow's pull request with the GITHUB_TOKEN", async () => {
    const s = scenario({
      base: { "db/migrations/0001_orders.up.sql": "CREATE TABLE orders (id bigint, customer_id bigint);\n" },
      changes: { "db/migrations/0002_index.up.sql": "SET lock_timeout = '2s';\nCREATE INDEX orders_customer_idx ON orders (customer_id);\n" },
    });
    const payload = pullRequestPayload(s, "opened");
    delete payload.installation; // workflow event payloads carry none
    const eventPath = join(dir, "event.json");
    writeFileSync(eventPath, JSON.stringify(payload));
    Object.assign(process.env, {
      GITHUB_TOKEN: "ghs_workflow_token",
      GITHUB_RUN_ID: "1234",
      GITHUB_EVENT_NAME: "pull_request",
      GITHUB_EVENT_PATH: eventPath,
    });
    const { reads, writes } = mockGitHub(s, { config: "transaction: none\n", readsChange: true, tokenAuth: true });
    const authorization: string[] = [];
    reads.on("request", (req) => authorization.push(String(req.headers.authorization)));
    await run(app as never);
    expect(reads.pendingMocks()).toEqual([]);
    expect(authorization.every((a) => a === "token ghs_workflow_token")).toBe(true);
    expect(writes.checkRuns).toHaveLength(1);
    expect(writes.reviews).toHaveLength(1);
    expect(writes.reviews[0]!.event).toBe("REQUEST_CHANGES");
    const index = writes.reviews[0]!.comments.find((c: any) => c.body.includes("finding require-concurrent-index:"));
    expect([index.path, index.line]).toEqual(["db/migrations/0002_index.up.sql", 2]);
  });
});
