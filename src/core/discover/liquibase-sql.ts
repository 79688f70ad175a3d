// Liquibase formatted SQL (https://docs.liquibase.com/concepts/changelogs/sql-format.html): a file
// starting with `--liquibase formatted sql` holds changesets, each opened by a
// `--changeset author:id attr:value…` line and running to the next one. A changeset's rollback is
// its `--rollback <sql>` lines or a `/* liquibase rollback … */` block. Pure text handling, shared
// by the layout (which changesets exist) and the script reader (the SQL of one of them).
//
// How Liquibase cuts a changeset into statements (StringUtil.processMultiLineSQL, isDelimiter):
// by default at every `;` and at `GO` or `/` starting a line; with `endDelimiter:<d>` at `<d>`
// only (`/` only at the start of a line; a word such as `GO` as a whole word), so a `;` inside a
// piece does not end it; with `splitStatements:false` not at all: the body is one statement.
// Here a custom delimiter is turned into `;` (same length, offsets kept) so the PostgreSQL
// parser sees the same statements; `splitStatements:false` makes the changeset one query
// (the layout's `whole-file` delivery). `rollbackEndDelimiter` does the same for the rollback.
// `--preconditions` / `--precondition-<name>` lines are read (see `Preconditions`) and are never SQL.
// Changelog parameters (`${name}`) are replaced by identifiers of the same length (withParameters).

export const FORMATTED_SQL = /^\uFEFF?\s*--\s*liquibase\s+formatted\s+sql\b/i;
const CHANGESET = /^--\s*changeset\s+(\S+?):(\S+)(.*)$/gim;
const ROLLBACK_LINE = /^([ \t]*--[ \t]*rollback\b[ \t]?)(.*)$/gim;
const ROLLBACK_BLOCK = /\/\*\s*liquibase\s+rollback\b([\s\S]*?)\*\//gi;
// FormattedSqlChangeLogParser's patterns: `--preconditions <attrs>`, `--precondition-<name> <attrs and SQL>`.
const PRECONDITIONS = /^[ \t]*--[ \t]*preconditions\b([^\n]*)$/gim;
const PRECONDITION = /^[ \t]*--[ \t]*precondition-([a-zA-Z0-9-]+)\b([^\n]*)$/gim;

/** A changeset's `--preconditions` as written. They are not evaluated: check and test assume they pass. */
export interface Preconditions {
  /** `onFail` / `onError` (HALT, CONTINUE, MARK_RAN, WARN), as written. */
  onFail?: string;
  onError?: string;
  checks: { name: string; attributes: Record<string, string>; sql?: string; line: number }[];
}

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
  /** `splitStatements` (default true): false sends the body as one statement. */
  splitStatements: boolean;
  /** `endDelimiter` when set to something other than `;`. */
  endDelimiter?: string;
  rollbackEndDelimiter?: string;
  preconditions?: Preconditions;
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
      splitStatements: attributes["splitstatements"]?.toLowerCase() !== "false",
      ...delimiterAttribute("endDelimiter", attributes["enddelimiter"]),
      ...delimiterAttribute("rollbackEndDelimiter", attributes["rollbackenddelimiter"]),
      ...preconditionsOf(body, lineAt(text, start)),
    };
  });
}

function delimiterAttribute(name: "endDelimiter" | "rollbackEndDelimiter", value: string | undefined): Partial<Changeset> {
  return value && value !== ";" ? { [name]: value } : {};
}

function preconditionsOf(body: string, firstLine: number): Pick<Changeset, "preconditions"> {
  const head = [...body.matchAll(PRECONDITIONS)][0];
  const checks = [...body.matchAll(PRECONDITION)].map((m) => {
    const attributes: Record<string, string> = {};
    let rest = m[2]!.trim();
    // `name:value` pairs first (values may be quoted), the rest of the line is the check's SQL.
    for (let a = /^(\w+):('[^']*'|"[^"]*"|\S+)\s*/.exec(rest); a; a = /^(\w+):('[^']*'|"[^"]*"|\S+)\s*/.exec(rest)) {
      attributes[a[1]!] = a[2]!.replace(/^['"]|['"]$/g, "");
      rest = rest.slice(a[0].length);
    }
    return { name: m[1]!.toLowerCase(), attributes, ...(rest ? { sql: rest } : {}), line: firstLine + lineAt(body, m.index!) - 1 };
  });
  if (!head && !checks.length) return {};
  const options: Record<string, string> = {};
  for (const [, k, v] of (head?.[1] ?? "").matchAll(/(\w+):(\S+)/g)) options[k!.toLowerCase()] = v!;
  return { preconditions: { ...(options["onfail"] ? { onFail: options["onfail"] } : {}), ...(options["onerror"] ? { onError: options["onerror"] } : {}), checks } };
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
    // `--rollback` and precondition lines are comments to the parser; a rollback block is blanked.
    const sql = body.replace(new RegExp(ROLLBACK_BLOCK.source, "gi"), (m) => blank(m)).replace(new RegExp(PRECONDITIONS.source, "gim"), blank).replace(new RegExp(PRECONDITION.source, "gim"), blank);
    return { text: withParameters(c.splitStatements && c.endDelimiter ? endingAt(sql, c.endDelimiter) : sql), start: c.start };
  }
  let out = blank(body);
  const keep = (from: number, to: number) => (out = out.slice(0, from) + body.slice(from, to) + out.slice(to));
  for (const m of body.matchAll(new RegExp(ROLLBACK_LINE.source, "gim"))) keep(m.index! + m[1]!.length, m.index! + m[0].length);
  for (const m of body.matchAll(new RegExp(ROLLBACK_BLOCK.source, "gi"))) {
    const inner = m.index! + m[0].indexOf(m[1]!);
    keep(inner, inner + m[1]!.length);
  }
  const rollbackSplit = c.attributes["rollbacksplitstatements"]?.toLowerCase() !== "false";
  return { text: withParameters(rollbackSplit && c.rollbackEndDelimiter ? endingAt(out, c.rollbackEndDelimiter) : out), start: c.start };
}

/**
 * Liquibase replaces changelog parameters (`${name}`, from `<property>`, `-D` or
 * liquibase.properties) before it runs a changeset. Their values are not known here: each becomes
 * an identifier of the same length (`${anSvcName}` → `__anSvcName_`), which is what a parameter
 * stands for almost always (a role, schema or table name), so the statement parses and keeps its offsets.
 */
export function withParameters(sql: string): string {
  return sql.replace(/\$\{([^{}\n]+)\}/g, (_m, name: string) => `__${name.replace(/\W/g, "_")}_`);
}

/**
 * `sql` with each `delimiter` Liquibase would split at turned into `;` (padded to its length):
 * outside quotes, quoted identifiers, dollar quotes (unless the delimiter holds `$`) and
 * comments; `/` only as the first character of a line; a word delimiter (`GO`) only as a whole word,
 * in any case. Other delimiters are matched as written (Liquibase reads a longer one as a regular
 * expression too; that is not interpreted here).
 */
export function endingAt(sql: string, delimiter: string): string {
  const word = /^\w+$/.test(delimiter);
  const lower = delimiter.toLowerCase();
  const isWordChar = (ch: string | undefined) => ch !== undefined && /\w/.test(ch);
  const dollarQuotes = !delimiter.includes("$");
  let out = "";
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i]!;
    const skipTo = (end: number) => {
      out += sql.slice(i, end);
      i = end;
    };
    if (ch === "-" && sql[i + 1] === "-") {
      const nl = sql.indexOf("\n", i);
      skipTo(nl < 0 ? sql.length : nl);
      continue;
    }
    if (ch === "/" && sql[i + 1] === "*") {
      const close = sql.indexOf("*/", i + 2);
      skipTo(close < 0 ? sql.length : close + 2);
      continue;
    }
    if (ch === "'" || ch === '"') {
      let j = i + 1;
      while (j < sql.length && !(sql[j] === ch && sql[j + 1] !== ch)) j += sql[j] === ch ? 2 : 1;
      skipTo(Math.min(j + 1, sql.length));
      continue;
    }
    const tag = dollarQuotes && ch === "$" ? /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i))?.[0] : undefined;
    if (tag) {
      const close = sql.indexOf(tag, i + tag.length);
      skipTo(close < 0 ? sql.length : close + tag.length);
      continue;
    }
    const here = sql.slice(i, i + delimiter.length);
    const matches = word
      ? here.toLowerCase() === lower && !isWordChar(sql[i - 1]) && !isWordChar(sql[i + delimiter.length])
      : delimiter === "/"
        ? ch === "/" && (i === 0 || sql[i - 1] === "\n")
        : here === delimiter;
    if (matches) {
      out += ";".padEnd(delimiter.length, " ");
      i += delimiter.length;
      continue;
    }
    out += ch;
    i++;
  }
  return out;
}

function blank(text: string): string {
  return text.replace(/[^\n]/g, " ");
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
