// The tokenizer's loader thread: builds one encoding's rank table (rank-table.mjs) off
// the main thread, hands it over as a SharedArrayBuffer (shared, not copied) and ends.
// The main thread then counts against the table itself: no message per count, and
// none of js-tiktoken's loading garbage (or a second heap) stays behind.
//
// Plain JavaScript so that it runs unchanged under plain Node on Vercel and under tsx or
// vitest in development.
//
// workerData:   { encoding }
// Message out:  { type: 'table', encoding, buffer: SharedArrayBuffer, pattern, ms }
//               { type: 'failed', encoding, message }
import { parentPort, workerData } from 'node:worker_threads';
import { loadRankTable } from './rank-table.mjs';

if (parentPort === null) throw new Error('tokenizer-worker.mjs must run as a worker thread');
const port = parentPort;
/** @type {'o200k_base' | 'cl100k_base'} */
const encoding = workerData?.encoding === 'cl100k_base' ? 'cl100k_base' : 'o200k_base';

const started = performance.now();
try {
  const { buffer, pattern } = await loadRankTable(encoding);
  port.postMessage({ type: 'table', encoding, buffer, pattern, ms: performance.now() - started });
} catch (error) {
  port.postMessage({ type: 'failed', encoding, message: String(error) });
}
