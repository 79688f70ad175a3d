// The gates on GitHub, driven through a real Probot with real webhook payloads
// (@octokit/webhooks-examples) against a stateful fake GitHub (nock, no network). The fake keeps
// comments and check runs between events, so a new Probot instance (an app restart) sees exactly
// what GitHub would hand it: the state lives on GitHub, never in the app.
import { parse, validate } from "graphql";
import type { Context, Probot as ProbotType } from "probot";
import { Probot } from "probot";
import { pino } from "pino";
import { beforeEach, describe, expect, it } from "vitest";
import { offlineGitHub } from "./helpers/nock.js";
import { validateConfig } from "../src/core/config/load.js";
import { decodeMarker, encodeMarker, emptyState, addSignoff } from "../src/core/gates/state.js";
import { handleGateCommand, handleGateCommentEdited, type GatesOptions } from "../src/github/gates/handlers.js";
import { COMMENT_HISTORY_QUERY } from "../src/github/gates/api.js";
import { attachGateEvidence, gateSections } from "../src/github/gates/provider.js";
import { GateEvidence } from "../src/core/gates/evidence.js";
import { analyzeFiles } from "./helpers/engine.js";
import { testPrivateKey } from "./fixtures/github/probot.js";
import { QuietOctokit } from "./helpers/octokit.js";
import { example } from "./fixtures/github/scenario.js";
import { APP_BOT, FakeGitHub, githubSchema } from "./fixtures/github/fake-github.js";

const API = "https://api.github.com";
const OWNER = "Codertocat";
const REPO = "Hello-World";
const PR = 2;
const HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
const BEFORE = "f95f852bd8fca8fcc58a9a2d6c842781e32a215e";
const KEY = "gates-test-secret";
const APP_ID = 123;
const OPTIONS: GatesOptions = { key: KEY, appId: APP_ID };
const BOT = APP_BOT.user;
const AUTHOR = { login: "Codertocat", id: 21031067, type: "User" };
const REVIEWER = { login: "alice", id: 1001, type: "User" };
const READER = { login: "mallory", id: 1002, type: "User" };

const MIGRATIONS = {
  "db/migrations/000007_add_status.up.sql": "SET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN status text;\n",
  "db/migrations/000007_add_status.down.sql": "SET lock_timeout = '2s';\nALTER TABLE orders DROP COLUMN status;\n",
};

/** A Probot running the gates handlers the way the app routes them. */
async function gatesApp(options: GatesOptions = OPTIONS) {
  const log = pino({ level: "warn" }, { write: () => undefined });
  const probot = new Probot({ appId: APP_ID, privateKey: testPrivateKey(), log, Octokit: QuietOctokit });
  const outcomes: string[] = [];
  const report = await analyzeFiles(MIGRATIONS);
  await probot.load((app: ProbotType) => {
    app.on("issue_comment.created", async (context) => void outcomes.push(await handleGateCommand(context, options)));
    app.on("issue_comment.edited", async (context) => void outcomes.push(await handleGateCommentEdited(context, options)));
    app.on(["pull_request.synchronize", "pull_request.opened"], async (context) => {
      const raw = await context.config("migration-guard.yml");
      const config = validateConfig(raw ?? {});
      if (!config.ok) throw new Error("bad config");
      if ((context.payload as any).evidence) attachGateEvidence(context, GateEvidence.parse((context.payload as any).evidence));
      await gateSections({ context: context as unknown as Context, report, config: config.config, pullRequest: { owner: OWNER, repo: REPO, number: PR, headSha: HEAD } }, options);
      outcomes.push("reviewed");
    });
  });
  let delivery = 0;
  return {
    outcomes,
    receive: (name: string, payload: Record<string, unknown>, id?: string) => probot.receive({ id: id ?? `d-${++delivery}`, name, payload } as never),
  };
}

function commentCreated(gh: FakeGitHub, user: typeof REVIEWER, body: string) {
  const stored = gh.addComment(user, body);
  const payload = example("issue_comment", "created", (p) => Boolean(p.installation));
  payload.issue.number = PR;
  payload.issue.pull_request = { url: `${API}/repos/${OWNER}/${REPO}/pulls/${PR}` };
  payload.comment = { ...payload.comment, ...stored };
  payload.sender = { ...payload.sender, ...user };
  return payload;
}

/** What GitHub sends when `user` edits our sticky comment to `body`. */
function stickyEdited(gh: FakeGitHub, user: typeof REVIEWER, edit: (body: string) => string) {
  const sticky = gh.sticky()!;
  const from = sticky.body;
  gh.edit(sticky, edit(from), user.login);
  const payload = example("issue_comment", "edited");
  payload.installation = { id: 1 };
  payload.issue.number = PR;
  payload.issue.pull_request = { url: `${API}/repos/${OWNER}/${REPO}/pulls/${PR}` };
  payload.comment = { ...payload.comment, ...structuredClone(sticky) };
  payload.changes = { body: { from } };
  payload.sender = { ...payload.sender, ...user };
  return payload;
}

function synchronize(extra: Record<string, unknown> = {}) {
  const payload = example("pull_request", "synchronize");
  payload.number = PR;
  payload.pull_request.number = PR;
  payload.pull_request.head.sha = HEAD;
  payload.pull_request.user = { ...payload.pull_request.user, ...AUTHOR };
  payload.before = BEFORE;
  payload.after = HEAD;
  payload.installation = { id: 1 };
  return { ...payload, ...extra };
}

const tick = (box: string) => (body: string) => body.replace(new RegExp(`- \\[ \\] (.*<!-- gate:${box} -->)`), "- [x] $1");
const signoffs = (gh: FakeGitHub) => gh.state().signoffs.map((s) => `${s.gate}:${s.user}:${s.via}`);

let gh: FakeGitHub;
offlineGitHub();
beforeEach(() => {
  gh = new FakeGitHub({ pr: PR, head: HEAD, key: KEY, identity: APP_BOT });
  gh.install();
});

describe("sign-off by comment", () => {
  it("records an authorized sign-off with its note, in the comment and the gates check run", async () => {
    const app = await gatesApp();
    await app.receive("issue_comment", commentCreated(gh, REVIEWER, "/migration-guard sign-off runbook-reviewed read the rollback steps"));
    expect(app.outcomes).toEqual(["applied"]);
    expect(signoffs(gh)).toEqual(["runbook-reviewed:alice:comment"]);
    expect(gh.state().audit[0]).toMatchObject({ action: "sign-off", user: "alice", gate: "runbook-reviewed", detail: "read the rollback steps" });
    expect(gh.sticky()!.body).toContain("- [x] ✅ **Runbook peer-reviewed** · 1 of 1 sign-off: @alice");
    expect(gh.gatesRun()).toMatchObject({ name: "migration-guard/gates", head_sha: HEAD, conclusion: "action_required", external_id: "migration-guard-gates:seq=1" });
  });

  it("accepts the gate's visible title, reacts on success, and replies with did-you-mean on a typo", async () => {
    const app = await gatesApp();
    const comment = commentCreated(gh, REVIEWER, "/migration-guard sign-off Runbook peer-reviewed steps are clear");
    await app.receive("issue_comment", comment);
    expect(signoffs(gh)).toEqual(["runbook-reviewed:alice:comment"]);
    expect(gh.state().audit.at(-1)).toMatchObject({ action: "sign-off", detail: "steps are clear" });
    expect(gh.reactions).toEqual([{ comment: comment.comment.id, content: "+1" }]);
    await app.receive("issue_comment", commentCreated(gh, REVIEWER, "/migration-guard sign-off monitoring-configred"));
    const reply = gh.comments.at(-1)!;
    expect(reply.user.type).toBe("Bot");
    expect(reply.body).toBe("> /migration-guard sign-off monitoring-configred\n\n- @alice: there is no gate `monitoring-configred`; did you mean `monitoring-configured`? gates: `scripts-reviewed`, `rollback-validated`, `performance-acceptable`, `data-integrity`, `zero-data-loss`, `app-compatibility`, `monitoring-configured`, `runbook-reviewed`");
    expect(gh.reactions).toHaveLength(1);
  });

  it("refuses the PR author when self sign-off is forbidden, and says why", async () => {
    const app = await gatesApp();
    await app.receive("issue_comment", commentCreated(gh, AUTHOR, "/migration-guard sign-off monitoring-configured"));
    expect(gh.state().signoffs).toEqual([]);
    expect(gh.state().audit.at(-1)).toMatchObject({ action: "refused", user: "Codertocat", gate: "monitoring-configured" });
    expect(gh.sticky()!.body).toContain("Sign-off of `monitoring-configured` refused: @Codertocat opened this pull request, and authors may not sign off their own change.");
  });

  it("allows the author when configured, and checks team membership", async () => {
    gh.config = "gates:\n  signoff:\n    allow_author: true\n  per_gate:\n    runbook-reviewed:\n      signoff:\n        teams: [dba]\n";
    gh.teams = { "Codertocat/dba": ["bob"] };
    const app = await gatesApp();
    await app.receive("issue_comment", commentCreated(gh, AUTHOR, "/migration-guard sign-off monitoring-configured"));
    await app.receive("issue_comment", commentCreated(gh, REVIEWER, "/migration-guard sign-off runbook-reviewed"));
    await app.receive("issue_comment", commentCreated(gh, { login: "bob", id: 1003, type: "User" }, "/migration-guard sign-off runbook-reviewed"));
    expect(signoffs(gh)).toEqual(["monitoring-configured:Codertocat:comment", "runbook-reviewed:bob:comment"]);
    expect(gh.state().audit.find((a) => a.action === "refused")!.detail).toBe("@alice is not one of the allowed sign-offs (teams @dba with `write` permission)");
  });

  it("refuses automatic gates and unknown gates; a re-delivered comment changes nothing", async () => {
    const app = await gatesApp();
    const payload = commentCreated(gh, REVIEWER, "/migration-guard sign-off zero-data-loss\n/migration-guard sign-off nope");
    await app.receive("issue_comment", payload, "same-delivery");
    expect(gh.state().signoffs).toEqual([]);
    expect(gh.sticky()!.body).toContain("`zero-data-loss` is decided from evidence and cannot be signed off or revoked by hand");
    await app.receive("issue_comment", commentCreated(gh, REVIEWER, "/migration-guard sign-off runbook-reviewed"));
    await app.receive("issue_comment", commentCreated(gh, REVIEWER, "/migration-guard revoke runbook-reviewed"));
    const writes = gh.writes.length;
    await app.receive("issue_comment", payload, "same-delivery-again");
    expect(app.outcomes.at(-1)).toBe("replay");
    expect(gh.writes.length).toBe(writes);
    expect(gh.state().audit.map((a) => a.action)).toEqual(["sign-off", "revoke"]);
  });
});

describe("ticking boxes in the sticky comment", () => {
  async function withSticky() {
    const app = await gatesApp();
    await app.receive("issue_comment", commentCreated(gh, REVIEWER, "/migration-guard sign-off monitoring-configured"));
    return app;
  }

  it("reverts a tick by a user without write permission, and explains", async () => {
    const app = await withSticky();
    await app.receive("issue_comment", stickyEdited(gh, READER, tick("runbook-reviewed")));
    expect(app.outcomes.at(-1)).toBe("applied");
    expect(signoffs(gh)).toEqual(["monitoring-configured:alice:comment"]);
    expect(gh.sticky()!.body).toContain("- [ ] ⏳ **Runbook peer-reviewed**");
    expect(gh.sticky()!.body).toContain("Tick of `runbook-reviewed` reverted: @mallory has `read` permission on this repository; `write` or higher is required.");
    expect(gh.state().audit.at(-1)).toMatchObject({ action: "reverted-tick", user: "mallory", via: "checkbox" });
  });

  it("turns an authorized tick into a sign-off, and an untick into a revoke", async () => {
    const app = await withSticky();
    await app.receive("issue_comment", stickyEdited(gh, { login: "bob", id: 1003, type: "User" }, tick("runbook-reviewed")));
    expect(signoffs(gh)).toEqual(["monitoring-configured:alice:comment", "runbook-reviewed:bob:checkbox"]);
    await app.receive("issue_comment", stickyEdited(gh, { login: "bob", id: 1003, type: "User" }, (b) => b.replace(/- \[x\] (.*<!-- gate:runbook-reviewed -->)/, "- [ ] $1")));
    expect(signoffs(gh)).toEqual(["monitoring-configured:alice:comment"]);
  });

  it("shows automatic gates without a box, and rewrites a box typed into one", async () => {
    const app = await withSticky();
    expect(gh.sticky()!.body).not.toMatch(/\[[ x]\] .*<!-- gate:rollback-validated -->/);
    await app.receive("issue_comment", stickyEdited(gh, REVIEWER, (b) => b.replace(/- (⏳ \*\*Rollback scripts validated)/, "- [x] $1")));
    expect(gh.sticky()!.body).toContain("- ⏳ **Rollback scripts validated** · automatic");
    expect(gh.state().audit.at(-1)).toMatchObject({ action: "reverted-tick", gate: "rollback-validated" });
  });

  it("ignores a forged marker: in a user's comment, or edited into the sticky comment", async () => {
    const app = await withSticky();
    const forged = addSignoff(emptyState(PR, HEAD), { gate: "runbook-reviewed", user: "mallory", userId: 1002, at: "2025-01-01T00:00:00Z", via: "comment" });
    // A user's comment that looks like ours is never read as state.
    await app.receive("issue_comment", commentCreated(gh, READER, `<!-- migration-guard:gates -->\n${encodeMarker(forged)}`));
    expect(app.outcomes.at(-1)).toBe("ignored");
    await app.receive("issue_comment", commentCreated(gh, REVIEWER, "/migration-guard sign-off runbook-reviewed"));
    expect(signoffs(gh)).toEqual(["monitoring-configured:alice:comment", "runbook-reviewed:alice:comment"]);
    // A write user swaps the sticky comment's marker for an unsigned forged one: restored from the body before the edit.
    await app.receive("issue_comment", stickyEdited(gh, { login: "bob", id: 1003, type: "User" }, (b) => b.replace(/<!-- migration-guard:gates-state[^>]*-->/, encodeMarker(forged))));
    expect(signoffs(gh)).toEqual(["monitoring-configured:alice:comment", "runbook-reviewed:alice:comment"]);
    expect(decodeMarker(gh.sticky()!.body, KEY).ok).toBe(true);
  });

  it("ignores replayed and out-of-date edit events", async () => {
    const app = await withSticky();
    const edit = stickyEdited(gh, { login: "bob", id: 1003, type: "User" }, tick("runbook-reviewed"));
    await app.receive("issue_comment", edit);
    await app.receive("issue_comment", commentCreated(gh, { login: "bob", id: 1003, type: "User" }, "/migration-guard revoke runbook-reviewed"));
    const writes = gh.writes.length;
    // The same tick delivered again (or late): the comment no longer has that body.
    await app.receive("issue_comment", edit);
    expect(app.outcomes.at(-1)).toBe("stale");
    expect(gh.writes.length).toBe(writes);
    expect(signoffs(gh)).toEqual(["monitoring-configured:alice:comment"]);
    // Edits by bots (our own writes) and edits of other comments never act.
    const own = stickyEdited(gh, BOT, (b) => b);
    await app.receive("issue_comment", own);
    expect(app.outcomes.at(-1)).toBe("ignored");
  });
});

describe("pushes, evidence and restarts", () => {
  it("resets sign-offs when a push changes migration files, not otherwise, and not when disabled", async () => {
    const app = await gatesApp();
    await app.receive("issue_comment", commentCreated(gh, REVIEWER, "/migration-guard sign-off runbook-reviewed"));
    gh.compareFiles = ["README.md"];
    await app.receive("pull_request", synchronize({ after: HEAD, before: BEFORE }));
    expect(signoffs(gh)).toEqual(["runbook-reviewed:alice:comment"]);

    await app.receive("issue_comment", commentCreated(gh, REVIEWER, "/migration-guard sign-off monitoring-configured"));
    gh.compareFiles = ["db/migrations/000007_add_status.up.sql"];
    await app.receive("pull_request", synchronize({ after: "1".repeat(40), before: HEAD }));
    expect(gh.state().signoffs).toEqual([]);
    expect(gh.state().audit.at(-1)).toMatchObject({ action: "reset", user: "Codertocat", detail: "push 1111111 changed migration files; 2 sign-offs cleared" });
    // The same push delivered again does not clear sign-offs given since.
    await app.receive("issue_comment", commentCreated(gh, REVIEWER, "/migration-guard sign-off runbook-reviewed"));
    await app.receive("pull_request", synchronize({ after: "1".repeat(40), before: HEAD }));
    expect(signoffs(gh)).toEqual(["runbook-reviewed:alice:comment"]);

    gh.config = "gates:\n  reset_on_push: false\n";
    await app.receive("pull_request", synchronize({ after: "2".repeat(40), before: "1".repeat(40) }));
    expect(signoffs(gh)).toEqual(["runbook-reviewed:alice:comment"]);
  });

  it("ticks automatic gates only from evidence, and keeps it for later events on the same head", async () => {
    const app = await gatesApp();
    await app.receive("pull_request", synchronize());
    expect(gh.state().auto!.gates.find((g) => g.gate === "rollback-validated")!.status).toBe("pending");
    const evidence = { url: "https://github.com/o/r/actions/runs/9", headSha: HEAD, forward: { ok: true }, validation: { ok: true }, rollback: { ran: true, ok: true, schemaDiffEmpty: true } };
    await app.receive("pull_request", synchronize({ action: "opened", evidence }));
    const auto = Object.fromEntries(gh.state().auto!.gates.map((g) => [g.gate, g.status]));
    expect(auto).toMatchObject({ "scripts-reviewed": "passed", "rollback-validated": "passed", "data-integrity": "passed" });
    await app.receive("pull_request", synchronize({ action: "opened" }));
    expect(gh.state().auto!.gates.find((g) => g.gate === "rollback-validated")!.status).toBe("passed");
    expect(gh.sticky()!.body).toContain("([evidence](https://github.com/o/r/actions/runs/9))");
  });

  it("survives a restart: a new app instance reads the state from GitHub; an old signed marker pasted back is refused", async () => {
    const first = await gatesApp();
    await first.receive("issue_comment", commentCreated(gh, REVIEWER, "/migration-guard sign-off runbook-reviewed"));
    const oldBody = gh.sticky()!.body;
    await first.receive("issue_comment", commentCreated(gh, REVIEWER, "/migration-guard revoke runbook-reviewed"));

    const restarted = await gatesApp();
    await restarted.receive("issue_comment", commentCreated(gh, { login: "bob", id: 1003, type: "User" }, "/migration-guard sign-off monitoring-configured"));
    expect(signoffs(gh)).toEqual(["monitoring-configured:bob:comment"]);
    expect(gh.state().audit.map((a) => `${a.action}:${a.user}`)).toEqual(["sign-off:alice", "revoke:alice", "sign-off:bob"]);

    // Someone with write access pastes the older, validly signed body back without an event reaching the app…
    gh.sticky()!.body = oldBody;
    await restarted.receive("issue_comment", commentCreated(gh, { login: "carol", id: 1004, type: "User" }, "/migration-guard sign-off nothing-here"));
    // …the app's own record (the check run's sequence number) exposes it: sign-offs are cleared, not restored.
    expect(gh.state().signoffs).toEqual([]);
    expect(gh.state().audit.find((a) => a.action === "restored")!.detail).toMatch(/^the state marker is older than the app's record \(1 < 3\)/);
  });

  it("does not trust a marker signed with another key", async () => {
    const app = await gatesApp();
    await app.receive("issue_comment", commentCreated(gh, REVIEWER, "/migration-guard sign-off runbook-reviewed"));
    const other = await gatesApp({ key: "another-secret", appId: APP_ID });
    await other.receive("issue_comment", commentCreated(gh, { login: "bob", id: 1003, type: "User" }, "/migration-guard sign-off monitoring-configured"));
    expect(decodeMarker(gh.sticky()!.body, KEY).ok).toBe(false);
    expect(gh.state("another-secret").signoffs.map((s) => s.user)).toEqual(["bob"]);
    expect(gh.state("another-secret").audit[0]).toMatchObject({ action: "restored", detail: "gate state marker signature does not match: sign-offs start over" });
  });
});

describe("a broken or missing state marker is tampering", () => {
  const BOB = { login: "bob", id: 1003, type: "User" };
  const MARKER = /<!-- migration-guard:gates-state[^>]*-->/;

  async function signedOff() {
    const app = await gatesApp();
    await app.receive("issue_comment", commentCreated(gh, REVIEWER, "/migration-guard sign-off monitoring-configured"));
    await app.receive("issue_comment", commentCreated(gh, BOB, "/migration-guard sign-off runbook-reviewed"));
    expect(signoffs(gh)).toEqual(["monitoring-configured:alice:comment", "runbook-reviewed:bob:comment"]);
    return app;
  }
  const tampered = () => gh.state().audit.filter((a) => a.action === "tampered").map((a) => `${a.user}: ${a.detail}`);

  it("restores the comment in place when an edit wipes it, and names the editor", async () => {
    const app = await signedOff();
    await app.receive("issue_comment", stickyEdited(gh, BOB, () => "nothing to see here"));
    expect(app.outcomes.at(-1)).toBe("applied");
    expect(gh.comments.filter((c) => c.user.type === "Bot")).toHaveLength(1);
    expect(signoffs(gh)).toEqual(["monitoring-configured:alice:comment", "runbook-reviewed:bob:comment"]);
    expect(tampered()).toEqual(["bob: the edit broke or removed the state marker; the state before the edit was restored"]);
    expect(gh.sticky()!.body).toMatch(/\| @bob \| state marker broken \|/);
  });

  it("restores the last good state from the edit history when the edit event never arrived", async () => {
    const app = await signedOff();
    // The marker is mangled and the edited event is lost: the next event finds it broken.
    gh.edit(gh.sticky()!, gh.sticky()!.body.replace(MARKER, "<!-- migration-guard:gates-state v1 AAAA.BBBB -->"), "bob");
    await app.receive("pull_request", synchronize({ action: "opened" }));
    expect(signoffs(gh)).toEqual(["monitoring-configured:alice:comment", "runbook-reviewed:bob:comment"]);
    expect(gh.writes).toContain("read comment history");
    expect(tampered()).toEqual([expect.stringMatching(/^bob: the edit broke or removed the state marker; the state as of 2025-06-01T\d\d:\d\d:\d\dZ was restored from the comment's edit history$/)]);
    expect(gh.state().audit.some((a) => a.action === "restored")).toBe(false);
  });

  it("finds a wiped comment of its own through its edit history instead of starting a fresh one", async () => {
    const app = await signedOff();
    gh.edit(gh.sticky()!, "lol", "mallory");
    await app.receive("issue_comment", commentCreated(gh, REVIEWER, "/migration-guard sign-off runbook-reviewed"));
    expect(gh.comments.filter((c) => c.user.type === "Bot")).toHaveLength(1);
    expect(signoffs(gh)).toEqual(["monitoring-configured:alice:comment", "runbook-reviewed:bob:comment", "runbook-reviewed:alice:comment"]);
    expect(tampered()).toEqual([expect.stringMatching(/^mallory: the edit broke or removed the state marker/)]);
  });

  it("still starts over when no revision of the comment carries a marker signed with its key", async () => {
    await signedOff();
    const other = await gatesApp({ key: "another-secret", appId: APP_ID });
    await other.receive("issue_comment", commentCreated(gh, BOB, "/migration-guard sign-off monitoring-configured"));
    expect(gh.state("another-secret").signoffs.map((s) => s.user)).toEqual(["bob"]);
    expect(gh.state("another-secret").audit.some((a) => a.action === "tampered")).toBe(false);
  });
});

describe("GraphQL documents of the gates", () => {
  it("the edit-history query validates against GitHub's schema", () => {
    expect(validate(githubSchema(), parse(COMMENT_HISTORY_QUERY)).map((e) => e.message)).toEqual([]);
  });
});
