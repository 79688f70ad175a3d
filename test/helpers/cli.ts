// Runs the CLI in-process with captured output, the way a terminal would see it.
import { main, type CliIo } from "../../src/cli/main.js";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(
  cwd: string,
  argv: string[],
  { isTTY = false, env = {} }: { isTTY?: boolean; env?: NodeJS.ProcessEnv } = {},
): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = { cwd, stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), isTTY, env };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}
