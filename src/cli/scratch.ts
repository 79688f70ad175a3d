// The scratch database of `migration-guard test`, and the interruptions the test handles itself
// (apart from src/cli/trace-change.ts, which only `test --command` loads).
import { createScratchDatabase, DatabaseSetupError, TargetNotEmptyError, type ScratchDatabase, type ScratchOptions } from "../db/index.js";
import { UsageError } from "../fs/files.js";

/** A scratch database; a target that holds tables or refuses the run's role is a usage error (exit 2). */
export async function openScratch(url: string | undefined, options: ScratchOptions): Promise<ScratchDatabase> {
  try {
    return await createScratchDatabase(url, options);
  } catch (error) {
    if (error instanceof TargetNotEmptyError || error instanceof DatabaseSetupError) throw new UsageError(error.message);
    throw error;
  }
}

/** Interruptions the test handles itself (a closed terminal, SIGHUP, is one too), so the scratch database is always dropped. */
export const INTERRUPTS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

