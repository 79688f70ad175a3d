// The commit-format section of the review and the CLI's output.
import { code, escapeHtml } from "../render/markdown-escape.js";
import type { CommitFormatResult } from "./check.js";
import { FIELD_LABELS, type CommitField } from "./config.js";

/**
 * The commit-format part of the review: a one-line verdict, then (folded) each problem and a
 * suggested message filled from the analysis.
 */
export function renderCommitFormatSection(result: CommitFormatResult, suggestion?: string): string {
  const lines = [`### Commit format: ${commitFormatVerdict(result)}`];
  const bad = result.checked.filter((c) => !c.ok);
  if (!bad.length) return lines.join("\n");
  lines.push("", "<details><summary>What to change, and a suggested message</summary>", "");
  for (const c of bad) {
    lines.push(`- ${subjectLabel(c)}: ${code(c.subject.slice(0, 100) || "(empty)")}`);
    const own = result.problems.filter((p) => p.sha === c.sha && p.source === c.source);
    const missing = own.filter((p) => p.part !== "header" && /is missing$/.test(p.message));
    for (const p of own.filter((p) => !missing.includes(p))) {
      const part = p.part === "header" ? "subject" : FIELD_LABELS[p.part];
      lines.push(`  - ${part}${p.line > 1 ? ` (line ${p.line})` : ""}: ${escapeHtml(p.message)}`);
    }
    if (missing.length) lines.push(`  - missing: ${missing.map((p) => code(`${FIELD_LABELS[p.part as CommitField]}:`)).join(", ")}`);
  }
  if (suggestion) {
    const where = bad.some((c) => !c.sha) ? "Edit the pull request's title and description to read, for example:" : "Reword the commit (`git commit --amend`, or `git rebase -i` for older ones) to read, for example:";
    lines.push("", where, "", "```text", suggestion.trimEnd(), "```");
  }
  lines.push("", "</details>");
  return lines.join("\n");
}

/** "✅ 2 commits follow the format", "❌ `ec26c3e` does not follow the format: …": one line. */
export function commitFormatVerdict(result: CommitFormatResult): string {
  if (!result.checked.length) return "no commit changes a migration, nothing to check";
  const judged = result.checked.every((c) => !c.sha) ? "the pull request's title and description (they become the squashed commit)" : undefined;
  if (result.ok) return judged ? `✅ ${judged} follow the format` : `✅ ${result.checked.length === 1 ? "the commit follows" : `all ${result.checked.length} commits follow`} the format`;
  const bad = result.checked.filter((c) => !c.ok);
  const who = judged ?? (bad.length === 1 ? subjectLabel(bad[0]!) : `${bad.length} of ${result.checked.length} commits`);
  const problems = result.problems.filter((p) => bad.some((c) => c.sha === p.sha && c.source === p.source));
  const missing = problems.filter((p) => p.part !== "header" && /is missing$/.test(p.message)).length;
  const parts: string[] = [];
  if (problems.some((p) => p.part === "header")) parts.push("the subject is not `type(TICKET-ID): description`");
  if (missing) parts.push(`${missing} field${missing === 1 ? " is" : "s are"} missing`);
  const other = [...new Set(problems.filter((p) => p.part !== "header" && !/is missing$/.test(p.message)).map((p) => FIELD_LABELS[p.part as CommitField]))];
  if (other.length) parts.push(`${other.map((label) => code(`${label}:`)).join(", ")} ${other.length === 1 ? "needs" : "need"} a change`);
  return `❌ ${who} ${!judged && bad.length === 1 ? "does" : "do"} not follow the format: ${parts.join("; ")}`;
}

function subjectLabel(c: CommitFormatResult["checked"][number]): string {
  return c.sha ? `commit \`${c.sha.slice(0, 7)}\`` : "the pull request's title and description";
}


/** Terminal output of `migration-guard commit-check`. */
export function renderCommitFormatText(result: CommitFormatResult): string {
  if (!result.checked.length) return "no commit touching migrations to check\n";
  const lines: string[] = [];
  for (const c of result.checked) {
    const label = c.sha ? c.sha.slice(0, 7) : "PR";
    lines.push(`${c.ok ? "ok  " : "FAIL"} ${label} ${c.subject}`);
    for (const p of result.problems.filter((p) => p.sha === c.sha && p.source === c.source)) {
      const part = p.part === "header" ? "subject" : FIELD_LABELS[p.part];
      lines.push(`     ${label}:${p.line} ${part}: ${p.message}`);
    }
  }
  const bad = result.checked.filter((c) => !c.ok).length;
  lines.push("", bad ? `${bad} of ${result.checked.length} messages do not follow the format` : `${result.checked.length} messages follow the format`);
  return lines.join("\n") + "\n";
}

