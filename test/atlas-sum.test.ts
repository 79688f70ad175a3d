// atlas.sum as Atlas computes and validates it (sql/migrate/dir.go: NewHashFile, HashFile.Sum,
// Validate): an edited file is an edited migration without a base, a stale sum is reported in
// `atlas migrate validate`'s words, and folders Atlas keeps in golang-migrate's format are
// golang-migrate's, with the sum checked over their up files.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { DEFAULT_CONFIG } from "../src/core/config/load.js";
import { discover } from "../src/core/discover/index.js";
import { atlasHashes, atlasSumText, parseAtlasSum, validateAtlasSum } from "../src/core/discover/atlas-sum.js";
import type { SourceFile } from "../src/core/model.js";
import { analyzeFiles } from "./helpers/engine.js";

const sha = (...parts: string[]) => parts.reduce((h, p) => h.update(p), createHash("sha256")).digest("base64");
const enc = (s: string) => new TextEncoder().encode(s);

const FILES: Record<string, string> = {
  "20240101000000_accounts.sql": "CREATE TABLE accounts (id bigint PRIMARY KEY, email text);\n",
  "20240201000000_plan.sql": "ALTER TABLE accounts ADD COLUMN plan text;\n",
  "20240301000000_orders.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, account_id bigint);\n",
};
const withSum = (files: Record<string, string>, hashed: Record<string, string> = files, dir = "migrations"): Record<string, string> => ({
  ...Object.fromEntries(Object.entries(files).map(([n, c]) => [`${dir}/${n}`, c])),
  [`${dir}/atlas.sum`]: atlasSumText(Object.entries(hashed).map(([name, c]) => ({ name, bytes: enc(c) }))),
});
const asFiles = (r: Record<string, string>): SourceFile[] => Object.entries(r).map(([path, content]) => ({ path, content }));
const problemsOf = (head: Record<string, string>, base?: Record<string, string>) =>
  discover({ head: asFiles(head), base: base && asFiles(base) }, { ...DEFAULT_CONFIG, layout: "auto" }).problems.map((p) => `${p.file}:${p.line} ${p.message}`);

describe("atlas.sum hashes", () => {
  it("chains one SHA-256 over name then content of each file in name order; the first line hashes names and hashes", () => {
    const entries = atlasHashes([{ name: "2_b.sql", bytes: enc("B") }, { name: "1_a.sql", bytes: enc("A") }]);
    const h1 = sha("1_a.sql", "A");
    const h2 = sha("1_a.sql", "A", "2_b.sql", "B");
    expect(entries).toEqual([{ name: "1_a.sql", hash: h1 }, { name: "2_b.sql", hash: h2 }]);
    expect(atlasSumText([{ name: "1_a.sql", bytes: enc("A") }, { name: "2_b.sql", bytes: enc("B") }])).toBe(
      `h1:${sha("1_a.sql", h1, "2_b.sql", h2)}\n1_a.sql h1:${h1}\n2_b.sql h1:${h2}\n`,
    );
  });

  it("a file whose first line says `atlas:sum ignore` adds only its name to the chain and has no line", () => {
    const entries = atlasHashes([{ name: "1_a.sql", bytes: enc("-- atlas:sum ignore\nSELECT 1;\n") }, { name: "2_b.sql", bytes: enc("B") }]);
    expect(entries).toEqual([{ name: "2_b.sql", hash: sha("1_a.sql", "2_b.sql", "B") }]);
  });

  it("validate names the first mismatch the way Atlas does: edited in place, added before or after, removed", () => {
    const rec = [{ name: "1.sql", hash: "a" }, { name: "2.sql", hash: "b" }];
    expect(validateAtlasSum(rec, rec)).toBeUndefined();
    expect(validateAtlasSum(rec, [{ name: "1.sql", hash: "a" }, { name: "2.sql", hash: "x" }])).toEqual({ line: 3, file: "2.sql", reason: "edited" });
    expect(validateAtlasSum(rec, [{ name: "1.sql", hash: "a" }, { name: "15.sql", hash: "y" }, { name: "2.sql", hash: "z" }])).toEqual({ line: 3, file: "15.sql", reason: "added" });
    expect(validateAtlasSum(rec, [...rec, { name: "3.sql", hash: "c" }])).toEqual({ line: 4, file: "3.sql", reason: "added" });
    expect(validateAtlasSum(rec, [{ name: "1.sql", hash: "a" }])).toEqual({ line: 3, file: "2.sql", reason: "removed" });
    expect(parseAtlasSum("h1:x\n1.sql h1:a\nbroken\n")).toEqual({ ok: false, line: 3 });
  });
});

describe("Atlas folders checked against atlas.sum", () => {
  it("a folder that matches its atlas.sum has nothing to report", async () => {
    expect(problemsOf(withSum(FILES))).toEqual([]);
    const report = await analyzeFiles(withSum(FILES));
    expect(report.migrations.flatMap((m) => m.findings).filter((f) => f.ruleId === "edited-merged-migration")).toEqual([]);
  });

  it("without a base, a file edited after it was hashed is an edited migration, named with the atlas.sum line Atlas reports", async () => {
    const edited = { ...FILES, "20240201000000_plan.sql": "ALTER TABLE accounts ADD COLUMN plan text NOT NULL DEFAULT 'free';\n" };
    const report = await analyzeFiles(withSum(edited, FILES));
    const hits = report.migrations.flatMap((m) => m.findings).filter((f) => f.ruleId === "edited-merged-migration");
    // Only the first mismatch is known: the chained hashes of the files after it differ too.
    expect(hits.map((f) => [f.span.file, f.message])).toEqual([
      [
        "migrations/20240201000000_plan.sql",
        'migrations/20240201000000_plan.sql differs from the content atlas.sum line 3 recorded for it: it was edited after it was hashed, databases that ran the hashed version never run this edit, and `atlas migrate validate` fails with "You have a checksum error in your migration directory. L3: 20240201000000_plan.sql was edited", and `atlas migrate apply` refuses the folder until `atlas migrate hash` is run.',
      ],
    ]);
    expect(problemsOf(withSum(edited, FILES))).toEqual([]);
  });

  it("against a base, a merged file edited without re-hashing is one edited finding (its first changed line), with Atlas's refusal", async () => {
    const base = withSum(FILES);
    const head = { ...base, "migrations/20240101000000_accounts.sql": "CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL);\n" };
    const report = await analyzeFiles(head, { base });
    const hits = report.migrations.flatMap((m) => m.findings).filter((f) => f.ruleId === "edited-merged-migration");
    expect(hits).toHaveLength(1);
    expect(hits[0]!.message).toContain("already exists on the base branch with other content (first change on line 1)");
    expect(hits[0]!.message).toContain("L2: 20240101000000_accounts.sql was edited");
    expect(problemsOf(head, base)).toEqual([]);
  });

  it("against a base, a new file changed after `atlas migrate hash` makes the sum stale, not an edited migration", async () => {
    const base = withSum(FILES);
    const added = { ...FILES, "20240401000000_idx.sql": "CREATE INDEX orders_account_idx ON orders (account_id);\n" };
    const head = withSum({ ...added, "20240401000000_idx.sql": "CREATE INDEX orders_account_id_idx ON orders (account_id);\n" }, added);
    expect(problemsOf(head, base)).toEqual([
      'migrations/20240401000000_idx.sql:1 20240401000000_idx.sql differs from the hash atlas.sum line 5 holds for it: `atlas migrate validate` fails with "You have a checksum error in your migration directory. L5: 20240401000000_idx.sql was edited", and `atlas migrate apply` refuses the folder until `atlas migrate hash` is run',
    ]);
    const report = await analyzeFiles(head, { base });
    expect(report.migrations.flatMap((m) => m.findings).filter((f) => f.ruleId === "edited-merged-migration")).toEqual([]);
  });

  it("files added without re-hashing: the first in Atlas's words, the others as not listed", () => {
    const head = { ...withSum(FILES), "migrations/20240401000000_a.sql": "SELECT 1;\n", "migrations/20240501000000_b.sql": "SELECT 2;\n" };
    expect(problemsOf(head)).toEqual([
      'migrations/20240401000000_a.sql:1 20240401000000_a.sql is not in atlas.sum: `atlas migrate validate` fails with "You have a checksum error in your migration directory. L5: 20240401000000_a.sql was added", and `atlas migrate apply` refuses the folder until `atlas migrate hash` is run',
      "migrations/20240501000000_b.sql:1 20240501000000_b.sql is not in atlas.sum: `atlas migrate apply` refuses the folder until `atlas migrate hash` is run",
    ]);
  });

  it("a file atlas.sum lists but the folder lacks, a sum whose first line does not match, a malformed line", () => {
    const gone = withSum({ "20240101000000_accounts.sql": FILES["20240101000000_accounts.sql"]! }, FILES);
    expect(problemsOf(Object.fromEntries(Object.entries(gone).filter(([p]) => !p.includes("_plan") && !p.includes("_orders"))))).toEqual([
      'migrations/atlas.sum:3 atlas.sum lists 20240201000000_plan.sql, which is not in the folder: `atlas migrate validate` fails with "You have a checksum error in your migration directory. L3: 20240201000000_plan.sql was removed", and `atlas migrate apply` refuses the folder until `atlas migrate hash` is run',
    ]);
    const sum = withSum(FILES)["migrations/atlas.sum"]!;
    const conflict = { ...withSum(FILES), "migrations/atlas.sum": sum.replace(/^h1:./, "h1:Z") };
    expect(problemsOf(conflict)).toEqual([expect.stringMatching(/^migrations\/atlas\.sum:1 atlas\.sum's first line \(the hash of the whole list\) does not match the file lines below it/)]);
    const broken = { ...withSum(FILES), "migrations/atlas.sum": `${sum}<<<<<<< HEAD\n` };
    expect(problemsOf(broken)).toEqual([expect.stringMatching(/^migrations\/atlas\.sum:5 atlas\.sum line 5 is not `<file> h1:<hash>`/)]);
  });

  it("a file marked `atlas:sum ignore` need not be listed", () => {
    const head = { ...withSum(FILES), "migrations/20240401000000_scratch.sql": "-- atlas:sum ignore\nSELECT 1;\n" };
    const hashed = Object.fromEntries(Object.entries(head).filter(([p]) => p !== "migrations/atlas.sum").map(([p, c]) => [p.slice("migrations/".length), c]));
    expect(problemsOf({ ...head, "migrations/atlas.sum": withSum(hashed)["migrations/atlas.sum"]! })).toEqual([]);
  });
});

describe("Atlas-written folders in golang-migrate's format (`--dir-format golang-migrate`)", () => {
  const ups = {
    "20240101000000_accounts.up.sql": "CREATE TABLE accounts (id bigint PRIMARY KEY);\n",
    "20240201000000_email.up.sql": "ALTER TABLE accounts ADD COLUMN email text;\n",
  };
  const downs = {
    "20240101000000_accounts.down.sql": "DROP TABLE accounts;\n",
    "20240201000000_email.down.sql": "ALTER TABLE accounts DROP COLUMN email;\n",
  };

  it("go to golang-migrate, downs paired, with the sum checked over the up files only", () => {
    const head = withSum({ ...ups, ...downs }, ups);
    const { migrations, problems } = discover({ head: asFiles(head) }, { ...DEFAULT_CONFIG, layout: "auto" });
    expect(problems).toEqual([]);
    expect(migrations.map((m) => [m.layout, m.up.path, m.down?.path])).toEqual([
      ["golang-migrate", "migrations/20240101000000_accounts.up.sql", "migrations/20240101000000_accounts.down.sql"],
      ["golang-migrate", "migrations/20240201000000_email.up.sql", "migrations/20240201000000_email.down.sql"],
    ]);
  });

  it("an up file edited after hashing is an edited migration; an edited down is not the sum's business", async () => {
    const head = withSum({ ...ups, ...downs, "20240101000000_accounts.down.sql": "DROP TABLE IF EXISTS accounts;\n", "20240101000000_accounts.up.sql": "CREATE TABLE accounts (id bigint PRIMARY KEY, name text);\n" }, ups);
    const report = await analyzeFiles(head);
    const hits = report.migrations.flatMap((m) => m.findings).filter((f) => f.ruleId === "edited-merged-migration");
    expect(hits.map((f) => f.span.file)).toEqual(["migrations/20240101000000_accounts.up.sql"]);
  });
});
