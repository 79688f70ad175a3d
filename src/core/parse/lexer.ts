// A small SQL lexer that only knows what splitting needs: where statements end, where
// comments are, and which lines are psql meta-commands. The real parsers (libpg_query,
// node-sql-parser) do the grammar; this lets us keep going after a statement they reject.

export interface Range {
  start: number;
  end: number;
}

export interface LexResult {
  /** Statement ranges, without the terminating `;`, trimmed of surrounding blanks. */
  statements: Range[];
  /** Comment ranges (`--` and `/* *\/`), including their delimiters. */
  comments: Range[];
  /**
   * Block comments with comments nested inside (PostgreSQL): libpg_query's scanner takes
   * quadratic time on deep nesting, so the parser is given them blanked.
   */
  nestedComments: Range[];
  /** psql meta-commands (a backslash outside quotes up to the end of the line). */
  metaCommands: Range[];
  /** A quote or comment that runs to the end of the text. */
  unterminated?: { start: number; what: string };
}

export interface LexOptions {
  dialect: "postgres" | "mysql";
}

const isSpace = (c: string | undefined) => c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f";

export function lexSql(text: string, { dialect }: LexOptions): LexResult {
  const statements: Range[] = [];
  const comments: Range[] = [];
  const nestedComments: Range[] = [];
  const metaCommands: Range[] = [];
  let unterminated: LexResult["unterminated"];
  let stmtStart = -1;
  let delimiter = ";";
  let i = 0;
  const n = text.length;

  const closeStatement = (end: number) => {
    if (stmtStart >= 0) {
      let e = end;
      while (e > stmtStart && isSpace(text[e - 1])) e--;
      if (e > stmtStart) statements.push({ start: stmtStart, end: e });
    }
    stmtStart = -1;
  };

  while (i < n) {
    const c = text[i]!;
    const next = text[i + 1];
    if (isSpace(c)) {
      i++;
      continue;
    }
    // -- line comments (MySQL also has #).
    // MySQL only starts a `--` comment when a space or control character follows (`5--1` is 6).
    const dashComment = c === "-" && next === "-" && (dialect === "postgres" || !/[^\s]/.test(text[i + 2] ?? " "));
    if (dashComment || (dialect === "mysql" && c === "#")) {
      const end = text.indexOf("\n", i);
      const stop = end < 0 ? n : end;
      comments.push({ start: i, end: stop });
      i = stop;
      continue;
    }
    if (c === "/" && next === "*") {
      // PostgreSQL block comments nest; MySQL's do not.
      let depth = 1;
      let nested = false;
      let j = i + 2;
      while (j < n && depth > 0) {
        if (text[j] === "*" && text[j + 1] === "/") {
          depth--;
          j += 2;
        } else if (dialect === "postgres" && text[j] === "/" && text[j + 1] === "*") {
          depth++;
          nested = true;
          j += 2;
        } else j++;
      }
      if (depth > 0) unterminated ??= { start: i, what: "block comment" };
      comments.push({ start: i, end: j });
      if (nested) nestedComments.push({ start: i, end: j });
      i = j;
      continue;
    }
    if (dialect === "postgres" && c === "\\") {
      const end = text.indexOf("\n", i);
      const stop = end < 0 ? n : end;
      metaCommands.push({ start: i, end: stop });
      i = stop;
      continue;
    }
    // MySQL client `DELIMITER $$` lines change the statement terminator.
    if (dialect === "mysql" && stmtStart < 0 && /^delimiter[ \t]/i.test(text.slice(i, i + 10))) {
      const end = text.indexOf("\n", i);
      const stop = end < 0 ? n : end;
      delimiter = text.slice(i + 10, stop).trim() || ";";
      metaCommands.push({ start: i, end: stop });
      i = stop;
      continue;
    }
    if (stmtStart < 0) stmtStart = i;
    if (text.startsWith(delimiter, i)) {
      closeStatement(i);
      i += delimiter.length;
      continue;
    }
    if (c === "'" || c === '"' || (dialect === "mysql" && c === "`")) {
      const backslashEscapes =
        dialect === "mysql" || (c === "'" && (text[i - 1] === "E" || text[i - 1] === "e"));
      const j = skipQuoted(text, i, c, backslashEscapes);
      if (j < 0) {
        unterminated ??= { start: i, what: c === "'" ? "string" : "quoted identifier" };
        i = n;
      } else i = j;
      continue;
    }
    if (dialect === "postgres" && c === "$") {
      const tag = /^\$([A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*)?\$/.exec(text.slice(i, i + 64));
      const prev = text[i - 1];
      if (tag && !(prev && /[\w$]/.test(prev))) {
        const close = text.indexOf(tag[0], i + tag[0].length);
        if (close < 0) {
          unterminated ??= { start: i, what: "dollar-quoted string" };
          i = n;
        } else i = close + tag[0].length;
        continue;
      }
    }
    i++;
  }
  closeStatement(n);
  return { statements, comments, nestedComments, metaCommands, unterminated };
}

/** Returns the index just past the closing quote, or -1 when the quote never closes. */
function skipQuoted(text: string, start: number, quote: string, backslashEscapes: boolean): number {
  let j = start + 1;
  while (j < text.length) {
    const ch = text[j];
    if (backslashEscapes && ch === "\\") {
      j += 2;
      continue;
    }
    if (ch === quote) {
      if (text[j + 1] === quote) {
        j += 2;
        continue;
      }
      return j + 1;
    }
    j++;
  }
  return -1;
}

/** Replaces ranges with spaces (keeping line breaks) so offsets stay valid for the parser. */
export function blankRanges(text: string, ranges: Range[]): string {
  if (ranges.length === 0) return text;
  let out = "";
  let last = 0;
  for (const r of ranges) {
    out += text.slice(last, r.start) + text.slice(r.start, r.end).replace(/[^\r\n]/g, " ");
    last = r.end;
  }
  return out + text.slice(last);
}
