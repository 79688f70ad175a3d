// The App's bounded caches: least recently used entries go first, by total size.
import { describe, expect, it } from "vitest";
import { SizedLru } from "../src/core/cache/lru.js";

describe("SizedLru", () => {
  it("evicts the least recently used entries once the total size is over the bound", () => {
    const lru = new SizedLru<string>(10, (v) => v.length);
    lru.set("a", "aaaa");
    lru.set("b", "bbbb");
    expect(lru.get("a")).toBe("aaaa"); // a is now the most recent
    lru.set("c", "cccc"); // 12 > 10: b goes
    expect(lru.get("b")).toBeUndefined();
    expect(lru.get("a")).toBe("aaaa");
    expect(lru.get("c")).toBe("cccc");
    expect(lru.size).toBe(8);
  });

  it("never keeps a value larger than the whole bound, and replaces a key's value", () => {
    const lru = new SizedLru<string>(5, (v) => v.length);
    lru.set("big", "x".repeat(6));
    expect(lru.count).toBe(0);
    lru.set("k", "12");
    lru.set("k", "1234");
    expect(lru.size).toBe(4);
    expect(lru.get("k")).toBe("1234");
  });
});
