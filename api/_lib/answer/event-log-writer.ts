import type { Logger } from '../ops/log.js';
import type { AppendOutcome, SharedStore, StoreResult } from '../store/shared-store.js';

/** How long a log lives after its last write: while the answer runs, and once it has ended. */
export interface EventLogTtl {
  /** Refreshed by every append while the answer runs: longer than any stream may live. */
  runningMs: number;
  /** Set by the last append: how long a client may still come back for the end. */
  endedMs: number;
}

/**
 * Writes one answer's frames to its event log in the store, in order and without gaps:
 * one `appendEvents` call at a time, each carrying every frame sent since the last one
 * (so at most one call per flush, fewer when the store is slower than the flushes).
 * `push` never waits: the live reader has its bytes before the store is asked.
 *
 * Frames are held from the last one the store confirmed until the store confirms
 * them, so a reader joining on this instance gets them from here rather than from a
 * read. A call that fails or is refused (store down, log full) turns logging off for
 * the answer, with one log line; the answer goes on without it.
 */
export class EventLogWriter {
  readonly #store: SharedStore;
  readonly #streamId: string;
  readonly #ttl: EventLogTtl;
  readonly #log: Logger;
  /** Frames the store holds: seqs below this one. */
  #confirmed = 0;
  /** Frames from seq `#confirmed` on, in order; the first `#inFlight` are being appended. */
  #pending: string[] = [];
  #inFlight = 0;
  #endWanted = false;
  #endWritten = false;
  #on = true;
  #settled: Promise<void> = Promise.resolve();
  #settle: (() => void) | undefined;

  constructor(store: SharedStore, streamId: string, ttl: EventLogTtl, log: Logger) {
    this.#store = store;
    this.#streamId = streamId;
    this.#ttl = ttl;
    this.#log = log;
  }

  /** Whether the log is still being written (false once a write failed or was refused). */
  get on(): boolean {
    return this.#on;
  }

  /** Seqs below this one are in the store. */
  get confirmed(): number {
    return this.#confirmed;
  }

  /** Queues frames (and, with `end`, the log's end mark) and starts an append unless one is out. */
  push(frames: readonly string[], end = false): void {
    if (!this.#on || this.#endWanted) return;
    for (const frame of frames) this.#pending.push(frame);
    this.#endWanted = end;
    if (this.#inFlight === 0) this.#append();
  }

  /** The frames from `seq` on held here, or undefined when some of them are only in the store. */
  framesFrom(seq: number): readonly string[] | undefined {
    if (!this.#on || seq < this.#confirmed) return undefined;
    return this.#pending.slice(seq - this.#confirmed);
  }

  /** Resolves once everything pushed so far is in the store (or logging is off). */
  settled(): Promise<void> {
    return this.#settled;
  }

  #append(): void {
    const frames = this.#pending.slice();
    const end = this.#endWanted;
    if (frames.length === 0 && (!end || this.#endWritten)) return;
    this.#inFlight = Math.max(1, frames.length);
    if (!this.#settle) this.#settled = new Promise((resolve) => (this.#settle = resolve));
    const ttlMs = end ? this.#ttl.endedMs : this.#ttl.runningMs;
    const write = frames.length > 0 ? this.#store.appendEvents(this.#streamId, this.#confirmed, frames, ttlMs, { end }) : this.#markEnded();
    write.then(
      (result) => {
        if (!result.ok) return this.#turnOff('store_down', false);
        if (!result.value.appended) return this.#turnOff(result.value.reason, true);
        this.#confirmed += frames.length;
        this.#pending.splice(0, frames.length);
        this.#inFlight = 0;
        if (end) this.#endWritten = true;
        if (this.#pending.length > 0 || (this.#endWanted && !this.#endWritten)) return this.#append();
        this.#done();
      },
      () => this.#turnOff('store_down', false),
    );
  }

  /** The end mark alone (an answer whose last frame was already appended): an append of nothing. */
  async #markEnded(): Promise<StoreResult<AppendOutcome>> {
    const marked = await this.#store.markEnded(this.#streamId);
    return marked.ok ? { ok: true, value: { appended: true, nextSeq: this.#confirmed } } : marked;
  }

  // Readers elsewhere must not wait for frames that will never come: a log the store
  // refused (it answers) is marked ended; one it cannot reach expires.
  #turnOff(reason: 'store_down' | 'gap' | 'full', storeAnswers: boolean): void {
    if (!this.#on) return;
    this.#on = false;
    this.#pending = [];
    this.#inFlight = 0;
    this.#log('resume_off', { streamId: this.#streamId, reason, framesLogged: this.#confirmed });
    if (storeAnswers) void this.#store.markEnded(this.#streamId);
    this.#done();
  }

  #done(): void {
    const settle = this.#settle;
    this.#settle = undefined;
    settle?.();
  }
}
