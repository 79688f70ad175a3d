// One place decides the numbers the gates and the runbook use: `gates.thresholds` when set,
// otherwise the matching `test.thresholds` / `thresholds` value, otherwise the recipe's default.
import type { Config } from "../config/schema.js";
import type { GateThresholds } from "./config.js";

export type ResolvedThresholds = Required<GateThresholds>;

/** The recipe's Rollback Decision Matrix and the lock budgets, when nothing is configured. */
export const RECIPE_THRESHOLDS: ResolvedThresholds = {
  max_error_rate_percent: 1,
  max_slowdown_percent: 50,
  max_critical_errors: 0,
  max_corruptions: 0,
  max_lock_wait_ms: 200,
  max_lock_hold_seconds: 5,
  max_statement_seconds: 60,
};

type ThresholdSources = {
  gates?: { thresholds?: GateThresholds };
  test?: { thresholds?: Partial<Config["test"]["thresholds"]> };
  thresholds?: Partial<Config["thresholds"]>;
};

export function resolveThresholds(config: ThresholdSources): ResolvedThresholds {
  const g = config.gates?.thresholds ?? {};
  const t = config.test?.thresholds ?? {};
  return {
    max_error_rate_percent: g.max_error_rate_percent ?? t.max_error_rate_percent ?? RECIPE_THRESHOLDS.max_error_rate_percent,
    max_slowdown_percent: g.max_slowdown_percent ?? t.max_slowdown_percent ?? RECIPE_THRESHOLDS.max_slowdown_percent,
    max_critical_errors: g.max_critical_errors ?? RECIPE_THRESHOLDS.max_critical_errors,
    max_corruptions: g.max_corruptions ?? RECIPE_THRESHOLDS.max_corruptions,
    max_lock_wait_ms: g.max_lock_wait_ms ?? t.max_blocking_ms ?? RECIPE_THRESHOLDS.max_lock_wait_ms,
    max_lock_hold_seconds: g.max_lock_hold_seconds ?? config.thresholds?.max_blocking_seconds ?? RECIPE_THRESHOLDS.max_lock_hold_seconds,
    max_statement_seconds: g.max_statement_seconds ?? RECIPE_THRESHOLDS.max_statement_seconds,
  };
}
