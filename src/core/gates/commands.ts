// `/migration-guard sign-off <gate> [note]` and `/migration-guard revoke <gate>` in PR comments.
// Only lines that start with the command count: quoted replies (`> …`) and code blocks do not,
// so quoting someone's sign-off never signs off again.

import { closestName } from "../did-you-mean.js";

export type GateCommand =
  /** `gate`: the first word, lowercased; `target`: everything after the verb (a title may have spaces). */
  | { kind: "sign-off"; gate: string; target: string; note?: string; line: number }
  | { kind: "revoke"; gate: string; target: string; line: number }
  | { kind: "invalid"; problem: string; line: number };

const COMMAND = /^\/migration-guard\s+(\S+)(?:\s+(\S+))?(?:\s+(.*))?$/i;

export function parseGateCommands(body: string): GateCommand[] {
  const commands: GateCommand[] = [];
  let inFence = false;
  body.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (/^(```|~~~)/.test(line)) inFence = !inFence;
    if (inFence || !line.toLowerCase().startsWith("/migration-guard")) return;
    const m = COMMAND.exec(line);
    if (!m) return;
    const [, verb, gate, rest] = m;
    const lineNo = i + 1;
    const action = verb!.toLowerCase();
    if (action !== "sign-off" && action !== "signoff" && action !== "revoke") {
      commands.push({ kind: "invalid", problem: `unknown command \`${verb}\` (use \`sign-off <gate> [note]\` or \`revoke <gate>\`)`, line: lineNo });
      return;
    }
    if (!gate) {
      commands.push({ kind: "invalid", problem: `\`${action}\` needs a gate id, e.g. \`/migration-guard ${action} runbook-reviewed\``, line: lineNo });
      return;
    }
    const id = gate.toLowerCase();
    const target = [gate, rest].filter(Boolean).join(" ").trim();
    if (action === "revoke") commands.push({ kind: "revoke", gate: id, target, line: lineNo });
    else commands.push({ kind: "sign-off", gate: id, target, note: rest?.trim().slice(0, 200) || undefined, line: lineNo });
  });
  return commands;
}

export type ResolvedGate<G> = { ok: true; gate: G; note?: string } | { ok: false; problem: string };

const QUOTED = /^["'“‘`]([^"'”’`]+)["'”’`]\s*(.*)$/;
const normal = (text: string) => text.toLowerCase().replace(/[\s_-]+/g, " ").replace(/[.,;:!]+$/, "").trim();

/**
 * Which gate a command names: its id or its visible title, quoted or not, in any case. Unquoted,
 * the longest run of leading words naming a gate wins and the rest is the note. A near miss
 * gets "did you mean …".
 */
export function resolveGate<G extends { id: string; title: string }>(target: string, gates: readonly G[]): ResolvedGate<G> {
  const byName = new Map<string, G>();
  for (const g of gates) {
    byName.set(normal(g.id), g);
    byName.set(normal(g.title), g);
  }
  const quoted = QUOTED.exec(target.trim());
  if (quoted) {
    const gate = byName.get(normal(quoted[1]!));
    if (gate) return { ok: true, gate, note: quoted[2]!.trim().slice(0, 200) || undefined };
    return { ok: false, problem: unknownGate(quoted[1]!, gates) };
  }
  const words = target.trim().split(/\s+/);
  for (let n = words.length; n >= 1; n--) {
    const gate = byName.get(normal(words.slice(0, n).join(" ")));
    if (gate) return { ok: true, gate, note: words.slice(n).join(" ").slice(0, 200) || undefined };
  }
  return { ok: false, problem: unknownGate(words[0]!, gates, words.join(" ")) };
}

function unknownGate<G extends { id: string; title: string }>(name: string, gates: readonly G[], phrase = name): string {
  const byId = closestName(name, gates.map((g) => g.id));
  // A misspelt title is as long as the title: compare the same number of words.
  const byTitle = gates.find((g) => {
    const words = g.title.split(/\s+/).length;
    return closestName(normal(phrase.split(/\s+/).slice(0, words).join(" ")), [normal(g.title)]) !== undefined;
  });
  const guess = byId ?? byTitle?.id;
  const hint = guess ? `did you mean \`${guess}\`? ` : "";
  return `there is no gate \`${name}\`; ${hint}gates: ${gates.map((g) => `\`${g.id}\``).join(", ")}`;
}
