// Extension point for the parts of the review other modules produce (quality gates, commit
// format, migration-test evidence, runbook). A provider returns Markdown for some sections;
// the review and the check run render whatever is given and say which parts are missing.
import type { Context } from "probot";
import type { Config } from "../core/config/schema.js";
import type { ReviewBodyOptions } from "../core/render/markdown.js";
import type { AnalysisReport } from "../core/report.js";
import type { PullRequestSnapshot } from "../github/state.js";

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
}

export type SectionProvider = (input: SectionInput) => Promise<Partial<ReviewSections>>;

/**
 * Providers run on every analysis, in order; later ones win for the same section.
 * The gates and evidence modules register theirs here (one line each).
 */
export const sectionProviders: SectionProvider[] = [];

export async function collectSections(input: SectionInput, given: Partial<ReviewSections> = {}): Promise<ReviewSections> {
  const sections: ReviewSections = {};
  for (const provider of sectionProviders) {
    try {
      Object.assign(sections, await provider(input));
    } catch (error) {
      // One broken section must not take the review down with it.
      input.context.log.error(`a review section provider failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return { ...sections, ...given };
}
