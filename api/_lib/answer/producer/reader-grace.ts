import type { SharedStore } from '../../store/shared-store.js';

/** Told when the grace ran out with no reader anywhere. */
export interface GraceListener {
  onGraceOver(): void;
}

/**
 * The grace of an answer that no reader here follows (resume on). Once it has been
 * alone for `graceMs`, one store call asks whether a reader reads its log elsewhere
 * (each read marks it, for a grace long): if so the wait starts over; if not, or the
 * store cannot say, the listener is told.
 */
export class ReaderGrace {
  readonly #store: SharedStore;
  readonly #streamId: string;
  readonly #graceMs: number;
  readonly #listener: GraceListener;
  /** Since when no reader is attached; undefined while one is. */
  #aloneSince: number | undefined;
  /** A `readerSeen` call is out. */
  #asking = false;

  constructor(store: SharedStore, streamId: string, graceMs: number, listener: GraceListener) {
    this.#store = store;
    this.#streamId = streamId;
    this.#graceMs = graceMs;
    this.#listener = listener;
  }

  /** The last reader here left: the wait starts. */
  alone(): void {
    this.#aloneSince = performance.now();
  }

  /** A reader is attached here, or the answer ended: no wait. */
  attended(): void {
    this.#aloneSince = undefined;
  }

  /** A tick of the stream clock: asks the store once the grace ran out. */
  onTick(now: number): void {
    if (this.#aloneSince === undefined || now - this.#aloneSince < this.#graceMs || this.#asking) return;
    this.#asking = true;
    this.#store.readerSeen(this.#streamId).then(
      (seen) => {
        this.#asking = false;
        if (this.#aloneSince === undefined) return;
        if (seen.ok && seen.value) this.#aloneSince = performance.now();
        else this.#listener.onGraceOver();
      },
      () => this.#listener.onGraceOver(),
    );
  }
}
