// Argument parsing on node:util's parseArgs, turning its errors into usage errors.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "../fs/files.js";

export function parseCommandArgs<T extends NonNullable<ParseArgsConfig["options"]>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}
