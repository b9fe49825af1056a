import type { RankTable } from './rank-table.mjs';

/** Exact token counts for one encoding (special-token text is counted as plain text). */
export interface PieceEncoder {
  /** The encoding's pre-tokenizer regex source (tiktoken's `pat_str`), used with `gu`. */
  readonly pattern: string;
  /** Tokens of one pre-tokenizer piece (a single regex match). */
  countPiece(piece: string): number;
  /** Tokens of any text: equals `tiktoken.encode(text, [], []).length`. */
  countText(text: string): number;
}

/** Loads an encoding's ranks and builds its table and encoder on this thread (blocking, about 0.2 s for o200k_base). */
export function loadPieceEncoder(encoding: 'o200k_base' | 'cl100k_base'): Promise<PieceEncoder>;

/** Builds an encoder over a rank table and the encoding's pre-tokenizer pattern. */
export function createPieceEncoder(table: RankTable, pattern: string): PieceEncoder;
