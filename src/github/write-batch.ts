// One delivery's independent writes, sent as ONE GraphQL request with aliased mutations. Each
// REST write is a call of its own (and a second of Probot's write pacing); the quality gates'
// sticky comment, the gates check run and the main check run do not depend on each other, so
// the review queues them here and sends them together. Each queued mutation gets its own
// promise: an error GitHub reports on one alias rejects that promise only.
import type { GitHub } from "./octokit.js";

export interface QueuedMutation<T> {
  /** The mutation field, e.g. `createCheckRun`. */
  field: string;
  /** Its input's GraphQL type, e.g. `CreateCheckRunInput!`. */
  inputType: string;
  input: Record<string, unknown>;
  /** What to read back, e.g. `checkRun { databaseId url }`. */
  selection: string;
  /** Validates the alias's answer (zod): a surprising answer rejects this mutation only. */
  parse: (data: unknown) => T;
}

interface Pending {
  mutation: QueuedMutation<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

const WRITE_BATCH_OPERATION = "MigrationGuardWrites";

export class WriteBatch {
  private pending: Pending[] = [];

  constructor(private readonly octokit: GitHub) {}

  get size(): number {
    return this.pending.length;
  }

  /** Queues a mutation; the promise settles when `flush` has sent it. */
  enqueue<T>(mutation: QueuedMutation<T>): Promise<T> {
    const promise = new Promise<T>((resolve, reject) => {
      this.pending.push({ mutation: mutation as QueuedMutation<unknown>, resolve: resolve as (value: unknown) => void, reject });
    });
    // A caller that never awaits a failed write must not crash the process (unhandled rejection);
    // whoever awaits the returned promise still sees the error.
    promise.catch(() => undefined);
    return promise;
  }

  /** Sends everything queued in one request and settles each promise. Never throws. */
  async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    if (!batch.length) return;
    const { query, variables } = buildRequest(batch.map((p) => p.mutation));
    let data: Record<string, unknown> | null | undefined;
    let errors: GraphQLError[] = [];
    try {
      data = await this.octokit.graphql<Record<string, unknown>>(query, variables);
    } catch (error) {
      const partial = error as { name?: string; data?: Record<string, unknown> | null; errors?: GraphQLError[] };
      if (partial.name !== "GraphqlResponseError") {
        // The request itself failed (network, 5xx after retries, 401): nothing was written.
        for (const p of batch) p.reject(error);
        return;
      }
      data = partial.data;
      errors = partial.errors ?? [];
    }
    batch.forEach((p, i) => {
      const alias = aliasOf(i);
      const own = errors.filter((e) => e.path?.[0] === alias);
      // Errors without a path (a malformed request) concern every alias.
      const general = errors.filter((e) => !e.path?.length);
      const mine = [...own, ...general];
      const answer = data?.[alias];
      if (mine.length || answer === undefined || answer === null) {
        const message = mine.map((e) => e.message).join("; ") || "no answer";
        p.reject(new Error(`GitHub refused ${p.mutation.field}: ${message}`));
        return;
      }
      try {
        p.resolve(p.mutation.parse(answer));
      } catch (error) {
        p.reject(error);
      }
    });
  }
}

interface GraphQLError {
  message: string;
  path?: (string | number)[];
  type?: string;
}

const aliasOf = (i: number) => `m${i}`;

/** `mutation MigrationGuardWrites($i0: T0!, …) { m0: field0(input: $i0) { … } … }` */
function buildRequest(mutations: QueuedMutation<unknown>[]): { query: string; variables: Record<string, unknown> } {
  const params = mutations.map((m, i) => `$i${i}: ${m.inputType}`).join(", ");
  const fields = mutations.map((m, i) => `  ${aliasOf(i)}: ${m.field}(input: $i${i}) { ${m.selection} }`).join("\n");
  const variables = Object.fromEntries(mutations.map((m, i) => [`i${i}`, m.input]));
  return { query: `mutation ${WRITE_BATCH_OPERATION}(${params}) {\n${fields}\n}`, variables };
}
