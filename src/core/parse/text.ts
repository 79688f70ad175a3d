// Text utilities shared by the parsers: decoding file bytes, mapping offsets to lines.
import type { SourceFile, Span } from "../model.js";

export type Decoded = { ok: true; text: string } | { ok: false; problem: string };

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Decoded bytes, per buffer: discovery's layout tests, the engine and the renderers each read the
 * same file (eight decodes of every file of a history before). File contents are never mutated.
 */
const decodedBytes = new WeakMap<Uint8Array, Decoded>();

/** Decodes file content as UTF-8; binary or non-UTF-8 content is refused with a reason. */
export function decodeSource(content: string | Uint8Array): Decoded {
  if (typeof content === "string") return checkedText(content);
  let decoded = decodedBytes.get(content);
  if (!decoded) decodedBytes.set(content, (decoded = decodeBytes(content)));
  return decoded;
}

function decodeBytes(content: Uint8Array): Decoded {
  if (content.includes(0)) return { ok: false, problem: "binary file (contains NUL bytes)" };
  try {
    return checkedText(utf8.decode(content));
  } catch {
    return { ok: false, problem: "not valid UTF-8 text" };
  }
}

function checkedText(text: string): Decoded {
  if (text.includes("\u0000")) return { ok: false, problem: "binary file (contains NUL bytes)" };
  // A BOM is invisible in editors; dropping it keeps columns where users see them.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { ok: true, text };
}

/** Maps offsets in a text to 1-based line/column pairs (CRLF counts as one line break). */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
    }
  }

  get lineCount(): number {
    return this.starts.length;
  }

  position(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.starts[lo]! + 1 };
  }

  lineStart(line: number): number {
    return this.starts[Math.min(Math.max(line, 1), this.starts.length) - 1]!;
  }

  /** The text of a line without its line break. */
  lineText(line: number): string {
    const start = this.lineStart(line);
    const next = line < this.starts.length ? this.starts[line]! : this.text.length;
    return this.text.slice(start, next).replace(/\r?\n$/, "");
  }
}

/**
 * One LineIndex per file, built on first use: a render reads many findings' lines from the
 * same few files, and indexing (or splitting) the whole file per finding was quadratic.
 */
export function lineIndexes(sources: Map<string, string> | undefined): (file: string) => LineIndex | undefined {
  const indexes = new Map<string, LineIndex>();
  return (file) => {
    const source = sources?.get(file);
    if (source === undefined) return undefined;
    let index = indexes.get(file);
    if (!index) indexes.set(file, (index = new LineIndex(source)));
    return index;
  };
}

/** Builds a span for [start, end) of a source that may sit inside a larger file. */
export function spanOf(
  index: LineIndex,
  file: string,
  start: number,
  end: number,
  base: { baseOffset: number; baseLine: number } = { baseOffset: 0, baseLine: 1 },
): Span {
  const from = index.position(start);
  const to = index.position(Math.max(start, end - 1));
  return {
    file,
    startLine: from.line + base.baseLine - 1,
    startColumn: from.column,
    endLine: to.line + base.baseLine - 1,
    endColumn: to.column + 1,
    startOffset: start + base.baseOffset,
    endOffset: end + base.baseOffset,
  };
}

/**
 * Converts UTF-8 byte offsets (what libpg_query reports) to string indexes.
 * Offsets must be sorted ascending; one pass over the text serves them all.
 */
export function byteOffsetsToIndexes(text: string, byteOffsets: number[]): number[] {
  // eslint-disable-next-line no-control-regex
  if (!/[^\x00-\x7f]/.test(text)) return byteOffsets.slice();
  const out: number[] = [];
  let bytes = 0;
  let i = 0;
  for (const target of byteOffsets) {
    while (i < text.length && bytes < target) {
      const code = text.codePointAt(i)!;
      bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
      i += code >= 0x10000 ? 2 : 1;
    }
    out.push(i);
  }
  return out;
}

/** A short, stable hash (FNV-1a, 32 bit) for fingerprints; not for security. */
export function shortHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, "0");
}

/** The decoded text of every readable file, by path (for code frames, suggestions, runbooks). */
export function decodedTexts(files: SourceFile[]): Map<string, string> {
  const texts = new Map<string, string>();
  for (const f of files) {
    if (f.content === undefined) continue;
    const decoded = decodeSource(f.content);
    if (decoded.ok) texts.set(f.path, decoded.text);
  }
  return texts;
}
