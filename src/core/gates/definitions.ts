// The recipe's eight quality gates, plus the custom ones a repository adds. Automatic gates are
// decided from evidence only; manual gates by sign-offs of authorized people.
import type { CustomGate, GatesConfig, SignoffPolicy } from "./config.js";

export type GateKind = "automatic" | "manual";

export interface GateDefinition {
  id: string;
  /** The recipe's wording, shown as the checkbox label. */
  title: string;
  kind: GateKind;
  /** What passing means, shown under the gate. */
  description: string;
}

export const BUILTIN_GATES: readonly GateDefinition[] = [
  {
    id: "scripts-reviewed",
    title: "Migration scripts reviewed and tested",
    kind: "automatic",
    description: "No finding at the fail level, and the ephemeral test applied every migration.",
  },
  {
    id: "rollback-validated",
    title: "Rollback scripts validated",
    kind: "automatic",
    description: "The rollback ran and the schema afterwards equals the schema before.",
  },
  {
    id: "performance-acceptable",
    title: "Performance impact acceptable",
    kind: "automatic",
    description: "Estimated lock holds, measured lock waits, durations and slow-down are under the thresholds.",
  },
  {
    id: "data-integrity",
    title: "Data integrity maintained",
    kind: "automatic",
    description: "Constraints and indexes are valid after the migration, and validations passed.",
  },
  {
    id: "zero-data-loss",
    title: "Zero data loss confirmed",
    kind: "automatic",
    description: "No destructive or lossy change, or each one suppressed with a reason; rolled-back data came back.",
  },
  {
    id: "app-compatibility",
    title: "Application compatibility verified",
    kind: "automatic",
    description: "No backward-incompatible change, or each one suppressed with a reason, or an expand–contract plan in the PR description.",
  },
  {
    id: "monitoring-configured",
    title: "Monitoring alerts configured",
    kind: "manual",
    description: "Alerts watch locks, errors and latency of the affected tables during and after the deploy.",
  },
  {
    id: "runbook-reviewed",
    title: "Runbook peer-reviewed",
    kind: "manual",
    description: "Someone other than the author read the deployment runbook below.",
  },
];

export interface ConfiguredGate extends GateDefinition {
  required: boolean;
  /** Effective sign-off policy (manual gates only). */
  signoff?: SignoffPolicy;
}

/** Built-in gates followed by custom ones, with required flags and effective sign-off policies. */
export function configuredGates(config: GatesConfig): ConfiguredGate[] {
  const custom: GateDefinition[] = config.custom.map((c: CustomGate) => ({
    id: c.id,
    title: c.title,
    kind: "manual",
    description: c.description ?? "Signed off by an authorized reviewer.",
  }));
  const all = [...BUILTIN_GATES, ...custom];
  const required = new Set(config.required ?? all.map((g) => g.id));
  return all.map((gate) => {
    if (gate.kind === "automatic") return { ...gate, required: required.has(gate.id) };
    const customOverride = config.custom.find((c) => c.id === gate.id)?.signoff ?? {};
    const override = config.per_gate[gate.id]?.signoff ?? {};
    return { ...gate, required: required.has(gate.id), signoff: { ...config.signoff, ...customOverride, ...override } };
  });
}
