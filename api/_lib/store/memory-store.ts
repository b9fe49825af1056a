import { ExpiringMap } from './expiring-map.js';
import {
  CANCEL_FLAG_TTL_MS,
  DEFAULT_EVENT_LOG_BOUNDS,
  type AppendOutcome,
  type BudgetReservation,
  type EventLogBounds,
  type EventLogRead,
  type SharedStore,
  type SlotGrant,
  type StoreResult,
  type WindowHit,
} from './shared-store.js';
import { counterTtl, weightedPrevious, windowBucket, windowEnd } from './sliding-window.js';

interface EventLog {
  frames: string[];
  bytes: number;
  ended: boolean;
}

/** How often (at most) a write also drops every expired entry. */
const SWEEP_EVERY_MS = 30_000;

function ok<T>(value: T): Promise<StoreResult<T>> {
  return Promise.resolve({ ok: true, value });
}

/**
 * The store for one process: the default, nothing to set up. Same semantics as the
 * Redis store (the shared behavioural suite runs against both), but nothing is
 * shared between instances. Time is `Date.now()`, so fake timers drive it in tests.
 */
export class MemoryStore implements SharedStore {
  readonly kind = 'memory';
  readonly #owners = new ExpiringMap<string>();
  readonly #cancels = new ExpiringMap<true>();
  readonly #logs = new ExpiringMap<EventLog>();
  readonly #readers = new ExpiringMap<true>();
  readonly #counters = new ExpiringMap<number>();
  readonly #slots = new ExpiringMap<Map<string, number>>();
  readonly #bounds: EventLogBounds;
  #sweptAt = Date.now();

  constructor(options: { eventLogBounds?: EventLogBounds } = {}) {
    this.#bounds = options.eventLogBounds ?? DEFAULT_EVENT_LOG_BOUNDS;
  }

  claimStream(streamId: string, ownerId: string, ttlMs: number): Promise<StoreResult<boolean>> {
    const now = this.#now();
    if (this.#owners.get(streamId, now) !== undefined) return ok(false);
    this.#owners.set(streamId, ownerId, now + ttlMs);
    return ok(true);
  }

  ownerOf(streamId: string): Promise<StoreResult<string | undefined>> {
    return ok(this.#owners.get(streamId, Date.now()));
  }

  requestCancel(streamId: string): Promise<StoreResult<void>> {
    const now = this.#now();
    this.#cancels.set(streamId, true, now + CANCEL_FLAG_TTL_MS);
    return ok(undefined);
  }

  cancelledAmong(streamIds: readonly string[]): Promise<StoreResult<ReadonlySet<string>>> {
    const now = Date.now();
    return ok(new Set(streamIds.filter((id) => this.#cancels.get(id, now) !== undefined)));
  }

  appendEvents(streamId: string, firstSeq: number, frames: readonly string[], ttlMs: number, options: { end?: boolean } = {}): Promise<StoreResult<AppendOutcome>> {
    const now = this.#now();
    const log = this.#logs.get(streamId, now) ?? { frames: [], bytes: 0, ended: false };
    const nextSeq = log.frames.length;
    if (firstSeq !== nextSeq) return ok({ appended: false, reason: 'gap', nextSeq });
    const bytes = frames.reduce((sum, frame) => sum + Buffer.byteLength(frame), 0);
    if (nextSeq + frames.length > this.#bounds.maxFrames || log.bytes + bytes > this.#bounds.maxBytes) {
      return ok({ appended: false, reason: 'full', nextSeq });
    }
    log.frames.push(...frames);
    log.bytes += bytes;
    if (options.end) log.ended = true;
    this.#logs.set(streamId, log, now + ttlMs);
    return ok({ appended: true, nextSeq: log.frames.length });
  }

  markEnded(streamId: string): Promise<StoreResult<void>> {
    const log = this.#logs.get(streamId, Date.now());
    if (log) log.ended = true;
    return ok(undefined);
  }

  readEvents(streamId: string, afterSeq: number, options: { readerTtlMs?: number } = {}): Promise<StoreResult<EventLogRead | undefined>> {
    const now = this.#now();
    const log = this.#logs.get(streamId, now);
    if (!log) return ok(undefined);
    if (options.readerTtlMs) this.#readers.set(streamId, true, now + options.readerTtlMs);
    return ok({ frames: log.frames.slice(Math.max(0, afterSeq + 1)), ended: log.ended, nextSeq: log.frames.length });
  }

  readerSeen(streamId: string): Promise<StoreResult<boolean>> {
    return ok(this.#readers.get(streamId, Date.now()) !== undefined);
  }

  hitWindow(key: string, limit: number, windowMs: number): Promise<StoreResult<WindowHit>> {
    // Upstream's rule for single requests: refused once the window is full.
    const { success, remaining, reset } = this.#countInWindow(key, 1, limit, windowMs);
    return ok({ success, limit, remaining, reset });
  }

  reserveBudget(key: string, amount: number, limit: number, windowMs: number): Promise<StoreResult<BudgetReservation>> {
    return ok(this.#countInWindow(key, amount, limit, windowMs));
  }

  settleBudget(key: string, bucket: number, delta: number): Promise<StoreResult<void>> {
    const now = this.#now();
    const counterKey = `${key}:${bucket}`;
    const count = this.#counters.get(counterKey, now);
    const expiresAt = this.#counters.expiresAt(counterKey, now);
    if (count !== undefined && expiresAt !== undefined) this.#counters.set(counterKey, Math.max(0, count + delta), expiresAt);
    return ok(undefined);
  }

  acquireSlot(key: string, holder: string, max: number, ttlMs: number): Promise<StoreResult<SlotGrant>> {
    const now = this.#now();
    const slots = this.#slots.get(key, now) ?? new Map<string, number>();
    // Constant work per call, not a pass over every slot the client holds (a client with
    // a thousand open streams made each acquire cost a thousand steps): slots are kept in
    // the order they expire, so the expired ones are at the front. Only at the cap, where
    // a refusal must be right, is every slot looked at.
    for (const [other, expiresAt] of slots) {
      if (expiresAt > now) break;
      slots.delete(other);
    }
    if (!slots.has(holder) && slots.size >= max) {
      for (const [other, expiresAt] of slots) if (expiresAt <= now) slots.delete(other);
      if (slots.size >= max) return ok({ acquired: false, held: slots.size });
    }
    const expiresAt = now + ttlMs;
    // Re-set at the end, so the order stays that of expiry.
    slots.delete(holder);
    slots.set(holder, expiresAt);
    this.#slots.set(key, slots, Math.max(this.#slots.expiresAt(key, now) ?? 0, expiresAt));
    return ok({ acquired: true, held: slots.size });
  }

  releaseSlot(key: string, holder: string): Promise<StoreResult<void>> {
    this.#slots.get(key, Date.now())?.delete(holder);
    return ok(undefined);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /**
   * The one sliding-window rule for requests and token budgets: refused when
   * `amount` would pass the limit (for one request: when the window is full).
   */
  #countInWindow(key: string, amount: number, limit: number, windowMs: number): BudgetReservation {
    const now = this.#now();
    const bucket = windowBucket(now, windowMs);
    const reset = windowEnd(now, windowMs);
    const currentKey = `${key}:${bucket}`;
    const current = this.#counters.get(currentKey, now) ?? 0;
    const previous = weightedPrevious(this.#counters.get(`${key}:${bucket - 1}`, now) ?? 0, now, windowMs);
    if (previous + current + amount > limit) {
      return { success: false, limit, remaining: Math.max(0, limit - previous - current), reset };
    }
    const expiresAt = this.#counters.expiresAt(currentKey, now) ?? now + counterTtl(windowMs);
    this.#counters.set(currentKey, current + amount, expiresAt);
    return { success: true, limit, remaining: limit - previous - current - amount, reset, bucket };
  }

  /** The time, dropping expired entries now and then so the maps stay bounded by live state. */
  #now(): number {
    const now = Date.now();
    if (now - this.#sweptAt >= SWEEP_EVERY_MS) {
      this.#sweptAt = now;
      for (const map of [this.#owners, this.#cancels, this.#logs, this.#readers, this.#counters, this.#slots]) map.sweep(now);
    }
    return now;
  }
}
