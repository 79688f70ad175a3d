// The app server's heap sizing (src/app/memory.ts): HEAP_GROWING_PERCENT, validated.
import { describe, expect, it } from "vitest";
import { DEFAULT_HEAP_GROWING_PERCENT, tuneHeap } from "../src/app/memory.js";

describe("tuneHeap", () => {
  it("uses 15 % headroom by default and when the variable is empty", () => {
    expect(DEFAULT_HEAP_GROWING_PERCENT).toBe(15);
    expect(tuneHeap({})).toEqual({ percent: 15 });
    expect(tuneHeap({ HEAP_GROWING_PERCENT: " " })).toEqual({ percent: 15 });
  });

  it("takes a valid percentage, and 0 for V8's own heuristic", () => {
    expect(tuneHeap({ HEAP_GROWING_PERCENT: "100" })).toEqual({ percent: 100 });
    expect(tuneHeap({ HEAP_GROWING_PERCENT: "0" })).toEqual({ percent: 0 });
  });

  it("reports an invalid value and falls back to the default", () => {
    for (const bad of ["-5", "1.5", "lots", "301"]) {
      const result = tuneHeap({ HEAP_GROWING_PERCENT: bad });
      expect(result.percent).toBe(15);
      expect(result.problem).toContain(`HEAP_GROWING_PERCENT="${bad}"`);
    }
  });
});
