// The commit-format section of the review and the CLI's output.
import type { CommitFormatResult } from "./check.js";
import { FIELD_LABELS } from "./config.js";

export function renderCommitFormatSection(result: CommitFormatResult, suggestion?: string): string {
  const lines = ["### Commit format", ""];
  if (!result.checked.length) lines.push("No commit touching migrations to check.");
  else if (result.ok) lines.push(`✅ ${result.checked.length} message${result.checked.length === 1 ? "" : "s"} follow the recipe's format.`);
  else {
    const bad = result.checked.filter((c) => !c.ok).length;
    lines.push(`❌ ${bad} of ${result.checked.length} message${result.checked.length === 1 ? "" : "s"} ${bad === 1 ? "does" : "do"} not follow the recipe's format:`, "");
    for (const c of result.checked.filter((c) => !c.ok)) {
      const label = c.sha ? `\`${c.sha.slice(0, 7)}\`` : "PR title and body";
      lines.push(`- ${label} ${escape(c.subject).slice(0, 100)}`);
      for (const p of result.problems.filter((p) => p.sha === c.sha && p.source === c.source)) {
        const part = p.part === "header" ? "subject" : FIELD_LABELS[p.part];
        lines.push(`  - ${part}${p.line > 1 ? ` (line ${p.line})` : ""}: ${escape(p.message)}`);
      }
    }
  }
  if (suggestion) lines.push("", "<details><summary>Suggested commit message, filled from the analysis</summary>", "", "```text", suggestion.trimEnd(), "```", "", "</details>");
  return lines.join("\n");
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

function escape(text: string): string {
  return text.replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
