// GitHub Action entry: the same app function, run once for the workflow's event with the
// workflow's GITHUB_TOKEN (no App registration, no server). See action.yml.
import { run } from "@probot/adapter-github-actions";
import app from "./index.js";

// The adapter bundles its own Probot (13); the app only uses APIs both versions share
// (context.octokit.rest/graphql/paginate/hook, context.config, app.on, app.auth).
await run(app as unknown as Parameters<typeof run>[0]);
