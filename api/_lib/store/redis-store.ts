import { Ratelimit } from '@upstash/ratelimit';
import type { Redis } from '@upstash/redis';
import { ACQUIRE_SLOT, APPEND_EVENTS, MARK_ENDED, READ_EVENTS, RESERVE_BUDGET, SETTLE_BUDGET } from './redis-scripts.js';
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
import { boundedCall, logStoreDown, type OnStoreDown } from './store-call.js';
import { windowBucket, windowEnd } from './sliding-window.js';

/** What the Redis store needs: a client (configured by `createStore`) and its bounds. */
export interface RedisStoreOptions {
  redis: Redis;
  /** Prefix of every key, so one database can serve several sites. @default 'ai-stream' */
  prefix?: string;
  /** A call that takes longer is "down". @default 1000 */
  timeoutMs?: number;
  onDown?: OnStoreDown;
  eventLogBounds?: EventLogBounds;
}

/** {1, nextSeq} or {0, nextSeq, 1 = gap | 2 = full}. */
type AppendReply = [number, number, number?];
/** {ended, nextSeq, frames}, or null for an unknown log. */
type ReadReply = [number, number, string[]] | null;

/** Redis takes expiries in whole milliseconds, at least 1 (`PX 0` is an error reply). */
function wholeMs(ms: number): number {
  return Math.max(1, Math.ceil(ms));
}

/**
 * Shared state in Upstash Redis (or any server behind the Upstash REST protocol).
 * Each operation is one command or one Lua script, so one HTTP round trip; the
 * sliding window for requests is `@upstash/ratelimit`'s own, one `Ratelimit` per
 * limit for the life of the store, so its ephemeral cache of blocked clients works.
 */
export class RedisStore implements SharedStore {
  readonly kind = 'redis';
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #timeoutMs: number;
  readonly #onDown: OnStoreDown;
  readonly #bounds: EventLogBounds;
  readonly #limiters = new Map<string, Ratelimit>();
  readonly #scripts;

  constructor(options: RedisStoreOptions) {
    this.#redis = options.redis;
    this.#prefix = options.prefix ?? 'ai-stream';
    this.#timeoutMs = options.timeoutMs ?? 1000;
    this.#onDown = options.onDown ?? logStoreDown;
    this.#bounds = options.eventLogBounds ?? DEFAULT_EVENT_LOG_BOUNDS;
    // createScript sends EVALSHA and falls back to EVAL on NOSCRIPT: one round trip once loaded.
    this.#scripts = {
      append: this.#redis.createScript<AppendReply>(APPEND_EVENTS),
      read: this.#redis.createScript<ReadReply>(READ_EVENTS),
      markEnded: this.#redis.createScript<number>(MARK_ENDED),
      reserve: this.#redis.createScript<number[]>(RESERVE_BUDGET),
      settle: this.#redis.createScript<number>(SETTLE_BUDGET),
      acquire: this.#redis.createScript<number[]>(ACQUIRE_SLOT),
    };
  }

  claimStream(streamId: string, ownerId: string, ttlMs: number): Promise<StoreResult<boolean>> {
    return this.#call('claimStream', async () => (await this.#redis.set(this.#streamKey(streamId, 'owner'), ownerId, { nx: true, px: wholeMs(ttlMs) })) === 'OK');
  }

  ownerOf(streamId: string): Promise<StoreResult<string | undefined>> {
    return this.#call('ownerOf', async () => (await this.#redis.get<string>(this.#streamKey(streamId, 'owner'))) ?? undefined);
  }

  requestCancel(streamId: string): Promise<StoreResult<void>> {
    return this.#call('requestCancel', async () => {
      await this.#redis.set(this.#streamKey(streamId, 'cancel'), '1', { px: CANCEL_FLAG_TTL_MS });
    });
  }

  async cancelledAmong(streamIds: readonly string[]): Promise<StoreResult<ReadonlySet<string>>> {
    if (streamIds.length === 0) return { ok: true, value: new Set() };
    return this.#call('cancelledAmong', async () => {
      const flags = await this.#redis.mget<Array<string | null>>(...streamIds.map((id) => this.#streamKey(id, 'cancel')));
      return new Set(streamIds.filter((_, index) => flags[index] !== null));
    });
  }

  appendEvents(streamId: string, firstSeq: number, frames: readonly string[], ttlMs: number, options: { end?: boolean } = {}): Promise<StoreResult<AppendOutcome>> {
    const bytes = frames.reduce((sum, frame) => sum + Buffer.byteLength(frame), 0);
    const args = [firstSeq, wholeMs(ttlMs), this.#bounds.maxFrames, this.#bounds.maxBytes, bytes, options.end ? 1 : 0].map(String);
    return this.#call('appendEvents', async () => {
      const [appended, nextSeq, refusal] = await this.#scripts.append.exec(this.#logKeys(streamId), [...args, ...frames]);
      if (appended === 1) return { appended: true, nextSeq };
      return { appended: false, reason: refusal === 1 ? 'gap' : 'full', nextSeq };
    });
  }

  markEnded(streamId: string): Promise<StoreResult<void>> {
    return this.#call('markEnded', async () => {
      await this.#scripts.markEnded.exec([this.#streamKey(streamId, 'meta')], []);
    });
  }

  readEvents(streamId: string, afterSeq: number, options: { readerTtlMs?: number } = {}): Promise<StoreResult<EventLogRead | undefined>> {
    const readerTtl = options.readerTtlMs ? wholeMs(options.readerTtlMs) : 0;
    return this.#call('readEvents', async () => {
      const reply = await this.#scripts.read.exec([...this.#logKeys(streamId), this.#streamKey(streamId, 'reader')], [String(afterSeq), String(readerTtl)]);
      if (!reply) return undefined;
      const [ended, nextSeq, frames] = reply;
      return { ended: ended === 1, nextSeq, frames };
    });
  }

  readerSeen(streamId: string): Promise<StoreResult<boolean>> {
    return this.#call('readerSeen', async () => (await this.#redis.exists(this.#streamKey(streamId, 'reader'))) === 1);
  }

  hitWindow(key: string, limit: number, windowMs: number): Promise<StoreResult<WindowHit>> {
    return this.#call('hitWindow', async () => {
      const { success, remaining, reset } = await this.#limiter(limit, windowMs).limit(key);
      return { success, limit, remaining, reset };
    });
  }

  reserveBudget(key: string, amount: number, limit: number, windowMs: number): Promise<StoreResult<BudgetReservation>> {
    const now = Date.now();
    const bucket = windowBucket(now, windowMs);
    const keys = [this.#budgetKey(key, bucket), this.#budgetKey(key, bucket - 1)];
    return this.#call('reserveBudget', async () => {
      const [reserved, remaining] = await this.#scripts.reserve.exec(keys, [limit, now, windowMs, amount].map(String));
      const reset = windowEnd(now, windowMs);
      if (reserved !== 1) return { success: false, limit, remaining: Math.max(0, remaining ?? 0), reset };
      return { success: true, limit, remaining: remaining ?? 0, reset, bucket };
    });
  }

  settleBudget(key: string, bucket: number, delta: number): Promise<StoreResult<void>> {
    return this.#call('settleBudget', async () => {
      await this.#scripts.settle.exec([this.#budgetKey(key, bucket)], [String(delta)]);
    });
  }

  acquireSlot(key: string, holder: string, max: number, ttlMs: number): Promise<StoreResult<SlotGrant>> {
    return this.#call('acquireSlot', async () => {
      const [acquired, held] = await this.#scripts.acquire.exec([this.#slotKey(key)], [holder, String(max), String(wholeMs(ttlMs)), String(Date.now())]);
      return { acquired: acquired === 1, held: held ?? 0 };
    });
  }

  releaseSlot(key: string, holder: string): Promise<StoreResult<void>> {
    return this.#call('releaseSlot', async () => {
      await this.#redis.zrem(this.#slotKey(key), holder);
    });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  #call<T>(op: string, run: () => Promise<T>): Promise<StoreResult<T>> {
    return boundedCall(op, this.#timeoutMs, this.#onDown, run);
  }

  /** One `Ratelimit` per limit, kept: its ephemeral cache answers blocked clients without a round trip. */
  #limiter(limit: number, windowMs: number): Ratelimit {
    const id = `${limit}/${windowMs}`;
    let limiter = this.#limiters.get(id);
    if (!limiter) {
      // timeout 0: our own bound applies, and a late answer is "down", not upstream's fail-open success.
      limiter = new Ratelimit({ redis: this.#redis, limiter: Ratelimit.slidingWindow(limit, `${windowMs} ms`), prefix: `${this.#prefix}:window`, timeout: 0, analytics: false });
      this.#limiters.set(id, limiter);
    }
    return limiter;
  }

  /** A stream's keys share a hash tag, so a script touching two of them stays on one cluster slot. */
  #streamKey(streamId: string, part: 'owner' | 'cancel' | 'log' | 'meta' | 'reader'): string {
    return `${this.#prefix}:stream:{${streamId}}:${part}`;
  }

  #logKeys(streamId: string): string[] {
    return [this.#streamKey(streamId, 'log'), this.#streamKey(streamId, 'meta')];
  }

  #budgetKey(key: string, bucket: number): string {
    return `${this.#prefix}:budget:{${key}}:${bucket}`;
  }

  #slotKey(key: string): string {
    return `${this.#prefix}:slots:${key}`;
  }
}
