import type { Tiktoken } from 'js-tiktoken/lite';

/** Exact token counts for one encoding (special-token text is counted as plain text). */
export interface PieceEncoder {
  /** The encoding's pre-tokenizer regex source (tiktoken's `pat_str`), used with `gu`. */
  readonly pattern: string;
  /** Tokens of one pre-tokenizer piece (a single regex match). */
  countPiece(piece: string): number;
  /** Tokens of any text: equals `tiktoken.encode(text, [], []).length`. */
  countText(text: string): number;
}

/** Loads an encoding's ranks (about 0.5 s and 130 MiB for o200k_base, blocking) and builds its encoder. */
export function loadPieceEncoder(encoding: 'o200k_base' | 'cl100k_base'): Promise<PieceEncoder>;

/** Builds an encoder over an existing Tiktoken instance and its pre-tokenizer pattern. */
export function createPieceEncoder(tiktoken: Tiktoken, pattern: string): PieceEncoder;
