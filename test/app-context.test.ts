// The App reads merged migrations for schema context, as the CLI does, and keeps their text and
// parse by blob SHA: a second delivery for the same repository fetches and parses nothing again.
import nock from "nock";
import { describe, expect, it } from "vitest";
import { offlineGitHub } from "./helpers/nock.js";
import { API, OWNER, REPO, blobsData, example, mockGitHub, pullRequestPayload, scenario, type Scenario } from "./fixtures/github/scenario.js";
import { testApp } from "./fixtures/github/probot.js";

const CONFIG = "gates:\n  enabled: false\ncommit_format:\n  enabled: false\n";
const KEY = "mg1 pr=2 outcome=done base=master";

function change(): Scenario {
  return scenario({
    base: {
      "db/migrations/20240101000000_orders.up.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, note varchar(100));\n",
      "db/migrations/20240101000000_orders.down.sql": "DROP TABLE orders;\n",
    },
    changes: {
      "db/migrations/20240201000000_note_text.up.sql": "SET lock_timeout = '2s';\nALTER TABLE orders ALTER COLUMN note TYPE text;\n",
      "db/migrations/20240201000000_note_text.down.sql": "SET lock_timeout = '2s';\nALTER TABLE orders ALTER COLUMN note TYPE varchar(100);\n",
    },
  });
}

/** Answers blob queries from the scenario and records which blobs each asked for. */
function recordBlobQueries(s: Scenario): string[][] {
  const asked: string[][] = [];
  nock(API)
    .persist()
    .post("/graphql", (body) => String(body.query).includes("query MigrationGuardBlobs"))
    .reply(200, (_uri, body) => {
      const variables = (body as { variables: Record<string, string> }).variables;
      asked.push(Object.entries(variables).filter(([k]) => /^o\d+$/.test(k)).map(([, v]) => v));
      return { data: { repository: blobsData(s, variables) } };
    });
  return asked;
}

offlineGitHub();

describe("merged migrations as schema context in the App", () => {
  it("knows a merged column's type (varchar(100) → text is free) and reads each merged blob once per process", async () => {
    const s = change();
    const asked = recordBlobQueries(s);
    const first = mockGitHub(s, { config: CONFIG, readsChange: true });
    const app = await testApp();
    await app.receive("pull_request", pullRequestPayload(s, "opened"));
    expect(first.reads.pendingMocks()).toEqual([]);
    // The one merged up script, for context (the added files come from their patches).
    expect(asked).toHaveLength(1);
    expect(asked[0]).toHaveLength(1);
    // The CLI's verdict on the same files: the up script's varchar(100) → text rewrites nothing
    // (no finding), the rollback's text → varchar(100) does (an error, named with both types).
    const flagged = (runs: unknown[]) => JSON.parse(JSON.stringify(runs)).flatMap((r: any) => r.output.annotations ?? []).map((a: any) => `${a.path}:${a.title}`);
    expect(flagged(first.writes.checkRuns)).toEqual(["db/migrations/20240201000000_note_text.down.sql:alter-column-type (error)"]);
    expect(JSON.stringify(first.writes.checkRuns)).toContain("from text to varchar(100)");
    expect(JSON.stringify(first.writes.checkRuns)).not.toContain("binary-coercible");

    // A re-run of the check: same repository, same app process.
    const payload = example("check_run", "rerequested");
    payload.repository = pullRequestPayload(s).repository;
    payload.installation = { id: 1 };
    Object.assign(payload.check_run, { name: "migration-guard", head_sha: s.headSha, external_id: KEY, pull_requests: [] });
    const second = mockGitHub(s, { config: CONFIG, readsChange: true, state: { checkRuns: [{ databaseId: 1, externalId: KEY }] } });
    nock(API).get(`/repos/${OWNER}/${REPO}/pulls/2`).reply(200, pullRequestPayload(s).pull_request);
    await app.receive("check_run", payload);
    // The base commit's tree is read once per process too: the second delivery lists nothing again.
    expect(second.reads.pendingMocks().filter((m) => !m.includes("access_tokens"))).toEqual([expect.stringContaining(`/git/trees/${s.baseSha}`)]);
    // The first delivery's recorders are persistent: they catch the second's writes too.
    const updates = [...first.writes.checkRunUpdates, ...second.writes.checkRunUpdates];
    expect(updates).toHaveLength(1);
    expect(app.logs.filter((l) => l.outcome === "reviewed")).toHaveLength(2);
    expect(asked).toHaveLength(1);
    expect(JSON.stringify(updates)).toContain("from text to varchar(100)");
    expect(JSON.stringify(updates)).not.toContain("binary-coercible");
  });

  it("without the merged text (GitHub refuses the read) still reviews, hedged, and says why", async () => {
    const s = change();
    nock(API).post("/graphql", (body) => String(body.query).includes("query MigrationGuardBlobs")).reply(502, { message: "Server Error" });
    const { writes } = mockGitHub(s, { config: CONFIG, readsChange: true, blobs: false });
    const app = await testApp();
    await app.receive("pull_request", pullRequestPayload(s, "opened"));
    const run = JSON.stringify(writes.checkRuns);
    // The up script's old type is unknown: a hedged note instead of silence.
    expect(run).toContain("20240201000000_note_text.up.sql");
    expect(run).toMatch(/no rewrite only if the old type is binary-coercible/);
    expect(run).toContain("merged migrations could not be read");
  });
});

describe("path overrides in the App", () => {
  it("analyzes a service's MySQL migrations as MySQL beside PostgreSQL ones", async () => {
    const s = scenario({
      base: { "db/migrations/20240101000000_orders.up.sql": "CREATE TABLE orders (id bigint PRIMARY KEY);\n", "db/migrations/20240101000000_orders.down.sql": "DROP TABLE orders;\n" },
      changes: {
        "services/billing/migrations/20240201000000_note.up.sql": "ALTER TABLE `invoices` ADD COLUMN `note` varchar(40) NOT NULL DEFAULT '', ALGORITHM=INSTANT;\n",
        "services/billing/migrations/20240201000000_note.down.sql": "ALTER TABLE `invoices` DROP COLUMN `note`, ALGORITHM=INSTANT;\n",
      },
    });
    const config = `${CONFIG}overrides:\n  - paths: ["services/billing/**"]\n    dialect: mysql\n`;
    const { writes } = mockGitHub(s, { config, readsChange: true });
    const app = await testApp();
    await app.receive("pull_request", pullRequestPayload(s, "opened"));
    const run = JSON.stringify(writes.checkRuns);
    expect(writes.checkRuns).toHaveLength(1);
    expect(run).toContain("services/billing/migrations/20240201000000_note.up.sql");
    expect(run).not.toContain("parse-error");
    // The runbook names the server the migration was analyzed for.
    expect(run).toContain("highest risk **low**, mysql.");
  });
});
