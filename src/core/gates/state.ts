// The gate state the bot keeps across events: sign-offs, the audit trail, the automatic gates'
// last results and which events were already applied. It lives in a hidden, versioned, signed
// marker inside the bot's sticky comment on GitHub (the app keeps nothing in memory), and is
// re-read and validated on every event.
import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { GateEvidence } from "./evidence.js";

/** Notes and reasons are cut to this length, so the comment stays far below GitHub's 65,536 characters. */
const DETAIL_LIMIT = 200;

export const GateStatus = z.enum(["passed", "failed", "pending"]);
export type GateStatus = z.infer<typeof GateStatus>;

export const SignoffVia = z.enum(["comment", "checkbox"]);
export type SignoffVia = z.infer<typeof SignoffVia>;

export const SignoffRecord = z.object({
  gate: z.string(),
  user: z.string(),
  userId: z.number().int(),
  /** ISO 8601 time GitHub recorded for the comment or edit. */
  at: z.string(),
  via: SignoffVia,
  note: z.string().max(DETAIL_LIMIT).optional(),
});
export type SignoffRecord = z.infer<typeof SignoffRecord>;

/** `tampered`: someone broke or removed the state marker in the comment; `user` is who edited it. */
export const AuditAction = z.enum(["sign-off", "revoke", "refused", "reverted-tick", "reset", "restored", "tampered"]);
export type AuditAction = z.infer<typeof AuditAction>;

export const AuditEntry = z.object({
  at: z.string(),
  action: AuditAction,
  user: z.string(),
  gate: z.string().optional(),
  via: SignoffVia.optional(),
  /** Why (refusals, resets) or the sign-off note. */
  detail: z.string().max(DETAIL_LIMIT).optional(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export const AutoGateRecord = z.object({
  gate: z.string(),
  status: GateStatus,
  detail: z.string(),
  evidenceUrl: z.string().optional(),
});
export type AutoGateRecord = z.infer<typeof AutoGateRecord>;

export const STATE_VERSION = 1;
/** Entries kept in the marker; older ones are counted, so the trail says it was shortened. */
export const AUDIT_LIMIT = 40;

const PROCESSED_LIMIT = 100;

export const GateState = z.object({
  v: z.literal(STATE_VERSION),
  pr: z.number().int().positive(),
  /**
   * Incremented on every write. The app also records it in its check run (which only the app can
   * write), so an older signed marker pasted back into the comment is recognized as a replay.
   */
  seq: z.number().int().nonnegative().default(0),
  /** Head SHA the state was last written for. */
  headSha: z.string(),
  signoffs: z.array(SignoffRecord),
  audit: z.array(AuditEntry),
  /** Audit entries dropped from the front to keep the marker small. */
  auditDropped: z.number().int().nonnegative().default(0),
  /** Results of the automatic gates for `auto.headSha`, written by the review path. */
  auto: z.object({ headSha: z.string(), gates: z.array(AutoGateRecord) }).optional(),
  /** Test evidence for `headSha`, kept so later events for the same head still see it (compacted). */
  evidence: z.object({ headSha: z.string(), evidence: GateEvidence }).optional(),
  /** Commit-format verdict for the same head SHA, when checked and enforced. */
  commitFormat: z.object({ headSha: z.string(), ok: z.boolean(), problems: z.number().int().nonnegative(), enforced: z.boolean() }).optional(),
  /** Keys of events already applied (command comment ids, edit timestamps): replays change nothing. */
  processed: z.array(z.string()),
});
export type GateState = z.infer<typeof GateState>;

export function emptyState(pr: number, headSha: string): GateState {
  return { v: STATE_VERSION, pr, seq: 0, headSha, signoffs: [], audit: [], auditDropped: 0, processed: [] };
}

// ── marker ────────────────────────────────────────────────────────────────────────────────

const MARKER_PREFIX = "<!-- migration-guard:gates-state";
const MARKER_RE = /<!-- migration-guard:gates-state v(\d+) ([A-Za-z0-9_-]+)(?:\.([A-Za-z0-9_-]+))? -->/g;

/** A hidden HTML comment holding the state, signed with HMAC-SHA256 when a key is given. */
export function encodeMarker(state: GateState, key?: string): string {
  const payload = Buffer.from(JSON.stringify(state), "utf8").toString("base64url");
  const signature = key ? `.${sign(payload, key)}` : "";
  return `${MARKER_PREFIX} v${state.v} ${payload}${signature} -->`;
}

export type MarkerResult =
  | { ok: true; state: GateState }
  | { ok: false; problem: "absent" | "unsupported-version" | "bad-signature" | "unsigned" | "malformed"; message: string };

export function hasMarker(body: string): boolean {
  return body.includes(MARKER_PREFIX);
}

/** Reads and validates the marker; with a key, an unsigned or wrongly signed marker is rejected. */
export function decodeMarker(body: string, key?: string): MarkerResult {
  // The bot writes the marker last; anything earlier in the body is not trusted.
  const m = [...body.matchAll(MARKER_RE)].at(-1);
  if (!m) return { ok: false, problem: hasMarker(body) ? "malformed" : "absent", message: "no gate state marker" };
  const [, version, payload, signature] = m;
  if (Number(version) !== STATE_VERSION) {
    return { ok: false, problem: "unsupported-version", message: `gate state marker version ${version} is not supported (expected ${STATE_VERSION})` };
  }
  if (key) {
    if (!signature) return { ok: false, problem: "unsigned", message: "gate state marker is not signed" };
    if (!sameSignature(signature, sign(payload!, key))) return { ok: false, problem: "bad-signature", message: "gate state marker signature does not match" };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(payload!, "base64url").toString("utf8"));
  } catch {
    return { ok: false, problem: "malformed", message: "gate state marker is not valid JSON" };
  }
  const parsed = GateState.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    return { ok: false, problem: "malformed", message: `gate state marker is invalid at ${first.path.join(".") || "(root)"}: ${first.message}` };
  }
  return { ok: true, state: parsed.data };
}

function sign(payload: string, key: string): string {
  return createHmac("sha256", key).update(`migration-guard:gates-state\u0000${payload}`).digest("base64url");
}

function sameSignature(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

// ── transitions (pure: state in, new state out) ───────────────────────────────────────────

export function wasProcessed(state: GateState, key: string): boolean {
  return state.processed.includes(key);
}

export function markProcessed(state: GateState, key: string): GateState {
  const processed = [...state.processed.filter((k) => k !== key), key];
  return { ...state, processed: processed.slice(-PROCESSED_LIMIT) };
}

export function addAudit(state: GateState, entry: AuditEntry): GateState {
  const detail = entry.detail && entry.detail.length > DETAIL_LIMIT ? `${entry.detail.slice(0, DETAIL_LIMIT - 1)}…` : entry.detail;
  const audit = [...state.audit, { ...entry, detail }];
  const overflow = Math.max(0, audit.length - AUDIT_LIMIT);
  return { ...state, audit: audit.slice(overflow), auditDropped: state.auditDropped + overflow };
}

export function signoffsFor(state: GateState, gate: string): SignoffRecord[] {
  return state.signoffs.filter((s) => s.gate === gate);
}

export function hasSignedOff(state: GateState, gate: string, userId: number): boolean {
  return state.signoffs.some((s) => s.gate === gate && s.userId === userId);
}

export function addSignoff(state: GateState, record: SignoffRecord): GateState {
  if (hasSignedOff(state, record.gate, record.userId)) return state;
  const note = record.note && record.note.length > DETAIL_LIMIT ? `${record.note.slice(0, DETAIL_LIMIT - 1)}…` : record.note;
  const next = { ...state, signoffs: [...state.signoffs, { ...record, note }] };
  return addAudit(next, { at: record.at, action: "sign-off", user: record.user, gate: record.gate, via: record.via, detail: note });
}

export function removeSignoff(
  state: GateState,
  change: { gate: string; userId: number; by: string; at: string; via: SignoffVia; detail?: string },
): GateState {
  const kept = state.signoffs.filter((s) => !(s.gate === change.gate && s.userId === change.userId));
  if (kept.length === state.signoffs.length) return state;
  return addAudit({ ...state, signoffs: kept }, { at: change.at, action: "revoke", user: change.by, gate: change.gate, via: change.via, detail: change.detail });
}

/** Clears every sign-off (a push changed the migrations); the trail keeps what was cleared. */
export function resetSignoffs(state: GateState, change: { at: string; by: string; reason: string }): GateState {
  const cleared = state.signoffs.length;
  const next = { ...state, signoffs: [] };
  if (!cleared) return next;
  return addAudit(next, { at: change.at, action: "reset", user: change.by, detail: `${change.reason}; ${cleared} sign-off${cleared === 1 ? "" : "s"} cleared` });
}

/** Keeps the evidence small enough for the marker: the statements that matter most for the gates. */
export function compactEvidence(evidence: GateEvidence, keep = 20): GateEvidence {
  const ranked = [...evidence.statements].sort((a, b) => (b.lockWaitMs ?? 0) - (a.lockWaitMs ?? 0) || b.durationMs - a.durationMs);
  const rollback = evidence.rollback ? { ...evidence.rollback, diff: evidence.rollback.diff.slice(0, 10), lossyTables: evidence.rollback.lossyTables.slice(0, 10) } : undefined;
  const validation = evidence.validation ? { ...evidence.validation, failures: evidence.validation.failures.slice(0, 10) } : undefined;
  return { ...evidence, statements: ranked.slice(0, keep), rollback, validation };
}
