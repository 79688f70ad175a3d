// Picks the engine: a postgres:// URL, a mysql:// / mariadb:// URL, or embedded PGlite.
// Each engine is imported on first use: PGlite is not installed where only a server is used
// (the Action's bundle), and a run loads one driver, not three.
import { DatabaseSetupError, type ScratchDatabase, type ScratchOptions } from "./session.js";

export type { ScratchDatabase, Session, ExecResult, EngineKind, ScratchOptions, TimeLimits } from "./session.js";
export { TargetNotEmptyError, DatabaseSetupError, TimeLimitError, DEFAULT_LIMITS } from "./session.js";

export async function createScratchDatabase(url: string | undefined, options: ScratchOptions): Promise<ScratchDatabase> {
  if (!url) return (await import("./pglite.js")).createPgliteScratch({ limits: options.limits });
  const scheme = /^([a-z]+):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === "postgres" || scheme === "postgresql") return (await import("./postgres.js")).createPostgresScratch(url, options);
  if (scheme === "mysql" || scheme === "mariadb") return (await import("./mariadb.js")).createMariadbScratch(url, options);
  throw new DatabaseSetupError(`unsupported database URL scheme \`${scheme ?? "?"}:\` (expected postgres://, postgresql://, mysql:// or mariadb://)`);
}
