// Fixes of SQL that lives inside a JavaScript string (TypeORM's `queryRunner.query("…")`). A rule
// writes its edit as if the file were SQL; here it is kept only when it stays inside one string,
// adds no statement of its own (one call sends one query: a second statement would change how it
// runs) and can be written in that string's quoting. The replacement is then escaped for it.
import type { EmbeddedSql, Fix, TextEdit } from "../model.js";

type Literal = EmbeddedSql["literals"][number];

function escapeFor(replacement: string, literal: Literal): string | undefined {
  if (literal.quote === "`") return replacement.replace(/\\/g, "\\\\").replace(/`/g, "\\`").replace(/\$\{/g, "\\${");
  // A quoted string cannot hold a line break.
  if (/[\r\n\u2028\u2029]/.test(replacement)) return undefined;
  return replacement.replace(/\\/g, "\\\\").replace(new RegExp(literal.quote, "g"), `\\${literal.quote}`);
}

function editInside(edit: TextEdit, embedded: EmbeddedSql): TextEdit | undefined {
  const literal = embedded.literals.find((l) => l.start <= edit.startOffset && edit.endOffset <= l.end);
  // Offsets inside a string with escapes are only near the SQL's own: never edit there.
  if (!literal || !literal.exact) return undefined;
  if (/;/.test(edit.replacement.replace(/'[^']*'|"[^"]*"/g, ""))) return undefined;
  const replacement = escapeFor(edit.replacement, literal);
  return replacement === undefined ? undefined : { ...edit, replacement };
}

/** The fix as it can be applied inside the file's strings, or undefined when it cannot be. */
export function fixInCode(fix: Fix | undefined, embedded: EmbeddedSql | undefined): Fix | undefined {
  if (!fix || !embedded) return fix;
  const edits: TextEdit[] = [];
  for (const edit of fix.edits) {
    const inside = editInside(edit, embedded);
    if (!inside) return undefined;
    edits.push(inside);
  }
  return { ...fix, edits };
}
