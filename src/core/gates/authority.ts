// Who may sign off a manual gate. The facts (permission, team memberships) come from GitHub's
// API through the adapter; the decision is pure so it can be tested and explained.
import { PERMISSION_ORDER, type RepoPermission, type SignoffPolicy } from "./config.js";

export interface SignerFacts {
  login: string;
  /** Repository permission as GitHub reports it; "none" for non-collaborators. */
  permission: RepoPermission | "none";
  /** Teams of the policy the user is an active member of, as written in the policy. */
  memberOf: string[];
  isAuthor: boolean;
}

export type AuthorityDecision = { allowed: true } | { allowed: false; reason: string };

export function decideAuthority(policy: SignoffPolicy, facts: SignerFacts): AuthorityDecision {
  if (facts.isAuthor && !policy.allow_author) {
    return { allowed: false, reason: `@${facts.login} opened this pull request, and authors may not sign off their own change` };
  }
  if (!hasPermission(facts.permission, policy.permission)) {
    return {
      allowed: false,
      reason: `@${facts.login} has ${facts.permission === "none" ? "no" : `\`${facts.permission}\``} permission on this repository; \`${policy.permission}\` or higher is required`,
    };
  }
  const listed = policy.users.some((u) => u.toLowerCase() === facts.login.toLowerCase());
  if ((policy.users.length || policy.teams.length) && !listed && facts.memberOf.length === 0) {
    return { allowed: false, reason: `@${facts.login} is not one of the allowed sign-offs (${describeAllowed(policy)})` };
  }
  return { allowed: true };
}

export function hasPermission(actual: RepoPermission | "none", minimum: RepoPermission): boolean {
  return actual !== "none" && PERMISSION_ORDER.indexOf(actual) >= PERMISSION_ORDER.indexOf(minimum);
}

/** "users @a, @b or teams @org/dba" – for explanations and the comment's instructions. */
export function describeAllowed(policy: SignoffPolicy, org?: string): string {
  const parts: string[] = [];
  if (policy.users.length) parts.push(`users ${policy.users.map((u) => `@${u}`).join(", ")}`);
  if (policy.teams.length) parts.push(`teams ${policy.teams.map((t) => `@${t.includes("/") || !org ? t : `${org}/${t}`}`).join(", ")}`);
  const who = parts.length ? parts.join(" or ") : "anyone";
  return `${who} with \`${policy.permission}\` permission${policy.allow_author ? "" : ", not the author"}`;
}

/** Splits a policy team into org and slug; a bare slug belongs to the repository's owner. */
export function teamRef(team: string, repoOwner: string): { org: string; slug: string } {
  const i = team.indexOf("/");
  return i < 0 ? { org: repoOwner, slug: team } : { org: team.slice(0, i), slug: team.slice(i + 1) };
}
