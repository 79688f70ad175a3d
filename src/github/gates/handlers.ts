// The quality gates on GitHub. Every event re-reads the state from the bot's sticky comment
// (signed, versioned marker), applies what the event may change, and writes the comment and the
// `migration-guard/gates` check run back. Nothing is kept in memory between events.
//
//   issue_comment.created  `/migration-guard sign-off <gate> [note]`, `/migration-guard revoke <gate>`
//   issue_comment.edited   ticks in the sticky comment: authorized → sign-off, otherwise reverted
//   review path            automatic gates from the analysis + evidence, reset on migration-changing
//                          pushes, commit format, runbook (sections of the review)
import type { Context } from "probot";
import type { Config } from "../../core/config/schema.js";
import { decideAuthority, type AuthorityDecision } from "../../core/gates/authority.js";
import { parseGateCommands, resolveGate } from "../../core/gates/commands.js";
import type { SignoffPolicy } from "../../core/gates/config.js";
import { configuredGates, type ConfiguredGate } from "../../core/gates/definitions.js";
import { evaluateGates, type GatesSummary } from "../../core/gates/evaluate.js";
import { parseCheckboxes, renderGatesCheck, renderStickyComment } from "../../core/gates/render.js";
import {
  addAudit,
  addSignoff,
  decodeMarker,
  emptyState,
  hasSignedOff,
  markProcessed,
  removeSignoff,
  wasProcessed,
  type GateState,
} from "../../core/gates/state.js";
import { CONFIG_PATH, loadRepoConfig } from "../config.js";
import type { GitHub } from "../octokit.js";
import {
  commentHistory,
  findStickyComment,
  isDefaced,
  isOwnComment,
  isStickyBody,
  publishGatesCheck,
  readGatesCheck,
  repoPermission,
  teamsOf,
  writeStickyComment,
  type GatesCheck,
  type GatesCheckRecord,
  type GatesPrefetch,
  type IssueComment,
  type RepoRef,
} from "./api.js";

export interface GatesOptions {
  /** HMAC key for the state marker. Default: GATES_STATE_SECRET, else WEBHOOK_SECRET. */
  key?: string;
  /** Only this app's comments hold state. Default: APP_ID when set. */
  appId?: number;
}

export interface ResolvedGatesOptions {
  key?: string;
  appId?: number;
}

export function resolveOptions(options: GatesOptions = {}): ResolvedGatesOptions {
  const appId = options.appId ?? (process.env.APP_ID ? Number(process.env.APP_ID) : undefined);
  return { key: options.key ?? (process.env.GATES_STATE_SECRET || process.env.WEBHOOK_SECRET || undefined), appId: Number.isFinite(appId) ? appId : undefined };
}

export interface PullInfo {
  number: number;
  author: string;
  headSha: string;
  title: string;
  body: string;
  open: boolean;
  htmlUrl?: string;
}

export async function readPull(octokit: GitHub, repo: RepoRef, number: number): Promise<PullInfo> {
  const { data } = await octokit.rest.pulls.get({ ...repo, pull_number: number });
  return { number, author: data.user.login, headSha: data.head.sha, title: data.title, body: data.body ?? "", open: data.state === "open", htmlUrl: data.html_url };
}

/** The state as the app last wrote it, with the check-run record that guards against replays. */
export interface LoadedState {
  sticky?: IssueComment;
  state: GateState;
  check: GatesCheckRecord;
}

/**
 * Reads the state from a body the app wrote. A marker that fails validation, or whose sequence
 * number is older than the one the app recorded in its check run (an old signed marker pasted
 * back), is not trusted: sign-offs start over and the audit trail says why. Fail safe.
 */
function trustedState(body: string | undefined, pr: PullInfo, check: GatesCheckRecord, key: string | undefined, now: string): GateState {
  const empty = () => emptyState(pr.number, pr.headSha);
  if (!body) return empty();
  const restored = (from: GateState, detail: string) => addAudit(from, { at: now, action: "restored", user: "migration-guard", detail });
  const decoded = decodeMarker(body, key);
  if (!decoded.ok) return restored(empty(), `${decoded.message}: sign-offs start over`);
  const state = decoded.state;
  if (state.pr !== pr.number) return restored(empty(), `the state marker belongs to #${state.pr}: sign-offs start over`);
  if (check.seq !== undefined && state.seq < check.seq) {
    return restored({ ...state, seq: check.seq, signoffs: [] }, `the state marker is older than the app's record (${state.seq} < ${check.seq}): sign-offs cleared`);
  }
  return state;
}

/** The state in `body` when its marker is intact (signed with our key) and belongs to this PR. */
function intactState(body: string, pr: PullInfo, key: string | undefined): GateState | undefined {
  const decoded = decodeMarker(body, key);
  return decoded.ok && decoded.state.pr === pr.number ? decoded.state : undefined;
}

/** The trail's entry for an edit that broke or removed the state marker, naming who made it. */
function noteTampering(state: GateState, by: string, now: string, restored: string): GateState {
  return addAudit(state, { at: now, action: "tampered", user: by, detail: `the edit broke or removed the state marker; ${restored}` });
}

/**
 * The last state the app wrote, from the comment's edit history, when someone broke or removed the
 * marker: the newest revision whose marker is intact, and who edited the comment after it.
 */
async function stateFromHistory(octokit: GitHub, sticky: IssueComment, pr: PullInfo, key: string | undefined): Promise<{ body: string; by: string; at: string } | undefined> {
  const history = await commentHistory(octokit, sticky.node_id);
  const good = history.findLastIndex((edit) => intactState(edit.body, pr, key) !== undefined);
  if (good < 0) return undefined;
  const editors = [...new Set(history.slice(good + 1).map((edit) => edit.editor ?? "ghost"))];
  return { body: history[good]!.body, by: editors.join(", ") || "unknown", at: history[good]!.editedAt };
}

/** Reads the sticky comment and the gates run, unless the review's state query already did. */
export async function loadState(
  octokit: GitHub,
  repo: RepoRef,
  pr: PullInfo,
  options: ResolvedGatesOptions,
  now: string,
  prefetch?: GatesPrefetch,
): Promise<LoadedState> {
  const wasOurs = (body: string) => isStickyBody(body) && intactState(body, pr, options.key) !== undefined;
  const [sticky, check] = await Promise.all([
    prefetch?.sticky ? prefetch.sticky.comment : findStickyComment(octokit, repo, pr.number, options.appId, wasOurs),
    prefetch ? prefetch.check : readGatesCheck(octokit, repo, pr.headSha),
  ]);
  const body = sticky?.body ?? undefined;
  // A broken or missing marker is tampering, not a reason to start over: restore the last good state.
  if (sticky && !intactState(body ?? "", pr, options.key)) {
    const restored = await stateFromHistory(octokit, sticky, pr, options.key);
    if (restored) return { sticky, check, state: noteTampering(trustedState(restored.body, pr, check, options.key, now), restored.by, now, `the state as of ${restored.at} was restored from the comment's edit history`) };
  }
  return { sticky, check, state: trustedState(body, pr, check, options.key, now) };
}

/** What the gates write for a state: the sticky comment's body and the gates check run. */
export interface GatesWrite {
  summary: GatesSummary;
  body: string;
  check: GatesCheck;
  /** The sequence number both carry (the check run's external_id guards against replays). */
  seq: number;
}

export function prepareGates(
  repo: RepoRef,
  pr: PullInfo,
  config: Config,
  loaded: LoadedState,
  state: GateState,
  options: ResolvedGatesOptions,
  notices: string[] = [],
): GatesWrite {
  const gates = configuredGates(config.gates);
  const next: GateState = { ...state, headSha: pr.headSha, seq: Math.max(state.seq, loaded.check.seq ?? 0) + 1 };
  const summary = evaluateGates(gates, next, pr.headSha);
  const policies = new Map(gates.filter((g) => g.signoff).map((g) => [g.id, g.signoff!]));
  const body = renderStickyComment({ state: next, summary, policies, key: options.key, owner: repo.owner, notices });
  return { summary, body, check: renderGatesCheck(summary), seq: next.seq };
}

/** Writes the sticky comment, then the gates check run (linking to it), from the state. */
export async function publishGates(
  octokit: GitHub,
  repo: RepoRef,
  pr: PullInfo,
  config: Config,
  loaded: LoadedState,
  state: GateState,
  options: ResolvedGatesOptions,
  notices: string[] = [],
): Promise<{ summary: GatesSummary; comment: IssueComment }> {
  const write = prepareGates(repo, pr, config, loaded, state, options, notices);
  const comment = await writeStickyComment(octokit, repo, pr.number, loaded.sticky, write.body);
  await publishGatesCheck(octokit, repo, pr.headSha, { ...write.check, detailsUrl: comment.html_url }, loaded.check, write.seq);
  return { summary: write.summary, comment };
}

async function authorize(octokit: GitHub, repo: RepoRef, policy: SignoffPolicy, login: string, pr: PullInfo): Promise<AuthorityDecision> {
  const isAuthor = login.toLowerCase() === pr.author.toLowerCase();
  // Refusals that need no API call come first.
  const cheap = decideAuthority(policy, { login, permission: "admin", memberOf: policy.teams, isAuthor });
  if (!cheap.allowed) return cheap;
  const permission = await repoPermission(octokit, repo, login);
  const listed = policy.users.some((u) => u.toLowerCase() === login.toLowerCase());
  const memberOf = !listed && policy.teams.length ? await teamsOf(octokit, repo.owner, login, policy) : [];
  return decideAuthority(policy, { login, permission, memberOf, isAuthor });
}

export type GateEventOutcome = "ignored" | "disabled" | "replay" | "stale" | "closed" | "applied";

function gateById(config: Config, id: string): ConfiguredGate | undefined {
  return configuredGates(config.gates).find((g) => g.id === id);
}

// ── `/migration-guard sign-off|revoke` ───────────────────────────────────────────────────────

export async function handleGateCommand(context: Context<"issue_comment.created">, options: GatesOptions = {}): Promise<GateEventOutcome> {
  const { issue, comment, sender } = context.payload;
  if (!issue.pull_request || sender.type === "Bot") return "ignored";
  const commands = parseGateCommands(comment.body ?? "");
  if (!commands.length) return "ignored";
  const repo = context.repo();
  const octokit = context.octokit;
  const resolved = resolveOptions(options);
  const loadedConfig = await loadRepoConfig(context);
  if (!loadedConfig.ok || !loadedConfig.config.gates.enabled) {
    context.log.info(`#${issue.number}: gate command ignored (${loadedConfig.ok ? "gates are disabled" : "the configuration is invalid"})`);
    const why = loadedConfig.ok
      ? ["the quality gates are turned off (`gates.enabled: false`), so there is nothing to sign off"]
      : [`\`${CONFIG_PATH}\` is not valid, so sign-offs cannot be recorded until it is fixed:`, ...loadedConfig.problems.slice(0, 10).map((p) => `  - \`${p.path || "(file)"}\`${p.line ? ` (line ${p.line})` : ""}: ${p.message}`)];
    await answerComment(context, comment.id, false, why);
    return "disabled";
  }
  const config = loadedConfig.config;
  const pr = await readPull(octokit, repo, issue.number);
  if (!pr.open) return "closed";
  const at = comment.created_at;
  const loaded = await loadState(octokit, repo, pr, resolved, at);
  const eventKey = `comment:${comment.id}`;
  if (wasProcessed(loaded.state, eventKey)) {
    context.log.info(`#${issue.number}: comment ${comment.id} was already applied (re-delivery), nothing to do`);
    return "replay";
  }
  let state = loaded.state;
  const notices: string[] = [];
  const login = sender.login;
  let signedOff = 0;
  for (const command of commands) {
    if (command.kind === "invalid") {
      notices.push(`@${login}: ${command.problem}`);
      continue;
    }
    const resolvedGate = resolveGate(command.target, configuredGates(config.gates));
    if (!resolvedGate.ok) {
      notices.push(`@${login}: ${resolvedGate.problem}`);
      continue;
    }
    const gate = resolvedGate.gate;
    if (gate.kind === "automatic") {
      notices.push(`@${login}: \`${gate.id}\` is decided from evidence and cannot be signed off or revoked by hand`);
      continue;
    }
    if (command.kind === "revoke") {
      if (!hasSignedOff(state, gate.id, sender.id)) notices.push(`@${login}: you have no sign-off on \`${gate.id}\` to revoke`);
      else state = removeSignoff(state, { gate: gate.id, userId: sender.id, by: login, at, via: "comment" });
      continue;
    }
    const decision = await authorize(octokit, repo, gate.signoff!, login, pr);
    if (!decision.allowed) {
      notices.push(`Sign-off of \`${gate.id}\` refused: ${decision.reason}.`);
      state = addAudit(state, { at, action: "refused", user: login, gate: gate.id, via: "comment", detail: decision.reason });
      continue;
    }
    state = addSignoff(state, { gate: gate.id, user: login, userId: sender.id, at, via: "comment", note: resolvedGate.note });
    signedOff++;
  }
  state = markProcessed(state, eventKey);
  await publishGates(octokit, repo, pr, config, loaded, state, resolved, notices);
  await answerComment(context, comment.id, signedOff > 0 && !notices.length, notices);
  context.log.info(`#${issue.number}: ${commands.length} gate command(s) from @${login} applied${notices.length ? ` (${notices.length} refused or invalid)` : ""}`);
  return "applied";
}

/**
 * Answers on the person's own comment: a 👍 reaction when everything was applied, a reply
 * saying why otherwise. The checklist is updated either way; a failed answer is only logged.
 */
async function answerComment(context: Context<"issue_comment.created">, commentId: number, applied: boolean, notices: string[]): Promise<void> {
  const repo = context.repo();
  try {
    if (applied) await context.octokit.rest.reactions.createForIssueComment({ ...repo, comment_id: commentId, content: "+1" });
    else if (notices.length) {
      const quoted = (context.payload.comment.body ?? "").split(/\r?\n/).find((l) => l.trim().toLowerCase().startsWith("/migration-guard")) ?? "";
      const body = [`> ${quoted.trim().slice(0, 200)}`, "", ...notices.map((n) => `- ${n}`)].join("\n");
      await context.octokit.rest.issues.createComment({ ...repo, issue_number: context.payload.issue.number, body });
    }
  } catch (error) {
    context.log.warn(`gates: could not answer comment ${commentId}: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
  }
}

// ── ticks in the sticky comment ──────────────────────────────────────────────────────────────

export async function handleGateCommentEdited(context: Context<"issue_comment.edited">, options: GatesOptions = {}): Promise<GateEventOutcome> {
  const { issue, comment, sender, changes } = context.payload;
  const resolved = resolveOptions(options);
  // Our own writes come back as edits too; other comments' edits never act (an edited command
  // is not executed again).
  // Ours also when the edit removed the header or marker: the body before it was our comment.
  const before = changes.body?.from;
  const ours = isOwnComment(comment as IssueComment, resolved.appId) || (isDefaced(comment as IssueComment, resolved.appId) && isStickyBody(before ?? ""));
  if (!issue.pull_request || sender.type === "Bot" || !ours) return "ignored";
  const repo = context.repo();
  const octokit = context.octokit;
  const loadedConfig = await loadRepoConfig(context);
  if (!loadedConfig.ok || !loadedConfig.config.gates.enabled) return "disabled";
  const config = loadedConfig.config;
  // The payload is only a notification: what counts is the comment as it is now. A replayed or
  // out-of-order event whose body is no longer the comment's body changes nothing.
  const { data: current } = await octokit.rest.issues.getComment({ ...repo, comment_id: comment.id });
  if ((current.body ?? "") !== (comment.body ?? "")) return "stale";
  const pr = await readPull(octokit, repo, issue.number);
  if (!pr.open) return "closed";
  const at = comment.updated_at;
  const check = await readGatesCheck(octokit, repo, pr.headSha);
  // The body before this edit is the one the app wrote: its marker is the truth, not whatever
  // the editor left in the new body.
  let state = trustedState(before ?? current.body ?? undefined, pr, check, resolved.key, at);
  const eventKey = `edit:${comment.id}:${comment.updated_at}`;
  if (wasProcessed(state, eventKey)) return "replay";
  if (before !== undefined && intactState(before, pr, resolved.key) && !intactState(current.body ?? "", pr, resolved.key)) {
    state = noteTampering(state, sender.login, at, "the state before the edit was restored");
    context.log.warn(`#${issue.number}: @${sender.login} broke the quality-gates comment's state marker; the state before the edit is restored`);
  }
  const loaded: LoadedState = { sticky: current as IssueComment, state, check };

  const gates = configuredGates(config.gates);
  const shown = evaluateGates(gates, state, pr.headSha);
  const ticks = parseCheckboxes(current.body ?? "");
  const notices: string[] = [];
  const login = sender.login;
  for (const gate of shown.gates) {
    const was = gate.status === "passed";
    const now = ticks.get(gate.id);
    if (now === undefined || now === was) continue;
    const definition = gates.find((g) => g.id === gate.id)!;
    if (definition.kind === "automatic") {
      notices.push(`@${login}: \`${gate.id}\` is decided from evidence; the box was reset.`);
      state = addAudit(state, { at, action: "reverted-tick", user: login, gate: gate.id, via: "checkbox", detail: "automatic gates cannot be ticked by hand" });
      continue;
    }
    if (!now) {
      if (hasSignedOff(state, gate.id, sender.id)) state = removeSignoff(state, { gate: gate.id, userId: sender.id, by: login, at, via: "checkbox" });
      else {
        notices.push(`@${login}: unticking removes only your own sign-off; the box was reset.`);
        state = addAudit(state, { at, action: "reverted-tick", user: login, gate: gate.id, via: "checkbox", detail: "no own sign-off to remove" });
      }
      continue;
    }
    const decision = await authorize(octokit, repo, definition.signoff!, login, pr);
    if (!decision.allowed) {
      notices.push(`Tick of \`${gate.id}\` reverted: ${decision.reason}.`);
      state = addAudit(state, { at, action: "reverted-tick", user: login, gate: gate.id, via: "checkbox", detail: decision.reason });
      continue;
    }
    state = addSignoff(state, { gate: gate.id, user: login, userId: sender.id, at, via: "checkbox" });
  }
  state = markProcessed(state, eventKey);
  // Always rewritten from the state: reverts refused ticks and any other hand edit of the comment.
  await publishGates(octokit, repo, pr, config, loaded, state, resolved, notices);
  return "applied";
}
