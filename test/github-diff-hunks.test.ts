import { describe, expect, it } from "vitest";
import { contentOfAddedFile, isCommentable, parsePatch } from "../src/github/diff-hunks.js";
import { blobSha } from "../src/git/git.js";

describe("parsePatch / isCommentable", () => {
  const patch = [
    "@@ -1,3 +1,4 @@",
    " SET lock_timeout = '2s';",
    "-CREATE INDEX a ON t (x);",
    "+CREATE INDEX CONCURRENTLY a",
    "+  ON t (x);",
    " -- end",
    "@@ -20,2 +21,3 @@ CREATE TABLE",
    " x",
    "+y",
    " z",
    "\\ No newline at end of file",
  ].join("\n");
  const hunks = parsePatch(patch);

  it("maps added and context lines of the new file, per hunk", () => {
    expect(hunks.map((h) => [...h.right])).toEqual([
      [1, 2, 3, 4],
      [21, 22, 23],
    ]);
    expect(hunks.map((h) => [...h.added])).toEqual([[2, 3], [22]]);
  });

  it("accepts single lines and ranges inside one hunk only", () => {
    expect(isCommentable(hunks, 2)).toBe(true);
    expect(isCommentable(hunks, 3, 2)).toBe(true);
    expect(isCommentable(hunks, 5)).toBe(false); // between the hunks
    expect(isCommentable(hunks, 21, 4)).toBe(false); // spans two hunks
    expect(isCommentable(hunks, 2, 3)).toBe(false); // start after end
    expect(isCommentable([], 1)).toBe(false);
  });
});

describe("contentOfAddedFile", () => {
  it("rebuilds an added file exactly (same git blob id)", () => {
    const text = "CREATE TABLE t (id int);\n\nCREATE INDEX i ON t (id);\n";
    const patch = "@@ -0,0 +1,3 @@\n+CREATE TABLE t (id int);\n+\n+CREATE INDEX i ON t (id);";
    expect(contentOfAddedFile(patch)).toBe(text);
    expect(blobSha(contentOfAddedFile(patch)!)).toBe(blobSha(text));
  });

  it("keeps a missing final newline and CRLF line ends", () => {
    expect(contentOfAddedFile("@@ -0,0 +1,2 @@\n+a\r\n+b\n\\ No newline at end of file")).toBe("a\r\nb");
    expect(contentOfAddedFile("@@ -0,0 +1 @@\n+only")).toBe("only\n");
  });

  it("refuses anything that is not one whole-file addition", () => {
    expect(contentOfAddedFile("@@ -1,2 +1,2 @@\n-a\n+b\n c")).toBeUndefined();
    expect(contentOfAddedFile("@@ -0,0 +1,3 @@\n+a\n+b")).toBeUndefined(); // truncated patch
  });
});
