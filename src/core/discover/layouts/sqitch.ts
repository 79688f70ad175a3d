// Sqitch (https://sqitch.org/docs/manual/sqitch-plan/): `sqitch.plan` lists changes in deploy
// order; change `x` deploys `deploy/x.sql`, reverts with `revert/x.sql` and is checked by
// `verify/x.sql`. A change reworked after tag `@t` appears twice in the plan: the earlier
// instance's scripts are `deploy/x@t.sql` (t = the first tag after that instance), the latest
// keeps `deploy/x.sql`. Migration ids are `<plan>#<name>#<occurrence>`, stable when tags are
// added or a change is reworked.
//
// Transactions: sqitch runs each script with psql as written and adds no transaction; its
// script templates hold their own BEGIN/COMMIT, which the engine tracks. Hence "none".
// Plan lines sqitch cannot parse, changes without a deploy script and deploy scripts that no
// plan entry names (never deployed) are reported here.
import type { SourceFile } from "../../model.js";
import { basename, dirname, problem, textOf, type Collected, type FoundMigration, type LayoutSpec } from "../layout.js";

/** `[+-]name [deps] 2013-12-30T22:58:23Z Planner Name <email> # note` */
const CHANGE = /^[+-]?([^\s@#:[\]%]+)(?:\s+\[([^\]]*)\])?\s+(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)\s+(.+?)\s+<([^>]*)>(?:\s+#\s?(.*))?$/;
const TAG = /^@(\S+)\s/;

interface PlanChange {
  name: string;
  line: number;
  note: string;
  /** First tag after this change in the plan, if any. */
  tagAfter?: string;
}

export function parsePlan(text: string): { changes: PlanChange[]; errors: { line: number; message: string }[] } {
  const changes: PlanChange[] = [];
  const errors: { line: number; message: string }[] = [];
  const lines = text.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (!line || line.startsWith("#") || line.startsWith("%")) continue;
    const tag = TAG.exec(`${line} `);
    if (tag) {
      for (let j = changes.length - 1; j >= 0 && changes[j]!.tagAfter === undefined; j--) changes[j]!.tagAfter = tag[1]!;
      continue;
    }
    const change = CHANGE.exec(line);
    if (!change) {
      errors.push({ line: i + 1, message: `sqitch.plan line ${i + 1} is neither a change (name [deps] timestamp planner <email> # note) nor a tag (@name …)` });
      continue;
    }
    changes.push({ name: change[1]!, line: i + 1, note: change[6] ?? "" });
  }
  return { changes, errors };
}

export const sqitchLayout: LayoutSpec = {
  name: "sqitch",
  tool: "sqitch",
  transaction: "none",
  delivery: "per-statement",
  outsideTransaction: "keep the statement outside the script's BEGIN … COMMIT (sqitch runs the script with psql, statement by statement, and adds no transaction of its own)",
  uniqueVersions: false,
  score: (files) => (files.some((f) => basename(f.path) === "sqitch.plan") ? 100 : 0),
  collect(files): Collected {
    const planFile = files.find((f) => basename(f.path) === "sqitch.plan");
    const problems: Collected["problems"] = [];
    if (!planFile) return { migrations: [], problems };
    const root = dirname(planFile.path);
    const at = (sub: string, script: string) => (root ? `${root}/${sub}/${script}` : `${sub}/${script}`);
    const paths = new Set(files.map((f) => f.path));
    const text = textOf(planFile);
    if (text === undefined) {
      // Base plans listed by blob id only: nothing to order by, the head plan carries the facts.
      return { migrations: [], problems };
    }
    const { changes, errors } = parsePlan(text);
    for (const e of errors) problems.push(problem(planFile.path, e.message, e.line));
    const lastIndexOf = new Map(changes.map((c, i) => [c.name, i]));
    const seen = new Map<string, number>();
    const deployed = new Set<string>();
    const migrations: FoundMigration[] = [];
    const width = String(changes.length).length;
    for (const [i, change] of changes.entries()) {
      const occurrence = (seen.get(change.name) ?? 0) + 1;
      seen.set(change.name, occurrence);
      const reworked = lastIndexOf.get(change.name)! > i;
      const script = reworked ? `${change.name}@${change.tagAfter ?? ""}.sql` : `${change.name}.sql`;
      const deploy = at("deploy", script);
      const revert = at("revert", script);
      deployed.add(deploy);
      if (!paths.has(deploy)) {
        problems.push(problem(planFile.path, `sqitch.plan names change \`${change.name}\` but ${deploy} does not exist`, change.line));
        continue;
      }
      migrations.push({
        id: `${planFile.path}#${change.name}#${occurrence}`,
        version: String(i + 1).padStart(width, "0"),
        name: change.note || change.name,
        layout: "sqitch",
        up: { path: deploy },
        down: paths.has(revert) ? { path: revert } : undefined,
        repeatable: false,
        rollbackExpected: true,
        transaction: "none",
        delivery: "per-statement",
      });
    }
    for (const f of files as SourceFile[]) {
      if (f.path.startsWith(at("deploy", "")) && f.path.endsWith(".sql") && !deployed.has(f.path)) {
        problems.push(problem(f.path, `${f.path} is not in sqitch.plan, so sqitch never deploys it (add it with \`sqitch add\`)`));
      }
    }
    return { migrations, problems };
  },
};
