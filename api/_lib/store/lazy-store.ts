import type { SharedStore } from './shared-store.js';

/**
 * A Redis store that loads its client on its first call: `@upstash/redis` and
 * `@upstash/ratelimit` cost about 80 ms of CPU to import, which a cold start would pay
 * before its first request even where no limit is set. Every call waits for the same
 * load; a failed load is tried again by the next call.
 */
export class LazyStore implements SharedStore {
  readonly kind = 'redis';
  readonly #open: () => Promise<SharedStore>;
  #store: Promise<SharedStore> | undefined;

  constructor(open: () => Promise<SharedStore>) {
    this.#open = open;
  }

  #get(): Promise<SharedStore> {
    this.#store ??= this.#open().catch((error: unknown) => {
      this.#store = undefined;
      throw error;
    });
    return this.#store;
  }

  claimStream: SharedStore['claimStream'] = async (...args) => (await this.#get()).claimStream(...args);
  ownerOf: SharedStore['ownerOf'] = async (...args) => (await this.#get()).ownerOf(...args);
  requestCancel: SharedStore['requestCancel'] = async (...args) => (await this.#get()).requestCancel(...args);
  cancelledAmong: SharedStore['cancelledAmong'] = async (...args) => (await this.#get()).cancelledAmong(...args);
  appendEvents: SharedStore['appendEvents'] = async (...args) => (await this.#get()).appendEvents(...args);
  markEnded: SharedStore['markEnded'] = async (...args) => (await this.#get()).markEnded(...args);
  readEvents: SharedStore['readEvents'] = async (...args) => (await this.#get()).readEvents(...args);
  readerSeen: SharedStore['readerSeen'] = async (...args) => (await this.#get()).readerSeen(...args);
  hitWindow: SharedStore['hitWindow'] = async (...args) => (await this.#get()).hitWindow(...args);
  reserveBudget: SharedStore['reserveBudget'] = async (...args) => (await this.#get()).reserveBudget(...args);
  settleBudget: SharedStore['settleBudget'] = async (...args) => (await this.#get()).settleBudget(...args);
  acquireSlot: SharedStore['acquireSlot'] = async (...args) => (await this.#get()).acquireSlot(...args);
  releaseSlot: SharedStore['releaseSlot'] = async (...args) => (await this.#get()).releaseSlot(...args);

  async close(): Promise<void> {
    // Never opened: nothing to close.
    if (this.#store) await (await this.#store).close();
  }
}
