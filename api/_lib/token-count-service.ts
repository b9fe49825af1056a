import { Worker } from 'node:worker_threads';
import type { EncodingName } from './encoding-patterns.js';
import type { PieceEncoder } from './piece-encoder.mjs';

/**
 * Where tokens get counted: a worker thread that owns the tokenizer, so that loading it
 * (half a second of CPU for o200k_base) never blocks the event loop. If the worker
 * cannot start or dies, the service falls back to loading the tokenizer in this thread,
 * which blocks it once while the ranks load.
 */
export interface TokenCountService {
  /**
   * Sums the tokens of each item's texts, loading the encoding first if needed.
   * Requests are answered in the order they were made.
   */
  count(encoding: EncodingName, items: string[][]): Promise<number[]>;
  /** Starts loading an encoding; never blocks. */
  warm(encoding: EncodingName): void;
  isReady(encoding: EncodingName): boolean;
  stats(): TokenCountServiceStats;
  /** Stops the worker; requests still waiting, and any made later, are rejected. */
  close(): Promise<void>;
}

/** What the service is doing, for tests and diagnostics. */
export interface TokenCountServiceStats {
  mode: 'idle' | 'worker' | 'in-thread';
  /** Requests sent and not yet answered. */
  inFlight: number;
  /** Times an encoding was loaded on this thread (0 while the worker works). */
  inThreadLoads: number;
}

/** Options of {@link createTokenCountService}. */
export interface TokenCountServiceOptions {
  /**
   * The worker script, or `false` to count in this thread.
   * @default new URL('./tokenizer-worker.mjs', import.meta.url)
   */
  workerUrl?: URL | false;
}

interface Pending {
  encoding: EncodingName;
  items: string[][];
  resolve: (counts: number[]) => void;
  reject: (error: Error) => void;
}

type CountReply = { type: 'counts'; id: number; counts: number[] } | { type: 'failed'; id?: number; encoding: EncodingName; message: string };
type WorkerReply = { type: 'loaded'; encoding: EncodingName } | CountReply | { type: 'batch'; replies: CountReply[] };

const isReply = (value: unknown): value is WorkerReply =>
  typeof value === 'object' && value !== null && 'type' in value && typeof value.type === 'string';

/** Creates a count service; nothing starts until the first request or `warm`. */
export function createTokenCountService(options: TokenCountServiceOptions = {}): TokenCountService {
  const workerUrl = options.workerUrl ?? new URL('./tokenizer-worker.mjs', import.meta.url);
  let mode: TokenCountServiceStats['mode'] = 'idle';
  let worker: Worker | undefined;
  let closing = false;
  let nextId = 1;
  const pending = new Map<number, Pending>();
  const ready = new Set<EncodingName>();
  /** Encodings the worker was asked to load, so that `warm` posts once per encoding. */
  const warming = new Set<EncodingName>();
  const local = createInThreadCounter(ready);

  /** Count requests made during this turn of the event loop, posted together. */
  let outbox: Array<{ id: number; encoding: EncodingName; items: string[][] }> = [];
  const post = (): void => {
    const requests = outbox;
    outbox = [];
    if (requests.length > 0) worker?.postMessage({ type: 'batch', requests });
  };

  const onReply = (reply: unknown): void => {
    if (!isReply(reply)) return;
    if (reply.type === 'loaded') {
      ready.add(reply.encoding);
      return;
    }
    if (reply.type === 'batch') {
      for (const one of reply.replies) onReply(one);
      return;
    }
    if (reply.id === undefined) return;
    const request = pending.get(reply.id);
    if (request === undefined) return;
    pending.delete(reply.id);
    if (pending.size === 0) worker?.unref();
    if (reply.type === 'counts') request.resolve(reply.counts);
    else request.reject(new Error(`Token counting failed: ${reply.message}`));
  };

  // Hands everything still waiting on the worker to this thread, oldest first, so the
  // order of answers is kept.
  const fallBack = (): void => {
    if (closing || mode === 'in-thread') return;
    mode = 'in-thread';
    const stuck = [...pending.entries()].sort(([a], [b]) => a - b);
    pending.clear();
    ready.clear();
    warming.clear();
    void worker?.terminate();
    worker = undefined;
    for (const [, request] of stuck) local.count(request.encoding, request.items).then(request.resolve, request.reject);
  };

  const start = (): void => {
    if (mode !== 'idle') return;
    if (workerUrl === false) {
      mode = 'in-thread';
      return;
    }
    try {
      // execArgv: [] keeps development loaders (tsx) out: the worker is plain JavaScript.
      worker = new Worker(workerUrl, { execArgv: [], resourceLimits: { maxYoungGenerationSizeMb: 4 } });
    } catch {
      mode = 'in-thread';
      return;
    }
    mode = 'worker';
    worker.on('message', onReply);
    worker.on('error', fallBack);
    worker.on('exit', fallBack);
    // After the listeners, which would take a reference again: an idle tokenizer must
    // not keep the process (or a test run) alive.
    worker.unref();
  };

  return {
    count(encoding, items) {
      if (closing) return Promise.reject(new Error('The token count service was closed.'));
      start();
      if (worker === undefined) return local.count(encoding, items);
      const id = nextId++;
      const sent = worker;
      // Referenced while answers are awaited, so that a script awaiting a count does
      // not exit under it; unreferenced when idle.
      if (pending.size === 0) sent.ref();
      return new Promise((resolve, reject) => {
        pending.set(id, { encoding, items, resolve, reject });
        // One message per turn of the event loop for every stream that asked: a message
        // costs tens of microseconds each way, a count of a prompt far less.
        if (outbox.push({ id, encoding, items }) === 1) setImmediate(post);
      });
    },
    warm(encoding) {
      if (closing) return;
      start();
      if (worker === undefined) local.warm(encoding);
      else if (!warming.has(encoding)) {
        warming.add(encoding);
        worker.postMessage({ type: 'load', encoding });
      }
    },
    isReady: (encoding) => ready.has(encoding),
    stats: () => ({ mode, inFlight: pending.size + local.inFlight(), inThreadLoads: local.loads() }),
    async close() {
      closing = true;
      const stopping = worker?.terminate();
      worker = undefined;
      for (const request of pending.values()) request.reject(new Error('The token count service was closed.'));
      pending.clear();
      await stopping;
    },
  };
}

/** The fallback: the tokenizer on this thread, requests answered strictly in order. */
function createInThreadCounter(ready: Set<EncodingName>) {
  const encoders = new Map<EncodingName, Promise<PieceEncoder>>();
  let queue: Promise<unknown> = Promise.resolve();
  let waiting = 0;
  let loads = 0;

  const encoderFor = (encoding: EncodingName): Promise<PieceEncoder> => {
    let encoder = encoders.get(encoding);
    if (encoder === undefined) {
      loads += 1;
      // A macrotask first, so the request that asked for the tokenizer gets its
      // response started before the loading blocks this thread.
      encoder = new Promise<void>((resolve) => setTimeout(resolve, 0))
        .then(() => import('./piece-encoder.mjs'))
        .then(({ loadPieceEncoder }) => loadPieceEncoder(encoding));
      encoders.set(encoding, encoder);
      encoder.then(() => ready.add(encoding), () => encoders.delete(encoding));
    }
    return encoder;
  };

  return {
    warm(encoding: EncodingName): void {
      encoderFor(encoding).catch(() => {});
    },
    count(encoding: EncodingName, items: string[][]): Promise<number[]> {
      waiting += 1;
      const answer = queue.then(async () => {
        const encoder = await encoderFor(encoding);
        return items.map((texts) => texts.reduce((sum, text) => sum + encoder.countText(text), 0));
      });
      const settled = answer.finally(() => (waiting -= 1));
      queue = settled.catch(() => {});
      return settled;
    },
    inFlight: () => waiting,
    loads: () => loads,
  };
}
