// A rule's documentation page (Markdown), used by `explain`, docs/rules/*.md and the bot's links.
import { exampleSql, type Rule } from "../analyze/rule.js";
import { blockedBy } from "../analyze/pg-locks.js";

export function renderRuleDoc(rule: Rule): string {
  const { docs } = rule;
  const out = [`# ${rule.id}`, "", `**${rule.title}**`, ""];
  out.push(`Default severity: \`${rule.severity}\` · Dialects: ${rule.dialects.join(", ")}${rule.optIn ? " · opt-in (strict preset)" : ""}`, "");
  out.push("## Why it is risky", "", docs.why, "");
  if (docs.locks.length) {
    out.push("## Locks", "", "| Relation | Lock | Blocks |", "|---|---|---|");
    for (const l of docs.locks) out.push(`| ${l.on} | ${l.mode} | ${blockedBy(l.mode)} |`);
    out.push("");
  }
  out.push(`Work done under the lock: **${docs.work}**.`, "");
  if (docs.versions) out.push("## Version notes", "", docs.versions, "");
  out.push("## Safe alternative", "", docs.safeAlternative, "");
  const block = (title: string, list: typeof rule.examples.bad) => {
    if (!list.length) return;
    out.push(`## ${title}`, "");
    for (const e of list) out.push(`\`\`\`${language(e)}`, exampleSql(e).trim(), "```", "");
  };
  block("Flagged", rule.examples.bad);
  block("Not flagged", rule.examples.good);
  return out.join("\n");
}

/** An example written in a migration tool's code (TypeORM) is shown as that code. */
function language(example: Rule["examples"]["bad"][number]): string {
  const path = typeof example === "string" ? undefined : example.path;
  if (path && /\.[mc]?ts$/.test(path)) return "ts";
  if (path && /\.[mc]?js$/.test(path)) return "js";
  return "sql";
}
