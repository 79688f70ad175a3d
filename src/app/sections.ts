// Extension point for the parts of the review other modules produce (quality gates, commit
// format, migration-test evidence, runbook). A provider returns Markdown for some sections;
// the review and the check run render whatever is given and say which parts are missing.
import type { Context } from "probot";
import type { Config } from "../core/config/schema.js";
import type { ReviewBodyOptions } from "../core/render/markdown.js";
import type { AnalysisReport } from "../core/report.js";
import type { PullRequestSnapshot } from "../github/state.js";
import type { WriteBatch } from "../github/write-batch.js";

export type ReviewSections = NonNullable<ReviewBodyOptions["sections"]>;

export interface SectionInput {
  context: Context;
  report: AnalysisReport;
  config: Config;
  pullRequest: { owner: string; repo: string; number: number; headSha: string; baseRef: string };
  /** Text of the changed migrations by path (statement detail for the runbook and commit claims). */
  sources?: Map<string, string>;
  /** The pull request's state as the review read it: providers use it instead of reading again. */
  snapshot?: PullRequestSnapshot;
  /** All the files the pull request changes, when GitHub listed them completely. */
  files?: { path: string }[];
  /**
   * The delivery's write batch: a provider queues its writes here instead of sending them, and
   * the review sends them with its check run in one request (src/github/write-batch.ts).
   */
  writes?: WriteBatch;
}

/** What a provider's sections turn into once the writes it queued were sent. */
export interface SettledSections {
  sections: Partial<ReviewSections>;
  /** A queued write failed: the check run, sent alongside, showed the sections as planned. */
  failed?: boolean;
}

export type ProvidedSections = Partial<ReviewSections> & {
  /** Settles after the batch is flushed, never rejects. */
  afterWrites?: Promise<SettledSections>;
};

export type SectionProvider = (input: SectionInput) => Promise<ProvidedSections>;

export interface CollectedSections {
  /** The sections as planned, before the queued writes were sent (for the check run in the batch). */
  sections: ReviewSections;
  /** Call after flushing the batch: the sections as the writes turned out (for the review). */
  settle(): Promise<SettledSections & { sections: ReviewSections }>;
}

/**
 * Providers run on every analysis, in order; later ones win for the same section.
 * The gates and evidence modules register theirs here (one line each).
 */
export const sectionProviders: SectionProvider[] = [];

export async function collectSections(input: SectionInput, given: Partial<ReviewSections> = {}): Promise<CollectedSections> {
  const sections: ReviewSections = {};
  const pending: Promise<SettledSections>[] = [];
  for (const provider of sectionProviders) {
    try {
      const { afterWrites, ...provided } = await provider(input);
      Object.assign(sections, provided);
      if (afterWrites) pending.push(afterWrites);
    } catch (error) {
      // One broken section must not take the review down with it.
      input.context.log.error(`a review section provider failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const planned = { ...sections, ...given };
  return {
    sections: planned,
    settle: async () => {
      const settled = await Promise.all(pending);
      return { sections: Object.assign({}, sections, ...settled.map((s) => s.sections), given), failed: settled.some((s) => s.failed) };
    },
  };
}
