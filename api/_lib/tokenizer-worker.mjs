// The tokenizer's worker thread: owns the loaded encodings (about 130 MiB and half a
// second of CPU for o200k_base) so that loading never blocks the main thread.
//
// Plain JavaScript so that it runs unchanged under plain Node on Vercel and under tsx or
// vitest in development. Stateless per stream: every request carries the texts to count
// and gets sums back, so there is nothing to clean up when a stream ends.
//
// Messages in:  { type: 'load', encoding }
//               { type: 'count', id, encoding, items: string[][] }
//               { type: 'batch', requests: Array<{ id, encoding, items }> }
// Messages out: { type: 'loaded', encoding, ms }
//               { type: 'counts', id, counts: number[] }   (one sum per item)
//               { type: 'failed', id?, encoding, message }
//               { type: 'batch', replies: Array<counts | failed> }   (answers a batch, in order)
import { parentPort } from 'node:worker_threads';
import { loadPieceEncoder } from './piece-encoder.mjs';

if (parentPort === null) throw new Error('tokenizer-worker.mjs must run as a worker thread');
const port = parentPort;

/** @type {Map<string, Promise<import('./piece-encoder.d.mts').PieceEncoder>>} */
const encoders = new Map();

/** @param {'o200k_base' | 'cl100k_base'} encoding */
function encoderFor(encoding) {
  let encoder = encoders.get(encoding);
  if (encoder === undefined) {
    const started = performance.now();
    encoder = loadPieceEncoder(encoding);
    encoders.set(encoding, encoder);
    encoder.then(
      () => port.postMessage({ type: 'loaded', encoding, ms: performance.now() - started }),
      (error) => port.postMessage({ type: 'failed', encoding, message: String(error) }),
    );
  }
  return encoder;
}

/**
 * @typedef {{ id: number, encoding: 'o200k_base' | 'cl100k_base', items?: string[][] }} CountRequest
 * @param {CountRequest} request
 */
async function count(request) {
  try {
    const encoder = await encoderFor(request.encoding);
    const counts = (request.items ?? []).map((texts) => texts.reduce((sum, text) => sum + encoder.countText(text), 0));
    return { type: 'counts', id: request.id, counts };
  } catch (error) {
    return { type: 'failed', id: request.id, encoding: request.encoding, message: String(error) };
  }
}

/** @param {{ type: string, encoding: 'o200k_base' | 'cl100k_base', requests?: CountRequest[] } & CountRequest} message */
async function handle(message) {
  if (message.type === 'load') {
    await encoderFor(message.encoding).catch(() => {});
    return;
  }
  if (message.type === 'count') port.postMessage(await count(message));
  if (message.type !== 'batch') return;
  const replies = [];
  for (const request of message.requests ?? []) replies.push(await count(request));
  port.postMessage({ type: 'batch', replies });
}

// One message at a time, so that answers come back in the order requests were made:
// the main thread relies on it to pair a stream's committed pieces with its tail.
let queue = Promise.resolve();
port.on('message', (message) => {
  queue = queue.then(() => handle(message));
});
