import type { StoreDownCause, StoreResult } from './shared-store.js';

/** What a store-down log line carries: never keys, values or error messages (they may quote frames). */
export interface StoreDownReport {
  /** The store operation, e.g. `appendEvents`. */
  op: string;
  cause: StoreDownCause;
  /** The error's class name, when there was one (`TypeError`, `UpstashError`). */
  error?: string;
}

/** Called once for every call that found the store down. */
export type OnStoreDown = (report: StoreDownReport) => void;

/** The default: one JSON line on stdout, like the handler's log. */
export const logStoreDown: OnStoreDown = (report) => {
  process.stdout.write(`${JSON.stringify({ ts: new Date().toISOString(), event: 'store_down', ...report })}\n`);
};

/** How a thrown error counts: fetch's TypeError is no connection, an abort or timeout is late, the rest is an error reply. */
function causeOf(error: unknown): StoreDownCause {
  if (error instanceof TypeError) return 'unreachable';
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return 'timeout';
  return 'error';
}

/** A call's outcome before it is reported: "down" keeps the error's class name for the log. */
type Outcome<T> = { ok: true; value: T } | { ok: false; cause: StoreDownCause; error?: string };

/**
 * Runs one store operation with a time bound: its value, or "down" once `timeoutMs`
 * passes or it throws. A late answer is dropped (its rejection handled), so a slow
 * store costs each caller at most the bound.
 */
export async function boundedCall<T>(op: string, timeoutMs: number, onDown: OnStoreDown, run: () => Promise<T>): Promise<StoreResult<T>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<Outcome<T>>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, cause: 'timeout' }), timeoutMs);
  });
  const answer = run().then(
    (value): Outcome<T> => ({ ok: true, value }),
    (error: unknown): Outcome<T> => ({ ok: false, cause: causeOf(error), ...(error instanceof Error ? { error: error.name } : {}) }),
  );
  try {
    const outcome = await Promise.race([answer, late]);
    if (outcome.ok) return outcome;
    onDown({ op, cause: outcome.cause, ...(outcome.error ? { error: outcome.error } : {}) });
    return { ok: false, reason: 'store_down', cause: outcome.cause };
  } finally {
    clearTimeout(timer);
  }
}
