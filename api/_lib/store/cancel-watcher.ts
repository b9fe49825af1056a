import type { SharedStore } from './shared-store.js';

/** How often an instance asks the store which of its open streams were cancelled elsewhere. */
export const CANCEL_POLL_MS = 250;

/**
 * Watches the cancel flags of this instance's open streams, so a `DELETE` received by
 * another instance stops a stream served here: every tick, one `cancelledAmong` call
 * for all of them (one store round trip per instance per tick, not per stream), and
 * `onCancelled` for each flagged one. The interval runs only while some stream is
 * watched and never keeps the process alive; a tick is skipped while the last call is
 * still out (it is bounded by the store's timeout). A store that is down counts as
 * "no flag": the flag outlives the stream, so the next tick sees it.
 */
export class CancelWatcher {
  readonly #store: SharedStore;
  readonly #onCancelled: (streamId: string) => void;
  readonly #intervalMs: number;
  readonly #ids = new Set<string>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #polling = false;

  constructor(store: SharedStore, onCancelled: (streamId: string) => void, intervalMs: number = CANCEL_POLL_MS) {
    this.#store = store;
    this.#onCancelled = onCancelled;
    this.#intervalMs = intervalMs;
  }

  watch(streamId: string): void {
    this.#ids.add(streamId);
    if (this.#timer) return;
    this.#timer = setInterval(this.#tick, this.#intervalMs);
    this.#timer.unref();
  }

  unwatch(streamId: string): void {
    this.#ids.delete(streamId);
    if (this.#ids.size > 0 || !this.#timer) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Whether the interval runs (some stream is watched). */
  get running(): boolean {
    return this.#timer !== undefined;
  }

  readonly #tick = (): void => {
    if (this.#polling || this.#ids.size === 0) return;
    this.#polling = true;
    this.#store.cancelledAmong([...this.#ids]).then(
      (result) => {
        this.#polling = false;
        if (!result.ok) return;
        // A stream that ended while the call was out is no longer watched: nothing to stop.
        for (const id of result.value) if (this.#ids.has(id)) this.#onCancelled(id);
      },
      // The store resolves "down" rather than throwing; should one throw, polling goes on.
      () => void (this.#polling = false),
    );
  };
}
