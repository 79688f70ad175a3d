// A repository layout knows how its migration tool names files, pairs ups with downs,
// orders versions and wraps files in transactions. One file per layout in ./layouts/.
import type { Layout, Migration, SourceFile, TransactionMode } from "../model.js";

/** A migration as a layout sees it, before base/head comparison sets its status. */
export type FoundMigration = Omit<Migration, "status">;

export interface LayoutSpec {
  name: Layout;
  /** Does the tool run each file in a transaction of its own by default? */
  transaction: TransactionMode;
  /**
   * How sure the layout is that these paths (all files of one folder tree) are its own:
   * 0 = not at all. Auto-detection picks the highest score per folder.
   */
  score(paths: string[]): number;
  /** Groups files into migrations. `files` are those of one folder the layout claimed. */
  collect(files: SourceFile[]): FoundMigration[];
}

/** Compares versions the way migration tools do: numeric parts numerically. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[._-]/);
  const pb = b.split(/[._-]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? "";
    const y = pb[i] ?? "";
    if (/^\d+$/.test(x) && /^\d+$/.test(y)) {
      const d = BigInt(x) - BigInt(y);
      if (d !== 0n) return d < 0n ? -1 : 1;
    } else if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

export function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

export function dirname(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "" : path.slice(0, i);
}
