// A PostgreSQL wire-protocol relay that records every statement a client sends (simple and
// extended query protocol, with bound parameters) and how the server answered it, so that an
// ORM's migrate command can be traced without changing it: the command connects to the relay,
// the relay forwards every byte to the scratch database unchanged.
//
// SSL and GSS encryption requests are declined (the relay listens on 127.0.0.1 only), so the
// stream stays readable; authentication (trust, password, md5, SCRAM) passes through as is.
import { createServer, connect, type Server, type Socket } from "node:net";
import type { WireEvent } from "../core/trace/capture.js";

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;

interface Pending {
  event: WireEvent;
  /** Extended protocol: completes at its CommandComplete; simple: at ReadyForQuery. */
  extended: boolean;
  done: boolean;
}

export class WireRecorder {
  readonly events: WireEvent[] = [];
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private sessions = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  /** Listens on an ephemeral port of 127.0.0.1 and returns it. */
  async start(): Promise<number> {
    const server = createServer((client) => this.relay(client));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    const address = server.address();
    if (!address || typeof address === "string") throw new Error("the trace relay has no TCP port");
    return address.port;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private relay(client: Socket): void {
    const session = ++this.sessions;
    const upstream = connect(this.target.port, this.target.host);
    this.sockets.add(client);
    this.sockets.add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);

    const prepared = new Map<string, string>();
    const portals = new Map<string, { sql: string; params: (string | null)[] }>();
    const pending: Pending[] = [];
    let started = false;
    let fromClient: Buffer = Buffer.alloc(0);
    let fromServer: Buffer = Buffer.alloc(0);

    const onClientMessage = (type: string, body: Buffer) => {
      if (type === "Q") {
        pending.push({ event: { session, sql: cstring(body, 0).text, ok: true, txAfter: "I" }, extended: false, done: false });
      } else if (type === "P") {
        const name = cstring(body, 0);
        const query = cstring(body, name.next);
        prepared.set(name.text, query.text);
      } else if (type === "B") {
        const bound = readBind(body);
        portals.set(bound.portal, { sql: prepared.get(bound.statement) ?? "", params: bound.params });
      } else if (type === "E") {
        const portal = portals.get(cstring(body, 0).text);
        if (portal) pending.push({ event: { session, sql: portal.sql, params: portal.params, ok: true, txAfter: "I" }, extended: true, done: false });
      }
    };
    const onServerMessage = (type: string, body: Buffer) => {
      if (type === "C" || type === "I" || type === "s" || type === "E") {
        // The oldest unfinished query is the one the server is answering.
        const head = pending.find((p) => !p.done);
        if (!head) return;
        if (type === "E") Object.assign(head.event, { ok: false, error: errorText(body) });
        if (head.extended) head.done = true;
      } else if (type === "Z") {
        const status = String.fromCharCode(body[0] ?? 73) as WireEvent["txAfter"];
        // Executes the server skipped after an error (up to the Sync) never ran: not recorded.
        for (const p of pending.splice(0)) {
          if (p.extended && !p.done) continue;
          p.event.txAfter = status;
          this.events.push(p.event);
        }
      }
    };

    client.on("data", (chunk: Buffer) => {
      fromClient = Buffer.concat([fromClient, chunk]);
      while (!started) {
        if (fromClient.length < 8) return;
        const length = fromClient.readInt32BE(0);
        if (fromClient.length < length) return;
        const code = fromClient.readInt32BE(4);
        const message = fromClient.subarray(0, length);
        fromClient = fromClient.subarray(length);
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
          client.write("N");
          continue;
        }
        upstream.write(message);
        if (code === CANCEL_REQUEST) return;
        started = true;
      }
      for (;;) {
        if (fromClient.length < 5) break;
        const length = fromClient.readInt32BE(1);
        if (fromClient.length < 1 + length) break;
        const type = String.fromCharCode(fromClient[0]!);
        const whole = fromClient.subarray(0, 1 + length);
        onClientMessage(type, whole.subarray(5));
        upstream.write(whole);
        fromClient = fromClient.subarray(1 + length);
      }
    });
    upstream.on("data", (chunk: Buffer) => {
      client.write(chunk);
      fromServer = Buffer.concat([fromServer, chunk]);
      for (;;) {
        if (fromServer.length < 5) break;
        const length = fromServer.readInt32BE(1);
        if (fromServer.length < 1 + length) break;
        onServerMessage(String.fromCharCode(fromServer[0]!), fromServer.subarray(5, 1 + length));
        fromServer = fromServer.subarray(1 + length);
      }
    });
  }
}

function cstring(buffer: Buffer, offset: number): { text: string; next: number } {
  const end = buffer.indexOf(0, offset);
  const stop = end < 0 ? buffer.length : end;
  return { text: buffer.toString("utf8", offset, stop), next: stop + 1 };
}

/** Bind: portal, statement, parameter format codes, parameter values (text, or hex for binary). */
function readBind(body: Buffer): { portal: string; statement: string; params: (string | null)[] } {
  const portal = cstring(body, 0);
  const statement = cstring(body, portal.next);
  let at = statement.next;
  const formatCount = body.readInt16BE(at);
  at += 2;
  const formats: number[] = [];
  for (let i = 0; i < formatCount; i++, at += 2) formats.push(body.readInt16BE(at));
  const paramCount = body.readInt16BE(at);
  at += 2;
  const params: (string | null)[] = [];
  for (let i = 0; i < paramCount; i++) {
    const length = body.readInt32BE(at);
    at += 4;
    if (length < 0) {
      params.push(null);
      continue;
    }
    const value = body.subarray(at, at + length);
    at += length;
    const binary = (formats.length === 1 ? formats[0] : formats[i]) === 1;
    params.push(binary ? `\\x${value.toString("hex")}` : value.toString("utf8"));
  }
  return { portal: portal.text, statement: statement.text, params };
}

/** ErrorResponse fields: the severity, SQLSTATE and message. */
function errorText(body: Buffer): string {
  const fields = new Map<string, string>();
  let at = 0;
  while (at < body.length && body[at] !== 0) {
    const code = String.fromCharCode(body[at]!);
    const value = cstring(body, at + 1);
    fields.set(code, value.text);
    at = value.next;
  }
  return `${fields.get("M") ?? "error"}${fields.get("C") ? ` (SQLSTATE ${fields.get("C")})` : ""}`;
}
