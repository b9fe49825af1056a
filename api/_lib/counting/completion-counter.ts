import { PRE_TOKENIZER_PATTERNS, type EncodingName } from './encoding-patterns.js';
import { LONG_TAIL_UNITS, createPieceSplitter, type PieceSplitter } from './token-counter.js';
import type { PieceEncoder } from './piece-encoder.mjs';
import type { TokenCountService } from './token-count-service.js';

/** Counts the tokens of one streamed answer. */
export interface CompletionTokenCounter {
  /** Adds a delta of the answer: its finished pieces are counted at once (cached lookups, mostly). */
  push(delta: string): void;
  /**
   * Exact tokens of everything pushed so far (waits for the tokenizer). Never rejects:
   * if the tokenizer cannot count, it resolves to {@link estimate}.
   */
  count(): Promise<number>;
  /** The best figure now: exact once the tokenizer has loaded (unless the last piece is very long), else a close estimate. */
  estimate(): number;
  /** Frees the stream's state; pushes after it are ignored. Safe to call twice. */
  dispose(): void;
}

/** Creates counters that share one count service. */
export interface CompletionCounters {
  create(encoding: EncodingName): CompletionTokenCounter;
  /** Counters holding pieces until their encoding has loaded. */
  waiting(): number;
}

/** About four characters per token in English; the tail is a few characters long. */
const guessTokens = (text: string): number => Math.ceil(text.length / 4);

/** Stands in for a disposed stream's splitter, so that its text can be collected. */
const DISPOSED: PieceSplitter = { push: () => [], tail: () => '', scannedUnits: () => 0 };

/** Creates the counters for one count service. */
export function createCompletionCounters(service: TokenCountService): CompletionCounters {
  const waiting = new Set<StreamCounter>();
  return {
    create(encoding) {
      service.warm(encoding);
      return new StreamCounter(service, encoding, waiting);
    },
    waiting: () => waiting.size,
  };
}

/**
 * One answer's count. Finished pieces are counted as they come once the encoding has
 * loaded (before that they wait here: at most the text that arrives while it loads), so
 * the stream holds a number, a short tail and nothing else.
 */
class StreamCounter implements CompletionTokenCounter {
  readonly #service: TokenCountService;
  readonly #encoding: EncodingName;
  readonly #waiting: Set<StreamCounter>;
  #splitter: PieceSplitter;
  /** Tokens of the finished pieces counted so far. */
  #counted = 0;
  /** Finished pieces not yet counted: they wait here only while the encoding loads. */
  #unsent: string[] = [];
  /** Pieces taken as one token each because the tokenizer could not load. */
  #guessed = 0;
  /** Set by `dispose`: the figure every later call returns. */
  #final: number | undefined;

  constructor(service: TokenCountService, encoding: EncodingName, waiting: Set<StreamCounter>) {
    this.#service = service;
    this.#encoding = encoding;
    this.#waiting = waiting;
    this.#splitter = createPieceSplitter(PRE_TOKENIZER_PATTERNS[encoding]);
  }

  push(delta: string): void {
    if (this.#final !== undefined || delta === '') return;
    for (const piece of this.#splitter.push(delta)) this.#unsent.push(piece);
    this.#catchUp();
  }

  estimate(): number {
    if (this.#final !== undefined) return this.#final;
    const encoder = this.#catchUp();
    const tail = this.#splitter.tail();
    const known = this.#counted + this.#guessed;
    // A tail past LONG_TAIL_UNITS (one unbroken run of letters) is merged only by count().
    if (encoder && tail.length < LONG_TAIL_UNITS) return known + encoder.countText(tail);
    // Every piece is at least one token, and most ordinary pieces are exactly one.
    return known + this.#unsent.length + guessTokens(tail);
  }

  /** The text as it is when called, if the encoding is loaded; else as it is once loaded. */
  async count(): Promise<number> {
    if (this.#final !== undefined) return this.#final;
    if (!this.#service.isReady(this.#encoding)) {
      try {
        await this.#service.ready(this.#encoding);
      } catch {
        return this.estimate();
      }
      if (this.#final !== undefined) return this.#final;
    }
    const encoder = this.#catchUp();
    return this.#counted + this.#guessed + (encoder ? encoder.countText(this.#splitter.tail()) : guessTokens(this.#splitter.tail()));
  }

  dispose(): void {
    if (this.#final !== undefined) return;
    this.#final = this.estimate();
    this.#unsent = [];
    this.#waiting.delete(this);
    this.#splitter = DISPOSED;
  }

  /**
   * Counts the pieces not yet counted, if the encoding is there (or takes them as one
   * token each if it cannot load); otherwise they wait. Returns the encoder, or undefined
   * while it loads.
   */
  #catchUp(): PieceEncoder | undefined {
    const encoder = this.#service.encoder(this.#encoding);
    const unsent = this.#unsent;
    if (unsent.length === 0) return encoder;
    if (encoder) for (const piece of unsent) this.#counted += encoder.countPiece(piece);
    else if (this.#service.failed(this.#encoding)) this.#guessed += unsent.length;
    else {
      this.#waiting.add(this);
      return undefined;
    }
    unsent.length = 0;
    this.#waiting.delete(this);
    return encoder;
  }
}

/**
 * The most output tokens an answer may reach, by the server's count, before the server
 * stops an upstream that ignores `max_tokens`: the request's `maxTokens` plus a margin
 * for the difference between our tokenizer and the provider's (half as much again, and
 * 32 tokens). Also the largest completion count a provider may report and be believed.
 */
export function completionTokenBound(maxTokens: number): number {
  return Math.ceil(maxTokens * 1.5) + 32;
}
