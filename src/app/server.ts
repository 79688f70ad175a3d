// The App's HTTP server (`migration-guard app`, `npm start`). Every delivery passes this edge before Probot sees it:
// bodies over GitHub's 25 MB cap are refused before they are read (Content-Length) or as soon as
// they pass it (chunked), the signature is checked on the bytes received, and the event name and
// payload are validated (src/github/schemas.ts). A refusal is one log line naming the delivery,
// never the payload. What passes is handed to Probot (`probot.receive`), as its middleware would.
import { createHmac, timingSafeEqual } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { parseEnv } from "node:util";
import { setTimeout as sleep } from "node:timers/promises";
import { createProbot, run, type Probot } from "probot";
import { checkWebhook } from "../github/schemas.js";
import app from "./index.js";

/** GitHub caps webhook payloads at 25 MB and does not deliver larger ones. */
export const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;
const DEFAULT_PATH = "/api/github/webhooks";

type AppFunction = (probot: Probot) => unknown;

export interface WebhookServerOptions {
  probot: Probot;
  /** The webhook secret; deliveries whose X-Hub-Signature-256 does not match it are refused. */
  secret: string;
  app?: AppFunction;
  path?: string;
  maxBodyBytes?: number;
  /** A delivery still being handled after this long is answered 202 (GitHub gives up after 10 s). */
  answerAfterMs?: number;
}

const ANSWER_AFTER_MS = 9000;

/** The server, not yet listening. */
export async function webhookServer(options: WebhookServerOptions): Promise<Server> {
  if (!options.secret) throw new Error("WEBHOOK_SECRET is not set: without it no delivery can be verified");
  const path = options.path ?? DEFAULT_PATH;
  const max = options.maxBodyBytes ?? MAX_WEBHOOK_BYTES;
  const appFn = options.app ?? app;
  // Loading the app readies Probot, which creates its logger.
  await options.probot.load((p: Probot) => void appFn(p));
  const log = options.probot.log.child({ name: "webhooks" });
  const answerAfterMs = options.answerAfterMs ?? ANSWER_AFTER_MS;

  const answer = (res: ServerResponse, status: number, message: string, close = false) => {
    if (res.headersSent) return;
    res.writeHead(status, { "content-type": "application/json", ...(close ? { connection: "close" } : {}) });
    res.end(`${JSON.stringify(status < 300 ? { ok: message } : { error: message })}\n`);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const pathname = safePathname(req.url);
    if (pathname === "/ping" && req.method === "GET") return answer(res, 200, "pong");
    if (pathname !== path) return answer(res, 404, "not found");
    if (req.method !== "POST") return answer(res, 405, "webhooks are POSTed");
    const event = header(req, "x-github-event") ?? "";
    const delivery = header(req, "x-github-delivery") ?? "?";
    const who = `delivery ${delivery.slice(0, 64)} (${event.slice(0, 64) || "no event name"})`;
    const refuse = (status: number, why: string, close = false) => {
      log.warn(`webhook ${who} refused with ${status}: ${why}`);
      answer(res, status, why, close);
      if (close) res.once("finish", () => discardThenClose(req));
    };
    const declared = Number(req.headers["content-length"] ?? NaN);
    if (declared > max) return refuse(413, `the body is ${declared} bytes, over GitHub's ${max}-byte limit`, true);
    if (!/^\s*application\/json\s*(;|$)/i.test(header(req, "content-type") ?? "")) return refuse(415, 'Content-Type must be "application/json"');
    const signature = header(req, "x-hub-signature-256");
    if (!event || delivery === "?" || !signature) return refuse(400, "X-GitHub-Event, X-GitHub-Delivery and X-Hub-Signature-256 are required");
    const body = await readBody(req, max);
    if (body === "too large") return refuse(413, `the body is over GitHub's ${max}-byte limit`, true);
    if (body === "aborted") return;
    if (!signatureMatches(options.secret, body, signature)) return refuse(400, "the signature does not match the body and the webhook secret");
    let payload: unknown;
    try {
      payload = JSON.parse(body.toString("utf8"));
    } catch {
      return refuse(400, "the body is not valid JSON");
    }
    const check = checkWebhook(event, payload);
    if (!check.ok) return refuse(400, `the payload cannot be handled: ${check.problem}`);
    if (!check.handled) {
      log.debug(`webhook ${who}: not an event the app acts on`);
      return answer(res, 200, "not an event migration-guard acts on");
    }
    // Handed to Probot as its middleware would, minus the logging of failures with the payload.
    const handled = options.probot.receive({ id: delivery, name: event, payload } as Parameters<Probot["receive"]>[0]).then(
      () => "done" as const,
      (error: unknown) => error,
    );
    const outcome = await Promise.race([handled, sleep(answerAfterMs, "slow" as const, { ref: false })]);
    if (outcome === "slow") return answer(res, 202, "still processing");
    if (outcome === "done") return answer(res, 200, "ok");
    log.error(`webhook ${who} failed: ${firstLine(outcome)}`);
    answer(res, 500, "the delivery could not be handled; see the app's logs");
  };

  return createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log.error(`webhook request failed: ${firstLine(error)}`);
      answer(res, 500, "internal error");
    });
  });
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0]!.slice(0, 300);
}

function safePathname(url: string | undefined): string | undefined {
  try {
    return new URL(url ?? "/", "http://localhost").pathname.replace(/\/+$/, "") || "/";
  } catch {
    return undefined;
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The body, or "too large" as soon as more than `max` bytes arrived (the rest is never buffered). */
function readBody(req: IncomingMessage, max: number): Promise<Buffer | "too large" | "aborted"> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let received = 0;
    req.on("data", (chunk: Buffer) => {
      received += chunk.length;
      if (received > max) {
        req.pause();
        req.removeAllListeners("data");
        resolve("too large");
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", () => resolve("aborted"));
    req.on("close", () => resolve(received > max ? "too large" : req.complete ? Buffer.concat(chunks) : "aborted"));
  });
}

/**
 * After a refusal of an oversized body: closing a socket with unread data resets it, and the
 * client may lose the answer. Discard (never buffer) a little more for a moment, then close.
 */
function discardThenClose(req: IncomingMessage, graceBytes = 8 * 1024 * 1024, graceMs = 1000): void {
  let discarded = 0;
  const close = () => {
    clearTimeout(timer);
    req.destroy();
  };
  const timer = setTimeout(close, graceMs);
  req.on("data", (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > graceBytes) close();
  });
  req.once("end", close);
  req.resume();
}

function signatureMatches(secret: string, body: Buffer, signature: string): boolean {
  const expected = Buffer.from(`sha256=${createHmac("sha256", secret).update(body).digest("hex")}`);
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * `migration-guard app` (`npm start`): the server on PORT (3000) and HOST (localhost); Probot's
 * setup flow while the app is not registered.
 */
export async function startServer(env: NodeJS.ProcessEnv): Promise<void> {
  // As `probot run` did: .env's values override the process environment.
  if (existsSync(".env")) Object.assign(env, parseEnv(readFileSync(".env", "utf8")));
  if (!env.APP_ID || !(env.PRIVATE_KEY || env.PRIVATE_KEY_PATH)) {
    await run(app); // Probot's registration flow (app.yml); it receives no real deliveries
    return;
  }
  const probot = createProbot({ env });
  const server = await webhookServer({ probot, secret: env.WEBHOOK_SECRET ?? "", path: env.WEBHOOK_PATH || DEFAULT_PATH });
  const port = Number(env.PORT) || 3000;
  const host = env.HOST || "localhost";
  server.listen(port, host, () => probot.log.info(`migration-guard listening on http://${host}:${port}`));
  if (env.WEBHOOK_PROXY_URL) await forwardFromProxy(env.WEBHOOK_PROXY_URL, `http://${host}:${port}${env.WEBHOOK_PATH || DEFAULT_PATH}`, probot.log);
  const stop = () => server.close(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

/** Local development: a smee.io channel forwarding GitHub's deliveries here (smee-client is optional). */
async function forwardFromProxy(source: string, target: string, log: Probot["log"]): Promise<void> {
  try {
    const smee = "smee-client";
    const { SmeeClient } = (await import(smee)) as { SmeeClient: new (o: object) => { start(): Promise<unknown> } };
    await new SmeeClient({ source, target, logger: log }).start();
  } catch {
    log.warn("WEBHOOK_PROXY_URL is set but smee-client is not installed: `npm install --no-save smee-client` forwards webhooks to this machine");
  }
}
