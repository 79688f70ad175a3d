// `migration-guard test` on a scratch database: environment (base schema + seed) → forward with
// lock tracing and the blocking probe → validate → rollback with schema diff and row checksums →
// forward again, with a partial-failure test of each migration before it is applied for real.
import { setTimeout as sleep } from "node:timers/promises";
import { performance } from "node:perf_hooks";
import type { Config } from "../core/config/schema.js";
import { cleanupSql, diffSnapshots, type SchemaSnapshot } from "../core/evidence/snapshot.js";
import { planSeeding } from "../core/evidence/seed.js";
import { STATS_SEED_CAP } from "../core/evidence/config.js";
import { referencedRelations } from "../core/evidence/plan.js";
import {
  EVIDENCE_SCHEMA_VERSION,
  EvidenceReport,
  type CheckResult,
  type MigrationEvidence,
  type PartialFailure,
  type Problem,
  type ScriptRun,
  type Step,
} from "../core/evidence/report.js";
import { judge } from "../core/evidence/verdict.js";
import type { Migration, SqlSource } from "../core/model.js";
import { AS_WRITTEN, fileSemantics, type FileSemantics } from "../core/analyze/transaction.js";
import { errorMessage, type ScratchDatabase, type Session } from "../db/session.js";
import { extensionsCreatedIn, PGLITE_CONTRIB_EXTENSIONS, type PgliteScratch } from "../db/pglite.js";
import { AbortedError, planFor, runScript, type ExecutionContext, type RunOptions } from "./executor.js";
import { opsFor, type DialectOps } from "./ops.js";
import { BlockingProbe } from "./probe.js";
import { executableScript, type ExecutableScript } from "./statements.js";

export interface ChangeMigration {
  migration: Migration;
  up: SqlSource;
  down?: SqlSource;
}

export interface TestInput {
  environment: {
    source: "migrations" | "schema_file" | "empty";
    /** `runsAs`: how the migration tool runs the file (see fileSemantics). */
    scripts: { id: string; source: SqlSource; runsAs: FileSemantics }[];
  };
  change: ChangeMigration[];
  config: Config;
  seedFile?: SqlSource;
  options: { probe: boolean; partialFailure: boolean; headSha?: string; baseRef?: string; toolVersion: string };
  /** Things the user should know that do not fail the run (e.g. edited migrations tested in their base version). */
  notes?: Problem[];
  onProgress?: (message: string) => void;
  signal?: AbortSignal;
}

export async function runTest(db: ScratchDatabase, input: TestInput): Promise<EvidenceReport> {
  const runner = new TestRun(db, input);
  try {
    return await runner.run();
  } finally {
    await runner.close();
  }
}

/** MySQL statement kinds (their first word) that change rows only, never the schema (a trigger cannot run DDL). */
const MYSQL_ROW_STATEMENTS = new Set(["insert", "update", "delete", "replace"]);

/** Statements PostgreSQL 17 runs with a restricted search_path (a "safe search_path" for maintenance). */
const MAINTENANCE_KINDS = new Set(["IndexStmt", "ReindexStmt", "ClusterStmt", "VacuumStmt", "RefreshMatViewStmt"]);

class TestRun {
  private readonly ops: DialectOps;
  private readonly ctx: ExecutionContext;
  private readonly sessions: Session[] = [];
  private readonly steps: Step[] = [];
  private readonly problems: Problem[];
  private probe: BlockingProbe | undefined;
  private probeSession: Session | undefined;
  private seededRows = new Map<string, number>();
  /** Tables with generated rows, in insert order, and how to find those rows again (PostgreSQL: the inserting transactions). */
  private generated: { table: string; xids: string[]; emptyBefore: boolean; links: string[][]; cycle?: string }[] = [];
  private untouchedBase = new Map<string, number>();
  /** Statements the partial-failure step applied and could not undo (DDL that commits at once): the forward resumes after them. */
  private resumeAfter: number | undefined;
  /** Row digests before the first migration that is rolled back. */
  private captured = new Map<string, { key: string; rows: number; columns: string[] }>();

  constructor(
    private readonly db: ScratchDatabase,
    private readonly input: TestInput,
  ) {
    this.ops = opsFor(db.dialect, db.majorVersion);
    this.ctx = { main: undefined as unknown as Session, ops: this.ops, postgresVersion: db.majorVersion, signal: input.signal };
    this.problems = [...(input.notes ?? [])];
  }

  private get test() {
    return this.input.config.test;
  }

  private progress(message: string): void {
    this.input.onProgress?.(message);
  }

  private async connect(): Promise<Session> {
    const s = await this.db.connect();
    this.sessions.push(s);
    return s;
  }

  async close(): Promise<void> {
    await this.probe?.stop();
    // A spare session still logging in is closed with the others.
    await this.spare?.catch(() => undefined);
    await Promise.all(this.sessions.map((s) => s.close()));
  }

  async run(): Promise<EvidenceReport> {
    if (this.db.kind === "pglite" && "useExtensions" in this.db) await (this.db as PgliteScratch).useExtensions(this.extensionsNamed());
    const postgresServer = this.db.dialect === "postgres" && this.db.multiSession;
    const probeWanted = this.input.options.probe && this.test.probe.enabled;
    // The sessions connect at the same time (each is a new server process and a login).
    const opening = [this.connect(), postgresServer ? this.connect() : undefined, probeWanted && postgresServer ? this.connect() : undefined];
    const opened = await Promise.allSettled(opening);
    const failed = opened.find((o): o is PromiseRejectedResult => o.status === "rejected");
    if (failed) throw failed.reason;
    const [main, observer, probeSession] = opened.map((o) => (o as PromiseFulfilledResult<Session | undefined>).value);
    this.ctx.main = main!;
    if (observer) this.ctx.observer = observer;
    let probeReason: string | undefined;
    if (probeWanted && postgresServer) {
      this.probeSession = probeSession!;
      this.probe = new BlockingProbe(this.probeSession, this.test.probe.queries);
      await this.probe.start();
    } else if (probeWanted) {
      probeReason = this.db.kind === "pglite" ? "PGlite has a single connection: no second session can wait on the migration's locks" : "the blocking probe needs PostgreSQL";
    } else probeReason = "disabled";

    const envRun = await this.step("environment", () => this.environment());
    // An internal error in the step leaves only { ok, summary }: keep the report well-formed.
    const env = { ok: envRun.ok, seeded: envRun.seeded ?? [], problems: envRun.problems ?? [{ message: envRun.summary }] };
    this.untouchedBase = env.ok
      ? await this.ops.rowCounts(this.ctx.main, [...this.seededRows.keys()].filter((t) => !this.touchedTables().has(t))).catch(() => new Map<string, number>())
      : new Map<string, number>();
    const missingDowns = this.input.change.filter((c) => !c.down && c.migration.rollbackExpected).map((c) => c.migration.id);
    const rollbackFrom = rollbackStart(this.input.change);
    const evidence: MigrationEvidence[] = [];
    let baseline: Map<string, number> = new Map();
    let fromSnapshot: SchemaSnapshot | undefined;
    let forwardOk = env.ok;

    if (env.ok) {
      baseline = await this.measureSelects();
      const forwardRun = await this.step("forward", async () => {
        for (const [i, cm] of this.input.change.entries()) {
          const script = this.upScript(cm);
          const runsAs = this.runsAs(cm.migration);
          this.progress(`forward ${cm.migration.id}`);
          const pfStart = performance.now();
          const partialFailure = this.input.options.partialFailure && this.test.partial_failure ? await this.partialFailure(script, runsAs) : undefined;
          const partialFailureMs = Math.round(performance.now() - pfStart);
          if (i === rollbackFrom) {
            fromSnapshot = await this.snapshot();
            this.captured = await this.captureRows(fromSnapshot);
          }
          const runOptions = {
            runsAs,
            trace: true,
            probe: this.probe ? { probe: this.probe, thresholdMs: this.test.thresholds.max_blocking_ms, scale: (t: string) => this.scale(t) } : undefined,
          };
          const resume = this.resumeAfter;
          this.resumeAfter = undefined;
          let forward = await runScript(this.ctx, resume ? { ...script, statements: script.statements.slice(resume) } : script, runOptions);
          if (resume) {
            const why = `statements 1–${resume} were applied by the partial-failure step, which cannot undo them (${this.ops.dialect === "mysql" ? "DDL commits at once on MariaDB/MySQL" : "they ran outside a transaction"}): the forward ran from statement ${resume + 1}`;
            forward = { ...forward, note: forward.note ? `${forward.note}; ${why}` : why };
          }
          let generatedData: MigrationEvidence["generatedData"];
          const missingExtension = forward.ok ? undefined : (this.extensionProblem(forward.error) ?? this.searchPathProblem(forward));
          if (missingExtension) forward = { ...forward, error: missingExtension };
          // A statement stopped by a time limit is the change's own failure: re-running it without
          // generated rows would spend the budget again and hide which limit it hit.
          else if (!forward.ok && !this.db.outOfTime?.() && forward.error?.cause !== "time-limit") {
            const retried = await this.withoutGeneratedRows(script, forward, runOptions);
            if (retried) ({ run: forward, generatedData } = retried);
          }
          evidence.push({
            id: cm.migration.id,
            up: cm.up.file,
            ...(cm.down ? { down: cm.down.file } : {}),
            transaction: runsAs.transaction,
            forward,
            ...(partialFailure ? { partialFailure, partialFailureMs } : {}),
            ...(generatedData ? { generatedData } : {}),
          });
          if (!forward.ok) {
            forwardOk = false;
            return { ok: false, summary: `${cm.migration.id} failed: ${forward.error?.message ?? "error"}` };
          }
        }
        return { ok: true, summary: `${this.input.change.length} migration(s) applied` };
      });
      // An internal error in the step leaves the migrations unapplied: nothing after it can be judged.
      if (!forwardRun.ok) forwardOk = false;
    } else this.skip("forward", "the environment could not be built");

    const validation: CheckResult[] = [];
    const slowdowns: EvidenceReport["probe"]["slowdowns"] = [];
    if (forwardOk && env.ok) {
      await this.step("validate", async () => {
        validation.push(...(await this.validate(this.untouchedBase)));
        const failed = validation.filter((c) => !c.ok).length;
        return { ok: failed === 0, summary: `${validation.length - failed} of ${validation.length} checks passed` };
      });
      if (!this.probe && baseline.size === 0) this.skip("probe", `blocking probe not run (${probeReason}) and no probe query configured to compare`);
      else await this.step("probe", async () => {
        slowdowns.push(...(await this.slowdowns(baseline)));
        const blocking = evidence.flatMap((m) => m.forward.statements).filter((s) => s.probe?.flagged).length;
        const slower = slowdowns.filter((s) => s.flagged).length;
        const how = this.probe ? `${blocking} statement(s) blocked application queries beyond ${this.test.thresholds.max_blocking_ms} ms` : `blocking probe not run (${probeReason})`;
        return { ok: blocking === 0 && slower === 0, summary: `${how}; ${slower} query slow-down(s) beyond ${this.test.thresholds.max_slowdown_percent}%` };
      });
    } else {
      this.skip("validate", "forward failed");
      this.skip("probe", "forward failed");
    }

    const rollback: EvidenceReport["rollback"] = { ran: false, schemaDiff: [], checksums: [], lossy: false, missingDowns };
    if (forwardOk && env.ok && rollbackFrom < this.input.change.length) {
      await this.step("rollback", async () => {
        for (let i = this.input.change.length - 1; i >= rollbackFrom; i--) {
          const cm = this.input.change[i]!;
          this.progress(`rollback ${cm.migration.id}`);
          const run = await runScript(this.ctx, executableScript(cm.down!), { runsAs: this.runsAs(cm.migration), trace: true });
          evidence[i]!.rollback = run;
          if (!run.ok) return { ok: false, summary: `${cm.down!.file} failed: ${run.error?.message ?? "error"}` };
        }
        rollback.ran = true;
        const after = await this.snapshot();
        rollback.schemaDiff = diffSnapshots(fromSnapshot!, after);
        rollback.checksums = await this.lostRows(this.captured, after);
        rollback.lossy = rollback.checksums.some((c) => !c.matches);
        const parts = [
          rollback.schemaDiff.length ? `${rollback.schemaDiff.length} schema difference(s)` : "schema identical to before",
          rollback.lossy ? "pre-existing rows did not all come back" : "pre-existing rows intact",
        ];
        return { ok: rollback.schemaDiff.length === 0, summary: parts.join("; ") };
      });
      if (evidence.slice(rollbackFrom).every((m) => m.rollback?.ok)) {
        await this.step("forward-again", async () => {
          for (let i = rollbackFrom; i < this.input.change.length; i++) {
            const cm = this.input.change[i]!;
            this.progress(`forward again ${cm.migration.id}`);
            const run = await runScript(this.ctx, this.upScript(cm), { runsAs: this.runsAs(cm.migration), trace: false });
            evidence[i]!.forwardAgain = run;
            if (!run.ok) return { ok: false, summary: `${cm.migration.id} failed after rollback: ${run.error?.message ?? "error"}` };
          }
          return { ok: true, summary: "up → down → up works" };
        });
      } else this.skip("forward-again", "rollback failed");
    } else {
      const why = !env.ok || !forwardOk ? "forward failed" : missingDowns.length ? `no rollback script for ${missingDowns[missingDowns.length - 1]}` : "no migration to roll back";
      this.skip("rollback", why);
      this.skip("forward-again", why);
    }

    const pf = evidence.map((m) => m.partialFailure).filter((p): p is PartialFailure => Boolean(p) && p!.method !== "skipped");
    const pfWanted = this.input.options.partialFailure && this.test.partial_failure;
    const pfWhy = !pfWanted ? "disabled" : !env.ok ? "the environment could not be built" : evidence.length === 0 ? "no migration to interrupt" : "no migration had a mid-way point to interrupt";
    this.steps.push({
      name: "partial-failure",
      status: pf.length === 0 ? "skipped" : pf.every((p) => p.clean || !p.transactional) ? "passed" : "failed",
      durationMs: evidence.reduce((n, m) => n + (m.partialFailureMs ?? 0), 0),
      summary: pf.length === 0 ? pfWhy : `${pf.filter((p) => p.clean).length} of ${pf.length} interrupted migration(s) left the database at its pre-change state`,
    });

    const unjudged = {
      schemaVersion: EVIDENCE_SCHEMA_VERSION,
      kind: "migration-guard-test-report" as const,
      tool: { name: "migration-guard" as const, version: this.input.options.toolVersion },
      createdAt: new Date().toISOString(),
      ...(this.input.options.headSha ? { headSha: this.input.options.headSha } : {}),
      ...(this.input.options.baseRef ? { baseRef: this.input.options.baseRef } : {}),
      engine: this.engineHeader(),
      settings: { seedRows: this.test.seed.rows, probe: Boolean(this.probe), partialFailure: this.input.options.partialFailure && this.test.partial_failure, thresholds: this.test.thresholds },
      environment: {
        source: this.input.environment.source,
        baseMigrations: this.input.environment.scripts.map((s) => s.id),
        seeded: env.seeded,
        problems: env.problems,
      },
      steps: this.steps,
      migrations: evidence,
      validation,
      rollback,
      probe: { enabled: Boolean(this.probe), ...(this.probe ? {} : { reason: probeReason }), slowdowns },
      problems: this.problems,
    };
    return EvidenceReport.parse({ ...unjudged, ...judge(unjudged) });
  }

  private runsAs(m: Migration): FileSemantics {
    return fileSemantics(m, this.input.config);
  }

  /**
   * The schema as the main session sees it, once the session is back home: on MariaDB a script's
   * `USE other_db` would otherwise make snapshots, and the cleanup after them, read and drop another
   * database's tables.
   */
  private async snapshot(): Promise<SchemaSnapshot> {
    await this.ctx.main.reset?.();
    return this.ops.snapshot(this.ctx.main);
  }

  private engineHeader(): EvidenceReport["engine"] {
    const { config } = this.input;
    const header = { kind: this.db.kind, serverVersion: this.db.serverVersion, majorVersion: this.db.majorVersion, ...(this.db.sandbox ? { sandbox: this.db.sandbox } : {}) };
    if (this.db.dialect === "postgres") {
      const configured = config.postgres_version;
      const engine = this.db.kind === "pglite" ? `PGlite runs PostgreSQL ${this.db.serverVersion}` : `the test server runs PostgreSQL ${this.db.serverVersion}`;
      return {
        ...header,
        configuredVersion: String(configured),
        ...(this.db.majorVersion !== configured
          ? {
              versionWarning: `${engine}, but production is configured as PostgreSQL ${configured} (postgres_version): locking, rollback and syntax behaviour differ between versions. Test the production version with --database-url (in GitHub Actions, a postgres:${configured} service).`,
            }
          : {}),
      };
    }
    const isMariadb = /mariadb/i.test(this.db.serverVersion);
    return {
      ...header,
      configuredVersion: config.mysql_version,
      ...(config.dialect === "mysql" && isMariadb ? { versionWarning: `the test server is MariaDB ${this.db.serverVersion}, but production is configured as MySQL ${config.mysql_version}: DDL behaviour differs.` } : {}),
    };
  }

  private async step<T extends { ok: boolean; summary: string }>(name: Step["name"], body: () => Promise<T>): Promise<T> {
    if (this.input.signal?.aborted) throw new AbortedError();
    const spent = this.db.outOfTime?.();
    if (spent) {
      this.steps.push({ name, status: "failed", durationMs: 0, summary: `not run: ${spent}`, error: spent });
      return { ok: false, summary: spent } as T;
    }
    const t0 = performance.now();
    this.progress(name);
    try {
      const result = await body();
      this.steps.push({ name, status: result.ok ? "passed" : "failed", durationMs: Math.round(performance.now() - t0), summary: result.summary });
      return result;
    } catch (error) {
      if (error instanceof AbortedError || this.input.signal?.aborted) throw new AbortedError();
      const summary = `internal error: ${errorMessage(error)}`;
      this.steps.push({ name, status: "failed", durationMs: Math.round(performance.now() - t0), summary, error: summary });
      this.problems.push({ message: `${name}: ${errorMessage(error)}` });
      return { ok: false, summary } as T;
    }
  }

  private skip(name: Step["name"], why: string): void {
    this.steps.push({ name, status: "skipped", durationMs: 0, summary: why });
  }

  // ── environment ────────────────────────────────────────────────────────────

  private async environment() {
    const problems: Problem[] = [];
    const seeded: EvidenceReport["environment"]["seeded"] = [];
    const { scripts, source } = this.input.environment;
    const bookkeeping = source === "migrations" ? this.toolTable() : undefined;
    if (bookkeeping) for (const sql of bookkeeping.sql) await this.ctx.main.query(sql);
    for (const [i, s] of scripts.entries()) {
      this.progress(`environment ${i + 1}/${scripts.length} ${s.id}`);
      const script = executableScript(s.source);
      if (source === "schema_file") script.statements = script.statements.filter((st) => !isOwnershipStatement(st.kind, st.ast));
      const run = await runScript(this.ctx, script, { runsAs: s.runsAs, trace: false });
      if (!run.ok) {
        problems.push(this.extensionProblem(run.error) ?? this.searchPathProblem(run) ?? { where: run.error?.where ?? s.source.file, message: run.error?.message ?? "failed" });
        return { ok: false, summary: `base migration ${s.id} failed`, problems, seeded };
      }
    }
    if (this.input.seedFile) {
      this.progress(`seed ${this.input.seedFile.file}`);
      const run = await runScript(this.ctx, executableScript(this.input.seedFile), { runsAs: AS_WRITTEN, trace: false });
      if (!run.ok) problems.push({ where: run.error?.where, message: `seed file: ${run.error?.message ?? "failed"}` });
      const snapshot = await this.snapshot();
      for (const [table, rows] of await this.ops.rowCounts(this.ctx.main, Object.keys(snapshot.tables).filter((t) => !snapshot.tables[t]!.partitionOf))) {
        seeded.push({ table, rows });
        this.seededRows.set(table, rows);
      }
    } else {
      const tables = await this.ops.seedTables(this.ctx.main);
      const before = await this.ops.rowCounts(this.ctx.main, tables.map((t) => t.name));
      const toolTable = bookkeeping ? this.ops.qualify(undefined, bookkeeping.table) : undefined;
      const { steps, links } = planSeeding(tables.filter((t) => t.name !== toolTable), (t) => this.rowsFor(t), this.ops.dialect);
      for (const [i, step] of steps.entries()) {
        if (this.input.signal?.aborted) throw new AbortedError();
        this.progress(`seed ${i + 1}/${steps.length} ${step.table}`);
        // A reference cycle through NOT NULL columns is one statement filling several tables.
        const filled = step.tables ?? [step.table];
        if (!step.sql) {
          for (const table of filled) {
            seeded.push({ table, rows: 0, ...(step.skipped ? { problem: step.skipped } : {}) });
            this.seededRows.set(table, before.get(table) ?? 0);
          }
          continue;
        }
        try {
          const xid = await this.generate(step.sql);
          const counts = await this.ops.rowCounts(this.ctx.main, filled);
          for (const table of filled) {
            const rows = counts.get(table) ?? 0;
            const added = rows - (before.get(table) ?? 0);
            this.generated.push({ table, xids: xid ? [xid] : [], emptyBefore: !before.get(table), links: [], ...(filled.length > 1 ? { cycle: step.table } : {}) });
            const problem = added < step.rows ? `${step.rows - added} generated row(s) collided with a unique key` : step.capped;
            seeded.push({ table, rows: added, ...(problem ? { problem } : {}) });
            this.seededRows.set(table, rows);
          }
        } catch (error) {
          for (const table of filled) {
            seeded.push({ table, rows: 0, problem: errorMessage(error) });
            this.seededRows.set(table, before.get(table) ?? 0);
          }
        }
      }
      for (const link of links) {
        const entry = this.generated.find((g) => g.table === link.table);
        try {
          const xid = await this.generate(link.sql);
          if (xid) entry?.xids.push(xid);
          entry?.links.push(link.columns);
        } catch (error) {
          const s = seeded.find((x) => x.table === link.table);
          if (s) s.problem = `(${link.columns.join(", ")}) left NULL: ${errorMessage(error)}`;
        }
      }
    }
    await this.ops.analyze?.(this.ctx.main);
    const total = seeded.reduce((n, s) => n + s.rows, 0);
    const where = source === "migrations" ? `${scripts.length} base migration(s)` : source === "schema_file" ? "the schema file" : "an empty database";
    return { ok: problems.length === 0, summary: `${where}; ${total} row(s) seeded in ${seeded.length} table(s)`, problems, seeded };
  }

  /**
   * The table the migration tool keeps its own state in, created before the first migration as the
   * tool does (some histories alter it, e.g. `ALTER TABLE schema_migrations ADD COLUMN …`); it holds
   * the tool's rows, not generated ones.
   */
  private toolTable(): { table: string; sql: string[] } | undefined {
    const layout = this.input.change[0]?.migration.layout;
    const last = this.input.environment.scripts.at(-1)?.id;
    const version = last ? /^\d+/.exec(last.replace(/^.*\//, ""))?.[0] : undefined;
    if (layout === "golang-migrate") {
      return {
        table: "schema_migrations",
        sql: [
          "CREATE TABLE IF NOT EXISTS schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)",
          ...(version ? [`INSERT INTO schema_migrations (version, dirty) VALUES (${BigInt(version)}, false)`] : []),
        ],
      };
    }
    if (layout === "dbmate") return { table: "schema_migrations", sql: ["CREATE TABLE IF NOT EXISTS schema_migrations (version varchar(128) PRIMARY KEY)"] };
    return undefined;
  }

  /** Explicit per-table seed, else the production row count from table statistics (capped), else the default. */
  private rowsFor(table: string): number {
    const production = forTable(this.input.config.tables, table)?.rows;
    return forTable(this.test.seed.tables, table) ?? (production !== undefined ? Math.min(production, STATS_SEED_CAP) : this.test.seed.rows);
  }

  /** Runs one seed statement in its own transaction; on PostgreSQL returns that transaction's id (the rows' xmin). */
  private async generate(sql: string): Promise<string | undefined> {
    if (this.ops.dialect !== "postgres") {
      await this.ctx.main.query(sql);
      return undefined;
    }
    await this.ctx.main.query("BEGIN");
    try {
      await this.ctx.main.query(sql);
      const xid = String((await this.ctx.main.query("SELECT (txid_current() % 4294967296)::text AS x")).rows[0]!.x);
      await this.ctx.main.query("COMMIT");
      return xid;
    } catch (error) {
      await this.ctx.main.query("ROLLBACK").catch(() => undefined);
      throw error;
    }
  }

  /** Extensions the base, the change and the seed file create (PGlite must load them up front). */
  private extensionsNamed(): string[] {
    const sources = [...this.input.environment.scripts.map((s) => s.source), ...this.input.change.flatMap((c) => [c.up, ...(c.down ? [c.down] : [])]), ...(this.input.seedFile ? [this.input.seedFile] : [])];
    return [...new Set(sources.flatMap((s) => extensionsCreatedIn(s.text)))];
  }

  /**
   * PostgreSQL 17 runs index builds, REINDEX, CLUSTER, VACUUM and REFRESH MATERIALIZED VIEW with
   * `search_path = pg_catalog, pg_temp`: an unqualified function of an index expression or
   * predicate that resolves on the configured PostgreSQL 15 or 16 is not found there (PGlite is 18).
   * Said when a statement of that kind fails with "does not exist" on a test server of 17 or later.
   */
  private searchPathProblem(run: ScriptRun): Problem | undefined {
    const configured = this.input.config.postgres_version;
    if (this.db.dialect !== "postgres" || this.db.majorVersion < 17 || configured >= 17 || !run.error) return undefined;
    const failed = run.statements.find((st) => !st.ok);
    if (!failed || !MAINTENANCE_KINDS.has(failed.kind) || !/ does not exist/.test(run.error.message)) return undefined;
    const engine = this.db.kind === "pglite" ? `embedded PGlite (PostgreSQL ${this.db.serverVersion})` : `the test server (PostgreSQL ${this.db.serverVersion})`;
    return {
      ...(run.error.where ? { where: run.error.where } : {}),
      message: `${run.error.message}: since PostgreSQL 17 an index build (and REINDEX, CLUSTER, VACUUM, REFRESH MATERIALIZED VIEW) runs its expressions with search_path = pg_catalog, pg_temp, so an unqualified function of the index definition is not found on ${engine}, while PostgreSQL ${configured} (postgres_version) finds it. Run the test on ${configured} with --database-url; before upgrading production to 17, schema-qualify the function (e.g. public.f()) or give it SET search_path`,
      cause: "environment",
    };
  }

  /** An extension the test database does not have: an environment problem with its fix, not a failure of the migration. */
  private extensionProblem(error: Problem | undefined): Problem | undefined {
    const m = error && (/extension "([^"]+)" is not available/.exec(error.message) ?? /could not open extension control file "[^"]*\/([^"/]+)\.control"/.exec(error.message));
    if (!m) return undefined;
    const name = m[1]!;
    const engine =
      this.db.kind === "pglite"
        ? `embedded PGlite ${this.db.serverVersion}, which ships only these extensions: ${Object.keys(PGLITE_CONTRIB_EXTENSIONS).join(", ")}`
        : `the test server (${this.db.kind === "postgres" ? "PostgreSQL" : "MariaDB/MySQL"} ${this.db.serverVersion})`;
    return {
      ...(error.where ? { where: error.where } : {}),
      message: `the migration needs the extension "${name}", which is not available on ${engine}. This is a limit of the test database, not a fault of the change: run the test with --database-url pointing at a server that has "${name}" installed`,
      cause: "environment",
    };
  }

  /**
   * A forward that failed with generated rows, run again on the same schema without them: when it
   * passes, the failure came from the generated data only (a warning) and the test goes on
   * without those rows. Undefined when there were no generated rows to take away.
   */
  private async withoutGeneratedRows(
    script: ExecutableScript,
    failed: ScriptRun,
    options: RunOptions,
  ): Promise<{ run: ScriptRun; generatedData: NonNullable<MigrationEvidence["generatedData"]> } | undefined> {
    const existing = (await this.ops.snapshot(this.ctx.main)).tables;
    // Tables an earlier migration of the change dropped took their generated rows with them.
    const present = this.generated.filter((g) => existing[g.table] && (this.seededRows.get(g.table) ?? 0) > 0 && (g.xids.length > 0 || g.emptyBefore));
    if (!present.length) return undefined;
    const failedTrace = failed.statements.find((st) => !st.ok);
    const failing = failedTrace ? script.statements[failedTrace.index] : undefined;
    // Statements before the failing one stay applied unless they were in its transaction, which
    // the failure rolled back: the rest runs again from there, each statement as in the whole file.
    const modes = planFor(script, options.runsAs, this.ctx).modes;
    let restartAt = failed.execution === "file-transaction" || !failing ? 0 : script.statements.indexOf(failing);
    while (restartAt > 0 && modes[restartAt] === "file-transaction" && modes[restartAt - 1] === "file-transaction") restartAt--;
    // The tables the statement names; inside a DO block or function body, a word match on the table name.
    const touched = failing ? new Set(referencedRelations(failing).map((r) => this.ops.qualify(r.schema, r.name))) : new Set<string>();
    const bare = (t: string) => t.slice(t.indexOf(".") + 1).toLowerCase();
    if (failing) for (const g of present) if (new RegExp(`\\b${bare(g.table).replace(/[^\w]/g, "\\$&")}\\b`, "i").test(failing.text)) touched.add(g.table);
    const values: string[] = [];
    for (const g of present.filter((p) => touched.has(p.table))) {
      const row = (await this.ctx.main.query(`SELECT * FROM ${this.ops.quoteTable(g.table)} LIMIT 1`).catch(() => ({ rows: [] as Record<string, unknown>[] }))).rows[0];
      if (row) values.push(`${g.table}: ${Object.entries(row).slice(0, 6).map(([k, v]) => `${k}=${shortValue(v)}`).join(", ")}`);
    }
    // A table that was empty before seeding loses every row: rows a migration of the change
    // updated since have another xmin, but they are generated rows all the same.
    const generatedRows = (g: (typeof present)[number]) => (this.ops.dialect === "postgres" && !g.emptyBefore ? ` WHERE xmin::text IN (${g.xids.map((x) => `'${x}'`).join(", ")})` : "");
    try {
      // Children first; the second-pass links of a reference cycle are unset before any row goes.
      for (const g of present) {
        for (const cols of g.links) await this.ctx.main.query(`UPDATE ${this.ops.quoteTable(g.table)} SET ${cols.map((c) => `${this.ops.quoteTable(c)} = NULL`).join(", ")}${generatedRows(g)}`);
      }
      // Reverse generation order first; a table whose rows are still referenced (a foreign key the
      // generation order did not see, e.g. one a base migration added between two seeded tables)
      // is tried again after the others, until a pass removes nothing more. The tables of a NOT
      // NULL reference cycle lose their rows in one statement, as they got them.
      const units: (typeof present)[] = [];
      for (const g of [...present].reverse()) {
        if (units.some((u) => u.includes(g))) continue;
        units.push(g.cycle ? present.filter((p) => p.cycle === g.cycle) : [g]);
      }
      let pending = units;
      while (pending.length) {
        const next: typeof pending = [];
        let lastError: unknown;
        for (const unit of pending) {
          const deletes = unit.map((t) => `DELETE FROM ${this.ops.quoteTable(t.table)}${generatedRows(t)}`);
          try {
            await this.ctx.main.query(deletes.length === 1 ? deletes[0]! : `WITH ${deletes.map((d, i) => `d${i} AS (${d} RETURNING 1)`).join(", ")} SELECT 1`);
          } catch (error) {
            next.push(unit);
            lastError = error;
          }
        }
        if (next.length === pending.length) throw lastError;
        pending = next;
      }
    } catch (error) {
      this.problems.push({ where: failed.error?.where, message: `could not remove the generated rows to run ${script.file} again without them: ${errorMessage(error)}` });
      return undefined;
    }
    const counts = await this.ops.rowCounts(this.ctx.main, [...this.seededRows.keys()].filter((t) => existing[t]));
    for (const [t, n] of counts) this.seededRows.set(t, n);
    for (const t of this.untouchedBase.keys()) this.untouchedBase.set(t, counts.get(t) ?? 0);
    this.generated = [];
    // The rows remembered for the rollback check lose the generated ones too.
    if (this.captured.size) {
      for (const [table, c] of this.captured) {
        if (present.some((g) => g.table === table) && c.columns.every((col) => existing[table]?.columns[col])) {
          this.captured.set(table, { ...c, rows: await this.ops.captureRows(this.keeper, c.key, table, c.columns) });
        }
      }
    }
    const rest = { ...script, statements: script.statements.slice(restartAt) };
    const run = await runScript(this.ctx, rest, { ...options, modes: modes.slice(restartAt) });
    const generatedData = { ...(failed.error?.where ? { where: failed.error.where } : {}), message: failed.error?.message ?? "failed", values, passedWithout: run.ok };
    // When it fails without generated rows too, the first (seeded) run is the evidence.
    return { run: run.ok ? run : failed, generatedData };
  }

  /** Production rows / seeded rows, for extrapolating waits (only with table statistics). */
  private scale(table: string): number | undefined {
    const stats = forTable(this.input.config.tables, table);
    const seeded = this.seededRows.get(table);
    return stats?.rows !== undefined && seeded ? stats.rows / seeded : undefined;
  }

  private readonly upScripts = new Map<ChangeMigration, ExecutableScript>();
  /** A change migration's up script, split (and on MySQL parsed) once for every step that runs or reads it. */
  private upScript(cm: ChangeMigration): ExecutableScript {
    let script = this.upScripts.get(cm);
    if (!script) this.upScripts.set(cm, (script = executableScript(cm.up)));
    return script;
  }

  private touchedCache: Set<string> | undefined;
  /** Tables the change names, including those it drops (DROP TABLE names them without a RangeVar). */
  private touchedTables(): Set<string> {
    this.touchedCache ??= new Set(
      this.input.change.flatMap((cm) =>
        this.upScript(cm).statements.flatMap((s) => [...referencedRelations(s), ...droppedTables(s)].map((r) => this.ops.qualify(r.schema, r.name))),
      ),
    );
    return this.touchedCache;
  }

  // ── partial failure ────────────────────────────────────────────────────────

  private async partialFailure(script: ExecutableScript, runsAs: FileSemantics): Promise<PartialFailure> {
    const plan = planFor(script, runsAs, this.ctx);
    const n = script.statements.length;
    const transactional = plan.execution === "file-transaction";
    const skipped = (note: string): PartialFailure => ({ method: "skipped", interruptedAfter: 0, transactional, clean: true, leftovers: [], cleanupSql: [], manualCleanup: [], note });
    /** Runs the first `k` statements; when one fails, the skipped result that says so. */
    const runFirst = async (k: number, inTransaction: boolean): Promise<PartialFailure | undefined> => {
      const run = await runScript(this.ctx, script, { runsAs, trace: false, stopAfter: k });
      if (run.ok) return undefined;
      if (inTransaction) await this.ctx.main.query("ROLLBACK").catch(() => undefined);
      return skipped(`statement failed before the interruption point: ${run.error?.message ?? ""}`);
    };
    if (n === 0 || script.problems.length) return skipped("nothing to run");
    if (plan.refusal) return skipped("the migration tool refuses this file");
    if (!transactional) {
      // Decided before any catalog snapshot (on MariaDB a snapshot costs about a second).
      const next = script.statements[Math.floor(n / 2)]!;
      const concurrentBuild = next.kind === "IndexStmt" && next.ast?.concurrent && this.ctx.observer;
      if (Math.floor(n / 2) === 0 && !concurrentBuild) return skipped("a single statement outside a transaction: there is no mid-way point to interrupt");
    }
    // The interruption ends the main session: its replacement logs in while the step runs.
    if (this.ctx.observer && !this.spare) {
      this.spare = this.connect();
      this.spare.catch(() => undefined);
    }
    const pre = await this.snapshot();
    // A transaction interrupted before COMMIT leaves nothing when no catalog row changed: then the
    // second full snapshot (a dozen catalog queries) is not needed to prove it.
    const preCatalog = transactional ? await this.ops.catalogFingerprint?.(this.ctx.main) : undefined;
    const tables = [...this.touchedIn(script)].filter((t) => pre.tables[t]);
    const preSums = await this.checksums(pre, tables);
    let method: PartialFailure["method"];
    let k: number;
    let note: string | undefined;
    if (transactional && this.ctx.observer) {
      // Complete the first half, then kill the connection while the next statement runs, as a
      // network interruption would (and without paying for the whole migration twice).
      k = Math.floor(n / 2);
      if (k === 0) await this.ctx.main.query("BEGIN");
      else {
        const failed = await runFirst(k, true);
        if (failed) return failed;
      }
      const pending = this.ctx.main.query(script.statements[k]!.text).then(
        () => "had completed",
        () => "was running",
      );
      await sleep(5);
      await this.terminateMain();
      method = "terminated";
      note = `connection terminated while statement ${k + 1} of ${n} ${await pending}, before COMMIT`;
    } else if (transactional) {
      k = Math.max(1, Math.floor(n / 2));
      const failed = await runFirst(k, true);
      if (failed) return failed;
      await this.ctx.main.query("ROLLBACK");
      method = "rolled-back";
      note = "emulated with ROLLBACK: PGlite has a single connection, so the backend cannot be terminated from outside";
    } else {
      k = Math.floor(n / 2);
      const next = script.statements[k]!;
      const concurrentBuild = next.kind === "IndexStmt" && next.ast?.concurrent && this.ctx.observer;
      if (k === 0 && !concurrentBuild) return skipped("a single statement outside a transaction: there is no mid-way point to interrupt");
      const failed = k > 0 ? await runFirst(k, false) : undefined;
      if (failed) return failed;
      if (concurrentBuild) {
        note = await this.cancelConcurrentBuild(next.text, this.ops.qualify(next.ast.relation?.schemaname, next.ast.relation?.relname));
        method = "cancelled";
      } else if (this.ops.dialect === "postgres" && ownTransactionOpen(script.statements.slice(0, k))) {
        // The file's own BEGIN is still open: a crash ends the session and PostgreSQL rolls it back.
        if (this.ctx.observer) await this.terminateMain();
        else await this.ctx.main.query("ROLLBACK");
        method = this.ctx.observer ? "terminated" : "rolled-back";
        note = `stopped after statement ${k} of ${n}, inside the file's own transaction, which the crash rolled back`;
      } else {
        method = "terminated";
        note = `stopped after statement ${k} of ${n}, as a crash between statements would`;
      }
    }
    // MariaDB/MySQL has no cheap catalog fingerprint, but row changes cannot change the schema:
    // when only INSERT/UPDATE/DELETE/REPLACE ran before the interruption, the second snapshot is the first.
    const onlyRows = this.ops.dialect === "mysql" && k > 0 && method !== "cancelled" && script.statements.slice(0, k).every((st) => MYSQL_ROW_STATEMENTS.has(st.kind));
    // Read from the observer when there is one: the main session may be the one just logged in
    // after the interruption, whose first catalog reads are slow; both see the same committed state.
    const unchanged =
      onlyRows || (preCatalog !== undefined && (method === "terminated" || method === "rolled-back") && (await this.ops.catalogFingerprint!(this.keeper)) === preCatalog);
    const post = unchanged ? pre : await this.snapshot();
    const leftovers = diffSnapshots(pre, post);
    const postSums = await this.checksums(post, tables.filter((t) => post.tables[t]), this.keeper);
    const changedData = tables.filter((t) => preSums.get(t)?.digest !== postSums.get(t)?.digest);
    const clean = leftovers.length === 0 && changedData.length === 0;
    const result: PartialFailure = { method, interruptedAfter: k, transactional, clean, leftovers, cleanupSql: [], manualCleanup: [], ...(note ? { note } : {}) };
    if (changedData.length) result.manualCleanup.push(`rows changed in ${changedData.join(", ")} before the interruption: restore them from the pre-migration state`);
    if (!clean && leftovers.length) {
      const cleanup = cleanupSql(leftovers, this.ops.dialect);
      result.cleanupSql = cleanup.sql;
      result.manualCleanup.push(...cleanup.manual);
      if (cleanup.manual.length || changedData.length) {
        // Something cannot be undone by SQL (a dropped object, changed rows): leave the interrupted
        // state as it is and let the forward resume after the statements already applied.
        this.resumeAfter = k;
        result.note = `${result.note ? `${result.note}; ` : ""}the interruption cannot be undone by SQL, so the forward resumes from statement ${k + 1}`;
      } else {
        // Apply the cleanup so the real forward starts from the pre-migration schema, and say whether it sufficed.
        await this.ctx.main.reset?.();
        for (const sql of cleanup.sql) await this.ctx.main.query(sql).catch((e) => result.manualCleanup.push(`${sql} failed: ${errorMessage(e)}`));
        const remaining = diffSnapshots(pre, await this.snapshot());
        result.note = `${result.note ? `${result.note}; ` : ""}${remaining.length === 0 ? "the cleanup SQL was applied and restored the pre-migration schema" : `${remaining.length} difference(s) remain after the cleanup SQL`}`;
      }
    } else if (changedData.length && !transactional) {
      this.resumeAfter = k;
      result.note = `${result.note ? `${result.note}; ` : ""}rows changed before the interruption cannot be undone, so the forward resumes from statement ${k + 1}`;
    }
    return result;
  }

  private touchedIn(script: ExecutableScript): Set<string> {
    return new Set(script.statements.flatMap((s) => referencedRelations(s).map((r) => this.ops.qualify(r.schema, r.name))));
  }

  /** Kills the main backend from the observer mid-transaction, as a lost connection would, and reconnects. */
  private async terminateMain(): Promise<void> {
    const observer = this.ctx.observer!;
    const old = this.ctx.main;
    await observer.query("SELECT pg_terminate_backend($1)", [old.pid]);
    for (let i = 0; i < 500; i++) {
      const r = await observer.query("SELECT count(*) AS n FROM pg_stat_activity WHERE pid = $1", [old.pid]);
      if (Number(r.rows[0]!.n) === 0) break;
      await sleep(5);
    }
    await old.close();
    const spare = this.spare ?? this.connect();
    this.spare = undefined;
    this.ctx.main = await spare;
  }

  /** A session opened ahead of the partial-failure step's reconnection (terminateMain), so the step does not wait for a login. */
  private spare: Promise<Session> | undefined;

  /**
   * Cancels CREATE INDEX CONCURRENTLY mid-way: a writer transaction on the observer makes the build
   * wait after it has registered the index, then the build is cancelled, leaving an INVALID index.
   */
  private async cancelConcurrentBuild(sql: string, table: string): Promise<string> {
    const observer = this.ctx.observer!;
    const main = this.ctx.main;
    await observer.query("BEGIN");
    try {
      await observer.query(`LOCK TABLE ${this.ops.quoteTable(table)} IN ROW EXCLUSIVE MODE`);
      const pending = main.query(sql).then(
        () => "completed before it could be cancelled",
        (e) => `cancelled mid-build (${errorMessage(e)})`,
      );
      for (let i = 0; i < 1000; i++) {
        await observer.query("SELECT pg_stat_clear_snapshot()");
        const r = await observer.query("SELECT wait_event_type FROM pg_stat_activity WHERE pid = $1", [main.pid]);
        if (r.rows[0]?.wait_event_type === "Lock") break;
        await sleep(5);
      }
      await observer.query("SELECT pg_cancel_backend($1)", [main.pid]);
      return `CREATE INDEX CONCURRENTLY ${await pending}`;
    } finally {
      await observer.query("ROLLBACK").catch(() => undefined);
    }
  }

  // ── validation ────────────────────────────────────────────────────────────

  private async validate(untouchedBase: Map<string, number>): Promise<CheckResult[]> {
    const checks: CheckResult[] = [];
    const snapshot = await this.snapshot();
    const notValid = Object.entries(snapshot.tables).flatMap(([t, s]) => Object.entries(s.constraints).filter(([, c]) => !c.validated).map(([n]) => `${t}.${n}`));
    checks.push({
      name: "constraints validated",
      ok: notValid.length === 0,
      ...(notValid.length ? { detail: `NOT VALID: ${notValid.join(", ")} (validate them in a follow-up migration)`, indicator: "warning" as const } : {}),
    });
    const invalid = Object.entries(snapshot.tables).flatMap(([t, s]) => Object.entries(s.indexes).filter(([, i]) => !i.valid).map(([n]) => `${t}.${n}`));
    checks.push({ name: "no invalid index", ok: invalid.length === 0, ...(invalid.length ? { detail: invalid.join(", "), indicator: "corruption" as const } : {}) });
    const orphans = (await this.ops.foreignKeyOrphans(this.ctx.main)).filter((o) => o.orphans > 0);
    const orphanRows = orphans.reduce((n, o) => n + o.orphans, 0);
    checks.push({
      name: "foreign keys hold",
      ok: orphans.length === 0,
      ...(orphans.length ? { detail: orphans.map((o) => `${o.table}.${o.constraint}: ${o.orphans} orphan row(s)`).join("; "), rows: orphanRows, indicator: "corruption" as const } : {}),
    });
    const now = await this.ops.rowCounts(this.ctx.main, [...untouchedBase.keys()].filter((t) => snapshot.tables[t]));
    // Fewer rows is loss; more rows (a trigger of the change writing elsewhere) is only reported.
    const changed = [...untouchedBase].filter(([t, n]) => now.has(t) && now.get(t)! < n);
    const grown = [...untouchedBase].filter(([t, n]) => now.has(t) && now.get(t)! > n);
    const gone = [...untouchedBase.keys()].filter((t) => !snapshot.tables[t]);
    checks.push({
      name: "untouched tables keep their rows",
      ok: changed.length === 0 && gone.length === 0,
      ...(changed.length || gone.length
        ? {
            detail: [...changed.map(([t, n]) => `${t}: ${n} → ${now.get(t)}`), ...gone.map((t) => `${t} disappeared`)].join("; "),
            rows: changed.reduce((s, [t, n]) => s + Math.abs(n - now.get(t)!), 0) + gone.reduce((s, t) => s + (untouchedBase.get(t) ?? 0), 0),
            indicator: "errors" as const,
          }
        : grown.length
          ? { detail: `rows added by the change's side effects (triggers, functions): ${grown.map(([t, n]) => `${t}: ${n} → ${now.get(t)}`).join("; ")}` }
          : {}),
    });
    for (const [i, q] of this.test.validate.entries()) {
      const name = typeof q === "string" ? `validate[${i}]` : q.name;
      const sql = typeof q === "string" ? q : q.sql;
      try {
        const row = (await this.ctx.main.query(sql)).rows[0];
        const value = row ? Object.values(row)[0] : undefined;
        const ok = value === true || value === 1 || value === "1" || value === "t" || value === "true";
        checks.push({ name, ok, ...(ok ? {} : { detail: `returned ${row ? JSON.stringify(value) : "no row"}, expected true`, indicator: "query" as const }) });
      } catch (error) {
        checks.push({ name, ok: false, detail: errorMessage(error), indicator: "query" });
      }
    }
    return checks;
  }

  // ── checksums and slow-downs ──────────────────────────────────────────────

  /** Row-version digests of the given tables (partial-failure step: did anything committed change?). */
  private async checksums(snapshot: SchemaSnapshot, tables: string[], session = this.ctx.main): Promise<Map<string, { rows: number; digest: string }>> {
    const columns = (t: string) => Object.keys(snapshot.tables[t]!.columns).sort();
    if (this.ops.rowVersionsOf) return this.ops.rowVersionsOf(session, tables.map((table) => ({ table, columns: columns(table) })));
    const out = new Map<string, { rows: number; digest: string }>();
    for (const t of tables) out.set(t, await this.ops.rowVersions(session, t, columns(t)));
    return out;
  }

  /** The session that outlives the run: the observer (main is replaced when the partial-failure step kills it). */
  private get keeper(): Session {
    return this.ctx.observer ?? this.ctx.main;
  }

  private async captureRows(snapshot: SchemaSnapshot): Promise<Map<string, { key: string; rows: number; columns: string[] }>> {
    const out = new Map<string, { key: string; rows: number; columns: string[] }>();
    const tables = Object.keys(snapshot.tables).filter((t) => !snapshot.tables[t]!.partitionOf && snapshot.tables[t]!.kind !== "f");
    for (const [i, table] of tables.entries()) {
      const columns = Object.keys(snapshot.tables[table]!.columns).sort();
      const key = `mg_rows_${i}`;
      out.set(table, { key, rows: await this.ops.captureRows(this.keeper, key, table, columns), columns });
    }
    return out;
  }

  private async lostRows(captured: Map<string, { key: string; rows: number; columns: string[] }>, after: SchemaSnapshot): Promise<EvidenceReport["rollback"]["checksums"]> {
    const out: EvidenceReport["rollback"]["checksums"] = [];
    for (const [table, c] of captured) {
      const present = after.tables[table] && c.columns.every((col) => after.tables[table]!.columns[col]);
      const now = present ? await this.ops.lostRows(this.keeper, c.key, table, c.columns).catch(() => undefined) : undefined;
      const lost = now?.lost ?? c.rows;
      out.push({ table, rowsBefore: c.rows, rowsAfter: now?.rows ?? 0, lostRows: lost, matches: now !== undefined && lost === 0 });
    }
    return out;
  }

  private selectQueries(table: string): string[] {
    const custom = forTable(this.test.probe.queries, table);
    const quoted = this.ops.quoteTable(table);
    // Only configured queries say something about query performance; a default one would measure noise.
    return (custom ?? []).filter((q) => /^\s*(select|with)\b/i.test(q)).map((q) => q.replaceAll("{table}", quoted));
  }

  /** Median time of the select probes on each touched table (before the change; compared after it). */
  private async measureSelects(): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const existing = new Set(this.seededRows.keys());
    for (const table of [...this.touchedTables()].filter((t) => existing.has(t))) {
      for (const sql of this.selectQueries(table)) {
        const ms = await this.median(sql);
        if (ms !== undefined) out.set(`${table}\u0000${sql}`, ms);
      }
    }
    return out;
  }

  private async median(sql: string): Promise<number | undefined> {
    const times: number[] = [];
    try {
      await this.ctx.main.query(sql);
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        await this.ctx.main.query(sql);
        times.push(performance.now() - t0);
      }
    } catch {
      return undefined;
    }
    return times.sort((a, b) => a - b)[2];
  }

  private async slowdowns(baseline: Map<string, number>): Promise<EvidenceReport["probe"]["slowdowns"]> {
    const t = this.test.thresholds;
    const out: EvidenceReport["probe"]["slowdowns"] = [];
    for (const [key, beforeMs] of baseline) {
      const [table, sql] = key.split("\u0000") as [string, string];
      const afterMs = await this.median(sql);
      if (afterMs === undefined) continue;
      const slowdownPercent = beforeMs > 0 ? ((afterMs - beforeMs) / beforeMs) * 100 : 0;
      out.push({
        table,
        query: sql,
        beforeMs: round(beforeMs),
        afterMs: round(afterMs),
        slowdownPercent: Math.round(slowdownPercent),
        flagged: slowdownPercent > t.max_slowdown_percent && afterMs - beforeMs > t.min_slowdown_ms,
      });
    }
    return out;
  }
}

/** Index of the first change migration from which every later one has a down script. */
/** Whether the statements leave a transaction of the script's own (BEGIN without COMMIT) open. */
function ownTransactionOpen(statements: readonly { kind: string; ast?: { kind?: unknown } | null; text: string }[]): boolean {
  let open = false;
  for (const s of statements) {
    const kind = s.kind === "TransactionStmt" ? String(s.ast?.kind ?? "") : `${s.kind} ${s.text}`.toUpperCase();
    if (/TRANS_STMT_(BEGIN|START)|^(BEGIN|START)\b/.test(kind) && !/^BEGIN\s+NOT\s+ATOMIC/.test(kind)) open = true;
    else if (/TRANS_STMT_(COMMIT|ROLLBACK)$|^(COMMIT|ROLLBACK|END)\b/.test(kind)) open = false;
  }
  return open;
}

export function rollbackStart(change: ChangeMigration[]): number {
  let from = change.length;
  while (from > 0 && change[from - 1]!.down) from--;
  return from;
}

/** pg_dump's `ALTER … OWNER TO` and GRANT/REVOKE name roles the scratch server lacks; ownership is out of scope. */
function isOwnershipStatement(kind: string, ast: any): boolean {
  if (kind === "AlterOwnerStmt" || kind === "GrantStmt" || kind === "GrantRoleStmt" || kind === "AlterDefaultPrivilegesStmt") return true;
  if (kind === "AlterTableStmt") return (ast?.cmds ?? []).every((c: any) => c?.AlterTableCmd?.subtype === "AT_ChangeOwner");
  return false;
}

/** Tables a PostgreSQL `DROP TABLE` removes (libpg_query lists them as name parts, not RangeVars). */
function droppedTables(statement: { kind: string; ast?: any }): { schema?: string; name: string }[] {
  if (statement.kind !== "DropStmt" || statement.ast?.removeType !== "OBJECT_TABLE") return [];
  return (statement.ast.objects ?? []).flatMap((o: any) => {
    const parts: string[] = (o?.List?.items ?? []).map((i: any) => i?.String?.sval).filter((v: unknown) => typeof v === "string");
    if (!parts.length) return [];
    return [parts.length > 1 ? { schema: parts[parts.length - 2], name: parts[parts.length - 1]! } : { name: parts[0]! }];
  });
}

/** A per-table setting keyed by `schema.table` or by the bare table name. */
function forTable<T>(settings: Record<string, T>, table: string): T | undefined {
  return settings[table] ?? settings[table.slice(table.indexOf(".") + 1)];
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

function shortValue(v: unknown): string {
  const text =
    v === null ? "NULL" : v instanceof Date ? v.toISOString() : v instanceof Uint8Array ? `\\x${Buffer.from(v).toString("hex")}` : typeof v === "object" ? JSON.stringify(v) : String(v);
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

