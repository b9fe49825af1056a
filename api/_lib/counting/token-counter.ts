/**
 * Incremental token counting of streamed text, exact at every step.
 *
 * tiktoken splits text into pieces with a pre-tokenizer regex and byte-pair encodes
 * each piece on its own, so count(text) is the sum over pieces. Appending text can only
 * change the last two pieces (see docs/token-counting.md for why), so the counter keeps
 * the pieces before them as a committed number and re-matches only a short tail.
 * Pure and synchronous; the tokenizer itself is passed in.
 */

/** What the counter needs from a tokenizer. */
export interface TokenEncoder {
  /** The pre-tokenizer regex source (tiktoken's `pat_str`), compiled with `gu`. */
  readonly pattern: string;
  /** Tokens of `text`, as `tiktoken.encode(text, [], []).length`. */
  countText(text: string): number;
}

/** Splits streamed text into pre-tokenizer pieces as soon as they are final. */
export interface PieceSplitter {
  /** Appends `delta`; returns the pieces that became final (no later text can change them). */
  push(delta: string): string[];
  /** Everything pushed and not yet returned as a final piece: starts on a piece boundary. */
  tail(): string;
  /** Code units the regex has matched over so far (a deterministic measure of work). */
  scannedUnits(): number;
}

/** Counts the tokens of streamed text. */
export interface TokenCounter {
  push(delta: string): void;
  /** Exactly `encode(everything pushed).length`. Costs the tail's length, not the text's. */
  count(): number;
}

/**
 * Past this length the tail is re-matched only when it has doubled since the last
 * match, so that one unbroken piece (10 KB of letters) costs amortised O(1) per
 * character instead of O(length) per delta. Ordinary tails (two pieces) are far shorter.
 * @default 256
 */
export const LONG_TAIL_UNITS = 256;

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;

const regexes = new Map<string, RegExp>();
/**
 * One compiled regex per pattern for every splitter: a scan runs synchronously from
 * `lastIndex = 0` to the end, so splitters can share it, and a live stream then holds
 * no regex of its own (the compiled o200k pattern is several kilobytes).
 */
function sharedRegex(pattern: string): RegExp {
  let regex = regexes.get(pattern);
  if (regex === undefined) regexes.set(pattern, (regex = new RegExp(pattern, 'gu')));
  return regex;
}

/**
 * Creates a splitter for one pre-tokenizer pattern.
 *
 * A high surrogate at the end of a delta is held back until the next delta: with its
 * low surrogate it forms one code point whose class (letter, symbol) can differ, so the
 * text before it must not be judged final yet. `tail()` still includes it.
 */
export function createPieceSplitter(pattern: string): PieceSplitter {
  return new Splitter(sharedRegex(pattern));
}

/** A class rather than closures: an open stream holds one small object, not a scope and three functions. */
class Splitter implements PieceSplitter {
  readonly #regex: RegExp;
  #tail = '';
  #held = '';
  #lengthAtLastScan = 0;
  #scanned = 0;

  constructor(regex: RegExp) {
    this.#regex = regex;
  }

  push(delta: string): string[] {
    if (delta === '') return [];
    let text = this.#held + delta;
    this.#held = '';
    if (isHighSurrogate(text.charCodeAt(text.length - 1))) {
      this.#held = text.slice(-1);
      text = text.slice(0, -1);
    }
    this.#tail += text;
    if (this.#tail.length < LONG_TAIL_UNITS || this.#tail.length >= 2 * this.#lengthAtLastScan) return this.#scan();
    return [];
  }

  tail(): string {
    return this.#tail + this.#held;
  }

  scannedUnits(): number {
    return this.#scanned;
  }

  #scan(): string[] {
    const regex = this.#regex;
    const tail = this.#tail;
    this.#scanned += tail.length;
    const pieces: string[] = [];
    const starts: number[] = [];
    regex.lastIndex = 0;
    for (let match = regex.exec(tail); match !== null; match = regex.exec(tail)) {
      if (match[0] === '') {
        regex.lastIndex += 1;
        continue;
      }
      pieces.push(match[0]);
      starts.push(match.index);
    }
    const keepFrom = starts[pieces.length - 2];
    if (keepFrom === undefined) {
      this.#lengthAtLastScan = tail.length;
      return [];
    }
    this.#tail = tail.slice(keepFrom);
    this.#lengthAtLastScan = this.#tail.length;
    return pieces.slice(0, -2);
  }
}

/** Creates an exact incremental counter over a synchronous encoder. */
export function createTokenCounter(encoder: TokenEncoder): TokenCounter {
  const splitter = createPieceSplitter(encoder.pattern);
  let committed = 0;
  return {
    push(delta) {
      for (const piece of splitter.push(delta)) committed += encoder.countText(piece);
    },
    count: () => committed + encoder.countText(splitter.tail()),
  };
}
