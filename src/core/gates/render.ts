// What people read about the gates: the sticky comment (checkboxes, instructions, audit trail,
// hidden state marker), the review-body section and the `migration-guard/gates` check run.
// Checkboxes are a view of the state, never the state itself: GitHub does not record who ticked.
import { cell, escapeHtml } from "../render/markdown-escape.js";
import { describeAllowed } from "./authority.js";
import type { GatesConclusion, GateResult, GatesSummary } from "./evaluate.js";
import { encodeMarker, type AuditEntry, type GateState } from "./state.js";

export const STICKY_HEADER = "<!-- migration-guard:gates -->";
const ICON: Record<GateResult["status"], string> = { passed: "✅", failed: "❌", pending: "⏳" };

export interface StickyOptions {
  state: GateState;
  summary: GatesSummary;
  policies: Map<string, Parameters<typeof describeAllowed>[0]>;
  /** Marker signing key (HMAC); the marker is unsigned without one. */
  key?: string;
  owner?: string;
  /** Messages for the last event (refused sign-off, reverted tick), shown above the list. */
  notices?: string[];
}

export function verdictLine(summary: GatesSummary): string {
  const counts = `${summary.requiredPassed} of ${summary.required} required gates passed`;
  const verdicts: Record<GatesConclusion, string> = {
    success: `✅ ${counts}: ready to merge`,
    failure: `❌ ${counts}: merge blocked`,
    pending: `⏳ ${counts}: waiting for evidence or sign-offs`,
  };
  return verdicts[summary.conclusion];
}

/** The sticky issue comment: one checkbox per gate, the audit trail and the state marker. */
export function renderStickyComment(options: StickyOptions): string {
  const { state, summary } = options;
  const lines = [STICKY_HEADER, "### Quality gates", "", verdictLine(summary), ""];
  for (const notice of options.notices ?? []) lines.push(`> [!WARNING]`, `> ${escapeHtml(notice)}`, "");
  for (const gate of summary.gates) lines.push(checkboxLine(gate));
  if (summary.commitFormat) lines.push(commitFormatLine(summary.commitFormat));
  lines.push("", ...howToSignOff(summary.gates, options));
  lines.push("", ...auditTrail(state));
  lines.push("", encodeMarker(state, options.key));
  return lines.join("\n") + "\n";
}

/** The command a reviewer types to sign a manual gate off. */
export function signoffCommand(gate: Pick<GateResult, "id">): string {
  return `/migration-guard sign-off ${gate.id}`;
}

/**
 * One line per gate. Only manual gates get a box (ticking it signs off); automatic gates are
 * decided from evidence, so they show their state without a box anyone could tick.
 */
function checkboxLine(gate: GateResult): string {
  const optional = gate.required ? "" : " _(optional)_";
  const evidence = gate.evidenceUrl ? ` ([evidence](${gate.evidenceUrl}))` : "";
  const who = gate.signoffs.length ? `: ${gate.signoffs.map((s) => `@${s.user}`).join(", ")}` : "";
  if (gate.kind === "automatic") return `- ${ICON[gate.status]} **${gate.title}**${optional} · automatic · ${escapeHtml(gate.detail)}${evidence} <!-- gate:${gate.id} -->`;
  const box = gate.status === "passed" ? "[x]" : "[ ]";
  const command = gate.status === "passed" ? "" : ` · sign off: \`${signoffCommand(gate)}\``;
  return `- ${box} ${ICON[gate.status]} **${gate.title}**${optional} · ${escapeHtml(gate.detail)}${who}${command}${evidence} <!-- gate:${gate.id} -->`;
}

function howToSignOff(gates: GateResult[], options: StickyOptions): string[] {
  const manual = gates.filter((g) => g.kind === "manual");
  if (!manual.length) return [];
  const lines = [
    "<details><summary>How to sign off</summary>",
    "",
    "Tick the gate's box above, or comment the command shown beside it (the gate's id or its title, in any case; a note may follow the id). `/migration-guard revoke <gate>` withdraws your sign-off. Automatic gates are decided from evidence only. Who may sign off:",
    "",
  ];
  for (const gate of manual) {
    const policy = options.policies.get(gate.id);
    if (policy) lines.push(`- \`${gate.id}\` (${gate.needed} needed): ${describeAllowed(policy, options.owner)}`);
  }
  lines.push("", "</details>");
  return lines;
}

function auditTrail(state: GateState): string[] {
  if (!state.audit.length) return ["_No sign-offs recorded yet._"];
  const lines = [
    `<details><summary>Audit trail (${state.audit.length + state.auditDropped} ${state.audit.length + state.auditDropped === 1 ? "entry" : "entries"})</summary>`,
    "",
    "| When (UTC) | Who | What | Gate | Note |",
    "|---|---|---|---|---|",
  ];
  if (state.auditDropped) lines.push(`| … | | ${state.auditDropped} older entries not shown | | |`);
  for (const entry of state.audit) lines.push(auditRow(entry));
  lines.push("", "</details>");
  return lines;
}

function auditRow(e: AuditEntry): string {
  const what = { "sign-off": "signed off", revoke: "revoked", refused: "refused", "reverted-tick": "tick reverted", reset: "sign-offs reset", restored: "comment restored", tampered: "state marker broken" }[e.action];
  const via = e.via ? ` (${e.via})` : "";
  return `| ${e.at.replace("T", " ").replace(/\.\d+Z$|Z$/, "")} | @${e.user} | ${what}${via} | ${e.gate ? `\`${e.gate}\`` : ""} | ${cellText(e.detail ?? "")} |`;
}

function commitFormatLine(format: NonNullable<GatesSummary["commitFormat"]>): string {
  return `- ${format.ok ? "✅" : "❌"} **Commit format** · automatic · ${format.ok ? "follows the format" : `${format.problems} problem${format.problems === 1 ? "" : "s"} (see the review)`}`;
}

/** Longest state text on a line of the review's checklist; the full text is in the sticky comment. */
const SHORT_DETAIL = 90;

/**
 * The review's checklist: one task-list line per gate with its state, the command to type for
 * each manual gate still open, and a link to the sticky comment holding the full table.
 */
export function renderGatesSection(summary: GatesSummary, stickyUrl?: string): string {
  const lines = [`### Quality gates: ${verdictLine(summary)}`, ""];
  for (const g of summary.gates) {
    // Only a manual gate is a task to do; an automatic gate's box could be ticked and mean nothing.
    const box = g.kind === "manual" ? (g.status === "passed" ? "[x] " : "[ ] ") : "";
    const optional = g.required ? "" : " _(optional)_";
    const state = g.kind === "manual" && g.status !== "passed" ? `${g.signoffs.length ? `${escapeHtml(g.detail)}; ` : ""}sign off with \`${signoffCommand(g)}\`` : escapeHtml(shortDetail(g.detail));
    lines.push(`- ${box}${ICON[g.status]} ${g.title}${optional}: ${state}`);
  }
  if (summary.commitFormat) lines.push(`- ${summary.commitFormat.ok ? "✅" : "❌"} Commit format: ${summary.commitFormat.ok ? "follows the format" : "see below"}`);
  lines.push("", stickyUrl ? `Evidence, who may sign off, audit trail: [quality-gates comment](${stickyUrl}).` : "Sign off with `/migration-guard sign-off <gate> [note]`.");
  return lines.join("\n");
}

/** The full table: the `migration-guard/gates` check run shows it (the sticky comment has the same with controls). */
export function renderGatesTable(summary: GatesSummary, stickyUrl?: string): string {
  const lines = ["### Quality gates", "", verdictLine(summary), "", "| | Gate | Kind | Status |", "|---|---|---|---|"];
  for (const g of summary.gates) {
    const evidence = g.evidenceUrl ? ` ([evidence](${g.evidenceUrl}))` : "";
    const command = g.kind === "manual" && g.status !== "passed" ? `; sign off: \`${signoffCommand(g)}\`` : "";
    lines.push(`| ${ICON[g.status]} | ${g.title}${g.required ? "" : " _(optional)_"} | ${g.kind} | ${cellText(g.detail)}${command}${evidence} |`);
  }
  if (summary.commitFormat) lines.push(`| ${summary.commitFormat.ok ? "✅" : "❌"} | Commit format | automatic | ${summary.commitFormat.ok ? "follows the format" : `${summary.commitFormat.problems} problem${summary.commitFormat.problems === 1 ? "" : "s"} (see the review)`} |`);
  lines.push("", stickyUrl ? `Sign off in the [quality-gates comment](${stickyUrl}).` : "Sign off with `/migration-guard sign-off <gate> [note]` in a comment on the pull request.");
  return lines.join("\n");
}

/** The gist of a gate's state: its first clause (the sticky comment has the rest). */
function shortDetail(detail: string): string {
  const first = detail.split(/; |: (?=`)/)[0]!.replace(/ \(`migration-guard test` in CI\)$/, "");
  return clipWords(first, SHORT_DETAIL);
}

/** Cut at a word boundary, with an ellipsis. */
function clipWords(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  // A whole clause reads better than half a measurement ("for an estimated 2 …").
  const clause = Math.max(cut.lastIndexOf("; "), cut.lastIndexOf(", "), cut.lastIndexOf(". "));
  if (clause > max / 3) return `${cut.slice(0, clause)} …`;
  const space = cut.lastIndexOf(" ");
  const words = (space > max / 2 ? cut.slice(0, space) : cut).replace(/[;,:(]+$/, "");
  return `${words.replace(/(\s+(an?|the|of|for|on|in|to|at|by|with|estimated|~?[\d.,]+\s*\w{0,3}))+$/i, "")} …`;
}

export interface GatesCheckOutput {
  conclusion: "success" | "failure" | "action_required";
  title: string;
  summary: string;
}

/** The `migration-guard/gates` check run: success only when every required gate passed. */
export function renderGatesCheck(summary: GatesSummary): GatesCheckOutput {
  const open = summary.gates.filter((g) => g.required && g.status !== "passed");
  const failed = open.filter((g) => g.status === "failed").map((g) => g.title);
  const pending = open.filter((g) => g.status === "pending").map((g) => g.title);
  const conclusion = summary.conclusion === "success" ? "success" : summary.conclusion === "failure" ? "failure" : "action_required";
  // Failed gates by name, pending ones by name only when few: the title is one line on GitHub.
  const waiting = pending.length ? (pending.length <= 2 ? `waiting for ${pending.join(", ")}` : `${pending.length} waiting`) : "";
  const parts = [failed.length ? `failed: ${failed.join(", ")}` : "", waiting].filter(Boolean);
  const title =
    conclusion === "success"
      ? `All ${summary.required} required gates passed`
      : `${summary.requiredPassed}/${summary.required} gates passed; ${parts.join("; ") || "commit format failed"}`;
  return { conclusion, title: title.slice(0, 1000), summary: renderGatesTable(summary).slice(0, 65_535) };
}

/** Which gate checkboxes are ticked in a comment body, by gate id. */
export function parseCheckboxes(body: string): Map<string, boolean> {
  const ticks = new Map<string, boolean>();
  for (const m of body.matchAll(/^\s*[-*] \[([ xX])\] .*<!-- gate:([a-z0-9-]+) -->\s*$/gm)) ticks.set(m[2]!, m[1] !== " ");
  return ticks;
}

/** User-written text (notes) never reaches the comment as HTML or table structure: no fake markers, no fake boxes. */
function cellText(text: string): string {
  return cell(escapeHtml(text));
}
