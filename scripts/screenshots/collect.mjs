// What the App posts for a shipped example, from the App's own renderers: the review body, the
// inline comments, the quality-gates sticky comment and the two check runs. Pure: no GitHub, no
// browser. `load(module)` imports a project module by its path without extension ("src/app/plan"):
// the screenshot script loads the build (dist/), the test loads the TypeScript sources.
//
// This follows src/app/review.ts and src/github/gates/provider.ts step by step, for a pull request
// opened a moment ago: no earlier review or threads, no test evidence, no sign-offs, one commit.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

export const PR = { owner: "acme", repo: "shop", number: 42, headSha: "3f1c2ab9d0e4f5a6b7c8d9e0f1a2b3c4d5e6f708", baseRef: "main" };
const PR_URL = `https://github.com/${PR.owner}/${PR.repo}/pull/${PR.number}`;
const CHECK_RUN_URL = `https://github.com/${PR.owner}/${PR.repo}/runs/1`;
const STICKY_URL = `${PR_URL}#issuecomment-1`;
/** The PR's one commit, written the way people write them before they know the format. */
const COMMIT_MESSAGE = "Index orders by customer\n\nThe customer page lists a customer's orders.";

/** The changes shown: the base folder, the head folder (or some of its files), where they live in the repository. */
export const EXAMPLES = [
  {
    id: "create-index",
    title: "One plain CREATE INDEX (Flyway)",
    base: "examples/.base/flyway",
    head: "examples/.base/flyway",
    add: ["examples/flyway/V4__index_orders_by_customer.sql", "examples/flyway/U4__index_orders_by_customer.sql"],
    prefix: "db/migration",
    prTitle: "Index orders by customer",
  },
  {
    id: "flyway",
    title: "The Flyway example (examples/flyway)",
    base: "examples/.base/flyway",
    head: "examples/flyway",
    add: [],
    prefix: "db/migration",
    prTitle: "Orders: status in the totals view, customer index, coupon codes",
  },
];

function folder(root, dir, prefix) {
  const out = {};
  for (const name of readdirSync(join(root, dir)).sort()) {
    const path = join(root, dir, name);
    if (statSync(path).isFile()) out[`${prefix}/${name}`] = readFileSync(path, "utf8");
  }
  return out;
}

/** A unified-diff patch of the whole file, as GitHub lists it (one hunk: every line is commentable). */
function patchOf(before, after) {
  const lines = (text) => (text ? text.replace(/\n$/, "").split("\n") : []);
  const old = lines(before);
  const now = lines(after);
  return [`@@ -${old.length ? 1 : 0},${old.length} +1,${now.length} @@`, ...old.map((l) => `-${l}`), ...now.map((l) => `+${l}`)].join("\n");
}

/**
 * @param {string} root the repository
 * @param {(module: string) => Promise<any>} load
 * @param {(typeof EXAMPLES)[number]} example
 */
export async function collectExample(root, load, example) {
  const [engine, configLoad, parse, rulesIndex, plan, markdown, checkRun, hunksMod, defs, evaluate, state, render, thresholds, runbook, changesMod, commitCheck, commitGen, commitRender] =
    await Promise.all(
      [
        "src/core/analyze/engine",
        "src/core/config/load",
        "src/core/parse/index",
        "rules/index",
        "src/app/plan",
        "src/core/render/markdown",
        "src/core/render/check-run",
        "src/github/diff-hunks",
        "src/core/gates/definitions",
        "src/core/gates/evaluate",
        "src/core/gates/state",
        "src/core/gates/render",
        "src/core/gates/thresholds",
        "src/core/runbook/runbook",
        "src/core/runbook/changes",
        "src/core/commit-format/check",
        "src/core/commit-format/generate",
        "src/core/commit-format/render",
      ].map(load),
    );
  const [rules] = await Promise.all([rulesIndex.loadRules(), parse.loadParsers()]);
  const parsed = configLoad.parseConfigText(readFileSync(join(root, "examples/migration-guard.yml"), "utf8"), { ruleIds: rules.map((r) => r.id) });
  if (!parsed.ok) throw new Error(`examples/migration-guard.yml: ${JSON.stringify(parsed.problems)}`);
  const config = parsed.config;

  const base = folder(root, example.base, example.prefix);
  const head = folder(root, example.head, example.prefix);
  for (const file of example.add) head[`${example.prefix}/${file.split("/").pop()}`] = readFileSync(join(root, file), "utf8");
  const changed = Object.keys(head).filter((p) => base[p] !== head[p]);

  // As the App reads a PR: the changed migrations' text, their diff hunks, the base tree.
  const sources = new Map(changed.map((p) => [p, head[p]]));
  const hunks = new Map(changed.map((p) => [p, hunksMod.parsePatch(patchOf(base[p], head[p]))]));
  const toFiles = (files) => Object.entries(files).map(([path, content]) => ({ path, content }));
  const report = engine.analyzeChange({ head: toFiles(head), base: toFiles(base) }, config, rules);

  // The gates section provider (src/github/gates/provider.ts) for a fresh PR.
  const limits = thresholds.resolveThresholds(config);
  const changes = changesMod.describeChanges(report, sources);
  const auto = evaluate.evaluateAutoGates({ report, config: config.gates, thresholds: limits, headSha: PR.headSha, prBody: "" });
  const commit = commitCheck.checkCommitFormat([{ sha: PR.headSha, source: "commit", message: COMMIT_MESSAGE }], config.commit_format, { report, changes });
  const gateState = {
    ...state.emptyState(PR.number, PR.headSha),
    seq: 1,
    auto: { headSha: PR.headSha, gates: auto },
    commitFormat: { headSha: PR.headSha, ok: commit.ok, problems: commit.problems.length, enforced: config.commit_format.enforce },
  };
  const gates = defs.configuredGates(config.gates);
  const summary = evaluate.evaluateGates(gates, gateState, PR.headSha);
  const policies = new Map(gates.filter((g) => g.signoff).map((g) => [g.id, g.signoff]));
  const sticky = render.renderStickyComment({ state: gateState, summary, policies, owner: PR.owner });
  const gatesCheck = render.renderGatesCheck(summary);
  const suggestion = commit.ok ? undefined : commitGen.generateCommitMessage(report, config.commit_format, { changes, ticket: undefined });
  const book = runbook.renderFoldedRunbook(report, { sources, thresholds: limits, lockTimeoutMs: Math.min(2000, config.thresholds.max_lock_timeout_ms), headingLevel: 4 });
  const sections = {
    gates: render.renderGatesSection(summary, STICKY_URL),
    commitFormat: commitRender.renderCommitFormatSection(commit, suggestion),
    runbook: book,
  };

  // The review (src/app/review.ts): inline comments where the diff allows, the rest in the body.
  const inline = plan.planInlineComments(report, sources, hunks, []);
  const body = markdown.renderReviewBody(report, {
    sources,
    sections,
    maxLength: markdown.MAX_BODY_LENGTH - 400,
    checkRunUrl: CHECK_RUN_URL,
    inlineFindingFingerprints: inline.inlineFingerprints,
  });
  const output = checkRun.renderCheckRunOutput(report, { sources, sections, detailsUrl: PR_URL });
  return {
    example: { ...example, changed },
    event: plan.reviewEvent(report),
    review: body,
    inline: inline.comments.map((c) => ({ ...c, original: sources.get(c.path).split("\n").slice((c.startLine ?? c.line) - 1, c.line) })),
    sticky,
    checkRun: { name: "migration-guard", conclusion: checkRun.checkConclusion(report), ...output },
    gatesCheck: { name: "migration-guard/gates", ...gatesCheck },
  };
}

