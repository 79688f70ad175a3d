// Checks commit messages (or the PR title and body) against the recipe's format, and the claims
// they make against the evidence: "Rollback tested: Yes" needs a passing rollback test; the
// schema-changes list must mention what the migrations change. Pure.
import type { GateEvidence } from "../gates/evidence.js";
import type { AnalysisReport } from "../report.js";
import type { MigrationChanges } from "../runbook/changes.js";
import { compileTicketPattern, FIELD_LABELS, type CommitField, type CommitFormatConfig } from "./config.js";
import { isPlaceholder, parseCommitMessage, type ParsedMessage } from "./parse.js";

export interface CommitInput {
  /** Commit SHA; absent for the PR title and body. */
  sha?: string;
  source: "commit" | "pull_request";
  message: string;
}

export interface CommitProblem {
  sha?: string;
  source: CommitInput["source"];
  /** `header` or a field. */
  part: "header" | CommitField;
  /** 1-based line in the message. */
  line: number;
  message: string;
}

export interface ClaimContext {
  report?: AnalysisReport;
  /** What the migrations change, from describeChanges(). */
  changes?: MigrationChanges[];
  /** Trusted evidence for the head commit, when there is one. */
  evidence?: GateEvidence;
}

export interface CommitFormatResult {
  ok: boolean;
  /** Messages checked (commits touching migrations, and/or the PR). */
  checked: { sha?: string; source: CommitInput["source"]; subject: string; ok: boolean }[];
  problems: CommitProblem[];
}

export function checkCommitFormat(inputs: CommitInput[], config: CommitFormatConfig, context: ClaimContext = {}): CommitFormatResult {
  const problems: CommitProblem[] = [];
  const checked = inputs.map((input) => {
    const parsed = parseCommitMessage(input.message);
    const own = [...checkFormat(parsed, config), ...checkClaims(parsed, context)].map((p) => ({ ...p, sha: input.sha, source: input.source }));
    problems.push(...own);
    return { sha: input.sha, source: input.source, subject: parsed.header.raw, ok: own.length === 0 };
  });
  return { ok: problems.length === 0, checked, problems };
}

type Problem = Omit<CommitProblem, "sha" | "source">;

export function checkFormat(parsed: ParsedMessage, config: CommitFormatConfig): Problem[] {
  const problems: Problem[] = [];
  const header = (message: string) => problems.push({ part: "header", line: 1, message });
  const { type, scope, description, raw } = parsed.header;
  if (!type) header(`the subject must read \`type(TICKET-ID): description\`, e.g. \`feat(DB-123): add orders.status\`; found \`${raw || "(empty)"}\``);
  else {
    if (!config.types.includes(type)) header(`type \`${type}\` is not one of ${config.types.map((t) => `\`${t}\``).join(", ")}`);
    const ticket = compileTicketPattern(config.ticket_pattern);
    if (!scope) header(`the ticket id is missing: \`${type}(TICKET-ID): …\``);
    else if (!ticket.matches(scope)) header(`ticket id \`${scope}\` does not match \`${config.ticket_pattern}\``);
    if (!description) header("the description after `:` is empty");
  }
  if (raw.length > config.max_subject_length) header(`the subject is ${raw.length} characters long (limit ${config.max_subject_length})`);
  for (const field of config.required_fields) {
    const value = parsed.fields[field];
    const label = FIELD_LABELS[field];
    if (!value) problems.push({ part: field, line: 1, message: `\`${label}:\` is missing` });
    else if (isPlaceholder(value.value)) problems.push({ part: field, line: value.line, message: `\`${label}:\` is empty or still the template text` });
  }
  const rollback = parsed.fields.rollback_tested;
  if (rollback && !isPlaceholder(rollback.value) && !/^yes\b/i.test(rollback.value)) {
    problems.push({ part: "rollback_tested", line: rollback.line, message: `\`Rollback tested: ${rollback.value.split("\n")[0]}\`: the recipe requires a tested rollback (\`Rollback tested: Yes\`)` });
  }
  return problems;
}

const NONE = /^(none|no|n\/a|nothing|-|no impact|negligible|minimal)\.?$/i;

export function checkClaims(parsed: ParsedMessage, context: ClaimContext): Problem[] {
  const problems: Problem[] = [];
  const { fields } = parsed;
  const rollback = fields.rollback_tested;
  if (rollback && /^yes\b/i.test(rollback.value)) {
    const r = context.evidence?.rollback;
    const passing = context.evidence?.trusted && r?.ran && r.ok && r.schemaDiffEmpty;
    if (!passing) {
      const why = !context.evidence
        ? "there is no test report for this commit"
        : !context.evidence.trusted
          ? "the test report is not trusted"
          : !r?.ran
            ? "the test did not run the rollback"
            : !r.ok
              ? "the rollback failed in the test"
              : "the schema after rollback differs from before";
      problems.push({ part: "rollback_tested", line: rollback.line, message: `claims \`Rollback tested: Yes\` but ${why}` });
    }
  }
  const schema = fields.schema_changes;
  const changes = (context.changes ?? []).flatMap((m) => m.changes).filter((c) => !["setting", "other", "data"].includes(c.category));
  if (schema && !isPlaceholder(schema.value) && changes.length) {
    // The most specific object (column, index, constraint) must be named; the table alone is not enough.
    const missing = changes.filter((c) => {
      const specific = c.objects.find((o) => !o.startsWith("("));
      return specific !== undefined && !mentions(schema.value, specific);
    });
    if (missing.length) {
      const list = missing.slice(0, 5).map((c) => c.text).join("; ") + (missing.length > 5 ? `; and ${missing.length - 5} more` : "");
      problems.push({ part: "schema_changes", line: schema.line, message: `\`Schema changes:\` does not mention what the migrations change: ${list}` });
    }
  }
  const data = fields.data_transformations;
  const dataChanges = (context.changes ?? []).flatMap((m) => m.changes).filter((c) => c.category === "data");
  if (data && NONE.test(data.value.trim()) && dataChanges.length) {
    problems.push({ part: "data_transformations", line: data.line, message: `claims no data transformations, but the migrations ${dataChanges.map((c) => c.text).slice(0, 3).join("; ")}` });
  }
  const migration = fields.migration;
  const migrations = (context.report?.migrations ?? []).filter((m) => m.migration.status !== "deleted").map((m) => m.migration);
  if (migration && !isPlaceholder(migration.value) && migrations.length && !migrations.some((m) => mentions(migration.value, m.version) || mentions(migration.value, m.name) || sameNumber(migration.value, m.version))) {
    problems.push({ part: "migration", line: migration.line, message: `\`Migration: ${migration.value.split("\n")[0]}\` names none of this change's migrations (${migrations.map((m) => m.version).join(", ")})` });
  }
  const perf = fields.performance_impact;
  const risky = (context.report?.migrations ?? []).filter((m) => m.risk && ["high", "critical"].includes(m.risk.level));
  if (perf && NONE.test(perf.value.trim()) && risky.length) {
    problems.push({ part: "performance_impact", line: perf.line, message: `claims no performance impact, but ${risky.map((m) => `\`${m.migration.id}\` is ${m.risk!.level} risk`).join(", ")}` });
  }
  return problems;
}

/** Does the text name the object, as a word (case-insensitive, schema prefix optional)? */
function mentions(text: string, name: string): boolean {
  const bare = name.split(".").at(-1)!.toLowerCase();
  if (!bare) return true;
  const escaped = bare.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(^|[^a-z0-9_])${escaped}($|[^a-z0-9_])`, "i").test(text);
}

/** `000007` and `7` name the same version. */
function sameNumber(text: string, version: string): boolean {
  if (!/^\d+$/.test(version)) return false;
  return (text.match(/\d+/g) ?? []).some((n) => BigInt(n) === BigInt(version));
}
