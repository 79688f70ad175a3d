// The App's HTTP edge (src/app/server.ts, what `npm start` runs) on a real server on 127.0.0.1:
// oversized bodies refused before they are read, bad signatures and unusable payloads answered
// 400 with one log line that never carries the payload, and real deliveries reaching the app.
import { createHmac } from "node:crypto";
import { request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import webhooks from "@octokit/webhooks-examples";
import nock from "nock";
import { pino } from "pino";
import { Probot } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { webhookServer } from "../src/app/server.js";
import { testPrivateKey } from "./fixtures/github/probot.js";
import { QuietOctokit } from "./helpers/octokit.js";

const SECRET = "test-webhook-secret";
const PATH = "/api/github/webhooks";
const SENTINEL = "PAYLOAD-SENTINEL-7f3a";

function example(name: string, action?: string, pick: (e: Record<string, any>) => boolean = () => true): Record<string, any> {
  const entry = (webhooks as { name: string; examples: Record<string, any>[] }[]).find((w) => w.name === name)!;
  return structuredClone(entry.examples.find((e) => (action === undefined || e.action === action) && pick(e))!);
}

const sign = (body: Buffer | string, secret = SECRET) => `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;

interface Answer {
  status: number;
  body: string;
  /** Body bytes the client managed to send before the answer came. */
  sent: number;
}

let server: Server;
let port: number;
let logs: { level: number; msg: string }[];
let logBytes: number;

beforeEach(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect("127.0.0.1");
  logs = [];
  logBytes = 0;
  const log = pino({ level: "trace" }, {
    write: (line: string) => {
      logBytes += line.length;
      logs.push(JSON.parse(line));
    },
  });
  const probot = new Probot({ appId: 123, privateKey: testPrivateKey(), secret: SECRET, log, Octokit: QuietOctokit });
  server = await webhookServer({ probot, secret: SECRET });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  nock.cleanAll();
  nock.enableNetConnect();
});

/** POSTs `body` (a Buffer, or `size` bytes streamed in 1 MB chunks), stopping when the server answers. */
function post(headers: Record<string, string | number>, body: Buffer | { size: number; declare: boolean }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const streamed = !Buffer.isBuffer(body);
    const length = Buffer.isBuffer(body) ? body.length : body.size;
    const req = request(
      { host: "127.0.0.1", port, path: PATH, method: "POST", headers: { "content-type": "application/json", ...(!streamed || body.declare ? { "content-length": length } : {}), ...headers } },
      (res) => {
        answered = true;
        let text = "";
        res.on("data", (c: Buffer) => (text += c.toString()));
        res.on("end", () => resolve({ status: res.statusCode!, body: text, sent }));
        res.on("error", () => resolve({ status: res.statusCode!, body: text, sent }));
      },
    );
    // The server closes the connection after refusing a body: a client still writing may see the
    // reset before the answer (status 0 here).
    req.on("error", (error) => (answered ? undefined : ["ECONNRESET", "EPIPE"].includes((error as NodeJS.ErrnoException).code ?? "") ? resolve({ status: 0, body: "", sent }) : reject(error)));
    if (!streamed) {
      sent = length;
      req.end(body);
      return;
    }
    const chunk = Buffer.alloc(1024 * 1024, `"${SENTINEL}",`);
    const pump = () => {
      while (!answered && sent < length) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", pump);
      }
      if (!answered) req.end();
    };
    pump();
  });
}

const delivery = (name: string, payload: unknown, signature?: string) => {
  const body = Buffer.from(JSON.stringify(payload));
  return post({ "x-github-event": name, "x-github-delivery": "d-1", "x-hub-signature-256": signature ?? sign(body) }, body);
};

describe("the webhook server", () => {
  it("refuses a 100 MB body with a bad signature from its Content-Length, before reading it, in one short log line", async () => {
    const answer = await post({ "x-github-event": "pull_request", "x-github-delivery": "d-big", "x-hub-signature-256": sign("other") }, { size: 100 * 1024 * 1024, declare: true });
    expect([413, 0]).toContain(answer.status);
    expect(answer.sent).toBeLessThan(30 * 1024 * 1024);
    expect(logs.filter((l) => l.level >= 40).map((l) => l.msg)).toEqual([
      "webhook delivery d-big (pull_request) refused with 413: the body is 104857600 bytes, over GitHub's 26214400-byte limit",
    ]);
    expect(logBytes).toBeLessThan(10_000);
  });

  it("stops reading a chunked body that passes 25 MB", async () => {
    const answer = await post({ "x-github-event": "pull_request", "x-github-delivery": "d-chunked", "x-hub-signature-256": sign("other") }, { size: 60 * 1024 * 1024, declare: false });
    expect([413, 0]).toContain(answer.status);
    expect(answer.sent).toBeLessThan(50 * 1024 * 1024);
    expect(logs.filter((l) => l.level >= 40).map((l) => l.msg)).toEqual(["webhook delivery d-chunked (pull_request) refused with 413: the body is over GitHub's 26214400-byte limit"]);
    expect(logBytes).toBeLessThan(10_000);
  });

  it("answers a bad signature with 400 and logs one line without the payload", async () => {
    const payload = { ...example("pull_request", "opened"), note: SENTINEL };
    const answer = await delivery("pull_request", payload, sign(JSON.stringify(payload), "wrong-secret"));
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toEqual({ error: "the signature does not match the body and the webhook secret" });
    const warnings = logs.filter((l) => l.level >= 40);
    expect(warnings.map((l) => l.msg)).toEqual(["webhook delivery d-1 (pull_request) refused with 400: the signature does not match the body and the webhook secret"]);
    expect(JSON.stringify(logs)).not.toContain(SENTINEL);
  });

  it("answers a signed payload missing a field with 400 naming it, without running a handler", async () => {
    const payload = example("pull_request", "opened");
    delete payload.repository.owner;
    const answer = await delivery("pull_request", payload);
    expect(answer.status).toBe(400);
    expect(answer.body).toContain("repository.owner");
    expect(answer.body).not.toMatch(/TypeError|at .*\.js/);
    expect(logs.filter((l) => l.level >= 40).map((l) => l.msg)).toEqual([
      "webhook delivery d-1 (pull_request) refused with 400: the payload cannot be handled: repository.owner: Invalid input: expected object, received undefined",
    ]);
  });

  it("refuses an event name that is not one (`__proto__`) with 400", async () => {
    const answer = await delivery("__proto__", example("pull_request", "opened"));
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toEqual({ error: "the payload cannot be handled: `__proto__` is not a GitHub event name" });
    expect(logs.some((l) => /handler is not a function/.test(JSON.stringify(l)))).toBe(false);
  });

  it("hands a real, signed delivery to the app, and answers events it does not act on with 200", async () => {
    const run = await delivery("workflow_run", example("workflow_run", "completed"));
    expect(run.status).toBe(200);
    expect(logs.some((l) => /workflow_run \d+: not a migration-guard test run/.test(l.msg))).toBe(true);
    const ping = await delivery("ping", { zen: "Keep it logically awesome.", hook_id: 1 });
    expect(ping.status).toBe(200);
    expect(logs.filter((l) => l.level >= 40)).toEqual([]);
  });
});

describe("a handler that fails", () => {
  it("answers 500 and logs the failure without the payload GitHub sent", async () => {
    const payload = example("check_run", "rerequested");
    payload.check_run.name = "migration-guard";
    payload.check_run.pull_requests = [{ number: 2 }];
    payload.repository.description = SENTINEL;
    // No GitHub to answer: reading the pull request fails and the handler throws.
    const answer = await delivery("check_run", payload);
    expect(answer.status).toBe(500);
    expect(JSON.parse(answer.body)).toEqual({ error: "the delivery could not be handled; see the app's logs" });
    expect(logs.some((l) => l.level >= 50 && /^webhook delivery d-1 \(check_run\) failed: /.test(l.msg))).toBe(true);
    // Probot itself logs each event at debug level ("Webhook received"); nothing above it carries the payload.
    expect(JSON.stringify(logs.filter((l) => l.level >= 30))).not.toContain(SENTINEL);
  });
});
