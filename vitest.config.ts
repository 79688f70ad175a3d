import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "rules/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Database-backed suites create their own scratch databases, so files may run in parallel.
    pool: "forks",
  },
});
