// Markdown escaping, one policy for every renderer (review, inline comments, check runs, the
// quality-gates comment, the commit-format check, the test report): text from migrations, rules
// and users is shown as written, never interpreted as Markdown structure or HTML.

/** Inline code that survives backticks inside the text. */
export function code(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = "`".repeat(longest + 1);
  const pad = text.startsWith("`") || text.endsWith("`") ? " " : "";
  return `${ticks}${pad}${text}${pad}${ticks}`;
}

/** A fence long enough that the content cannot close it early. */
export function fence(content: string): string {
  const longest = Math.max(0, ...[...content.matchAll(/`{3,}/g)].map((m) => m[0].length));
  return "`".repeat(Math.max(3, longest + 1));
}

/** Text safe inside one Markdown table cell: no line breaks, no column separators. */
export function cell(text: string): string {
  return text.replace(/\r?\n/g, " ").replace(/\|/g, "\\|");
}

/**
 * Text from rules and users placed in running Markdown: one line, and no raw HTML outside
 * code spans (a stray `<details>` in a message must not swallow the rest of the body).
 */
export function safeInline(text: string): string {
  const oneLine = text.replace(/\r?\n/g, " ");
  let out = "";
  let last = 0;
  for (const match of oneLine.matchAll(/(`+)[^`]+?\1/g)) {
    out += oneLine.slice(last, match.index).replace(/</g, "&lt;") + match[0];
    last = match.index! + match[0].length;
  }
  return out + oneLine.slice(last).replace(/</g, "&lt;");
}

/** User-written or server text in running Markdown, with every HTML character escaped (notes, messages). */
export function escapeHtml(text: string): string {
  return text.replace(/\r?\n/g, " ").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Inline code of text that may be long or span lines (SQL), shortened to `max` characters. */
export function shortCode(text: string | undefined, max = 120): string {
  if (text === undefined || text === "") return "—";
  const t = text.replace(/\s+/g, " ").trim();
  return code(t.length > max ? `${t.slice(0, max - 1)}…` : t);
}

/** `safeInline` line by line: a message's own line breaks stay. */
export function safeText(text: string): string {
  return text.split(/\r?\n/).map(safeInline).join("\n");
}
