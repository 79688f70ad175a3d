// atlas.sum (sql/migrate/dir.go, NewHashFile / HashFile.Sum / Validate in ariga/atlas): one
// SHA-256 runs over the folder's `*.sql` files in byte order of their names; for each file it
// takes the name, then the content (only the name when the file's first line carries
// `atlas:sum ignore`, which also leaves the file out of the list), and the file's line is
// `<name> h1:<base64 of the digest so far>`. So a file's hash covers every file before it too.
// The first line is `h1:` + base64 SHA-256 of every listed name and `h1`-less hash in turn.
// `atlas migrate validate` recomputes the list and reports the first line where the two differ:
// "L<line>: <file> was edited|added|removed".
// Atlas writes atlas.sum for other tools' folders too (`--dir-format golang-migrate`, goose,
// dbmate): the same hash over the files that format runs (golang-migrate: `*.up.sql` only).
// Pure text and hash handling, shared by the layouts that find an atlas.sum in their folder.
import { createHash } from "node:crypto";
import type { SourceFile } from "../model.js";
import { basename, problem, textOf, type DiscoveryProblem, type RecordedEdit } from "./layout.js";
/** Atlas's reDirective, matched from the start of the file (its first line only). */
const DIRECTIVE = /^([ -~]*)atlas:(\w+)(?: +([^\n]+))*/;

export interface SumEntry {
  name: string;
  hash: string;
}

export type SumFile = { ok: true; sum: string; entries: SumEntry[] } | { ok: false; line: number };

/** atlas.sum as Atlas reads it (HashFile.UnmarshalText): a bad line is a format error. */
export function parseAtlasSum(text: string): SumFile {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  const entries: SumEntry[] = [];
  for (let i = 1; i < lines.length; i++) {
    const at = lines[i]!.indexOf("h1:");
    if (at < 0) return { ok: false, line: i + 1 };
    entries.push({ name: lines[i]!.slice(0, at).trim(), hash: lines[i]!.slice(at + 3) });
  }
  return { ok: true, sum: (lines[0] ?? "").replace(/^h1:/, ""), entries };
}

/** HashFile.Sum: the first line of atlas.sum, without `h1:`. */
export function atlasSumOf(entries: SumEntry[]): string {
  const sha = createHash("sha256");
  for (const e of entries) sha.update(e.name).update(e.hash);
  return sha.digest("base64");
}

/** NewHashFile: the list atlas.sum should hold for these files (names and raw bytes). */
export function atlasHashes(files: { name: string; bytes: Uint8Array }[]): SumEntry[] {
  const sorted = [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const sha = createHash("sha256");
  const out: SumEntry[] = [];
  for (const f of sorted) {
    sha.update(f.name);
    if (sumIgnored(f.bytes)) continue;
    sha.update(f.bytes);
    out.push({ name: f.name, hash: sha.copy().digest("base64") });
  }
  return out;
}

/** The whole atlas.sum text `atlas migrate hash` writes for these files. */
export function atlasSumText(files: { name: string; bytes: Uint8Array }[]): string {
  const entries = atlasHashes(files);
  return `h1:${atlasSumOf(entries)}\n${entries.map((e) => `${e.name} h1:${e.hash}\n`).join("")}`;
}

function sumIgnored(bytes: Uint8Array): boolean {
  const m = DIRECTIVE.exec(new TextDecoder().decode(bytes.subarray(0, 1024)));
  return m?.[2] === "sum" && m[3] === "ignore";
}

export interface SumMismatch {
  /** atlas.sum line of the mismatch (the first line is the folder's sum). */
  line: number;
  file: string;
  reason: "edited" | "added" | "removed";
}

/** migrate.Validate: the first place where the recorded list and the folder differ. */
export function validateAtlasSum(recorded: SumEntry[], actual: SumEntry[]): SumMismatch | undefined {
  if (atlasSumOf(recorded) === atlasSumOf(actual)) return undefined;
  for (let i = 0; i < recorded.length; i++) {
    const r = recorded[i]!;
    if (actual[i]?.name === r.name && actual[i]?.hash === r.hash) continue;
    const idx = actual.findIndex((e) => e.name === r.name);
    if (idx < 0) return { line: i + 2, file: r.name, reason: "removed" };
    if (idx === i) return { line: i + 2, file: r.name, reason: "edited" };
    return { line: i + 2, file: actual[i]!.name, reason: "added" };
  }
  return { line: recorded.length + 2, file: actual[recorded.length]!.name, reason: "added" };
}

/** What `atlas migrate validate` prints for a mismatch (printChecksumError). */
export function validateMessage(m: SumMismatch): string {
  return `\`atlas migrate validate\` fails with "You have a checksum error in your migration directory. L${m.line}: ${m.file} was ${m.reason}", and \`atlas migrate apply\` refuses the folder until \`atlas migrate hash\` is run`;
}

function bytesOf(file: SourceFile): Uint8Array | undefined {
  if (file.content === undefined) return undefined;
  return typeof file.content === "string" ? new TextEncoder().encode(file.content) : file.content;
}

export interface SumCheck {
  problems: DiscoveryProblem[];
  /** The file edited after atlas.sum recorded it (Atlas can tell only the first). */
  edited: RecordedEdit[];
}

/**
 * Checks atlas.sum against `hashed`, the SQL files the folder's format runs, as
 * `atlas migrate validate` does: the first mismatch in Atlas's words, plus every other file
 * atlas.sum does not list. Nothing when a file's content was not loaded (a listing only).
 */
export function checkAtlasSum(sumFile: SourceFile, hashed: SourceFile[]): SumCheck {
  const none: SumCheck = { problems: [], edited: [] };
  const text = textOf(sumFile);
  const contents = hashed.map((f) => ({ path: f.path, name: basename(f.path), bytes: bytesOf(f) }));
  if (text === undefined || contents.some((c) => c.bytes === undefined)) return none;
  const parsed = parseAtlasSum(text);
  if (!parsed.ok) {
    return { problems: [problem(sumFile.path, `atlas.sum line ${parsed.line} is not \`<file> h1:<hash>\`: Atlas refuses the folder ("checksum file format invalid") until \`atlas migrate hash\` rewrites it`, parsed.line)], edited: [] };
  }
  if (parsed.sum !== atlasSumOf(parsed.entries)) {
    const message = "atlas.sum's first line (the hash of the whole list) does not match the file lines below it, as after a merge conflict resolved by hand: Atlas refuses the folder (\"checksum mismatch\") until `atlas migrate hash` rewrites it";
    return { problems: [problem(sumFile.path, message)], edited: [] };
  }
  const problems: DiscoveryProblem[] = [];
  const edited: RecordedEdit[] = [];
  const mismatch = validateAtlasSum(parsed.entries, atlasHashes(contents as { name: string; bytes: Uint8Array }[]));
  const pathOf = (name: string) => contents.find((c) => c.name === name)?.path ?? name;
  if (mismatch?.reason === "edited") edited.push({ id: pathOf(mismatch.file), record: `atlas.sum line ${mismatch.line}`, consequence: validateMessage(mismatch) });
  else if (mismatch?.reason === "removed") problems.push(problem(sumFile.path, `atlas.sum lists ${mismatch.file}, which is not in the folder: ${validateMessage(mismatch)}`, mismatch.line));
  else if (mismatch) problems.push(problem(pathOf(mismatch.file), `${mismatch.file} is not in atlas.sum: ${validateMessage(mismatch)}`));
  const listed = new Set(parsed.entries.map((e) => e.name));
  for (const c of contents) {
    if (listed.has(c.name) || c.name === mismatch?.file || sumIgnored(c.bytes!)) continue;
    problems.push(problem(c.path, `${c.name} is not in atlas.sum: \`atlas migrate apply\` refuses the folder until \`atlas migrate hash\` is run`));
  }
  return { problems, edited };
}

/** The folder's atlas.sum, when Atlas keeps one there. */
export function atlasSumFile(files: SourceFile[]): SourceFile | undefined {
  return files.find((f) => basename(f.path) === "atlas.sum");
}
