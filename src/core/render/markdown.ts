// The review body the bot posts; `check --format markdown` prints exactly this text.
// Built to be read in five seconds: verdict, one row per migration, what to fix, then the
// gates and, collapsed, the details.
import { SEVERITY_ORDER, type Finding } from "../model.js";
import { lineIndexes, type LineIndex } from "../parse/text.js";
import { allFindings, serversOf, type AnalysisReport, type MigrationReport, type TableLock } from "../report.js";
import {
  RISK_ICON,
  ROLLBACK_LABEL,
  SEVERITY_ICON,
  blockingFindings,
  bySeverityThenPlace,
  cell,
  code,
  fence,
  countBySeverity,
  countsText,
  fitBlocks,
  formatSeconds,
  lockEffect,
  plural,
  safeInline,
  type Block,
} from "./common.js";
import { fixedLines } from "./fix.js";

export const REVIEW_MARKER = "<!-- migration-guard:review v1 -->";
/** GitHub's limit for review and comment bodies. */
export const MAX_BODY_LENGTH = 65_536;

export interface ReviewBodyOptions {
  /** File contents by path: findings listed in the body show their fix as a small diff. */
  sources?: Map<string, string>;
  /** Markdown of sections other parts of the app produce; each is rendered only when given. */
  sections?: { gates?: string; commitFormat?: string; evidence?: string; runbook?: string };
  /** Caveats shown under the title (e.g. "the PR has more than 3,000 files"). */
  notes?: string[];
  /** Default 65,536 (GitHub's limit); longer bodies are cut at a block or line boundary. */
  maxLength?: number;
  /** Where the full report lives when the body is cut. */
  checkRunUrl?: string;
  /** Findings posted as inline comments; the others are listed in the body. */
  inlineFindingFingerprints?: Set<string>;
}

/** Kept for the CLI (`check --format markdown`): the same text the bot posts. */
export type MarkdownOptions = ReviewBodyOptions;

export function renderMarkdown(report: AnalysisReport, options: MarkdownOptions = {}): string {
  return renderReviewBody(report, options);
}

const SECTION_TITLES = {
  gates: "Quality gates",
  commitFormat: "Commit format",
  evidence: "Migration test",
  runbook: "Runbook",
} as const;

/** Up to this many findings outside the changed lines are listed as they are; more are folded per migration. */
const FLAT_FINDINGS = 3;

export function renderReviewBody(report: AnalysisReport, options: ReviewBodyOptions = {}): string {
  const limit = options.maxLength ?? MAX_BODY_LENGTH;
  const inline = options.inlineFindingFingerprints;
  const live = allFindings(report);
  const listed = live.filter((f) => !inline?.has(f.fingerprint));
  const postedInline = live.length - listed.length;
  // The top two lines: the verdict, and what to do about it.
  const top = [REVIEW_MARKER, `## ${verdict(report).headline}`, ""];
  const todo = whatToDo(report, postedInline);
  if (todo) top.push(todo, "");
  top.push(statsLine(report));
  const blocks: Block[] = [{ lines: top }];
  if (options.notes?.length) blocks.push({ lines: options.notes.map((n) => `> **Note:** ${n}`) });
  blocks.push(summaryTable(report));
  if (listed.length || postedInline) blocks.push(findingsBlock(listed, postedInline, options.sources ?? new Map()));
  blocks.push(...sectionBlocks(options.sections ?? {}, options.checkRunUrl));
  // With a check run to link to, the per-migration details are read there (it has room).
  if (report.migrations.length && !options.checkRunUrl) blocks.push(detailsBlock(report));
  blocks.push({ lines: [footer(report)] });
  const where = options.checkRunUrl ? `the [full report in the check run](${options.checkRunUrl})` : "the full report in the `migration-guard` check run";
  return fitBlocks(blocks, {
    limit,
    measure: (t) => t.length,
    cutNote: (omitted) =>
      `> ✂️ ${plural(omitted, "more line")} cut to stay within GitHub's ${limit.toLocaleString("en-US")}-character limit: see ${where}.`,
  });
}

export interface Verdict {
  /** The title line of the body (without the heading marks). */
  headline: string;
  /** A plain one-liner for check-run titles. */
  title: string;
}

export function verdict(report: AnalysisReport): Verdict {
  const live = allFindings(report);
  const blocking = blockingFindings(report);
  const { migrations } = report.summary;
  const scope = `in ${plural(migrations, "migration")}`;
  if (blocking.length) {
    const text = `${plural(blocking.length, "blocking finding")}`;
    return { headline: `❌ migration-guard: ${text}`, title: `${text} ${scope}` };
  }
  const nonBlocking = countsText(countBySeverity(live));
  if (nonBlocking) {
    return { headline: `⚠️ migration-guard: nothing blocking, ${nonBlocking} to review`, title: `Nothing blocking; ${nonBlocking} ${scope}` };
  }
  if (migrations === 0) return { headline: "✅ migration-guard: no migrations changed", title: "No migrations changed" };
  return { headline: "✅ migration-guard: no findings", title: `No findings ${scope}` };
}

export function statsLine(report: AnalysisReport): string {
  const { summary, settings } = report;
  const parts = [plural(summary.migrations, "migration") + (summary.analyzed !== summary.migrations ? ` (${summary.analyzed} analyzed)` : "")];
  const counts = countsText(summary.counts, " · ");
  parts.push(counts || "no findings");
  if (summary.suppressed) parts.push(`${summary.suppressed} suppressed`);
  if (summary.highestRisk) parts.push(`highest risk ${RISK_ICON[summary.highestRisk]} **${summary.highestRisk}**`);
  parts.push(`fails at ${code(settings.failLevel)}`);
  return parts.join(" · ");
}

function whatToDo(report: AnalysisReport, postedInline: number): string | undefined {
  if (!report.summary.failed) return undefined;
  const level = report.settings.failLevel;
  const which = level === "error" ? `the ${SEVERITY_ICON.error} findings` : `the findings at or above ${code(level)}`;
  const where = postedInline ? " (see the comments on the changed lines)" : "";
  return `**To merge:** fix ${which}${where}, or suppress one with a reason: ${code("-- migration-guard:ignore <rule-id> -- <why>")}.`;
}

/** Above this many migrations the table keeps the ones that need attention and counts the rest. */
export const MAX_TABLE_ROWS = 50;

export function summaryTable(report: AnalysisReport): Block {
  if (!report.migrations.length) return { lines: ["No migration files are added or changed."] };
  const lines = ["| Migration | Risk | Strongest locks | Rollback | Findings |", "|---|---|---|---|---|"];
  let rows = report.migrations;
  let more = "";
  if (rows.length > MAX_TABLE_ROWS) {
    const notable = rows.filter((m) => m.findings.some((f) => !f.suppressed) || (m.risk && m.risk.level !== "low"));
    rows = notable.slice(0, MAX_TABLE_ROWS);
    const quiet = report.migrations.length - notable.length;
    const hidden = notable.length - rows.length;
    const parts = [quiet ? `${quiet.toLocaleString("en-US")} with low risk and no findings` : "", hidden ? `${hidden.toLocaleString("en-US")} more needing attention (see the details)` : ""];
    more = `| …and ${plural(report.migrations.length - rows.length, "more migration")}: ${parts.filter(Boolean).join("; ")} | | | | |`;
  }
  for (const m of rows) {
    const risk = m.risk;
    lines.push(
      `| ${cell(migrationLabel(m))} | ${risk ? `${RISK_ICON[risk.level]} ${risk.level}` : "—"} | ${risk ? locksCell(risk.locks) : "—"} | ${
        risk ? ROLLBACK_LABEL[risk.rollback] : "—"
      } | ${findingsCell(m.findings)} |`,
    );
  }
  if (more) lines.push(more);
  return { lines, cuttable: true, keepTogether: 2 };
}

function migrationLabel(m: MigrationReport): string {
  const status = m.migration.status === "added" ? "" : ` (${m.migration.status === "modified" ? "edited" : m.migration.status})`;
  return `${code(m.migration.id)}${status}`;
}

const LOCKS_PER_CELL = 3;

function locksCell(locks: TableLock[]): string {
  if (!locks.length) return "—";
  const shown = locks.slice(0, LOCKS_PER_CELL).map((l) => {
    const hold = l.estimatedSeconds !== undefined ? `, ${formatSeconds(l.estimatedSeconds)}` : "";
    return cell(`${code(l.relation)} ${l.mode} (${lockEffect(l.mode)}${hold})`);
  });
  if (locks.length > LOCKS_PER_CELL) shown.push(`+${locks.length - LOCKS_PER_CELL} more`);
  return shown.join("<br>");
}

function findingsCell(findings: Finding[]): string {
  const live = findings.filter((f) => !f.suppressed);
  const counts = countBySeverity(live);
  const parts = (["error", "warning", "info"] as const).filter((s) => counts[s]).map((s) => `${counts[s]} ${SEVERITY_ICON[s]}`);
  const suppressed = findings.length - live.length;
  if (suppressed) parts.push(`${suppressed} suppressed`);
  return parts.length ? parts.join(" · ") : "✅ none";
}

function findingsBlock(listed: Finding[], postedInline: number, sources: Map<string, string>): Block {
  const inline = `${plural(postedInline, "finding is", "findings are")} posted as comments on the changed lines.`;
  if (!listed.length) return { lines: [postedInline === 1 ? "The finding is a comment on the changed line." : `All ${plural(postedInline, "finding")} are comments on the changed lines.`] };
  const lines = [postedInline ? "### Findings not on a changed line" : "### Findings", ""];
  if (postedInline) lines.push(inline, "");
  const files = [...new Set(listed.map((f) => f.span.file))];
  if (listed.length <= FLAT_FINDINGS || files.length === 1 && listed.length <= FLAT_FINDINGS * 2) {
    lines.push(...findingItems(listed, sources));
    return { lines, cuttable: true, keepTogether: 1 };
  }
  // Many findings: one folded group per migration, strongest first, so the body stays short.
  lines.push(`${plural(listed.length, "finding")} in ${plural(files.length, "file")}, folded per file below.`, "");
  const indexOf = lineIndexes(sources);
  const helped = new Set<string>();
  const strongest = (file: string) => Math.max(...listed.filter((f) => f.span.file === file).map((f) => SEVERITY_ORDER[f.severity]));
  for (const file of files.sort((a, b) => strongest(b) - strongest(a) || a.localeCompare(b))) {
    const own = listed.filter((f) => f.span.file === file);
    const counts = countsText(countBySeverity(own));
    lines.push(
      [`<details><summary>${SEVERITY_ICON[own.some((f) => f.severity === "error") ? "error" : own.some((f) => f.severity === "warning") ? "warning" : "info"]} ${code(file)}: ${counts}</summary>`, "", ...findingItems(own, sources, indexOf, helped), "", "</details>"].join("\n"),
    );
  }
  return { lines, cuttable: true, keepTogether: 3 };
}

/**
 * The findings as list items, strongest first; one unit per finding so a cut never splits an
 * item (or its diff fence). A help text already shown for the same rule is not repeated.
 */
export function findingItems(findings: Finding[], sources: Map<string, string>, indexOf = lineIndexes(sources), helped = new Set<string>()): string[] {
  return [...findings].sort(bySeverityThenPlace).map((f) => {
    const key = `${f.ruleId}\u0000${f.help ?? ""}`;
    const showHelp = !helped.has(key);
    helped.add(key);
    return findingItem(f, sources.get(f.span.file), { showHelp, index: indexOf(f.span.file) }).join("\n");
  });
}

/** A fix preview longer than this is described, not shown. */
const MAX_PREVIEW_LINES = 12;

/**
 * One finding as a list item: place, rule, message, then what to do; a fix is previewed as a
 * diff (it cannot be a committable suggestion outside the changed lines).
 */
export function findingItem(f: Finding, source: string | undefined, { showHelp = true, index }: { showHelp?: boolean; index?: LineIndex } = {}): string[] {
  const docs = f.docsUrl ? ` · [docs](${f.docsUrl})` : "";
  const lines = [`- ${SEVERITY_ICON[f.severity]} ${code(`${f.span.file}:${f.span.startLine}`)} **${f.ruleId}**: ${safeInline(f.message)}${docs}`];
  if (f.help && showHelp) lines.push(`  - 💡 ${safeInline(f.help)}`);
  if (!f.fix) return lines;
  lines.push(`  - 🔧 Fix: ${safeInline(f.fix.description)}`);
  const change = fixedLines(f, source, index);
  if (change && change.before.length + change.after.length <= MAX_PREVIEW_LINES) {
    const diff = [...change.before.map((l) => `- ${l}`), ...change.after.map((l) => `+ ${l}`)];
    const ticks = fence(diff.join("\n"));
    lines.push(`    ${ticks}diff`, ...diff.map((l) => `    ${l}`), `    ${ticks}`);
  }
  return lines;
}

function sectionBlocks(sections: NonNullable<ReviewBodyOptions["sections"]>, checkRunUrl: string | undefined): Block[] {
  const blocks: Block[] = [];
  for (const key of Object.keys(SECTION_TITLES) as (keyof typeof SECTION_TITLES)[]) {
    const content = sections[key]?.trim();
    if (!content) continue;
    // The runbook is long: the review links to it in the check run when there is one.
    if (key === "runbook" && checkRunUrl) continue;
    // A section that brings its own heading keeps it.
    blocks.push({ lines: content.startsWith("#") ? [content] : [`### ${SECTION_TITLES[key]}`, "", content] });
  }
  if (checkRunUrl) {
    const what = sections.runbook?.trim() ? "Details per migration and the deployment runbook (steps, monitoring and rollback queries)" : "Details per migration";
    blocks.push({ lines: [`📋 ${what}: in the [check run](${checkRunUrl}).`] });
  }
  return blocks;
}

function detailsBlock(report: AnalysisReport): Block {
  const lines = ["<details>", `<summary>Details per migration (${report.migrations.length})</summary>`, ""];
  // One unit per migration: a cut keeps whole migrations.
  for (const m of report.migrations) lines.push(migrationDetails(m).join("\n"), "");
  lines.push("</details>");
  return { lines, cuttable: true, keepTogether: 3, closing: ["", "</details>"] };
}

/** Everything known about one migration: what it is, why its risk, locks, rollback, objects. */
export function migrationDetails(m: MigrationReport): string[] {
  const { migration, statements, risk } = m;
  const lines = [`#### ${migrationLabel(m)}`, ""];
  const down = migration.down ? `${plural(statements.down, "statement")} down (${code(migration.down.path)})` : "no down script";
  lines.push(`${migration.layout} layout · ${plural(statements.up, "statement")} up · ${down}`, "");
  if (!risk) return lines;
  lines.push(`**Risk:** ${RISK_ICON[risk.level]} ${risk.level}`);
  for (const reason of risk.reasons) lines.push(`- ${safeInline(reason)}`);
  lines.push("");
  if (risk.locks.length) {
    lines.push("| Table | Lock | Blocks | Est. hold | Work under the lock |", "|---|---|---|---|---|");
    for (const l of risk.locks) {
      const hold = l.estimatedSeconds !== undefined ? formatSeconds(l.estimatedSeconds) : "unknown";
      lines.push(`| ${cell(code(l.relation))} | ${l.mode} | ${cell(l.blocks)} | ${hold} | ${cell(l.work ?? "—")} |`);
    }
    lines.push("");
  }
  const rollbackWhy = risk.rollbackReasons.length ? `: ${risk.rollbackReasons.map(safeInline).join("; ")}` : "";
  lines.push(`**Rollback:** ${ROLLBACK_LABEL[risk.rollback]}${rollbackWhy}`, "");
  const affected = Object.entries(risk.affected)
    .filter(([, names]) => names.length)
    .map(([kind, names]) => `${kind} ${names.map(code).join(", ")}`);
  if (affected.length) lines.push(`**Affected:** ${affected.join("; ")}`, "");
  const suppressed = m.findings.filter((f) => f.suppressed);
  if (suppressed.length) {
    lines.push("**Suppressed:**");
    for (const f of suppressed) lines.push(`- ${code(f.ruleId)} at line ${f.span.startLine}: ${safeInline(f.suppressed!.reason)}`);
    lines.push("");
  }
  while (lines.at(-1) === "") lines.pop();
  return lines;
}

function footer(report: AnalysisReport): string {
  const { tool, settings } = report;
  const server = serversOf(report);
  return `<sub>${tool.name} ${tool.version} · ${server} · preset ${code(settings.preset)}</sub>`;
}
