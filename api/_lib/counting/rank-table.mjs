// Plain JavaScript on purpose, like piece-encoder.mjs: the tokenizer worker imports it
// and must run as is under plain Node (on Vercel) as well as under tsx and vitest.
// Types live in `rank-table.d.mts`.

/**
 * An encoding's byte-pair ranks (byte sequence → rank) as one open-addressing hash
 * table in a SharedArrayBuffer: about 5 MB for o200k_base's 200,000 tokens, where
 * js-tiktoken's `Map` of comma-joined strings takes over 100 MB. Built once, in the
 * tokenizer worker, then read by the main thread with no copy and no messages.
 *
 * Layout (32-bit little-endian integers, then bytes):
 *   header   [slotMask, entryCount, keyBytes, 0]
 *   slots    slotMask + 1 entries: entry index + 1, 0 = empty (linear probing)
 *   offsets  entryCount + 1 entries: where each key starts in the key bytes
 *   ranks    entryCount entries
 *   keys     keyBytes bytes
 */

const HEADER_INTS = 4;
const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 16777619;

/**
 * Loads an encoding's ranks from js-tiktoken and builds its table (about 0.2 s for
 * o200k_base, blocking: call it in the tokenizer worker, or in-thread only as the
 * fallback).
 *
 * @param {'o200k_base' | 'cl100k_base'} encoding
 * @returns {Promise<{ buffer: SharedArrayBuffer, pattern: string }>}
 */
export async function loadRankTable(encoding) {
  // Static specifiers, so that bundlers and Vercel's file tracing see both files.
  const ranks =
    encoding === 'cl100k_base'
      ? (await import('js-tiktoken/ranks/cl100k_base')).default
      : (await import('js-tiktoken/ranks/o200k_base')).default;
  return { buffer: buildRankTable(ranks.bpe_ranks), pattern: ranks.pat_str };
}

/**
 * Builds the table from js-tiktoken's compressed ranks: lines of
 * `<prefix> <first rank> <base64 token> <base64 token> …`, ranks consecutive.
 *
 * @param {string} bpeRanks
 * @returns {SharedArrayBuffer}
 */
export function buildRankTable(bpeRanks) {
  /** @type {Uint8Array[]} */
  const keys = [];
  /** @type {number[]} */
  const ranks = [];
  let keyBytes = 0;
  for (const line of bpeRanks.split('\n')) {
    if (line === '') continue;
    const fields = line.split(' ');
    const first = Number.parseInt(fields[1] ?? '', 10);
    for (let i = 2; i < fields.length; i++) {
      const key = Buffer.from(fields[i] ?? '', 'base64');
      keys.push(key);
      ranks.push(first + i - 2);
      keyBytes += key.length;
    }
  }
  const entries = keys.length;
  // At most half full, so that a probe for a missing key stops after a step or two.
  let slots = 1;
  while (slots < entries * 2) slots *= 2;
  const ints = HEADER_INTS + slots + entries + 1 + entries;
  const buffer = new SharedArrayBuffer(ints * 4 + keyBytes);
  const view = views(buffer, slots, entries);
  view.header.set([slots - 1, entries, keyBytes, 0]);
  let at = 0;
  for (let e = 0; e < entries; e++) {
    const key = /** @type {Uint8Array} */ (keys[e]);
    view.offsets[e] = at;
    view.keys.set(key, at);
    at += key.length;
  }
  view.offsets[entries] = at;
  const table = new RankTable(buffer);
  for (let e = 0; e < entries; e++) table.insert(e, /** @type {number} */ (ranks[e]));
  return buffer;
}

/** Read access to a table built by {@link buildRankTable}. */
export class RankTable {
  /** @param {SharedArrayBuffer} buffer */
  constructor(buffer) {
    const header = new Int32Array(buffer, 0, HEADER_INTS);
    const mask = header[0] ?? 0;
    const entries = header[1] ?? 0;
    const view = views(buffer, mask + 1, entries);
    this.mask = mask;
    this.slots = view.slots;
    this.offsets = view.offsets;
    this.ranks = view.ranks;
    this.keys = view.keys;
  }

  /** Number of tokens in the table. */
  get size() {
    return this.ranks.length;
  }

  /**
   * The rank of `bytes[start..end)`, or -1 when it is not a token.
   *
   * @param {Uint8Array} bytes
   * @param {number} start
   * @param {number} end
   */
  rank(bytes, start, end) {
    const { slots, mask } = this;
    for (let slot = hash(bytes, start, end) & mask; ; slot = (slot + 1) & mask) {
      const entry = slots[slot] ?? 0;
      if (entry === 0) return -1;
      if (this.#holds(entry, bytes, start, end)) return this.ranks[entry - 1] ?? -1;
    }
  }

  /**
   * Adds entry `e` (its key already in place) with `rank`. A key seen before points at
   * the later entry, as js-tiktoken's loader keeps the later rank.
   *
   * @param {number} e
   * @param {number} rank
   */
  insert(e, rank) {
    const { slots, offsets, keys, mask } = this;
    this.ranks[e] = rank;
    const from = offsets[e] ?? 0;
    const to = offsets[e + 1] ?? 0;
    for (let slot = hash(keys, from, to) & mask; ; slot = (slot + 1) & mask) {
      const entry = slots[slot] ?? 0;
      if (entry === 0 || this.#holds(entry, keys, from, to)) {
        slots[slot] = e + 1;
        return;
      }
    }
  }

  /**
   * Whether table entry `entry - 1` has the key `bytes[start..end)`.
   *
   * @param {number} entry
   * @param {Uint8Array} bytes
   * @param {number} start
   * @param {number} end
   */
  #holds(entry, bytes, start, end) {
    const { offsets, keys } = this;
    const from = offsets[entry - 1] ?? 0;
    const length = end - start;
    if ((offsets[entry] ?? 0) - from !== length) return false;
    for (let i = 0; i < length; i++) if (keys[from + i] !== bytes[start + i]) return false;
    return true;
  }
}

/**
 * FNV-1a over `bytes[start..end)`.
 *
 * @param {Uint8Array} bytes
 * @param {number} start
 * @param {number} end
 */
function hash(bytes, start, end) {
  let h = FNV_OFFSET;
  for (let i = start; i < end; i++) {
    h ^= bytes[i] ?? 0;
    h = Math.imul(h, FNV_PRIME);
  }
  return h >>> 0;
}

/**
 * @param {SharedArrayBuffer} buffer
 * @param {number} slots
 * @param {number} entries
 */
function views(buffer, slots, entries) {
  let at = 0;
  const ints = (/** @type {number} */ n) => {
    const view = new Int32Array(buffer, at, n);
    at += n * 4;
    return view;
  };
  const header = ints(HEADER_INTS);
  const slotView = ints(slots);
  const offsets = ints(entries + 1);
  const ranks = ints(entries);
  return { header, slots: slotView, offsets, ranks, keys: new Uint8Array(buffer, at) };
}
