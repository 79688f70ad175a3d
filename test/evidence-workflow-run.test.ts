// The App's workflow_run.completed handling against nock (no network): PR lookup by head SHA
// (fork PRs have no pull_requests), artifact download and unzip, zod validation with a size
// limit, and distrust of reports from PRs that edit the workflow.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { crc32 } from "node:zlib";
import { zipSync } from "fflate";
import nock from "nock";
import { describe, expect, it } from "vitest";
import { offlineGitHub } from "./helpers/nock.js";
import { testOctokit as octokit } from "./helpers/octokit.js";
import webhooks from "@octokit/webhooks-examples";
import { collectWorkflowEvidence, renderEvidenceSection, toGateEvidence, type WorkflowRunPayload } from "../src/github/workflow-run.js";

const API = "https://api.github.com";
const reportText = readFileSync(new URL("./fixtures/evidence/report.json", import.meta.url), "utf8");

function payload(): WorkflowRunPayload {
  const example = (webhooks as { name: string; examples: { action: string }[] }[])
    .find((w) => w.name === "workflow_run")!
    .examples.find((e) => e.action === "completed") as unknown as WorkflowRunPayload;
  const p = structuredClone(example);
  // The example is a workflow_dispatch run still queued: made a successful pull_request run of ours.
  p.workflow_run.path = ".github/workflows/migration-guard.yml";
  p.workflow_run.event = "pull_request";
  p.workflow_run.status = "completed";
  p.workflow_run.conclusion = "success";
  return p;
}

function zip(text: string, name = "migration-guard-test-report.json"): Buffer {
  return Buffer.from(zipSync({ [name]: new TextEncoder().encode(text) }));
}

describe("workflow_run.completed evidence", () => {
  const p = payload();
  const repo = `/repos/${p.repository.owner.login}/${p.repository.name}`;
  const sha = p.workflow_run.head_sha;

  offlineGitHub();

  function github(options: { files?: string[]; artifactSize?: number; body?: Buffer; prs?: { number: number; head: { sha: string } }[] } = {}) {
    const body = options.body ?? zip(reportText);
    return nock(API)
      .get(`${repo}/actions/runs/${p.workflow_run.id}/artifacts`)
      .query(true)
      .reply(200, { total_count: 1, artifacts: [{ id: 77, name: "migration-guard-test-report", size_in_bytes: options.artifactSize ?? body.length, expired: false }] })
      .get(`${repo}/pulls`)
      .query({ state: "open", per_page: "100" })
      .reply(200, options.prs ?? [{ number: 3, head: { sha: "0000000000000000000000000000000000000000" } }, { number: 12, head: { sha } }])
      .get(`${repo}/pulls/12`)
      .reply(200, { number: 12, state: "open", head: { sha }, base: { sha: "b".repeat(40), ref: "main" }, html_url: "https://github.com/x/y/pull/12", changed_files: 2 })
      .get(`${repo}/pulls/12/files`)
      .query(true)
      .reply(200, (options.files ?? ["db/migrations/000029_x.up.sql"]).map((filename) => ({ filename, status: "added" })));
  }

  it("finds a fork PR by head SHA, downloads and validates the report, and maps it for the gates", async () => {
    const api = github();
    nock("https://pipelines.example.test").get("/artifact.zip").reply(200, zip(reportText), { "content-type": "application/zip" });
    nock(API).get(`${repo}/actions/artifacts/77/zip`).reply(302, undefined, { location: "https://pipelines.example.test/artifact.zip" });
    expect(p.workflow_run.pull_requests).toEqual([]);
    const evidence = (await collectWorkflowEvidence(octokit(), p))!;
    expect(api.isDone()).toBe(true);
    expect(evidence.problem).toBeUndefined();
    expect(evidence).toMatchObject({ pullRequest: { number: 12, headSha: sha, baseRef: "main" }, trusted: true });
    expect(evidence.report?.engine.kind).toBe("postgres");
    const gate = toGateEvidence(evidence)!;
    expect(gate).toMatchObject({ trusted: true, headSha: sha, forward: { ok: true }, rollback: { ran: true, ok: true, schemaDiffEmpty: true, lossy: false, forwardAgainOk: true } });
    expect(gate.engine).toMatch(/^PostgreSQL 15\./);
    expect(renderEvidenceSection(evidence)).toMatch(/^### Migration test: (passed ✅|failed ❌)\n/);
  });

  it("does not trust a report when the PR edits the workflow file, and says so", async () => {
    github({ files: ["db/migrations/000029_x.up.sql", ".github/workflows/migration-guard.yml"] });
    nock(API).get(`${repo}/actions/artifacts/77/zip`).reply(200, zip(reportText), { "content-type": "application/zip" });
    const evidence = (await collectWorkflowEvidence(octokit(), p))!;
    expect(evidence.trusted).toBe(false);
    expect(evidence.untrustedReason).toContain("`.github/workflows/migration-guard.yml`");
    expect(toGateEvidence(evidence)).toMatchObject({ trusted: false });
    expect(renderEvidenceSection(evidence)).toMatch(/^> ⚠️ \*\*This test report is not trusted:\*\* the pull request changes `\.github\/workflows\/migration-guard\.yml`/);
  });

  it("refuses an artifact over the size limit without downloading it", async () => {
    github({ artifactSize: 6 * 1024 * 1024 });
    const evidence = (await collectWorkflowEvidence(octokit(), p))!;
    expect(evidence.report).toBeUndefined();
    expect(evidence.problem).toBe("the test-report artifact is 6291456 bytes, over the 5242880-byte limit");
    expect(nock.pendingMocks()).toEqual([]);
  });

  it("reports a report that does not match the schema, naming the field", async () => {
    const bad = JSON.parse(reportText);
    bad.schemaVersion = 2;
    const body = zip(JSON.stringify(bad));
    github({ body });
    nock(API).get(`${repo}/actions/artifacts/77/zip`).reply(200, body, { "content-type": "application/zip" });
    const evidence = (await collectWorkflowEvidence(octokit(), p))!;
    expect(evidence.report).toBeUndefined();
    expect(evidence.problem).toMatch(/^`migration-guard-test-report\.json` does not match the test-report schema v1 \(schemaVersion: /);
    expect(renderEvidenceSection(evidence)).toContain("No usable test report from [the workflow run](");
  });

  it("ignores runs of other workflows and runs for commits no open PR has", async () => {
    const other = payload();
    other.workflow_run.path = ".github/workflows/ci.yml";
    expect(await collectWorkflowEvidence(octokit(), other)).toBeUndefined();
    github({ prs: [] });
    nock.removeInterceptor({ hostname: "api.github.com", path: `${repo}/pulls/12` });
    expect(await collectWorkflowEvidence(octokit(), p)).toBeUndefined();
  });

  function download(body: Buffer) {
    nock(API).get(`${repo}/actions/artifacts/77/zip`).reply(200, body, { "content-type": "application/zip" });
  }

  it("does not trust a report that names no commit (a PR can commit one of its own)", async () => {
    const forged = JSON.parse(reportText);
    delete forged.headSha;
    const body = zip(JSON.stringify(forged));
    github({ body });
    download(body);
    const evidence = (await collectWorkflowEvidence(octokit(), p))!;
    expect(evidence).toMatchObject({ trusted: false, untrustedReason: "the report does not name the commit it tested" });
  });

  it("takes a passing report from a failed run for a forgery, and lets a failing one only fail gates", async () => {
    const failed = payload();
    failed.workflow_run.conclusion = "failure";
    github();
    download(zip(reportText));
    const forged = (await collectWorkflowEvidence(octokit(), failed))!;
    expect(forged.trusted).toBe(false);
    expect(forged.untrustedReason).toBe("the report says the test passed, but the run ended `failure`: the report is not the test's own");

    const failing = JSON.parse(reportText);
    failing.verdict = { passed: false, failures: ["rollback failed"], warnings: [] };
    const body = zip(JSON.stringify(failing));
    github({ body });
    download(body);
    const honest = (await collectWorkflowEvidence(octokit(), failed))!;
    expect(honest).toMatchObject({ trusted: true, failuresOnly: "the workflow run ended `failure`, so its report can fail gates but not pass them" });
    expect(toGateEvidence(honest)).toMatchObject({ failuresOnly: honest.failuresOnly });
  });

  it("does not trust a run that the pull request did not start (the real repository_dispatch example)", async () => {
    const example = (webhooks as { name: string; examples: { action: string; workflow_run: { status: string } }[] }[])
      .find((w) => w.name === "workflow_run")!
      .examples.find((e) => e.action === "completed" && e.workflow_run.status === "completed") as unknown as WorkflowRunPayload;
    const dispatched = structuredClone(example);
    expect(dispatched.workflow_run).toMatchObject({ event: "repository_dispatch", conclusion: "success" });
    dispatched.workflow_run.path = ".github/workflows/migration-guard.yml";
    dispatched.workflow_run.head_sha = sha;
    dispatched.workflow_run.id = p.workflow_run.id;
    dispatched.repository = p.repository;
    github();
    download(zip(reportText));
    const evidence = (await collectWorkflowEvidence(octokit(), dispatched))!;
    expect(evidence.trusted).toBe(false);
    expect(evidence.untrustedReason).toMatch(/^the run was started by `repository_dispatch`, not by the pull request/);
  });

  it("ignores the artifact of any other workflow without calling GitHub", async () => {
    const other = payload();
    other.workflow_run.path = ".github/workflows/ci.yml";
    expect(await collectWorkflowEvidence(octokit(), other)).toBeUndefined();
  });

  it("maps a report that applied no migration to evidence that proves nothing", async () => {
    const empty = JSON.parse(reportText);
    empty.migrations = [];
    const body = zip(JSON.stringify(empty));
    github({ body });
    download(body);
    const evidence = (await collectWorkflowEvidence(octokit(), p))!;
    expect(toGateEvidence(evidence)).toMatchObject({ testedMigrations: [], rollback: { ok: true } });
  });
});

describe("the test-report artifact", () => {
  const p = payload();
  const repo = `/repos/${p.repository.owner.login}/${p.repository.name}`;
  const sha = p.workflow_run.head_sha;
  const report = new TextEncoder().encode(reportText);

  offlineGitHub();

  /** Lists the artifact with `listed` bytes, then serves `body` as its download. */
  function serve(body: Uint8Array, listed = body.length) {
    nock(API)
      .get(`${repo}/actions/runs/${p.workflow_run.id}/artifacts`)
      .query(true)
      .reply(200, { total_count: 1, artifacts: [{ id: 77, name: "migration-guard-test-report", size_in_bytes: listed, expired: false }] })
      .get(`${repo}/pulls`)
      .query(true)
      .reply(200, [{ number: 12, head: { sha, ref: "feature" } }])
      .get(`${repo}/pulls/12`)
      .reply(200, { number: 12, state: "open", head: { sha }, base: { sha: "b".repeat(40), ref: "main" }, html_url: "https://github.com/x/y/pull/12", changed_files: 1 })
      .get(`${repo}/pulls/12/files`)
      .query(true)
      .reply(200, [{ filename: "db/migrations/000029_x.up.sql", status: "added" }])
      .get(`${repo}/actions/artifacts/77/zip`)
      .reply(200, Buffer.from(body), { "content-type": "application/zip" });
  }
  const problem = async () => (await collectWorkflowEvidence(octokit(), p))!.problem;

  it("refuses a report whose bytes do not match the CRC-32 its zip declares", async () => {
    const zip = zipSync({ "migration-guard-test-report.json": report }, { level: 0 });
    const at = Buffer.from(zip).indexOf('"passed": true');
    expect(at).toBeGreaterThan(0);
    zip.set(new TextEncoder().encode('"passed": fals'), at); // same length, still JSON-ish: the bytes were altered after zipping
    serve(zip);
    expect(await problem()).toBe("the test-report artifact is not a valid zip (the CRC-32 of `migration-guard-test-report.json` does not match: the archive is damaged or was altered)");
  });

  it("refuses a zip that holds the report twice (readers disagree on which one counts)", async () => {
    const failing = new TextEncoder().encode(reportText.replace('"passed": true', '"passed": false'));
    serve(storedZip([["migration-guard-test-report.json", failing], ["migration-guard-test-report.json", report]]));
    expect(await problem()).toBe("the test-report artifact is not a valid zip (it holds `migration-guard-test-report.json` twice)");
  });

  it("stops inflating a deflate bomb at the size its directory declares", async () => {
    const bomb = zipSync({ "migration-guard-test-report.json": new Uint8Array(16 * 1024 * 1024) }, { level: 9 });
    expect(bomb.length).toBeLessThan(50_000);
    serve(declareSize(bomb, report.length));
    expect(await problem()).toBe(`the test-report artifact is not a valid zip (\`migration-guard-test-report.json\` inflates to more than the ${report.length} bytes its directory entry allows)`);
  });

  it("refuses an entry declared over the report limit before inflating it", async () => {
    serve(declareSize(zipSync({ "migration-guard-test-report.json": report }), 21 * 1024 * 1024));
    expect(await problem()).toBe("`migration-guard-test-report.json` is 22020096 bytes, over the 20971520-byte limit");
  });

  it("counts the bytes downloaded, not the size the artifact listing claims", async () => {
    const padded = zipSync({ "migration-guard-test-report.json": report, "padding.bin": randomBytes(6 * 1024 * 1024) }, { level: 0 });
    serve(padded, 1000);
    expect(await problem()).toBe("the test-report artifact's download is over the 5242880-byte limit");
  });

  it("reads the report out of a stored (uncompressed) zip too", async () => {
    serve(storedZip([["migration-guard-test-report.json", report]]));
    const evidence = (await collectWorkflowEvidence(octokit(), p))!;
    expect(evidence.problem).toBeUndefined();
    expect(evidence.report?.headSha).toBe(sha);
  });
});

/** A zip of stored entries, written by hand so that it can hold what zip libraries refuse to write. */
function storedZip(files: [string, Uint8Array][]): Uint8Array {
  const locals: Buffer[] = [];
  const directory: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of files) {
    const nameBytes = Buffer.from(name);
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt32LE(crc32(data), 14);
    header.writeUInt32LE(data.length, 18);
    header.writeUInt32LE(data.length, 22);
    header.writeUInt16LE(nameBytes.length, 26);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt32LE(crc32(data), 16);
    entry.writeUInt32LE(data.length, 20);
    entry.writeUInt32LE(data.length, 24);
    entry.writeUInt16LE(nameBytes.length, 28);
    entry.writeUInt32LE(offset, 42);
    locals.push(header, nameBytes, Buffer.from(data));
    directory.push(entry, nameBytes);
    offset += 30 + nameBytes.length + data.length;
  }
  const dir = Buffer.concat(directory);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}

/** The zip with its (single) entry's uncompressed size rewritten in both headers: a lying archive. */
function declareSize(zip: Uint8Array, size: number): Uint8Array {
  const out = Buffer.from(zip);
  out.writeUInt32LE(size, 22); // local header
  const directory = out.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  out.writeUInt32LE(size, directory + 24);
  return out;
}
