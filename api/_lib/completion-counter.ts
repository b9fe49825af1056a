import { PRE_TOKENIZER_PATTERNS, type EncodingName } from './encoding-patterns.js';
import { LONG_TAIL_UNITS, createPieceSplitter, type PieceSplitter } from './token-counter.js';
import type { TokenCountService } from './token-count-service.js';

/** Counts the tokens of one streamed answer. */
export interface CompletionTokenCounter {
  /** Adds a delta of the answer. Cheap: splits pieces on this thread, counts them elsewhere. */
  push(delta: string): void;
  /**
   * Exact tokens of everything pushed so far (waits for the tokenizer). Never rejects:
   * if the tokenizer cannot count, it resolves to {@link estimate}.
   */
  count(): Promise<number>;
  /** The best figure now: exact when the tokenizer has caught up, else a close estimate. */
  estimate(): number;
  /** Frees the stream's state; pushes after it are ignored. Safe to call twice. */
  dispose(): void;
}

/** Creates counters that share one count service and one batching timer. */
export interface CompletionCounters {
  create(encoding: EncodingName): CompletionTokenCounter;
  /** Counters with pieces waiting for the next batch. */
  waiting(): number;
}

/**
 * How often pieces are sent for counting, batched over every live stream: one message
 * per interval instead of one per token.
 * @default 25
 */
export const FLUSH_INTERVAL_MS = 25;

interface Stream {
  encoding: EncodingName;
  splitter: PieceSplitter;
  /** Final pieces not yet sent. */
  unsent: string[];
  /** Final pieces sent and not yet counted. */
  sent: number;
  /** Tokens of the final pieces counted so far. */
  counted: number;
  /** Bumped by every push, to tell whether the last tail count is current. */
  version: number;
  tail: { version: number; tokens: number } | undefined;
  /** A batch failed, so `counted` misses pieces: only estimates from now on. */
  broken: boolean;
  /** Set by `dispose`: the figure every later call returns. */
  final: number | undefined;
}

/** About four characters per token in English; the tail is a few characters long. */
const guessTokens = (text: string): number => Math.ceil(text.length / 4);

/** Stands in for a disposed stream's splitter, so that its text can be collected. */
const DISPOSED: PieceSplitter = { push: () => [], tail: () => '', scannedUnits: () => 0 };

const groupByEncoding = (streams: Stream[]): Array<[EncodingName, Array<{ stream: Stream; index: number }>]> => {
  const groups = new Map<EncodingName, Array<{ stream: Stream; index: number }>>();
  streams.forEach((stream, index) => {
    const group = groups.get(stream.encoding) ?? [];
    group.push({ stream, index });
    groups.set(stream.encoding, group);
  });
  return [...groups];
};

/** Creates the counters for one count service. */
export function createCompletionCounters(service: TokenCountService): CompletionCounters {
  const dirty = new Set<Stream>();
  let timer: ReturnType<typeof setTimeout> | undefined;

  // Sends the streams' final pieces (and, when asked or short, their tails) in one
  // request per encoding. Answers come back in request order, so when a stream's answer
  // arrives, `counted` covers exactly the pieces before the tail it measured; the total
  // is taken right then, before any later answer lands. Resolves, per stream, to that
  // exact total, or undefined when the tail was not measured or the request failed.
  const send = (streams: Stream[], withLongTails: boolean): Promise<Array<number | undefined>> => {
    const totals: Array<number | undefined> = streams.map(() => undefined);
    const requests = groupByEncoding(streams).map(([encoding, group]) => {
      const batches = group.map(({ stream, index }) => {
        const pieces = stream.unsent;
        stream.unsent = [];
        stream.sent += pieces.length;
        const tail = stream.splitter.tail();
        const measured = withLongTails || tail.length < LONG_TAIL_UNITS;
        return { stream, index, pieces, tail: measured ? tail : undefined, version: stream.version };
      });
      const items = batches.flatMap((batch) => [batch.pieces, batch.tail === undefined ? [] : [batch.tail]]);
      return service.count(encoding, items).then(
        (counts) =>
          batches.forEach(({ stream, index, pieces, tail, version }, i) => {
            stream.sent -= pieces.length;
            stream.counted += counts[2 * i] ?? 0;
            if (tail === undefined) return;
            stream.tail = { version, tokens: counts[2 * i + 1] ?? 0 };
            totals[index] = stream.counted + stream.tail.tokens;
          }),
        () =>
          batches.forEach(({ stream }) => {
            // `sent` keeps these pieces, now counted at one token each by estimates.
            stream.broken = true;
            stream.sent += stream.unsent.length;
            stream.unsent = [];
            dirty.delete(stream);
          }),
      );
    });
    return Promise.all(requests).then(() => totals);
  };

  // Also before the tokenizer is ready: the batches then wait in the worker's queue, so
  // that a stream holds at most one interval of text here.
  const flush = (): void => {
    timer = undefined;
    const streams = [...dirty];
    dirty.clear();
    if (streams.length > 0) void send(streams, false);
  };

  const schedule = (): void => {
    if (timer !== undefined) return;
    timer = setTimeout(flush, FLUSH_INTERVAL_MS);
    timer.unref();
  };

  const estimate = (stream: Stream): number => {
    if (stream.final !== undefined) return stream.final;
    const { tail } = stream;
    if (!stream.broken && tail?.version === stream.version && stream.unsent.length === 0 && stream.sent === 0) {
      return stream.counted + tail.tokens;
    }
    // Every piece is at least one token, and most ordinary pieces are exactly one.
    return stream.counted + stream.sent + stream.unsent.length + guessTokens(stream.splitter.tail());
  };

  return {
    create(encoding) {
      service.warm(encoding);
      const stream: Stream = {
        encoding,
        splitter: createPieceSplitter(PRE_TOKENIZER_PATTERNS[encoding]),
        unsent: [],
        sent: 0,
        counted: 0,
        version: 0,
        tail: undefined,
        broken: false,
        final: undefined,
      };
      return {
        push(delta) {
          if (stream.final !== undefined || delta === '') return;
          stream.version += 1;
          const pieces = stream.splitter.push(delta);
          if (stream.broken) {
            // The tokenizer failed: keep a figure for estimates, not the text.
            stream.sent += pieces.length;
            return;
          }
          for (const piece of pieces) stream.unsent.push(piece);
          dirty.add(stream);
          schedule();
        },
        async count() {
          if (stream.final !== undefined || stream.broken) return estimate(stream);
          dirty.delete(stream);
          const [total] = await send([stream], true);
          return total ?? estimate(stream);
        },
        estimate: () => estimate(stream),
        dispose() {
          if (stream.final !== undefined) return;
          stream.final = estimate(stream);
          dirty.delete(stream);
          stream.unsent = [];
          stream.splitter = DISPOSED;
        },
      };
    },
    waiting: () => dirty.size,
  };
}
