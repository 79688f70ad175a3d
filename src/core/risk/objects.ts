// The objects a migration touches, read from the statements' ASTs (and, for what the change
// does not name but still hits — dependent views, referencing foreign keys, triggers that fire,
// indexes a rewrite rebuilds — from table statistics).
/* eslint-disable @typescript-eslint/no-explicit-any */
import { alterCommands, names, relationName, stripPublic } from "../analyze/pg-ast.js";
import type { Statement } from "../parse/index.js";
import { lookupTable, type StatsCatalog } from "../stats/index.js";
import type { RiskAssessment } from "../report.js";
import type { StatementWork } from "./work.js";

export type AffectedObjects = RiskAssessment["affected"];
type Kind = keyof AffectedObjects;

/** What a DROP of each object type removes (triggers and functions are read differently). */
const DROPPED: Record<string, Kind> = {
  OBJECT_TABLE: "tables",
  OBJECT_INDEX: "indexes",
  OBJECT_VIEW: "views",
  OBJECT_MATVIEW: "views",
  OBJECT_FUNCTION: "functions",
  OBJECT_PROCEDURE: "functions",
};

// MySQL/MariaDB statement shapes, compiled once (addGeneric runs for every statement).
const NAME = String.raw`\`?([\w$.]+)\`?`;
const MY_DROP_TABLE = new RegExp(String.raw`^DROP (?:TEMPORARY )?TABLE (?:IF EXISTS )?(.+?)(?: CASCADE| RESTRICT)?$`, "i");
const MY_RENAME_TABLE = /^RENAME TABLE (.+)$/i;
const MY_CREATE_INDEX = new RegExp(String.raw`^CREATE (?:UNIQUE |FULLTEXT |SPATIAL )?INDEX ${NAME} ON ${NAME}`, "i");
const MY_DROP_INDEX = new RegExp(String.raw`^DROP INDEX ${NAME} ON ${NAME}`, "i");
const MY_TABLE_STATEMENT = new RegExp(
  String.raw`^(?:ALTER TABLE|CREATE (?:OR REPLACE )?(?:TEMPORARY )?TABLE (?:IF NOT EXISTS )?|UPDATE (?:LOW_PRIORITY )?(?:IGNORE )?|DELETE (?:LOW_PRIORITY )?(?:QUICK )?(?:IGNORE )?FROM|TRUNCATE (?:TABLE )?|INSERT (?:IGNORE )?INTO|REPLACE INTO|OPTIMIZE TABLE)\s*${NAME}`,
  "i",
);
const MY_CREATE_VIEW = new RegExp(String.raw`^CREATE (?:OR REPLACE )?(?:ALGORITHM=\w+ )?(?:DEFINER=\S+ )?(?:SQL SECURITY \w+ )?VIEW ${NAME}`, "i");
const MY_CREATE_TRIGGER = new RegExp(String.raw`^CREATE (?:DEFINER=\S+ )?TRIGGER ${NAME} .*? ON ${NAME}`, "i");

export class ObjectCollector {
  private readonly sets: Record<Kind, Set<string>> = {
    tables: new Set(),
    indexes: new Set(),
    constraints: new Set(),
    triggers: new Set(),
    views: new Set(),
    functions: new Set(),
  };
  /** Objects the change does not name but affects, with why (for the reasons list). */
  readonly implied: string[] = [];

  add(kind: Kind, name: string | undefined): void {
    if (name) this.sets[kind].add(stripPublic(name));
  }

  result(): AffectedObjects {
    const sorted = (k: Kind) => [...this.sets[k]].sort();
    return {
      tables: sorted("tables"),
      indexes: sorted("indexes"),
      constraints: sorted("constraints"),
      triggers: sorted("triggers"),
      views: sorted("views"),
      functions: sorted("functions"),
    };
  }

  /** Records what a PostgreSQL statement names. */
  addStatement(statement: Statement): void {
    if (statement.dialect !== "postgres") return this.addGeneric(statement);
    const { kind, ast } = statement;
    switch (kind) {
      case "CreateStmt":
        this.add("tables", relationName(ast.relation));
        for (const elt of ast.tableElts ?? []) {
          const constraints = elt.ColumnDef ? (elt.ColumnDef.constraints ?? []) : elt.Constraint ? [elt] : [];
          for (const c of constraints) this.addConstraint(c.Constraint, relationName(ast.relation));
        }
        break;
      case "CreateTableAsStmt":
        this.add(ast.objtype === "OBJECT_MATVIEW" ? "views" : "tables", relationName(ast.into?.rel));
        break;
      case "AlterTableStmt":
        this.addAlter(ast);
        break;
      case "IndexStmt":
        this.add("tables", relationName(ast.relation));
        this.add("indexes", ast.idxname ?? `unnamed index on ${relationName(ast.relation)}`);
        break;
      case "ReindexStmt":
        this.add(ast.kind === "REINDEX_OBJECT_INDEX" ? "indexes" : "tables", ast.relation ? relationName(ast.relation) : ast.name);
        break;
      case "DropStmt":
        this.addDrop(ast);
        break;
      case "RenameStmt":
        this.addRename(ast);
        break;
      case "TruncateStmt":
        for (const r of ast.relations ?? []) this.add("tables", relationName(r.RangeVar));
        break;
      case "CreateTrigStmt":
        this.add("tables", relationName(ast.relation));
        this.add("triggers", `${ast.trigname} on ${stripPublic(relationName(ast.relation))}`);
        this.add("functions", names(ast.funcname).join("."));
        break;
      case "ViewStmt":
        this.add("views", relationName(ast.view));
        break;
      case "RefreshMatViewStmt":
        this.add("views", relationName(ast.relation));
        break;
      case "CreateFunctionStmt":
        this.add("functions", names(ast.funcname).join("."));
        break;
      case "AlterFunctionStmt":
        this.add("functions", names(ast.func?.objname).join("."));
        break;
      case "UpdateStmt":
      case "DeleteStmt":
      case "InsertStmt":
      case "MergeStmt":
        this.add("tables", relationName(ast.relation));
        break;
      case "ClusterStmt":
      case "LockStmt":
      case "VacuumStmt":
        for (const r of ast.relations ?? ast.rels ?? []) this.add("tables", relationName(r.RangeVar ?? r.VacuumRelation?.relation));
        if (ast.relation) this.add("tables", relationName(ast.relation));
        break;
      default:
        break;
    }
  }

  /** MySQL/MariaDB statements: the tables and indexes their text names. */
  private addGeneric(statement: Statement): void {
    const text = statement.text.replace(/\s+/g, " ").trim();
    const list = (from: string) => from.split(",").map((t) => t.trim().replace(/`/g, "")).filter(Boolean);
    let m: RegExpExecArray | null;
    if ((m = MY_DROP_TABLE.exec(text))) list(m[1]!).forEach((t) => this.add("tables", t));
    else if ((m = MY_RENAME_TABLE.exec(text))) for (const pair of m[1]!.split(",")) pair.split(/ TO /i).forEach((t) => this.add("tables", t.trim().replace(/`/g, "")));
    else if ((m = MY_CREATE_INDEX.exec(text))) {
      this.add("indexes", m[1]);
      this.add("tables", m[2]);
    } else if ((m = MY_DROP_INDEX.exec(text))) {
      this.add("indexes", m[1]);
      this.add("tables", m[2]);
    } else if ((m = MY_TABLE_STATEMENT.exec(text))) {
      this.add("tables", m[1]);
    } else if ((m = MY_CREATE_VIEW.exec(text))) this.add("views", m[1]);
    else if ((m = MY_CREATE_TRIGGER.exec(text))) {
      this.add("triggers", `${m[1]} on ${m[2]}`);
      this.add("tables", m[2]);
    }
  }

  private addConstraint(constraint: any, table: string): void {
    if (!constraint) return;
    if (constraint.conname) this.add("constraints", constraint.conname);
    else if (constraint.contype === "CONSTR_FOREIGN") this.add("constraints", `foreign key ${table} → ${stripPublic(relationName(constraint.pktable))}`);
    if (constraint.contype === "CONSTR_FOREIGN") this.add("tables", relationName(constraint.pktable));
    if (constraint.indexname) this.add("indexes", constraint.indexname);
  }

  private addAlter(ast: any): void {
    const table = relationName(ast.relation);
    if (ast.objtype === "OBJECT_INDEX") return this.add("indexes", table);
    if (ast.objtype === "OBJECT_MATVIEW" || ast.objtype === "OBJECT_VIEW") return this.add("views", table);
    this.add("tables", table);
    for (const cmd of alterCommands(ast)) {
      if (cmd.subtype === "AT_AddConstraint") this.addConstraint(cmd.def?.Constraint, table);
      if (cmd.subtype === "AT_DropConstraint" || cmd.subtype === "AT_ValidateConstraint") this.add("constraints", cmd.name);
      if (cmd.subtype === "AT_AddColumn") {
        for (const c of cmd.def?.ColumnDef?.constraints ?? []) this.addConstraint(c.Constraint, table);
      }
      if (/^AT_(Enable|Disable)Trig$/.test(cmd.subtype) && cmd.name) this.add("triggers", `${cmd.name} on ${stripPublic(table)}`);
      if (cmd.subtype === "AT_AttachPartition" || cmd.subtype === "AT_DetachPartition") {
        this.add("tables", relationName(cmd.def?.PartitionCmd?.name));
      }
    }
  }

  private addDrop(ast: any): void {
    const objectNames = (ast.objects ?? []).map((o: any) => names(o.List?.items ?? (o.String ? [o] : [])));
    const target = DROPPED[ast.removeType];
    if (ast.removeType === "OBJECT_TRIGGER") {
      for (const parts of objectNames) {
        const trigger = parts.pop();
        this.add("triggers", `${trigger} on ${parts.join(".")}`);
        this.add("tables", parts.join("."));
      }
      return;
    }
    if (ast.removeType === "OBJECT_FUNCTION" || ast.removeType === "OBJECT_PROCEDURE") {
      for (const o of ast.objects ?? []) this.add("functions", names(o.ObjectWithArgs?.objname).join("."));
      return;
    }
    if (target) for (const parts of objectNames) this.add(target, parts.join("."));
  }

  private addRename(ast: any): void {
    const from = ast.relation ? relationName(ast.relation) : undefined;
    switch (ast.renameType) {
      case "OBJECT_TABLE":
        this.add("tables", from);
        this.add("tables", ast.newname);
        break;
      case "OBJECT_COLUMN":
        this.add(ast.relationType === "OBJECT_VIEW" ? "views" : "tables", from);
        break;
      case "OBJECT_INDEX":
        this.add("indexes", from);
        this.add("indexes", ast.newname);
        break;
      case "OBJECT_VIEW":
      case "OBJECT_MATVIEW":
        this.add("views", from);
        this.add("views", ast.newname);
        break;
      case "OBJECT_TABCONSTRAINT":
        this.add("tables", from);
        this.add("constraints", ast.subname);
        this.add("constraints", ast.newname);
        break;
      case "OBJECT_TRIGGER":
        this.add("triggers", `${ast.subname} on ${from}`);
        break;
      default:
        if (from) this.add("tables", from);
    }
  }

  /**
   * What the statistics know the statement also hits: a dropped, renamed or altered table's
   * dependent views and referencing foreign keys, a rewrite's rebuilt indexes, the triggers a
   * data change fires.
   */
  addImplied(statement: Statement, work: StatementWork, catalog: StatsCatalog): void {
    const structural = ["DropStmt", "RenameStmt", "AlterTableStmt", "TruncateStmt"].includes(statement.kind);
    for (const table of this.tablesOf(statement)) {
      const stats = lookupTable(catalog, table);
      if (!stats) continue;
      if (structural) {
        for (const v of stats.views) {
          if (!this.has("views", v.name)) this.implied.push(`${v.materialized ? "materialized view" : "view"} ${v.name} depends on ${table}`);
          this.add("views", v.name);
        }
        for (const fk of stats.referencedBy) {
          if (statement.kind !== "AlterTableStmt" || work.work === "rewrite") {
            if (!this.has("constraints", fk.name)) this.implied.push(`foreign key ${fk.name} on ${fk.table} references ${table}`);
            this.add("constraints", fk.name);
          }
        }
      }
      if (work.work === "rewrite") for (const i of stats.indexes) this.add("indexes", i.name);
      if (work.work === "data change" || statement.kind === "DropStmt" || statement.kind === "TruncateStmt") {
        for (const t of stats.triggers) {
          const label = `${t} on ${stats.name}`;
          if (work.work === "data change" && !this.has("triggers", label)) this.implied.push(`trigger ${t} fires for each changed row of ${stats.name}`);
          this.add("triggers", label);
        }
      }
    }
  }

  private has(kind: Kind, name: string): boolean {
    return this.sets[kind].has(stripPublic(name));
  }

  private tablesOf(statement: Statement): string[] {
    const probe = new ObjectCollector();
    probe.addStatement(statement);
    return [...probe.sets.tables].sort();
  }
}
