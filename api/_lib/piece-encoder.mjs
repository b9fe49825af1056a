// Plain JavaScript on purpose: the tokenizer worker (`tokenizer-worker.mjs`) imports this
// file, and a worker script must run as is under plain Node (on Vercel, after the
// TypeScript build) as well as under tsx and vitest. Types live in `piece-encoder.d.mts`.
import { Tiktoken } from 'js-tiktoken/lite';

/**
 * Loads an encoding's ranks and builds its piece encoder. Costs about half a second
 * and 130 MiB for o200k_base, blocking the thread that calls it: call it in the
 * tokenizer worker, or in-thread only as the fallback.
 *
 * @param {'o200k_base' | 'cl100k_base'} encoding
 * @returns {Promise<import('./piece-encoder.d.mts').PieceEncoder>}
 */
export async function loadPieceEncoder(encoding) {
  // Static specifiers, so that bundlers and Vercel's file tracing see both files.
  const ranks =
    encoding === 'cl100k_base'
      ? (await import('js-tiktoken/ranks/cl100k_base')).default
      : (await import('js-tiktoken/ranks/o200k_base')).default;
  return createPieceEncoder(new Tiktoken(ranks), ranks.pat_str);
}

/**
 * Counts tokens exactly as `tiktoken.encode(text, [], []).length` does, with the same
 * ranks, but merges long pieces with a heap: js-tiktoken's merge loop is quadratic in
 * the piece's length (a 10 KB run of letters takes seconds), which would let one
 * pathological prompt stall the tokenizer.
 *
 * @param {Tiktoken} tiktoken
 * @param {string} pattern the encoding's pre-tokenizer regex (`pat_str`)
 * @returns {import('./piece-encoder.d.mts').PieceEncoder}
 */
export function createPieceEncoder(tiktoken, pattern) {
  const regex = new RegExp(pattern, 'gu');
  const utf8 = new TextEncoder();
  // `rankMap` is internal to js-tiktoken (keys are the bytes joined by commas); if a
  // later version drops it, fall back to the public, slower encode.
  const rankMap = Reflect.get(tiktoken, 'rankMap');
  const ranks = rankMap instanceof Map ? rankMap : undefined;

  // Natural text repeats its pieces (" the", " and", "ing"): a bounded cache of piece →
  // count skips the byte-pair merge for most of them. Cleared whole when full, which
  // keeps it simple and its memory bounded (~2 MB).
  /** @type {Map<string, number>} */
  const cache = new Map();
  const CACHE_LIMIT = 20_000;

  /** @param {string} piece */
  function countPiece(piece) {
    const cached = cache.get(piece);
    if (cached !== undefined) return cached;
    const count = countUncached(piece);
    if (piece.length <= 64) {
      if (cache.size >= CACHE_LIMIT) cache.clear();
      cache.set(piece, count);
    }
    return count;
  }

  /** @param {string} piece */
  function countUncached(piece) {
    if (ranks === undefined) return tiktoken.encode(piece, [], []).length;
    const bytes = utf8.encode(piece);
    if (bytes.length <= 1 || ranks.has(bytes.join(','))) return bytes.length === 0 ? 0 : 1;
    return mergedPartCount(bytes, ranks);
  }

  /** @param {string} text */
  function countText(text) {
    let total = 0;
    regex.lastIndex = 0;
    for (let match = regex.exec(text); match !== null; match = regex.exec(text)) {
      if (match[0] === '') {
        regex.lastIndex += 1;
        continue;
      }
      total += countPiece(match[0]);
    }
    return total;
  }

  return { pattern, countPiece, countText };
}

const POSITION_SPAN = 2 ** 32;

/**
 * Byte-pair merge of one piece, returning how many tokens it becomes. Same rule as
 * tiktoken (repeatedly merge the adjacent pair of lowest rank, leftmost on ties), in
 * O(n log n): heap keys are `rank * 2^32 + start`, so the heap's minimum is the lowest
 * rank and, among equals, the leftmost pair. Stale entries are recognised on pop by
 * recomputing the pair's rank.
 *
 * @param {Uint8Array} bytes
 * @param {Map<string, number>} ranks
 */
function mergedPartCount(bytes, ranks) {
  const n = bytes.length;
  const next = new Int32Array(n);
  const prev = new Int32Array(n);
  const alive = new Uint8Array(n).fill(1);
  for (let i = 0; i < n; i++) {
    next[i] = i + 1;
    prev[i] = i - 1;
  }
  /** @param {number} i */
  const pairRank = (i) => {
    const j = next[i] ?? n;
    if (j >= n) return -1;
    return ranks.get(bytes.subarray(i, next[j] ?? n).join(',')) ?? -1;
  };
  const heap = new MinHeap();
  for (let i = 0; i < n - 1; i++) {
    const rank = pairRank(i);
    if (rank >= 0) heap.push(rank * POSITION_SPAN + i);
  }
  let parts = n;
  while (heap.size > 0) {
    const key = heap.pop();
    const rank = Math.floor(key / POSITION_SPAN);
    const i = key - rank * POSITION_SPAN;
    if (alive[i] === 0 || pairRank(i) !== rank) continue;
    const j = next[i] ?? n;
    const after = next[j] ?? n;
    alive[j] = 0;
    next[i] = after;
    if (after < n) prev[after] = i;
    parts -= 1;
    const merged = pairRank(i);
    if (merged >= 0) heap.push(merged * POSITION_SPAN + i);
    const before = prev[i] ?? -1;
    if (before >= 0) {
      const left = pairRank(before);
      if (left >= 0) heap.push(left * POSITION_SPAN + before);
    }
  }
  return parts;
}

/** A binary min-heap of numbers. */
class MinHeap {
  /** @type {number[]} */
  items = [];

  get size() {
    return this.items.length;
  }

  /** @param {number} value */
  push(value) {
    const items = this.items;
    let i = items.length;
    items.push(value);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const up = items[parent] ?? 0;
      if (up <= value) break;
      items[i] = up;
      i = parent;
    }
    items[i] = value;
  }

  /** @returns {number} */
  pop() {
    const items = this.items;
    const top = items[0] ?? 0;
    const last = items.pop() ?? 0;
    const n = items.length;
    if (n === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && (items[right] ?? 0) < (items[left] ?? 0) ? right : left;
      const down = items[child] ?? 0;
      if (down >= last) break;
      items[i] = down;
      i = child;
    }
    items[i] = last;
    return top;
  }
}
