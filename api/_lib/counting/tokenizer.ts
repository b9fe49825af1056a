/**
 * Token counts for the stream functions: exact prompt tokens before the upstream call,
 * completion tokens as the answer streams.
 *
 * The tokenizer (an encoding's ranks as a 5 MB shared table, built in about 0.15 s for
 * o200k_base) is built by a worker thread on first use, never at import time, and then
 * counted against on this thread, so a cold start does not wait on it
 * and the event loop never blocks on it. See docs/token-counting.md.
 */
import { createCompletionCounters, type CompletionTokenCounter } from './completion-counter.js';
import { DEFAULT_ENCODING, type EncodingName } from './encoding-patterns.js';
import {
  createTokenCountService,
  type TokenCountServiceOptions,
  type TokenCountServiceStats,
} from './token-count-service.js';

export type { CompletionTokenCounter } from './completion-counter.js';
export type { EncodingName } from './encoding-patterns.js';

/** A chat message as far as counting goes. */
export interface CountableMessage {
  role: string;
  content: string;
}

/** OpenAI's per-message overhead (the chat markup around each message), as in its cookbook. */
export const TOKENS_PER_MESSAGE = 3;
/** Every reply is primed with `<|start|>assistant<|message|>`. */
export const REPLY_PRIMING_TOKENS = 3;

/** A tokenizer with its own count service; the module's functions share a default one. */
export interface Tokenizer {
  warm(encoding?: EncodingName): void;
  isReady(encoding?: EncodingName): boolean;
  countChatTokens(messages: ReadonlyArray<CountableMessage>, encoding?: EncodingName): Promise<number>;
  createCompletionCounter(encoding?: EncodingName): CompletionTokenCounter;
  stats(): TokenizerStats;
  /** Stops a load in progress (tests, graceful shutdown); later counts are refused. */
  close(): Promise<void>;
}

/** What a tokenizer holds, for tests and diagnostics. */
export interface TokenizerStats extends TokenCountServiceStats {
  /** Completion counters holding pieces until their encoding has loaded. */
  waitingCounters: number;
}

/**
 * Creates a tokenizer. Nothing loads until the first count or `warm`.
 * @example const tokenizer = createTokenizer({ workerUrl: false }); // build the table on this thread
 */
export function createTokenizer(options: TokenCountServiceOptions = {}): Tokenizer {
  const service = createTokenCountService(options);
  const counters = createCompletionCounters(service);
  return {
    warm: (encoding = DEFAULT_ENCODING) => service.warm(encoding),
    isReady: (encoding = DEFAULT_ENCODING) => service.isReady(encoding),
    async countChatTokens(messages, encoding = DEFAULT_ENCODING) {
      const texts = messages.flatMap((message) => [message.role, message.content]);
      const [tokens = 0] = await service.count(encoding, [texts]);
      return tokens + TOKENS_PER_MESSAGE * messages.length + REPLY_PRIMING_TOKENS;
    },
    createCompletionCounter: (encoding = DEFAULT_ENCODING) => counters.create(encoding),
    stats: () => ({ ...service.stats(), waitingCounters: counters.waiting() }),
    close: () => service.close(),
  };
}

let shared: Tokenizer | undefined;
const sharedTokenizer = (): Tokenizer => (shared ??= createTokenizer());

/** Starts loading the tokenizer in the background; never blocks. */
export function warmTokenizer(encoding: EncodingName = DEFAULT_ENCODING): void {
  sharedTokenizer().warm(encoding);
}

/** Whether `encoding` is loaded, so that counts come back without waiting for it. */
export function isTokenizerReady(encoding: EncodingName = DEFAULT_ENCODING): boolean {
  return sharedTokenizer().isReady(encoding);
}

/**
 * Exact prompt tokens of a chat: its roles and contents, plus OpenAI's overhead of 3
 * tokens per message and 3 for the reply's priming. Waits for the tokenizer to load;
 * rejects only if it cannot load at all.
 */
export function countChatTokens(
  messages: ReadonlyArray<CountableMessage>,
  encoding: EncodingName = DEFAULT_ENCODING,
): Promise<number> {
  return sharedTokenizer().countChatTokens(messages, encoding);
}

/**
 * An upper bound of {@link countChatTokens} that needs no tokenizer: byte-level BPE never
 * makes more tokens than UTF-8 bytes, so bytes plus the overhead bound the count.
 */
export function chatTokensUpperBound(messages: ReadonlyArray<CountableMessage>): number {
  let bound = REPLY_PRIMING_TOKENS;
  for (const message of messages) {
    bound += TOKENS_PER_MESSAGE + Buffer.byteLength(message.role, 'utf8') + Buffer.byteLength(message.content, 'utf8');
  }
  return bound;
}

/** Creates a counter for one streamed answer; disposing it frees everything it holds. */
export function createCompletionCounter(encoding: EncodingName = DEFAULT_ENCODING): CompletionTokenCounter {
  return sharedTokenizer().createCompletionCounter(encoding);
}

/** What the shared tokenizer holds (mode, requests in flight, counters waiting). */
export function tokenizerStats(): TokenizerStats {
  return sharedTokenizer().stats();
}
