// The engine: discover → parse → run rules in context → apply suppressions and config →
// report. Pure and synchronous: inputs are file contents, output is an AnalysisReport.
import type { Config } from "../config/schema.js";
import { discover } from "../discover/index.js";
import { parseScriptFile } from "../discover/sections.js";
import type { ChangeInput, Dialect, Finding, Migration, ScriptRef, Severity, SourceFile, Span } from "../model.js";
import { RiskLevel, SEVERITY_ORDER } from "../model.js";
import type { ParsedScript, Statement } from "../parse/index.js";
import { shortHash } from "../parse/text.js";
import { AnalysisReport, type MigrationReport } from "../report.js";
import { assessRisk, type RiskContext } from "../risk/assess.js";
import { throughput } from "../risk/estimate.js";
import { buildCatalog, type StatsCatalog } from "../stats/index.js";
import { PRESETS } from "../../../rules/presets.js";
import { hitsOf, type Direction, type MigrationFacts, type Rule, type RuleHit } from "./rule.js";
import { advance, forkState, indexTableOf, initialState, nextChange, replaySchema, seedFromStatistics, startScript, type AnalysisState } from "./state.js";
import { fileSemantics, queriesOf, transactionContext, type FileSemantics } from "./transaction.js";
import { recordMysqlRelations } from "./mysql-ast.js";
import { splitByScope } from "../config/overrides.js";
import { collectSuppressions, suppressionLookup, type Suppression } from "./suppress.js";
import { fixInCode } from "../fix/embedded.js";

export const TOOL_VERSION = "0.1.0";

export interface ActiveRule {
  rule: Rule;
  severity: Severity;
}

/** Applies the preset, then the user's `rules:` map, to the registry. */
export function activeRules(rules: Rule[], config: Config): Map<string, ActiveRule> {
  const preset = PRESETS[config.preset];
  const active = new Map<string, ActiveRule>();
  for (const rule of rules) {
    if (!rule.dialects.includes(config.dialect)) continue;
    const setting = config.rules[rule.id];
    if (setting === "off" || setting === false) continue;
    if (rule.optIn && !preset.includeOptIn && setting === undefined) continue;
    const base = (preset.severities as Partial<Record<Severity, Severity>>)[rule.severity] ?? rule.severity;
    const severity = typeof setting === "string" ? setting : base;
    active.set(rule.id, { rule, severity });
  }
  return active;
}

interface ScriptAnalysis {
  script?: ParsedScript;
  findings: Finding[];
  state?: AnalysisState;
  suppressions?: Suppression[];
}

export interface AnalyzeOptions {
  /** Table statistics (the stats file merged with `tables:`); default: `tables:` alone. */
  stats?: StatsCatalog;
  /**
   * Parsed scripts by blob SHA (see parseKey): the App keeps one across deliveries, so a merged
   * file that only gives context is parsed once, not on every pull request event; the CLI fills
   * one from parse workers on long histories. Entries are read-only.
   */
  parseCache?: ParseCache;
  /**
   * Schema state after replaying the merged migrations that precede the change, by their identity
   * (the App keeps one): every delivery on the same base replays them once. Entries are read-only.
   */
  stateCache?: StateCache;
}

export interface StateCache {
  get(key: string): AnalysisState | undefined;
  set(key: string, state: AnalysisState): void;
}

export interface ParseCache {
  get(key: string): ParsedScript | undefined;
  set(key: string, script: ParsedScript): void;
}

export function analyzeChange(input: ChangeInput, config: Config, rules: Rule[], options: AnalyzeOptions = {}): AnalysisReport {
  if (config.overrides.length) return analyzeScopes(input, config, rules, options);
  const riskContext: RiskContext & { stats: StatsCatalog } = {
    stats: options.stats ?? buildCatalog(config),
    ruleWork: ((works) => (id: string) => works.get(id))(new Map(rules.map((r) => [r.id, r.docs.work as string]))),
    migrationRule: ((ids) => (id: string) => ids.has(id))(new Set(rules.filter((r) => r.checkMigration).map((r) => r.id))),
  };
  const active = activeRules(rules, config);
  const known = new Set(rules.map((r) => r.id));
  const discovery = discover(input, config);
  const contents = new Map(input.head.map((f) => [f.path, f]));
  const perChange = input.base !== undefined;
  let changeState = seedFromStatistics(initialState(config.postgres_version), riskContext.stats);
  const reports: MigrationReport[] = [];
  const other: Finding[] = [];
  const makeFinding = findingFactory(config, active);
  const statementRules = [...active.values()].filter((a) => a.rule.check && a.rule.dialects.includes(config.dialect));

  const prefix = replayedPrefix(discovery.migrations, contents, config, riskContext.stats, options.stateCache);
  if (prefix.cached) changeState = forkState(prefix.cached);
  for (const [index, migration] of discovery.migrations.entries()) {
    if (index < prefix.length && prefix.cached) continue;
    if (index === prefix.length && prefix.key && !prefix.cached) {
      // Remember the replayed merged history, and go on from a copy the change cannot alter.
      options.stateCache!.set(prefix.key, changeState);
      changeState = forkState(changeState);
    }
    if (migration.status === "unchanged") {
      // Merged migrations are not analyzed, but what they declare is what later ones change:
      // knowing `note varchar(100)` tells a free varchar → text from a rewrite.
      const script = readScript(migration, contents, config, options.parseCache);
      if (script) replaySchema(changeState, script.statements, false);
      continue;
    }
    const facts = discovery.facts.get(migration.id) ?? {
      editedAfterMerge: false,
      deletedAfterMerge: false,
      duplicateVersionOf: [],
    };
    // Without a base every migration is its own change: tables from earlier files count as existing.
    if (!perChange) changeState = nextChange(changeState);
    const semantics = fileSemantics(migration, config);
    const findings: Finding[] = [];
    let up: ScriptAnalysis = { findings: [] };
    let down: ScriptAnalysis = { findings: [] };
    if (migration.status !== "deleted") {
      up = analyzeScript(migration, "up", contents, changeState, semantics, config, statementRules, active, known, makeFinding, riskContext.stats, options.parseCache);
      if (up.state) {
        // An edited migration's objects already exist wherever it was applied, so later
        // migrations of the change must still treat them as existing tables.
        changeState = migration.status === "added" ? up.state : { ...up.state, createdRelations: changeState.createdRelations };
      }
      if (migration.down) {
        down = analyzeScript(migration, "down", contents, changeState, semantics, config, statementRules, active, known, makeFinding, riskContext.stats, options.parseCache);
      }
    }
    findings.push(...up.findings, ...down.findings);
    findings.push(...migrationRules(migration, facts, up.script, down.script, config, active, makeFinding, up.suppressions ?? []));
    const report: MigrationReport = {
      migration,
      statements: { up: up.script?.statements.length ?? 0, down: down.script?.statements.length ?? 0 },
      findings: sortFindings(findings),
    };
    // Read once, at the first migration assessed (where assessRisk would first have read them).
    riskContext.rates ??= throughput(config);
    report.risk = assessRisk(report, up.script, down.script, config, { ...riskContext, indexTable: indexTableOf(changeState) });
    reports.push(report);
  }
  // Files the migration tool would skip or refuse belong to no migration.
  for (const p of discovery.problems) {
    if (!active.has(p.ruleId)) continue;
    const line = { file: p.file, startLine: p.line, startColumn: 1, endLine: p.line, endColumn: 1, startOffset: 0, endOffset: 0 };
    other.push(makeFinding(p.ruleId, { message: p.message, span: line }));
  }
  return buildReport(reports, other, config);
}

/** Each path override's files are a history of their own, analyzed with its settings; one report. */
function analyzeScopes(input: ChangeInput, config: Config, rules: Rule[], options: AnalyzeOptions): AnalysisReport {
  const migrations: MigrationReport[] = [];
  const other: Finding[] = [];
  for (const scope of splitByScope(config, input)) {
    const report = analyzeChange({ ...input, head: scope.head, ...(scope.base ? { base: scope.base } : {}) }, scope.config, rules, options);
    const server = scope.config.dialect !== config.dialect || scope.config.postgres_version !== config.postgres_version
      ? { dialect: scope.config.dialect, postgresVersion: scope.config.postgres_version }
      : {};
    migrations.push(...report.migrations.map((m) => ({ ...m, ...server })));
    other.push(...report.otherFindings);
  }
  return buildReport(migrations, other, config);
}

type FindingFactory = (ruleId: string, hit: RuleHit & { span: Span }, migration?: Migration, statement?: Statement) => Finding;

function findingFactory(config: Config, active: Map<string, ActiveRule>): FindingFactory {
  const docsBase = config.docs_url.replace(/\/$/, "");
  // A statement's normalized text, once per statement however many findings it has (a function
  // body of thousands of characters used to be normalized for each of them).
  const normalized = new WeakMap<Statement, string>();
  const basisOf = (statement: Statement) => {
    let basis = normalized.get(statement);
    if (basis === undefined) normalized.set(statement, (basis = statement.text.replace(/\s+/g, " ").trim().toLowerCase()));
    return basis;
  };
  return (ruleId, hit, migration, statement) => {
    const severity = hit.severity ?? active.get(ruleId)?.severity ?? "warning";
    const basis = statement ? basisOf(statement) : hit.message;
    return {
      ruleId,
      severity,
      message: hit.message,
      span: hit.span,
      fingerprint: `${ruleId}:${shortHash(`${hit.span.file}\u0000${basis}`)}`,
      migrationId: migration?.id,
      help: hit.help,
      docsUrl: `${docsBase}/${ruleId}.md`,
      locks: hit.locks ?? [],
      fix: hit.fix,
    };
  };
}

/**
 * The leading merged migrations (replayed for context only) and their cache key: the layout,
 * dialect and version they are read with, the statistics' views, and every script's blob.
 */
function replayedPrefix(
  migrations: Migration[],
  contents: Map<string, SourceFile>,
  config: Config,
  stats: StatsCatalog,
  cache: StateCache | undefined,
): { length: number; key?: string; cached?: AnalysisState } {
  let length = 0;
  while (length < migrations.length && migrations[length]!.status === "unchanged") length++;
  if (!cache || length === 0 || length === migrations.length) return { length };
  const parts = [String(config.postgres_version), config.dialect, JSON.stringify([...stats.values()].map((t) => [t.name, t.views]))];
  for (const m of migrations.slice(0, length)) {
    const file = contents.get(m.up.path);
    if (!file?.sha || file.content === undefined) return { length };
    parts.push(m.layout, m.id, m.up.path, m.up.section ?? "", m.up.changeset ?? "", file.sha);
  }
  const key = parts.join("\u0000");
  const cached = cache.get(key);
  return { length, key, ...(cached ? { cached } : {}) };
}

/** A migration's parsed up script, or undefined when its content is not at hand (the app lists merged files without fetching them). */
function readScript(migration: Migration, contents: Map<string, SourceFile>, config: Config, cache?: ParseCache): ParsedScript | undefined {
  const file = contents.get(migration.up.path);
  if (file?.content === undefined) return undefined;
  const read = readParsed(migration.up, file, config.dialect, cache);
  return "script" in read ? read.script : undefined;
}

/**
 * The key a parsed script is cached under: its blob, how it is read (the same blob read as
 * another section, changeset or dialect is another script) and its path. None without a blob SHA.
 */
export function parseKey(ref: ScriptRef, file: SourceFile, dialect: Dialect): string | undefined {
  return file.sha ? [file.sha, ref.section ?? "", ref.changeset ?? "", dialect, ref.path].join("\u0000") : undefined;
}

/** One script decoded and parsed, from the cache when it holds it; or why its content cannot be read. */
function readParsed(ref: ScriptRef, file: SourceFile, dialect: Dialect, cache?: ParseCache): { script: ParsedScript } | { problem: string } {
  const key = cache ? parseKey(ref, file, dialect) : undefined;
  const cached = key ? cache!.get(key) : undefined;
  if (cached) return { script: cached };
  const read = parseScriptFile(ref, file.content!, dialect);
  if (key && "script" in read) cache!.set(key, read.script);
  return read;
}

function analyzeScript(
  migration: Migration,
  direction: Direction,
  contents: Map<string, SourceFile>,
  stateIn: AnalysisState,
  semantics: FileSemantics,
  config: Config,
  statementRules: ActiveRule[],
  active: Map<string, ActiveRule>,
  known: Set<string>,
  makeFinding: FindingFactory,
  stats: StatsCatalog,
  parseCache?: ParseCache,
): ScriptAnalysis {
  const ref = direction === "up" ? migration.up : migration.down!;
  const file = contents.get(ref.path);
  const wholeFile = { file: ref.path, startLine: 1, startColumn: 1, endLine: 1, endColumn: 1, startOffset: 0, endOffset: 0 };
  if (file?.content === undefined) {
    return { findings: [makeFinding("unreadable-file", { message: `${ref.path}: ${file?.unreadable ?? "content could not be read"}`, span: wholeFile }, migration)] };
  }
  const read = readParsed(ref, file, config.dialect, parseCache);
  if ("problem" in read) {
    return { findings: [makeFinding("unreadable-file", { message: `${ref.path}: skipped, ${read.problem}`, span: wholeFile }, migration)] };
  }
  const script = read.script;
  const findings: Finding[] = [];
  const { suppressions, problems } = collectSuppressions(script, known);
  for (const p of script.problems) {
    if (!active.has(p.kind)) continue;
    const finding = makeFinding(p.kind, { message: p.message, span: p.span }, migration);
    // Code that builds its SQL at run time is no statement: a suppression on the line above it (or the file's) applies.
    const suppression = p.kind === "unanalyzable-sql" ? suppressions.find((s) => s.ruleIds.includes(p.kind) && (s.scope === "file" || s.span.endLine === p.span.startLine - 1 || s.span.startLine === p.span.startLine)) : undefined;
    if (suppression) finding.suppressed = { reason: suppression.reason };
    findings.push(finding);
  }
  const suppressionFor = suppressionLookup(suppressions);
  for (const p of problems) {
    if (active.has(p.ruleId)) findings.push(makeFinding(p.ruleId, { message: p.message, span: p.span }, migration));
  }
  const transaction = transactionContext(semantics, script.statements, config.postgres_version, queriesOf(script));
  let state = startScript(stateIn, transaction, { isolated: direction === "down" });
  const context = { config, dialect: config.dialect, direction, migration, script, state, stats, transaction };
  for (const statement of script.statements) {
    context.state = state;
    // A statement the tool takes out of the file's transaction (the Supabase CLI's CONCURRENTLY)
    // runs on its own: it is not in the transaction, and its locks do not join the transaction's.
    const standalone = state.inTransaction && !state.explicitTransaction && transaction.places[statement.index] === "autocommit";
    if (standalone) state.inTransaction = false;
    // One query of several statements outside any transaction (a TypeORM `query("A; B")` call):
    // PostgreSQL runs the query as one transaction block.
    const oneQuery = !state.inTransaction && transaction.places[statement.index] === "one-query" && !transaction.oneQuery;
    if (oneQuery) state.inTransaction = true;
    for (const { rule } of statementRules) {
      let hits: RuleHit[];
      try {
        hits = hitsOf(rule.check!(statement, context));
      } catch (error) {
        // A rule that trips over an unexpected AST must not silence the others.
        hits = [];
        findings.push(
          makeFinding(
            "internal-error",
            {
              message: `rule ${rule.id} failed on statement ${statement.index + 1} (${statement.kind}): ${error instanceof Error ? error.message : String(error)}`,
              span: statement.span,
            },
            migration,
            statement,
          ),
        );
      }
      for (const hit of hits) {
        // SQL inside a code file's strings: only a fix that fits in the string is offered.
        const fix = script.embedded ? fixInCode(hit.fix, script.embedded) : hit.fix;
        const finding = makeFinding(rule.id, { ...hit, fix, span: hit.span ?? statement.span }, migration, statement);
        const suppression = suppressionFor(rule.id, statement.index);
        if (suppression) finding.suppressed = { reason: suppression.reason };
        findings.push(finding);
      }
    }
    if (oneQuery) state.inTransaction = false;
    state = advance(state, statement);
    if (standalone) state.inTransaction = true;
    // advance() models PostgreSQL; MySQL/MariaDB tables created in the change are recorded here.
    if (statement.dialect !== "postgres") recordMysqlRelations(state, statement);
  }
  return { script, findings, state, suppressions };
}

function migrationRules(
  migration: Migration,
  facts: MigrationFacts,
  up: ParsedScript | undefined,
  down: ParsedScript | undefined,
  config: Config,
  active: Map<string, ActiveRule>,
  makeFinding: FindingFactory,
  suppressions: Suppression[],
): Finding[] {
  const anchor: Span = up?.statements[0]?.span ?? {
    file: migration.up.path,
    startLine: up?.baseLine ?? 1,
    startColumn: 1,
    endLine: up?.baseLine ?? 1,
    endColumn: 1,
    startOffset: up?.baseOffset ?? 0,
    endOffset: up?.baseOffset ?? 0,
  };
  const out: Finding[] = [];
  const suppressionFor = suppressionLookup(suppressions);
  for (const { rule } of active.values()) {
    if (!rule.checkMigration || !rule.dialects.includes(config.dialect)) continue;
    let hits: RuleHit[];
    try {
      hits = hitsOf(rule.checkMigration(migration, { config, up, down, facts, anchor }));
    } catch (error) {
      out.push(makeFinding("internal-error", { message: `rule ${rule.id} failed on migration ${migration.id}: ${String(error)}`, span: anchor }, migration));
      continue;
    }
    for (const hit of hits) {
      const finding = makeFinding(rule.id, { ...hit, span: hit.span ?? anchor }, migration);
      const suppression = suppressionFor(rule.id, undefined);
      if (suppression) finding.suppressed = { reason: suppression.reason };
      out.push(finding);
    }
  }
  return out;
}

function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(
    (a, b) =>
      a.span.file.localeCompare(b.span.file) ||
      a.span.startOffset - b.span.startOffset ||
      SEVERITY_ORDER[b.severity] - SEVERITY_ORDER[a.severity] ||
      a.ruleId.localeCompare(b.ruleId),
  );
}

function buildReport(migrations: MigrationReport[], other: Finding[], config: Config): AnalysisReport {
  const all = [...migrations.flatMap((m) => m.findings), ...other];
  const live = all.filter((f) => !f.suppressed);
  const counts = { error: 0, warning: 0, info: 0 };
  for (const f of live) counts[f.severity]++;
  const risks = migrations.map((m) => m.risk?.level).filter((l): l is RiskLevel => Boolean(l));
  const highestRisk = risks.length ? RiskLevel.options[Math.max(...risks.map((r) => RiskLevel.options.indexOf(r)))] : undefined;
  return {
    schemaVersion: 1,
    tool: { name: "migration-guard", version: TOOL_VERSION },
    settings: {
      dialect: config.dialect,
      postgresVersion: config.postgres_version,
      failLevel: config.fail_level,
      preset: config.preset,
      docsUrl: config.docs_url,
    },
    migrations,
    otherFindings: other,
    summary: {
      migrations: migrations.length,
      analyzed: migrations.filter((m) => m.migration.status !== "deleted").length,
      counts,
      suppressed: all.length - live.length,
      highestRisk,
      failed: live.some((f) => SEVERITY_ORDER[f.severity] >= SEVERITY_ORDER[config.fail_level]),
    },
  };
}

export { AnalysisReport };
