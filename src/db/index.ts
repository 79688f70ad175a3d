// Picks the engine: a postgres:// URL, a mysql:// / mariadb:// URL, or embedded PGlite.
import { createMariadbScratch } from "./mariadb.js";
import { createPgliteScratch } from "./pglite.js";
import { createPostgresScratch } from "./postgres.js";
import { DatabaseSetupError, type ScratchDatabase, type ScratchOptions } from "./session.js";

export type { ScratchDatabase, Session, ExecResult, EngineKind, ScratchOptions, TimeLimits } from "./session.js";
export { TargetNotEmptyError, DatabaseSetupError, TimeLimitError, DEFAULT_LIMITS } from "./session.js";

export async function createScratchDatabase(url: string | undefined, options: ScratchOptions): Promise<ScratchDatabase> {
  if (!url) return createPgliteScratch({ limits: options.limits });
  const scheme = /^([a-z]+):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === "postgres" || scheme === "postgresql") return createPostgresScratch(url, options);
  if (scheme === "mysql" || scheme === "mariadb") return createMariadbScratch(url, options);
  throw new DatabaseSetupError(`unsupported database URL scheme \`${scheme ?? "?"}:\` (expected postgres://, postgresql://, mysql:// or mariadb://)`);
}
