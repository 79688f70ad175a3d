// Probot's Octokit for tests: retries and throttling off (they add real waiting time).
import { ProbotOctokit } from "probot";
import type { GitHub } from "../../src/github/octokit.js";

export const QuietOctokit = ProbotOctokit.defaults((instanceOptions: Record<string, unknown>) => ({
  ...instanceOptions,
  retry: { enabled: false },
  throttle: { enabled: false },
}));

/** An Octokit for the GitHub modules' own tests (nock answers), outside a Probot app. */
export function testOctokit(): GitHub {
  return new QuietOctokit({ auth: { token: "ghs_test" } }) as unknown as GitHub;
}
