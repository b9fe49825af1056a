import { Worker } from 'node:worker_threads';
import type { EncodingName } from './encoding-patterns.js';
import { createPieceEncoder, loadPieceEncoder, type PieceEncoder } from './piece-encoder.mjs';
import { RankTable } from './rank-table.mjs';

/**
 * Where the tokenizer comes from: a worker thread builds each encoding's rank table
 * (rank-table.mjs) in shared memory, so that loading (a 2 MB module and 200,000 ranks
 * for o200k_base) never blocks the event loop; this thread then counts against it
 * synchronously, with no message per count. If the worker cannot start or fails, the
 * table is built on this thread instead, which blocks it once, for about 0.2 s.
 */
export interface TokenCountService {
  /** The encoder, once loaded; undefined while it loads (and the first call starts loading). Never blocks. */
  encoder(encoding: EncodingName): PieceEncoder | undefined;
  /** Waits for the encoder; rejects only if it cannot be loaded at all. */
  ready(encoding: EncodingName): Promise<PieceEncoder>;
  /** True when loading failed for good: counts are estimates from then on. */
  failed(encoding: EncodingName): boolean;
  /** Sums the tokens of each item's texts, loading the encoding first if needed. */
  count(encoding: EncodingName, items: string[][]): Promise<number[]>;
  /** Starts loading an encoding; never blocks. */
  warm(encoding: EncodingName): void;
  isReady(encoding: EncodingName): boolean;
  stats(): TokenCountServiceStats;
  /** Stops loading; requests still waiting, and any made later, are rejected. */
  close(): Promise<void>;
}

/** What the service is doing, for tests and diagnostics. */
export interface TokenCountServiceStats {
  mode: 'idle' | 'worker' | 'in-thread';
  /** Counts waiting for an encoding to load. */
  inFlight: number;
  /** Times an encoding was loaded on this thread (0 while the worker works). */
  inThreadLoads: number;
}

/** Options of {@link createTokenCountService}. */
export interface TokenCountServiceOptions {
  /**
   * The worker script, or `false` to load on this thread.
   * @default new URL('./tokenizer-worker.mjs', import.meta.url)
   */
  workerUrl?: URL | false;
}

/** One encoding being loaded, or loaded. */
class Loading {
  encoder: PieceEncoder | undefined;
  failed = false;
  /** The loader thread while it runs: referenced only while someone waits for it. */
  worker: Worker | undefined;
  readonly promise: Promise<PieceEncoder>;

  constructor(start: (loading: Loading) => Promise<PieceEncoder>) {
    this.promise = start(this);
    this.promise.then(
      (encoder) => (this.encoder = encoder),
      () => (this.failed = true),
    );
  }
}

type LoaderMessage = { type: 'table'; buffer: SharedArrayBuffer; pattern: string } | { type: 'failed'; message: string };

const isLoaderMessage = (value: unknown): value is LoaderMessage => {
  if (typeof value !== 'object' || value === null || !('type' in value)) return false;
  if (value.type === 'failed') return true;
  return value.type === 'table' && 'buffer' in value && value.buffer instanceof SharedArrayBuffer && 'pattern' in value && typeof value.pattern === 'string';
};

/** Creates a count service; nothing starts until the first request or `warm`. */
export function createTokenCountService(options: TokenCountServiceOptions = {}): TokenCountService {
  const workerUrl = options.workerUrl ?? new URL('./tokenizer-worker.mjs', import.meta.url);
  const loads = new Map<EncodingName, Loading>();
  let mode: TokenCountServiceStats['mode'] = 'idle';
  let closing = false;
  let waiting = 0;
  let inThreadLoads = 0;

  const inThread = (encoding: EncodingName): Promise<PieceEncoder> => {
    mode = 'in-thread';
    inThreadLoads += 1;
    // A macrotask first, so the request that asked gets its response started before
    // the build blocks this thread.
    return new Promise<void>((resolve) => setTimeout(resolve, 0)).then(() => loadPieceEncoder(encoding));
  };

  const viaWorker = (url: URL, loading: Loading, encoding: EncodingName): Promise<PieceEncoder> =>
    new Promise<PieceEncoder>((resolve, reject) => {
      // execArgv: [] keeps development loaders (tsx) out: the worker is plain JavaScript.
      const worker = new Worker(url, { execArgv: [], workerData: { encoding } });
      loading.worker = worker;
      mode = 'worker';
      // Only a caller that awaits a count keeps the process alive for the load (ready()).
      worker.unref();
      worker.once('message', (message: unknown) => {
        if (!isLoaderMessage(message)) reject(new Error('The tokenizer worker sent something unexpected.'));
        else if (message.type === 'failed') reject(new Error(`Token counting failed: ${message.message}`));
        else {
          try {
            resolve(createPieceEncoder(new RankTable(message.buffer), message.pattern));
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        }
      });
      worker.once('error', reject);
      // After 'message' this is the worker ending as planned, and the promise is settled.
      worker.once('exit', (code) => reject(new Error(`The tokenizer worker exited (${code}) before its table was ready.`)));
    }).finally(() => {
      loading.worker = undefined;
    });

  const load = (encoding: EncodingName): Loading => {
    let loading = loads.get(encoding);
    if (!loading) {
      loading = new Loading((state) =>
        workerUrl === false
          ? inThread(encoding)
          : viaWorker(workerUrl, state, encoding).catch(() => (closing ? Promise.reject(closedError()) : inThread(encoding))),
      );
      loads.set(encoding, loading);
    }
    return loading;
  };

  const ready = (encoding: EncodingName): Promise<PieceEncoder> => {
    if (closing) return Promise.reject(closedError());
    const loading = load(encoding);
    if (loading.encoder) return Promise.resolve(loading.encoder);
    waiting += 1;
    loading.worker?.ref();
    return loading.promise.then(
      (encoder) => {
        waiting -= 1;
        if (closing) throw closedError();
        return encoder;
      },
      (error: unknown) => {
        waiting -= 1;
        throw closing ? closedError() : error;
      },
    );
  };

  return {
    encoder: (encoding) => (closing ? undefined : load(encoding).encoder),
    ready,
    failed: (encoding) => loads.get(encoding)?.failed === true,
    async count(encoding, items) {
      const encoder = await ready(encoding);
      return items.map((texts) => texts.reduce((sum, text) => sum + encoder.countText(text), 0));
    },
    warm(encoding) {
      if (!closing) load(encoding);
    },
    isReady: (encoding) => loads.get(encoding)?.encoder !== undefined,
    stats: () => ({ mode, inFlight: waiting, inThreadLoads }),
    async close() {
      closing = true;
      await Promise.all([...loads.values()].map((loading) => loading.worker?.terminate()));
    },
  };
}

const closedError = (): Error => new Error('The token count service was closed.');
