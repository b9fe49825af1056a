/**
 * The one interface for state that every instance of the functions must share:
 * stream ownership, cancel flags, stream event logs (for resume) and rate-limit
 * counters. Two implementations: `MemoryStore` (one process, the default) and
 * `RedisStore` (Upstash Redis over REST). Each operation costs one round trip.
 *
 * Every operation answers within the store's time bound. A store that does not is
 * "down", and the caller gets that as data, `{ ok: false, reason: 'store_down' }`,
 * never as a hang or a throw: what to do then is the caller's policy
 * (docs/shared-state.md lists them).
 */

/** Why a call counted as down: no answer in time, no connection, or an error reply. */
export type StoreDownCause = 'timeout' | 'unreachable' | 'error';

/** The store did not answer usefully within its bound. */
export interface StoreDown {
  ok: false;
  reason: 'store_down';
  cause: StoreDownCause;
}

/** Every store call's outcome: the value, or "down". */
export type StoreResult<T> = { ok: true; value: T } | StoreDown;

/** One hit on a sliding-window counter (the `@upstash/ratelimit` algorithm). */
export interface WindowHit {
  success: boolean;
  limit: number;
  /** What is left in the window after this hit (0 when refused). */
  remaining: number;
  /** Unix time (ms) at which the current window ends. */
  reset: number;
}

/** A reservation on a sliding-window budget; `bucket` says where to settle it. */
export interface BudgetReservation extends WindowHit {
  /** The window bucket the amount was counted in (absent when refused). */
  bucket?: number;
}

/** The outcome of asking for one of a capped number of slots. */
export interface SlotGrant {
  acquired: boolean;
  /** Slots held after this call (the cap when refused). */
  held: number;
}

/** The outcome of appending to a stream's event log. */
export type AppendOutcome =
  | { appended: true; nextSeq: number }
  /**
   * `gap`: `firstSeq` is not the log's next seq (a write was lost); `full`: the log
   * would pass its bound. Nothing was written either way.
   */
  | { appended: false; reason: 'gap' | 'full'; nextSeq: number };

/** What a reader gets from a stream's log. */
export interface EventLogRead {
  /** Frames after the asked seq, in order; the first one's seq is `afterSeq + 1`. */
  frames: string[];
  /** True once the producer marked the stream ended: no frame will follow these. */
  ended: boolean;
  /** The seq the next appended frame will get (the log's length). */
  nextSeq: number;
}

/** How much one stream's event log may hold; an append past either bound is refused. */
export interface EventLogBounds {
  maxFrames: number;
  maxBytes: number;
}

/**
 * The bounds of an event log, sized for the longest answers (a 16 k-token answer
 * coalesced into flushes is a few hundred frames and well under 1 MB of SSE).
 */
export const DEFAULT_EVENT_LOG_BOUNDS: EventLogBounds = { maxFrames: 10_000, maxBytes: 4 * 1024 * 1024 };

/** How long a cancel flag lives; longer than any stream may run. */
export const CANCEL_FLAG_TTL_MS = 15 * 60_000;

/** Shared state for every instance. All methods resolve within the store's bound; none throws. */
export interface SharedStore {
  readonly kind: 'memory' | 'redis';

  /** Records `ownerId` as the stream's owner unless it already has one; true when this call claimed it. */
  claimStream(streamId: string, ownerId: string, ttlMs: number): Promise<StoreResult<boolean>>;
  /** The stream's owner, or undefined for an unknown or expired stream. */
  ownerOf(streamId: string): Promise<StoreResult<string | undefined>>;

  /** Raises the stream's cancel flag, seen by whichever instance serves it. */
  requestCancel(streamId: string): Promise<StoreResult<void>>;
  /** Which of these streams have their cancel flag raised (one command for all of them). */
  cancelledAmong(streamIds: readonly string[]): Promise<StoreResult<ReadonlySet<string>>>;

  /**
   * Appends one flush of frames; `firstSeq` must be the log's next seq (0 at first).
   * Refreshes the log's expiry to `ttlMs`. With `end: true` the stream is marked ended
   * in the same write.
   */
  appendEvents(streamId: string, firstSeq: number, frames: readonly string[], ttlMs: number, options?: { end?: boolean }): Promise<StoreResult<AppendOutcome>>;
  /** Marks the stream ended (no frame will follow); a no-op for an unknown or expired log. */
  markEnded(streamId: string): Promise<StoreResult<void>>;
  /**
   * Frames with a seq above `afterSeq` (-1 for all); undefined for an unknown or expired
   * log. With `readerTtlMs`, the read also marks the stream as having a reader for that
   * long (in the same command), which `readerSeen` reports to the producer's instance.
   */
  readEvents(streamId: string, afterSeq: number, options?: { readerTtlMs?: number }): Promise<StoreResult<EventLogRead | undefined>>;
  /** Whether some reader read the log with `readerTtlMs` within that time (a resume on another instance). */
  readerSeen(streamId: string): Promise<StoreResult<boolean>>;

  /** Counts one request against `limit` per `windowMs` for `key` (sliding window). */
  hitWindow(key: string, limit: number, windowMs: number): Promise<StoreResult<WindowHit>>;
  /**
   * Reserves `amount` on a sliding-window budget, atomically: refused when the
   * amount would pass `limit`, so concurrent reservations cannot pass it together.
   */
  reserveBudget(key: string, amount: number, limit: number, windowMs: number): Promise<StoreResult<BudgetReservation>>;
  /**
   * Corrects a reservation by `delta` (negative returns what was not used) in the
   * bucket it was counted in; a no-op once that bucket has expired.
   */
  settleBudget(key: string, bucket: number, delta: number): Promise<StoreResult<void>>;

  /** Takes one of `max` slots for `holder` until it is released or `ttlMs` passes. Taking a held slot again renews it. */
  acquireSlot(key: string, holder: string, max: number, ttlMs: number): Promise<StoreResult<SlotGrant>>;
  /** Gives a slot back; a no-op when it is not held (released twice, or expired). */
  releaseSlot(key: string, holder: string): Promise<StoreResult<void>>;

  /** Releases the store's resources (timers, connections). */
  close(): Promise<void>;
}
