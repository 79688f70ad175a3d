// Which lines of a pull request file a review comment may sit on. GitHub rejects a whole
// review (422) when one comment is outside the diff, so every comment is checked here first.
// Pure: the `patch` text of `GET /pulls/{n}/files` in, hunks out.

export interface Hunk {
  /** Lines of the new file (RIGHT side) shown in this hunk: added and context lines. */
  right: Set<number>;
  /** Lines of the new file added by this hunk (where a suggestion is most useful). */
  added: Set<number>;
}

const HUNK_HEADER = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/;

/** Parses a unified-diff patch (as GitHub returns it, without file headers) into hunks. */
export function parsePatch(patch: string): Hunk[] {
  const hunks: Hunk[] = [];
  let current: Hunk | undefined;
  let nextRight = 0;
  for (const line of patch.split("\n")) {
    const header = HUNK_HEADER.exec(line);
    if (header) {
      current = { right: new Set(), added: new Set() };
      hunks.push(current);
      nextRight = Number(header[1]);
      continue;
    }
    if (!current) continue;
    const marker = line[0];
    if (marker === "+") {
      current.right.add(nextRight);
      current.added.add(nextRight);
      nextRight++;
    } else if (marker === " ") {
      current.right.add(nextRight);
      nextRight++;
    }
    // "-" lines exist only on the LEFT side; "\ No newline at end of file" is not a line.
  }
  return hunks;
}

/**
 * True when a comment on `line` (and, for a range, from `startLine`) is allowed:
 * every line of the range on the RIGHT side of one and the same hunk.
 */
export function isCommentable(hunks: Hunk[], line: number, startLine?: number): boolean {
  const first = startLine ?? line;
  if (first > line) return false;
  return hunks.some((hunk) => {
    for (let l = first; l <= line; l++) if (!hunk.right.has(l)) return false;
    return true;
  });
}

/**
 * The full content of an added file, rebuilt from its patch (every line is a `+` line).
 * Returns undefined when the patch is not a single whole-file addition.
 */
export function contentOfAddedFile(patch: string): string | undefined {
  const lines = patch.split("\n");
  const header = HUNK_HEADER.exec(lines[0] ?? "");
  if (!header || !/^@@ -0,0 /.test(lines[0]!)) return undefined;
  const body: string[] = [];
  let newlineAtEnd = true;
  for (const line of lines.slice(1)) {
    if (line.startsWith("+")) body.push(line.slice(1));
    else if (line.startsWith("\\")) newlineAtEnd = false;
    else if (line === "") continue;
    else return undefined;
  }
  if (body.length !== Number(header[2] ?? 1)) return undefined;
  return body.join("\n") + (newlineAtEnd && body.length ? "\n" : "");
}
