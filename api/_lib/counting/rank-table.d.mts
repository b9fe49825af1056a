/** An encoding's byte-pair ranks in shared memory (see rank-table.mjs). */
export declare class RankTable {
  constructor(buffer: SharedArrayBuffer);
  /** Number of tokens in the table. */
  readonly size: number;
  /** The rank of `bytes[start..end)`, or -1 when it is not a token. */
  rank(bytes: Uint8Array, start: number, end: number): number;
  /** Adds entry `e` with `rank` while the table is built. */
  insert(e: number, rank: number): void;
}

/** Builds the table from js-tiktoken's compressed `bpe_ranks`. */
export function buildRankTable(bpeRanks: string): SharedArrayBuffer;

/** Loads an encoding's ranks and builds its table (blocking, about 0.2 s for o200k_base). */
export function loadRankTable(encoding: 'o200k_base' | 'cl100k_base'): Promise<{ buffer: SharedArrayBuffer; pattern: string }>;
