// Action mode (src/app/action.ts) completes the quality gates end to end: the user's sequence of
// workflow events, each one `runAction` call with its own event file and the workflow's
// GITHUB_TOKEN (no App id, no installation in the payloads), against one stateful fake GitHub
// that keeps the comments, check runs and reviews between the runs (test/fixtures/github/fake-github.ts):
//   1. pull_request opened      → review, check runs, the quality-gates comment
//   2. issue_comment created    → `/migration-guard sign-off …` recorded, gates run updated, 👍
//   3. workflow_run completed   → the test report's evidence passes the automatic gates; the
//                                 review of that head is edited, not posted again
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { zipSync } from "fflate";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { offlineGitHub } from "./helpers/nock.js";
import { runAction } from "../src/app/action.js";
import { EVIDENCE_ARTIFACT_NAME, EVIDENCE_FILE_NAME, TEST_WORKFLOW_PATH } from "../src/core/evidence/report.js";
import { decodeMarker } from "../src/core/gates/state.js";
import { ACTIONS_BOT, FakeGitHub, type FakeUser } from "./fixtures/github/fake-github.js";
import { API, example, OWNER, pullRequestPayload, REPO, scenario } from "./fixtures/github/scenario.js";

const SECRET = "action-gates-secret";
const RUN_ID = 30433642;
const ALICE: FakeUser = { login: "alice", id: 1001, type: "User" };
const MALLORY: FakeUser = { login: "mallory", id: 1002, type: "User" };

// The migrations the fixture report (test/fixtures/evidence/report.json) tested.
const change = () =>
  scenario({
    base: { "db/migrations/000028_orders.up.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint);\n" },
    changes: {
      "db/migrations/000029_customer_order_count_function.up.sql":
        "CREATE FUNCTION customer_order_count(p_customer bigint) RETURNS bigint LANGUAGE sql STABLE AS $$ SELECT count(*) FROM orders WHERE customer_id = p_customer $$;\n",
      "db/migrations/000029_customer_order_count_function.down.sql": "DROP FUNCTION customer_order_count(bigint);\n",
    },
  });

/** The gates on (the default); only the transaction rule is quieted, as in the other app tests. */
const CONFIG = "transaction: none\ndelivery: per-statement\n";
const COMMIT_MESSAGE = [
  "feat(DB-1234): count a customer's orders",
  "",
  "Migration: 000029 on orders",
  "Schema changes: create function customer_order_count",
  "Data transformations: none",
  "Performance impact: see the migration-guard review",
  "Rollback tested: Yes",
  "Deployment window: any time",
].join("\n");

let dir: string;
let gh: FakeGitHub;
let runs = 0;

offlineGitHub();
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "mg-action-gates-"));
  gh = new FakeGitHub({ scenario: change(), key: SECRET, identity: ACTIONS_BOT });
  gh.config = CONFIG;
  gh.commitMessage = COMMIT_MESSAGE;
  gh.install();
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** One workflow step: the event written to its own file, the variables the runner sets, `gates-secret` passed as action.yml does. */
async function run(event: string, payload: Record<string, unknown>): Promise<{ code: number; lines: string[] }> {
  const eventPath = join(dir, `event-${++runs}.json`);
  writeFileSync(eventPath, JSON.stringify(payload));
  const lines: string[] = [];
  const env = {
    GITHUB_TOKEN: "ghs_workflow_token",
    GITHUB_RUN_ID: String(1000 + runs),
    GITHUB_EVENT_NAME: event,
    GITHUB_EVENT_PATH: eventPath,
    GATES_STATE_SECRET: SECRET,
    LOG_LEVEL: "warn",
  };
  const code = await runAction(env, (l) => void lines.push(l));
  return { code, lines };
}

function opened(): Record<string, any> {
  const payload = pullRequestPayload(change(), "opened");
  delete payload.installation; // workflow event payloads carry none
  return payload;
}

/** What GitHub sends the workflow when `user` comments `body` on the pull request (stored first, as GitHub does). */
function commented(user: FakeUser, body: string): Record<string, any> {
  const stored = gh.addComment(user, body);
  const payload = example("issue_comment", "created", (p) => !p.installation);
  payload.issue.number = gh.pr;
  payload.issue.pull_request = { url: `${API}/repos/${OWNER}/${REPO}/pulls/${gh.pr}` };
  payload.comment = { ...payload.comment, ...structuredClone(stored), author_association: "COLLABORATOR" };
  payload.sender = { ...payload.sender, ...user };
  return payload;
}

/** What GitHub sends when `user` edits the quality-gates comment (ticks a box) with `edit`. */
function stickyEdited(user: FakeUser, edit: (body: string) => string): Record<string, any> {
  const sticky = gh.sticky()!;
  const from = sticky.body;
  gh.edit(sticky, edit(from), user.login);
  const payload = example("issue_comment", "edited");
  delete payload.installation;
  payload.issue.number = gh.pr;
  payload.issue.pull_request = { url: `${API}/repos/${OWNER}/${REPO}/pulls/${gh.pr}` };
  payload.comment = { ...payload.comment, ...structuredClone(sticky) };
  payload.changes = { body: { from } };
  payload.sender = { ...payload.sender, ...user };
  return payload;
}

const tick = (gate: string) => (body: string) => body.replace(new RegExp(`- \\[ \\] (.*<!-- gate:${gate} -->)`), "- [x] $1");

/** The test workflow's run finishing, its artifact holding the real report for the PR's head. */
function testRunCompleted(): Record<string, any> {
  const report = JSON.parse(readFileSync(new URL("./fixtures/evidence/report.json", import.meta.url), "utf8"));
  report.headSha = gh.head;
  gh.artifacts.set(RUN_ID, [{ id: 77, name: EVIDENCE_ARTIFACT_NAME, zip: Buffer.from(zipSync({ [EVIDENCE_FILE_NAME]: new TextEncoder().encode(JSON.stringify(report)) })) }]);
  const payload = example("workflow_run", "completed", (p) => p.repository.full_name === `${OWNER}/${REPO}`);
  delete payload.installation;
  const wr = payload.workflow_run;
  // The example is a queued workflow_dispatch run: made the successful pull_request run of the test workflow `init` writes.
  Object.assign(wr, { id: RUN_ID, path: TEST_WORKFLOW_PATH, event: "pull_request", status: "completed", conclusion: "success", head_sha: gh.head, head_branch: "changes" });
  wr.html_url = `https://github.com/${OWNER}/${REPO}/actions/runs/${RUN_ID}`;
  wr.pull_requests = [{ number: gh.pr, head: { sha: gh.head, ref: "changes", repo: { id: 1, name: REPO, url: `${API}/repos/${OWNER}/${REPO}` } }, base: { sha: change().baseSha, ref: "master", repo: { id: 1, name: REPO, url: `${API}/repos/${OWNER}/${REPO}` } }, id: 1, url: `${API}/repos/${OWNER}/${REPO}/pulls/${gh.pr}` }];
  return payload;
}

/** The gate lines of the quality-gates comment, by gate id: `⏳ **Title**` without the details after it. */
function gateLines(): Record<string, string> {
  const lines: Record<string, string> = {};
  for (const m of gh.sticky()!.body.matchAll(/^- (?:\[[ x]\] )?(\S+) \*\*[^*]+\*\*.*<!-- gate:([a-z0-9-]+) -->$/gm)) lines[m[2]!] = m[1]!;
  return lines;
}

const mainRuns = () => gh.runs.filter((r) => r.name === "migration-guard");
const errorsOf = (lines: string[]) => lines.filter((l) => l.startsWith("::error::") || l.startsWith("::warning::"));

describe("Action mode completes the quality gates, one workflow run per event", () => {
  it("review + gates comment, then a sign-off by comment, then the test report's evidence", async () => {
    // 1. The pull request is opened.
    const first = await run("pull_request", opened());
    expect(first.code, first.lines.join("")).toBe(0);
    expect(errorsOf(first.lines)).toEqual([]);
    expect(gh.reviews).toHaveLength(1);
    expect(gh.reviews[0]!.user.login).toBe("github-actions[bot]");
    expect(mainRuns().map((r) => r.conclusion)).toEqual(["success"]);
    const sticky = gh.sticky()!;
    expect(sticky.user.login).toBe("github-actions[bot]");
    // The state is signed with the action's `gates-secret`.
    expect(decodeMarker(sticky.body, SECRET).ok).toBe(true);
    expect(decodeMarker(sticky.body, "another-secret").ok).toBe(false);
    expect(gateLines()).toEqual({
      "scripts-reviewed": "⏳",
      "rollback-validated": "⏳",
      "performance-acceptable": "⏳",
      "data-integrity": "⏳",
      "zero-data-loss": "⏳",
      "app-compatibility": "✅", // a new function: nothing the running application uses changes
      "monitoring-configured": "⏳",
      "runbook-reviewed": "⏳",
    });
    expect(gh.gatesRun()).toMatchObject({ head_sha: gh.head, conclusion: "action_required" });
    expect(gh.reviews[0]!.body).toContain("### Quality gates: ⏳ 1 of 8 required gates passed");

    // 2. A reviewer with write access signs off both manual gates.
    const signoff = commented(ALICE, "/migration-guard sign-off runbook-reviewed read the rollback steps\n/migration-guard sign-off monitoring-configured");
    const second = await run("issue_comment", signoff);
    expect(second.code, second.lines.join("")).toBe(0);
    expect(errorsOf(second.lines)).toEqual([]);
    expect(gh.state().signoffs.map((s) => `${s.gate}:${s.user}`)).toEqual(["runbook-reviewed:alice", "monitoring-configured:alice"]);
    expect(gh.comments.filter((c) => c.user.login === "github-actions[bot]")).toEqual([gh.sticky()]);
    expect(gateLines()).toMatchObject({ "runbook-reviewed": "✅", "monitoring-configured": "✅", "rollback-validated": "⏳" });
    expect(gh.sticky()!.body).toContain("**Runbook peer-reviewed** · 1 of 1 sign-off: @alice");
    expect(gh.reactions).toEqual([{ comment: signoff.comment.id, content: "+1" }]);
    expect(gh.runs.filter((r) => r.name === "migration-guard/gates")).toHaveLength(1);
    expect(gh.gatesRun()).toMatchObject({ conclusion: "action_required", external_id: "migration-guard-gates:seq=2" });

    // …and a user with read access is refused, with a reply saying why; nothing else changes.
    const refused = commented(MALLORY, "/migration-guard sign-off runbook-reviewed");
    const third = await run("issue_comment", refused);
    expect(third.code, third.lines.join("")).toBe(0);
    const reply = gh.comments.at(-1)!;
    expect(reply.user.login).toBe("github-actions[bot]");
    expect(reply.body).toBe("> /migration-guard sign-off runbook-reviewed\n\n- Sign-off of `runbook-reviewed` refused: @mallory has `read` permission on this repository; `write` or higher is required.");
    expect(gh.reactions).toHaveLength(1);
    expect(gh.state().signoffs.map((s) => s.user)).toEqual(["alice", "alice"]);
    expect(gh.state().audit.at(-1)).toMatchObject({ action: "refused", user: "mallory", gate: "runbook-reviewed" });

    // 3. The test workflow's run completes with its report.
    const reviewBefore = gh.reviews[0]!.body;
    const fourth = await run("workflow_run", testRunCompleted());
    expect(fourth.code, fourth.lines.join("")).toBe(0);
    expect(errorsOf(fourth.lines)).toEqual([]);
    expect(gateLines()).toEqual({
      "scripts-reviewed": "✅",
      "rollback-validated": "✅",
      "performance-acceptable": "✅",
      "data-integrity": "✅",
      "zero-data-loss": "✅",
      "app-compatibility": "✅",
      "monitoring-configured": "✅",
      "runbook-reviewed": "✅",
    });
    expect(gh.sticky()!.body).toContain(`([evidence](https://github.com/${OWNER}/${REPO}/actions/runs/${RUN_ID}))`);
    expect(gh.state().signoffs.map((s) => s.gate)).toEqual(["runbook-reviewed", "monitoring-configured"]);
    expect(gh.runs.filter((r) => r.name === "migration-guard/gates")).toHaveLength(1);
    expect(gh.gatesRun()).toMatchObject({ conclusion: "success", output: { title: "All 8 required gates passed" } });
    // One review per head: its body edited, one check run updated in place.
    expect(gh.reviews).toHaveLength(1);
    expect(gh.reviews[0]!.body).not.toBe(reviewBefore);
    expect(gh.reviews[0]!.body).toContain("### Quality gates: ✅ 8 of 8 required gates passed: ready to merge");
    expect(gh.reviews[0]!.body).toContain("### Migration test: passed ✅");
    expect(gh.reviews[0]!.body).toContain(`[Workflow run](https://github.com/${OWNER}/${REPO}/actions/runs/${RUN_ID})`);
    expect(gh.writes.slice(-4)).toEqual(["graphql updateIssueComment", "graphql updateCheckRun", "graphql updateCheckRun", "update review"]);
    expect(mainRuns()).toHaveLength(1);
    expect(gh.comments.filter((c) => c.user.login === "github-actions[bot]")).toHaveLength(2); // the sticky comment and the one reply
    expect(gh.graphqlErrors).toEqual([]);
  });

  it("finds its own comment by the token's identity even with an App id left in the job's environment", async () => {
    const saved = process.env.APP_ID;
    process.env.APP_ID = "123"; // e.g. an App of the user's own, set for another step
    try {
      expect((await run("pull_request", opened())).code).toBe(0);
      const signoff = await run("issue_comment", commented(ALICE, "/migration-guard sign-off runbook-reviewed"));
      expect(signoff.code, signoff.lines.join("")).toBe(0);
    } finally {
      if (saved === undefined) delete process.env.APP_ID;
      else process.env.APP_ID = saved;
    }
    // One quality-gates comment, holding the sign-off (not a second one starting over).
    expect(gh.comments.filter((c) => c.user.login === "github-actions[bot]")).toHaveLength(1);
    expect(gh.state().signoffs.map((s) => `${s.gate}:${s.user}`)).toEqual(["runbook-reviewed:alice"]);
    expect(process.env.APP_ID).toBe(saved);
  });

  it("a tick in the quality-gates comment signs off for a writer and is reverted for a reader", async () => {
    expect((await run("pull_request", opened())).code).toBe(0);
    const reader = await run("issue_comment", stickyEdited(MALLORY, tick("runbook-reviewed")));
    expect(reader.code, reader.lines.join("")).toBe(0);
    expect(gateLines()["runbook-reviewed"]).toBe("⏳");
    expect(gh.sticky()!.body).toContain("- [ ] ⏳ **Runbook peer-reviewed**");
    expect(gh.sticky()!.body).toContain("Tick of `runbook-reviewed` reverted: @mallory has `read` permission on this repository; `write` or higher is required.");
    const writer = await run("issue_comment", stickyEdited(ALICE, tick("runbook-reviewed")));
    expect(writer.code, writer.lines.join("")).toBe(0);
    expect(gh.state().signoffs.map((s) => `${s.gate}:${s.user}:${s.via}`)).toEqual(["runbook-reviewed:alice:checkbox"]);
    expect(gateLines()["runbook-reviewed"]).toBe("✅");
    expect(gh.gatesRun()).toMatchObject({ conclusion: "action_required", external_id: "migration-guard-gates:seq=3" });
    expect(gh.comments.filter((c) => c.user.login === "github-actions[bot]")).toHaveLength(1);
  });
});
