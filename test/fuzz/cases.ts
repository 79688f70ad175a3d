// Fuzz cases for the CLI: mutated SQL, encodings and file oddities, bad configurations,
// statistics and evidence files. Seeded and deterministic: case N of seed S is always the same.
// Every case puts known-bad sentinel migrations beside the odd input; they must still be reported.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** A file to create in the case's folder: text or bytes, or something special. */
export type FuzzFile =
  | { path: string; content: string | Buffer }
  | { path: string; symlink: string }
  | { path: string; fifo: true }
  | { path: string; dir: true };

export interface FuzzCase {
  id: number;
  family: string;
  /** What was done, to reproduce by hand. */
  what: string;
  files: FuzzFile[];
  /** Arguments after `migration-guard`, run in the case's folder. */
  argv: string[];
  /**
   * The option file that may rightly be refused (exit 2 naming it): a bad config, statistics or
   * evidence file. For SQL and file cases exit 2 is always a failure.
   */
  refusable?: string;
}

/** Known-bad migrations placed before and after the odd input: each must yield its finding. */
export const SENTINELS = [
  { path: "db/V1__sentinel_before.sql", content: "DROP TABLE sentinel_before;\n", rule: "drop-table" },
  { path: "db/V900__sentinel_after.sql", content: "DROP TABLE sentinel_after;\n", rule: "drop-table" },
];

const SQL_SEEDS = [
  "CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL, created_at timestamptz DEFAULT now());\n",
  "ALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT 'new';\nCREATE INDEX orders_status_idx ON orders (status);\n",
  "CREATE OR REPLACE FUNCTION touch() RETURNS trigger AS $body$\nBEGIN\n  NEW.updated_at := now(); -- keep it fresh\n  RETURN NEW;\nEND;\n$body$ LANGUAGE plpgsql;\n",
  "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'mood') THEN CREATE TYPE mood AS ENUM ('ok', 'sad'); END IF; END $$;\n",
  "/* header /* nested */ comment */\nUPDATE users SET name = E'O\\'Brien' WHERE id = 1;\nSELECT 'it''s', \"Quoted \"\"id\"\"\" FROM t;\n",
  "BEGIN;\nALTER TABLE invoices ALTER COLUMN amount TYPE numeric(12,2);\nCOMMIT;\n",
  "CREATE FUNCTION one() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END;\n",
  "\\set ON_ERROR_STOP on\nINSERT INTO t (a) VALUES (1), (2);\n",
];

const FRAGMENTS = ["'", '"', "$$", "$tag$", "/*", "*/", "--", ";", "(", ")", "\\", "E'", "U&'", "`", "\u0000", "\r", "\uFEFF", "BEGIN ATOMIC", "END", "$1"];

/** mulberry32: small, fast, good enough to pick mutations. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = () => number;
const int = (r: Random, n: number) => Math.floor(r() * n);
const pick = <T>(r: Random, list: readonly T[]): T => list[int(r, list.length)]!;

function mutateBytes(r: Random, input: Buffer): { bytes: Buffer; what: string } {
  const bytes = Buffer.from(input);
  switch (int(r, 6)) {
    case 0: {
      const flips = 1 + int(r, 8);
      for (let i = 0; i < flips; i++) bytes[int(r, bytes.length)] = int(r, 256);
      return { bytes, what: `${flips} random byte(s) replaced` };
    }
    case 1: {
      const at = int(r, bytes.length);
      return { bytes: bytes.subarray(0, at), what: `truncated at byte ${at}` };
    }
    case 2: {
      const at = int(r, bytes.length);
      const piece = pick(r, FRAGMENTS);
      return { bytes: Buffer.concat([bytes.subarray(0, at), Buffer.from(piece), bytes.subarray(at)]), what: `inserted ${JSON.stringify(piece)} at ${at}` };
    }
    case 3: {
      const at = int(r, bytes.length);
      const end = Math.min(bytes.length, at + 1 + int(r, 40));
      return { bytes: Buffer.concat([bytes.subarray(0, at), bytes.subarray(end)]), what: `deleted bytes ${at}-${end}` };
    }
    case 4: {
      const at = int(r, bytes.length);
      const len = 1 + int(r, 30);
      const slice = bytes.subarray(at, at + len);
      const times = 1 + int(r, 50);
      return { bytes: Buffer.concat([bytes.subarray(0, at), ...Array(times).fill(slice), bytes.subarray(at)]), what: `repeated ${len} bytes at ${at} ${times}x` };
    }
    default: {
      const at = int(r, bytes.length);
      const junk = Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0xed, 0xa0, 0x80].slice(0, 1 + int(r, 7)));
      return { bytes: Buffer.concat([bytes.subarray(0, at), junk, bytes.subarray(at)]), what: `invalid UTF-8 at ${at}` };
    }
  }
}

function deepSql(r: Random): { text: string; what: string } {
  const depth = 200 + int(r, 2800);
  switch (int(r, 6)) {
    case 0:
      return { text: `SELECT ${"(SELECT ".repeat(Math.min(depth, 1000))}1${")".repeat(Math.min(depth, 1000))};\n`, what: `subqueries ${Math.min(depth, 1000)} deep` };
    case 1:
      return { text: `SELECT ${"CASE WHEN true THEN ".repeat(Math.min(depth, 1500))}1${" END".repeat(Math.min(depth, 1500))};\n`, what: `CASE ${Math.min(depth, 1500)} deep` };
    case 2:
      return { text: `UPDATE t SET x = ${"1+".repeat(depth)}1;\n`, what: `sum of ${depth} terms` };
    case 3:
      return { text: `ALTER TABLE t ADD CONSTRAINT c CHECK (${"(".repeat(Math.min(depth, 1000))}x > 0${")".repeat(Math.min(depth, 1000))});\n`, what: `parentheses ${Math.min(depth, 1000)} deep` };
    case 4: {
      const n = 1000 + int(r, 99_000);
      const closed = r() < 0.5;
      return { text: `SELECT 1;\n${"/*".repeat(n)}${closed ? "*/".repeat(n) : ""}\nSELECT 2;\n`, what: `${n} nested comments, ${closed ? "closed" : "unterminated"}` };
    }
    default: {
      const open = pick(r, ["'", '"', "$$", "$x$", "/*", "E'"]);
      return { text: `CREATE TABLE a (id int);\nSELECT ${open}${"x".repeat(int(r, 100_000))}\n`, what: `unterminated ${open} over a long tail` };
    }
  }
}

function encoded(r: Random): { bytes: Buffer; what: string } {
  const text = pick(r, SQL_SEEDS);
  switch (int(r, 5)) {
    case 0:
      return { bytes: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]), what: "UTF-16LE with BOM" };
    case 1:
      return { bytes: Buffer.from(text.replace("accounts", "cafés"), "latin1"), what: "Latin-1" };
    case 2:
      return { bytes: Buffer.from(`\uFEFF${text.replace(/\n/g, "\r\n")}`), what: "UTF-8 BOM and CRLF" };
    case 3:
      return { bytes: Buffer.from(text.replace(/\n/g, "\r")), what: "CR-only line ends" };
    default:
      return { bytes: Buffer.from(`SELECT '${"é🙂".repeat(int(r, 20_000))}';\n${text}`), what: "long multi-byte line" };
  }
}

function oddFile(r: Random): { files: FuzzFile[]; what: string } {
  const p = "db/V500__odd.sql";
  switch (int(r, 10)) {
    case 0:
      return { files: [{ path: p, symlink: "/dev/zero" }], what: "symlink to /dev/zero" };
    case 1:
      return { files: [{ path: p, symlink: "/dev/urandom" }], what: "symlink to /dev/urandom" };
    case 2:
      return { files: [{ path: p, symlink: "V404__missing.sql" }], what: "dangling symlink" };
    case 3:
      return { files: [{ path: p, symlink: "V500__odd.sql" }], what: "symlink loop" };
    case 4:
      return { files: [{ path: p, fifo: true }], what: "named pipe" };
    case 5:
      return { files: [{ path: `db/V500__caf${"\udce9"}.sql`, content: "SELECT 1;\n" }], what: "non-UTF-8 file name" };
    case 6:
      return { files: [{ path: "db/V500__UPPER.SQL", content: "DROP TABLE upper_case;\n" }], what: "upper-case .SQL" };
    case 7:
      return { files: [{ path: p, content: "" }], what: "empty file" };
    case 8:
      return { files: [{ path: p, dir: true }], what: "folder named like a migration" };
    default: {
      const rows = 20_000 + int(r, 40_000);
      return { files: [{ path: p, content: "INSERT INTO t (a, b) VALUES (1, 'x');\n".repeat(rows) }], what: `${rows}-statement file` };
    }
  }
}

const GOOD_CONFIG = `dialect: postgres
postgres_version: 15
rules:
  require-concurrent-index: warning
tables:
  orders: { rows: 80000000, bytes: 40GB }
thresholds:
  max_blocking_seconds: 2
commit_format:
  ticket_pattern: "[A-Z]+-\\\\d+"
`;

function badConfig(r: Random): { text: string | Buffer; what: string } {
  switch (int(r, 8)) {
    case 0: {
      const { bytes, what } = mutateBytes(r, Buffer.from(GOOD_CONFIG));
      return { text: bytes, what: `config: ${what}` };
    }
    case 1:
      return { text: `tables:\n${Array.from({ length: 6000 + int(r, 60_000) }, (_, i) => `  t${i}: {rows: 1}`).join("\n")}\n`, what: "config with tens of thousands of keys" };
    case 2:
      return { text: `a: &a [x, x, x, x, x, x, x, x, x]\n${Array.from({ length: 12 }, (_, i) => `b${i}: &b${i} [*${i ? `b${i - 1}` : "a"}, *${i ? `b${i - 1}` : "a"}, *${i ? `b${i - 1}` : "a"}]`).join("\n")}\n`, what: "YAML alias bomb" };
    case 3:
      return { text: pick(r, ["thresholds: { rewrite_bytes_per_second: 0 }\n", "tables: { t: { rows: 1e308 } }\n", "thresholds: { max_blocking_seconds: -1 }\n", "postgres_version: 99\n", "tables: { t: { bytes: 9999999999999TB } }\n"]), what: "config with out-of-range numbers" };
    case 4:
      return { text: pick(r, ["commit_format: { ticket_pattern: '(a+)+' }\n", "commit_format: { ticket_pattern: '(x)\\1' }\n", "commit_format: { ticket_pattern: '(' }\n", "commit_format: { ticket_pattern: '(?=a)b' }\n"]), what: "config with a hostile ticket_pattern" };
    case 5:
      return { text: pick(r, ["rules: { lock-timout: off }\n", "rules: { drop-tabel: error }\n", "rules: [1, 2]\n", "layout: django\n", "- just\n- a list\n"]), what: "config with unknown names or shapes" };
    case 6:
      return { text: `${"[".repeat(5000 + int(r, 50_000))}\n`, what: "deeply nested flow sequence" };
    default:
      return { text: Buffer.concat([Buffer.from(GOOD_CONFIG), Buffer.from([0, 0xff, 0xfe])]), what: "config with binary tail" };
  }
}

function goodStats(): object {
  return {
    format: "migration-guard-stats",
    version: 1,
    dialect: "postgres",
    tables: [{ schema: "public", name: "orders", rows: 1000, table_bytes: 81920, index_bytes: 16384, indexes: [{ name: "orders_pkey", bytes: 16384, unique: true, primary: true }] }],
  };
}

function badStats(r: Random): { text: string | Buffer; what: string } {
  const good = JSON.stringify(goodStats());
  switch (int(r, 6)) {
    case 0: {
      const { bytes, what } = mutateBytes(r, Buffer.from(good));
      return { text: bytes, what: `statistics: ${what}` };
    }
    case 1:
      return { text: good.replace('"rows":1000', `"rows":${pick(r, ["1e308", "-5", '"many"', "null", "1e400"])}`), what: "statistics with out-of-range rows" };
    case 2:
      return { text: `${"[".repeat(10_000 + int(r, 200_000))}`, what: "statistics: deeply nested JSON" };
    case 3:
      return { text: JSON.stringify({ ...goodStats(), tables: Array.from({ length: 20_000 }, (_, i) => ({ schema: "s", name: `t${i}`, rows: i, table_bytes: 8192, index_bytes: 0 })) }), what: "statistics with 20,000 tables" };
    case 4:
      return { text: JSON.stringify({ ...goodStats(), __proto__: { polluted: true }, constructor: { prototype: { x: 1 } } }), what: "statistics with prototype keys" };
    default:
      return { text: JSON.stringify({ ...goodStats(), dialect: "mysql" }), what: "statistics from another dialect" };
  }
}

const REPO = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

function badEvidence(r: Random): { text: string | Buffer; what: string } {
  const good = readFileSync(join(REPO, "test/fixtures/evidence/report.json"));
  switch (int(r, 4)) {
    case 0:
    case 1: {
      const { bytes, what } = mutateBytes(r, good);
      return { text: bytes, what: `evidence: ${what}` };
    }
    case 2: {
      const json = JSON.parse(good.toString());
      const keys = Object.keys(json);
      const key = pick(r, keys);
      json[key] = pick(r, [null, 1e308, "x", [], {}, -1]);
      return { text: JSON.stringify(json), what: `evidence with ${key} replaced` };
    }
    default:
      return { text: `{"a":${"[".repeat(50_000)}`, what: "evidence: deeply nested JSON" };
  }
}

/** The `count` cases of a seed, spread over the families in a fixed rotation. */
export function fuzzCases(seed: number, count: number): FuzzCase[] {
  const r = rng(seed);
  const cases: FuzzCase[] = [];
  const families = ["sql", "sql", "sql", "deep", "encoding", "file", "config", "stats", "evidence"] as const;
  for (let id = 0; id < count; id++) {
    const family = families[id % families.length]!;
    const check = ["check", "db", "--format", "json"];
    switch (family) {
      case "sql": {
        let bytes = Buffer.from(pick(r, SQL_SEEDS));
        const steps: string[] = [];
        for (let i = 1 + int(r, 3); i > 0; i--) {
          const m = mutateBytes(r, bytes);
          bytes = m.bytes;
          steps.push(m.what);
        }
        cases.push({ id, family, what: steps.join("; "), files: [{ path: "db/V500__mutated.sql", content: bytes }], argv: check });
        break;
      }
      case "deep": {
        const { text, what } = deepSql(r);
        cases.push({ id, family, what, files: [{ path: "db/V500__deep.sql", content: text }], argv: check });
        break;
      }
      case "encoding": {
        const { bytes, what } = encoded(r);
        cases.push({ id, family, what, files: [{ path: "db/V500__encoded.sql", content: bytes }], argv: check });
        break;
      }
      case "file": {
        const { files, what } = oddFile(r);
        cases.push({ id, family, what, files, argv: check });
        break;
      }
      case "config": {
        const { text, what } = badConfig(r);
        cases.push({ id, family, what, files: [{ path: "conf/mg.yml", content: text }], argv: [...check, "--config", "conf/mg.yml"], refusable: "conf/mg.yml" });
        break;
      }
      case "stats": {
        const { text, what } = badStats(r);
        cases.push({ id, family, what, files: [{ path: "stats.json", content: text }], argv: [...check, "--stats", "stats.json"], refusable: "stats.json" });
        break;
      }
      case "evidence": {
        const { text, what } = badEvidence(r);
        cases.push({ id, family, what, files: [{ path: "ev.json", content: text }], argv: ["runbook", "db", "--evidence", "ev.json"], refusable: "ev.json" });
        break;
      }
    }
  }
  return cases;
}
