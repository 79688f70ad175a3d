// Heap sizing for the app server (measured with bench/app-latency.bench.mjs, see BENCHMARKS.md).
// Under a steady stream of deliveries each one promotes about 1 MB into V8's old generation:
// the rendered check run and review bodies, their JSON and the webhook payload live across
// Probot's write pacing (~2 s), so they outlive the young generation. With that promotion rate
// V8's heuristic lets the old generation grow to about 4× the live data before a full GC:
// 46 MB live, 235 MB heap, 416 MB RSS at 20 deliveries/s. A fixed growing factor keeps the
// headroom proportional to what is live instead. Unlike --max-old-space-size it is no cap:
// a large pull request that needs more memory gets it rather than crashing the process.
import { setFlagsFromString } from "node:v8";
import { z } from "zod";

/** Old-generation headroom over the live data after a full GC, in percent (V8's own: up to 300). */
export const DEFAULT_HEAP_GROWING_PERCENT = 15;

const Percent = z.coerce.number().int().min(0).max(300);

/**
 * Applies HEAP_GROWING_PERCENT (default 15; 0 leaves V8's heuristic) and returns the value
 * used, or a problem to log. V8 reads this flag each time it sets the next GC limit, so it
 * takes effect when set at run time.
 */
export function tuneHeap(env: NodeJS.ProcessEnv): { percent: number; problem?: string } {
  const raw = env.HEAP_GROWING_PERCENT?.trim();
  const parsed = raw ? Percent.safeParse(raw) : undefined;
  const percent = parsed?.success ? parsed.data : DEFAULT_HEAP_GROWING_PERCENT;
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
  return parsed && !parsed.success
    ? { percent, problem: `HEAP_GROWING_PERCENT=${JSON.stringify(raw)} is not an integer from 0 to 300; using ${percent}` }
    : { percent };
}
