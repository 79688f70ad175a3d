import type { Rule } from "../../src/core/analyze/rule.js";
import { durationMs, settingValue } from "../../src/core/analyze/pg-ast.js";
import { replaceInStatement } from "./_pg.js";

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

const rule: Rule = {
  id: "lock-timeout-too-long",
  title: "lock_timeout longer than the configured maximum",
  dialects: ["postgres"],
  severity: "warning",
  docs: {
    why: "While a DDL statement waits for its lock, every query on the table queues behind it. A `lock_timeout` above `thresholds.max_lock_timeout_ms` (default 10 s) — or `0`, which means wait forever — lets that queue grow into an outage before the migration gives up.",
    locks: [],
    work: "none",
    safeAlternative: [
      "1. Use a short timeout (1–5 s): `SET lock_timeout = '2s';`.",
      "2. Retry the migration on timeout instead of waiting longer.",
    ].join("\n"),
  },
  examples: {
    bad: ["SET lock_timeout = '1min';", "SET lock_timeout = 0;", { sql: "SET LOCAL lock_timeout TO 5000;", config: { thresholds: { max_lock_timeout_ms: 3000 } } }],
    good: ["SET lock_timeout = '2s';", "SET lock_timeout TO 500;", "SET statement_timeout = '1h';"],
  },
  check(statement, { config }) {
    if (statement.kind !== "VariableSetStmt") return;
    const setting = settingValue(statement.ast);
    if (!setting || setting.name !== "lock_timeout") return;
    const ms = durationMs(setting.value);
    const max = config.thresholds.max_lock_timeout_ms;
    if (ms === undefined || (ms > 0 && ms <= max)) return;
    const edit = replaceInStatement(statement, /(=|\bTO\b)\s*('[^']*'|\d+\S*)\s*$/i, `= '${formatMs(max)}'`);
    return {
      message:
        ms === 0
          ? "lock_timeout = 0 disables the timeout: a blocked DDL statement waits forever while queries queue behind it."
          : `lock_timeout is ${formatMs(ms)}, above the maximum of ${formatMs(max)}: queries can queue behind a waiting DDL statement that long.`,
      fix: edit && { description: `Use the maximum lock_timeout (${formatMs(max)})`, edits: [edit] },
    };
  },
};

export default rule;
