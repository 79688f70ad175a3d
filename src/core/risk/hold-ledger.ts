// How long locks are held: every statement that runs while a lock is held adds its duration to
// that hold. Adding it to each open hold per statement was quadratic on a long transaction
// (a 20,000-statement file in one transaction: 5.8 s and a 248 MB report); the ledger logs each
// statement once, and a hold reads the log from the point it began when it closes.

/** Where a hold began in the ledger. */
export interface LedgerMark {
  seconds: number;
  heavy: number;
  unknown: number;
  statement: number;
}

export interface HoldTiming {
  /** Known part of the hold time. */
  seconds: number;
  /** Why part of the hold time is unknown: the first few distinct reasons… */
  unknown: string[];
  /** …out of this many. */
  unknownCount: number;
  /** Size-dependent work ran while the lock was held. */
  heavy: boolean;
  /** How the first statement with a known non-zero duration was estimated. */
  basis?: string;
}

export interface LedgerEntry {
  seconds?: number;
  basis?: string;
  unknown?: string;
  heavy: boolean;
}

/** Reasons listed per hold; the rest are counted. */
const SHOWN_REASONS = 3;

export class HoldLedger {
  private seconds = 0;
  private heavy = 0;
  private statements = 0;
  private readonly unknown: string[] = [];
  private readonly bases: { statement: number; basis: string }[] = [];

  mark(): LedgerMark {
    return { seconds: this.seconds, heavy: this.heavy, unknown: this.unknown.length, statement: this.statements };
  }

  record(entry: LedgerEntry): void {
    if (entry.seconds !== undefined) {
      this.seconds += entry.seconds;
      if (entry.seconds > 0 && entry.basis) this.bases.push({ statement: this.statements, basis: entry.basis });
    }
    if (entry.unknown !== undefined) this.unknown.push(entry.unknown);
    if (entry.heavy) this.heavy++;
    this.statements++;
  }

  /** The timing of holds that began at `marks` and end now; one backward pass over the reasons. */
  close(marks: LedgerMark[]): HoldTiming[] {
    const reasons = this.reasonsFrom(marks.map((m) => m.unknown));
    return marks.map((mark, i) => ({
      seconds: this.seconds - mark.seconds,
      heavy: this.heavy > mark.heavy,
      basis: this.bases[this.firstBasisAt(mark.statement)]?.basis,
      ...reasons[i]!,
    }));
  }

  /** For each start position: the first distinct reasons logged from there on, and their count. */
  private reasonsFrom(starts: number[]): { unknown: string[]; unknownCount: number }[] {
    const order = starts.map((start, i) => ({ start, i })).sort((a, b) => b.start - a.start);
    const out: { unknown: string[]; unknownCount: number }[] = new Array(starts.length);
    const seen = new Set<string>();
    let first: string[] = [];
    let position = this.unknown.length;
    for (const { start, i } of order) {
      while (position > start) {
        const reason = this.unknown[--position]!;
        seen.add(reason);
        first = [reason, ...first.filter((r) => r !== reason)].slice(0, SHOWN_REASONS);
      }
      out[i] = { unknown: first, unknownCount: seen.size };
    }
    return out;
  }

  private firstBasisAt(statement: number): number {
    let lo = 0;
    let hi = this.bases.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.bases[mid]!.statement < statement) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** "a; b; c and 12 more" */
export function listReasons(timing: Pick<HoldTiming, "unknown" | "unknownCount">): string {
  const more = timing.unknownCount - timing.unknown.length;
  return `${timing.unknown.join("; ")}${more > 0 ? ` and ${more} more` : ""}`;
}
