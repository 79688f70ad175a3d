// Presets are data: which rules are on and how loud they are before the user's `rules:` map.
import type { Severity } from "../src/core/model.js";

export interface Preset {
  description: string;
  /** Turn on rules marked `optIn`. */
  includeOptIn: boolean;
  /** Severity remapping applied to every rule's default. */
  severities: Partial<Record<Severity, Severity>>;
}

export const PRESETS = {
  recommended: {
    description: "Every rule that is right on almost every project, at its default severity.",
    includeOptIn: false,
    severities: {},
  },
  strict: {
    description: "Every rule, opt-in ones too; warnings fail the check.",
    includeOptIn: true,
    severities: { warning: "error" },
  },
} satisfies Record<string, Preset>;

export type PresetName = keyof typeof PRESETS;
