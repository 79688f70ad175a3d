// `/migration-guard sign-off <gate> [note]` and `/migration-guard revoke <gate>` in PR comments.
// Only lines that start with the command count: quoted replies (`> …`) and code blocks do not,
// so quoting someone's sign-off never signs off again.

export type GateCommand =
  | { kind: "sign-off"; gate: string; note?: string; line: number }
  | { kind: "revoke"; gate: string; line: number }
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
    if (action === "revoke") commands.push({ kind: "revoke", gate: id, line: lineNo });
    else commands.push({ kind: "sign-off", gate: id, note: rest?.trim().slice(0, 200) || undefined, line: lineNo });
  });
  return commands;
}
