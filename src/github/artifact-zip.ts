// Reads one file out of a workflow artifact (a zip) that a pull request could have shaped: the
// central directory is the only table of contents, names are unique, the file's declared size is
// checked before inflating, inflation stops at a byte budget (a deflate bomb is 1,000:1), and the
// CRC-32 and size of what came out must match what the directory declares.
import { crc32 } from "node:zlib";
import { Inflate } from "fflate";

export type ZipRead = { ok: true; bytes: Uint8Array } | { ok: false; problem: string };

const END_OF_DIRECTORY = 0x06054b50;
const DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;
/** Compressed bytes handed to the inflater at a time: each push can produce ~1,000 times as much. */
const INFLATE_CHUNK = 1024;

interface Entry {
  name: string;
  flags: number;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

class ZipProblem extends Error {}

/** The bytes of `name` in `zip`, at most `maxBytes` of them, or why they cannot be trusted. */
export function readZipEntry(zip: Uint8Array, name: string, maxBytes: number): ZipRead {
  try {
    const entries = centralDirectory(zip);
    const seen = new Set<string>();
    for (const e of entries) {
      if (seen.has(e.name)) throw new ZipProblem(`it holds \`${e.name}\` twice`);
      seen.add(e.name);
    }
    const entry = entries.find((e) => e.name === name);
    if (!entry) return { ok: false, problem: `the artifact holds no \`${name}\`` };
    if (entry.size > maxBytes) return { ok: false, problem: `\`${name}\` is ${entry.size} bytes, over the ${maxBytes}-byte limit` };
    return { ok: true, bytes: extract(zip, entry, maxBytes) };
  } catch (error) {
    // RangeError: an offset points past the end of a truncated archive.
    if (!(error instanceof ZipProblem) && !(error instanceof RangeError)) throw error;
    return { ok: false, problem: `the test-report artifact is not a valid zip (${error.message})` };
  }
}

function centralDirectory(zip: Uint8Array): Entry[] {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  // The end record is the last 22 bytes plus a comment of up to 65,535 bytes.
  let end = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === END_OF_DIRECTORY) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new ZipProblem("no end of central directory");
  const count = view.getUint16(end + 10, true);
  const size = view.getUint32(end + 12, true);
  let at = view.getUint32(end + 16, true);
  if (count === 0xffff || at === 0xffffffff) throw new ZipProblem("ZIP64 archives are not expected for a test report");
  if (at + size > end) throw new ZipProblem("the central directory lies outside the archive");
  const entries: Entry[] = [];
  for (let i = 0; i < count; i++) {
    if (at + 46 > end || view.getUint32(at, true) !== DIRECTORY_ENTRY) throw new ZipProblem(`central directory entry ${i + 1} is damaged`);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    entries.push({
      flags: view.getUint16(at + 8, true),
      method: view.getUint16(at + 10, true),
      crc: view.getUint32(at + 16, true),
      compressedSize: view.getUint32(at + 20, true),
      size: view.getUint32(at + 24, true),
      localOffset: view.getUint32(at + 42, true),
      name: new TextDecoder().decode(zip.subarray(at + 46, at + 46 + nameLength)),
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

function extract(zip: Uint8Array, entry: Entry, maxBytes: number): Uint8Array {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const local = entry.localOffset;
  if (local + 30 > zip.length || view.getUint32(local, true) !== LOCAL_HEADER) throw new ZipProblem(`the local header of \`${entry.name}\` is missing`);
  const nameLength = view.getUint16(local + 26, true);
  const localName = new TextDecoder().decode(zip.subarray(local + 30, local + 30 + nameLength));
  // A reader that walks local headers would see another file: refuse the ambiguity.
  if (localName !== entry.name) throw new ZipProblem(`the directory says \`${entry.name}\` where the archive holds \`${localName}\``);
  if (entry.flags & 1) throw new ZipProblem(`\`${entry.name}\` is encrypted`);
  const start = local + 30 + nameLength + view.getUint16(local + 28, true);
  if (start + entry.compressedSize > zip.length) throw new ZipProblem(`\`${entry.name}\` is cut off`);
  const data = zip.subarray(start, start + entry.compressedSize);
  let bytes: Uint8Array;
  if (entry.method === 0) bytes = data;
  else if (entry.method === 8) bytes = inflateWithin(data, Math.min(entry.size, maxBytes), entry.name);
  else throw new ZipProblem(`\`${entry.name}\` uses compression method ${entry.method}`);
  if (bytes.length !== entry.size) throw new ZipProblem(`\`${entry.name}\` holds ${bytes.length} bytes, not the ${entry.size} its directory entry declares`);
  if (crc32(bytes) >>> 0 !== entry.crc) throw new ZipProblem(`the CRC-32 of \`${entry.name}\` does not match: the archive is damaged or was altered`);
  return bytes;
}

/** Inflates `data`, stopping as soon as the output would exceed `budget` bytes. */
function inflateWithin(data: Uint8Array, budget: number, name: string): Uint8Array {
  if (data.length === 0) throw new ZipProblem(`\`${name}\` is empty`);
  const out = new Uint8Array(budget);
  let length = 0;
  let over = false;
  const inflater = new Inflate((chunk) => {
    if (over) return;
    if (length + chunk.length > budget) {
      over = true;
      return;
    }
    out.set(chunk, length);
    length += chunk.length;
  });
  for (let at = 0; at < data.length && !over; at += INFLATE_CHUNK) {
    const end = Math.min(at + INFLATE_CHUNK, data.length);
    try {
      inflater.push(data.subarray(at, end), end === data.length);
    } catch (error) {
      throw new ZipProblem(`\`${name}\` is not valid deflate data (${(error as Error).message})`);
    }
  }
  if (over) throw new ZipProblem(`\`${name}\` inflates to more than the ${budget} bytes its directory entry allows`);
  return out.subarray(0, length);
}
