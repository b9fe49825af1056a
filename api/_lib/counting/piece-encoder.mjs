// Plain JavaScript on purpose: the tokenizer's fallback path imports this file under
// plain Node (on Vercel, after the TypeScript build) as well as under tsx and vitest.
// Types live in `piece-encoder.d.mts`.
import { RankTable, loadRankTable } from './rank-table.mjs';

/**
 * Loads an encoding's ranks and builds its rank table and encoder on this thread
 * (about 0.2 s for o200k_base, blocking): the fallback when the tokenizer worker cannot
 * run. Normally the worker builds the table and the main thread only wraps it.
 *
 * @param {'o200k_base' | 'cl100k_base'} encoding
 * @returns {Promise<import('./piece-encoder.d.mts').PieceEncoder>}
 */
export async function loadPieceEncoder(encoding) {
  const { buffer, pattern } = await loadRankTable(encoding);
  return createPieceEncoder(new RankTable(buffer), pattern);
}

/**
 * Counts tokens exactly as `tiktoken.encode(text, [], []).length` does, with the same
 * ranks, but looks pairs up in the shared rank table without building strings, and
 * merges long pieces with a heap: js-tiktoken's merge loop is quadratic in the piece's
 * length (a 10 KB run of letters takes seconds), which would let one pathological
 * prompt stall the thread that counts.
 *
 * @param {RankTable} table
 * @param {string} pattern the encoding's pre-tokenizer regex (`pat_str`)
 * @returns {import('./piece-encoder.d.mts').PieceEncoder}
 */
export function createPieceEncoder(table, pattern) {
  const regex = new RegExp(pattern, 'gu');
  const utf8 = new TextEncoder();
  /** Reused for every piece: counting is synchronous, one piece at a time. */
  let scratch = new Uint8Array(256);

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
    // A UTF-16 code unit never takes more than 3 bytes of UTF-8.
    if (scratch.length < piece.length * 3) scratch = new Uint8Array(piece.length * 3);
    const n = utf8.encodeInto(piece, scratch).written;
    if (n <= 1 || table.rank(scratch, 0, n) >= 0) return n === 0 ? 0 : 1;
    return mergedPartCount(scratch, n, table);
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
 * @param {Uint8Array} bytes the piece's UTF-8 in `bytes[0..n)`
 * @param {number} n
 * @param {RankTable} table
 */
function mergedPartCount(bytes, n, table) {
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
    return table.rank(bytes, i, next[j] ?? n);
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
