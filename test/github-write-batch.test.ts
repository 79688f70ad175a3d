// The delivery's write batch (src/github/write-batch.ts) against GitHub's GraphQL endpoint (nock):
// one request for all queued mutations, and each mutation's promise settled from its own alias.
import nock from "nock";
import { describe, expect, it } from "vitest";
import { offlineGitHub } from "./helpers/nock.js";
import { WriteBatch } from "../src/github/write-batch.js";
import { testOctokit as octokit } from "./helpers/octokit.js";

const API = "https://api.github.com";

const comment = (body: string) => ({
  field: "addComment",
  inputType: "AddCommentInput!",
  input: { subjectId: "PR_1", body },
  selection: "commentEdge { node { databaseId } }",
  parse: (data: unknown) => {
    const id = (data as { commentEdge?: { node?: { databaseId?: unknown } } }).commentEdge?.node?.databaseId;
    if (typeof id !== "number") throw new Error("no databaseId");
    return id;
  },
});

offlineGitHub();

describe("WriteBatch", () => {
  it("sends every queued mutation in one request, aliased, and resolves each from its alias", async () => {
    const sent: any[] = [];
    nock(API)
      .post("/graphql", (body) => (sent.push(body), true))
      .reply(200, { data: { m0: { commentEdge: { node: { databaseId: 1 } } }, m1: { commentEdge: { node: { databaseId: 2 } } } } });
    const batch = new WriteBatch(octokit());
    const first = batch.enqueue(comment("a"));
    const second = batch.enqueue(comment("b"));
    expect(batch.size).toBe(2);
    await batch.flush();
    expect(await first).toBe(1);
    expect(await second).toBe(2);
    expect(batch.size).toBe(0);
    expect(sent).toEqual([
      {
        query: [
          "mutation MigrationGuardWrites($i0: AddCommentInput!, $i1: AddCommentInput!) {",
          "  m0: addComment(input: $i0) { commentEdge { node { databaseId } } }",
          "  m1: addComment(input: $i1) { commentEdge { node { databaseId } } }",
          "}",
        ].join("\n"),
        variables: { i0: { subjectId: "PR_1", body: "a" }, i1: { subjectId: "PR_1", body: "b" } },
      },
    ]);
  });

  it("rejects only the alias GitHub refused (partial data), and only the answer that does not parse", async () => {
    nock(API)
      .post("/graphql")
      .reply(200, {
        data: { m0: { commentEdge: { node: { databaseId: 1 } } }, m1: null, m2: { commentEdge: { node: {} } } },
        errors: [{ type: "FORBIDDEN", path: ["m1"], message: "Resource not accessible by integration" }],
      });
    const batch = new WriteBatch(octokit());
    const [ok, refused, malformed] = [batch.enqueue(comment("a")), batch.enqueue(comment("b")), batch.enqueue(comment("c"))];
    await batch.flush();
    expect(await ok).toBe(1);
    await expect(refused).rejects.toThrow("GitHub refused addComment: Resource not accessible by integration");
    await expect(malformed).rejects.toThrow("no databaseId");
  });

  it("rejects every mutation when the request itself fails or GitHub names no alias", async () => {
    nock(API).post("/graphql").reply(401, { message: "Bad credentials" });
    const batch = new WriteBatch(octokit());
    const both = [batch.enqueue(comment("a")), batch.enqueue(comment("b"))];
    await batch.flush();
    for (const p of both) await expect(p).rejects.toMatchObject({ status: 401 });

    nock(API).post("/graphql").reply(200, { data: null, errors: [{ message: "Parse error on \"}\"" }] });
    const again = batch.enqueue(comment("c"));
    await batch.flush();
    await expect(again).rejects.toThrow('GitHub refused addComment: Parse error on "}"');
  });

  it("sends nothing when nothing is queued, and a failed write nobody awaits does not crash the process", async () => {
    const batch = new WriteBatch(octokit());
    await batch.flush(); // nock would refuse any request
    nock(API).post("/graphql").reply(200, { data: { m0: null }, errors: [{ path: ["m0"], message: "refused" }] });
    void batch.enqueue(comment("a"));
    await batch.flush();
    await new Promise((resolve) => setImmediate(resolve)); // an unhandled rejection would fail the run here
  });
});
