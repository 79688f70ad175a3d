// Liquibase formatted SQL (https://docs.liquibase.com/concepts/changelogs/sql-format.html): a file
// starting with `--liquibase formatted sql` holds changesets, each opened by a
// `--changeset author:id attr:value…` line and running to the next one. A changeset's rollback is
// its `--rollback <sql>` lines or a `/* liquibase rollback … */` block. Pure text handling, shared
// by the layout (which changesets exist) and the script reader (the SQL of one of them).

export const FORMATTED_SQL = /^\uFEFF?\s*--\s*liquibase\s+formatted\s+sql\b/i;
const CHANGESET = /^--\s*changeset\s+(\S+?):(\S+)(.*)$/gim;
const ROLLBACK_LINE = /^([ \t]*--[ \t]*rollback\b[ \t]?)(.*)$/gim;
const ROLLBACK_BLOCK = /\/\*\s*liquibase\s+rollback\b([\s\S]*?)\*\//gi;

export interface Changeset {
  /** `author:id`, Liquibase's identity of the changeset within its file. */
  key: string;
  author: string;
  id: string;
  /** Attributes written on the changeset line, names lowercased, e.g. `runintransaction: "false"`. */
  attributes: Record<string, string>;
  /** 1-based line of the `--changeset` line. */
  line: number;
  /** Offsets of the changeset's body: from the end of its `--changeset` line to the next one. */
  start: number;
  end: number;
  hasRollback: boolean;
}

export function changesets(text: string): Changeset[] {
  const found = [...text.matchAll(CHANGESET)];
  return found.map((m, i) => {
    const start = m.index! + m[0].length;
    // Up to the next changeset, without the blank lines before it: appending a changeset to a
    // merged file leaves the ones before it as they were.
    const end = start + text.slice(start, found[i + 1]?.index ?? text.length).trimEnd().length;
    const body = text.slice(start, end);
    const attributes: Record<string, string> = {};
    for (const [, k, v] of m[3]!.matchAll(/(\w+):("[^"]*"|\S+)/g)) attributes[k!.toLowerCase()] = v!.replace(/^"|"$/g, "");
    return {
      key: `${m[1]}:${m[2]}`,
      author: m[1]!,
      id: m[2]!,
      attributes,
      line: lineAt(text, m.index!),
      start,
      end,
      hasRollback: new RegExp(ROLLBACK_LINE.source, "im").test(body) || new RegExp(ROLLBACK_BLOCK.source, "i").test(body),
    };
  });
}

/**
 * The changeset's forward SQL, or its rollback SQL, as text of the file's own length: everything
 * else is blanked out (newlines kept), so offsets and lines stay those of the file.
 */
export function changesetText(text: string, key: string, direction: "up" | "down"): { text: string; start: number } | undefined {
  const c = changesets(text).find((x) => x.key === key);
  if (!c) return undefined;
  const body = text.slice(c.start, c.end);
  if (direction === "up") {
    // `--rollback` lines are comments to the parser; a rollback block is blanked.
    return { text: body.replace(new RegExp(ROLLBACK_BLOCK.source, "gi"), (m) => blank(m)), start: c.start };
  }
  let out = blank(body);
  const keep = (from: number, to: number) => (out = out.slice(0, from) + body.slice(from, to) + out.slice(to));
  for (const m of body.matchAll(new RegExp(ROLLBACK_LINE.source, "gim"))) keep(m.index! + m[1]!.length, m.index! + m[0].length);
  for (const m of body.matchAll(new RegExp(ROLLBACK_BLOCK.source, "gi"))) {
    const inner = m.index! + m[0].indexOf(m[1]!);
    keep(inner, inner + m[1]!.length);
  }
  return { text: out, start: c.start };
}

function blank(text: string): string {
  return text.replace(/[^\n]/g, " ");
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
