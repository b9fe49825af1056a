import type { ErrorEvent } from '../../../widget/shared/protocol.js';
import type { EventLogRead, SharedStore } from '../store/shared-store.js';
import { HeldSink, type BodySink } from './body-sink.js';
import type { AnswerProducer } from './producer/answer-producer.js';
import type { LiveTarget } from './producer/live-readers.js';
import { SseWriter, encodeUnnumbered } from './sse-encoder.js';
import type { Clocked, StreamClock } from './stream-clock.js';
import type { ClientGone } from '../http/incoming-call.js';

/** Bytes a reader's response body may queue before its producer pauses the upstream. */
export const BODY_HIGH_WATER_BYTES = 16 * 1024;

/** Consecutive failed reads (store down) a reader waits through before it gives up. */
const MAX_FAILED_READS = 5;

export interface AnswerReaderOptions {
  streamId: string;
  /** Frames with a seq above this one are sent (-1: from the start). */
  afterSeq: number;
  /** The answer's producer, when it runs on this instance: frames come from it live once caught up. */
  producer?: AnswerProducer | undefined;
  /** The store holding the answer's log; undefined for a reader that only follows its producer (resume off). */
  store?: SharedStore | undefined;
  /**
   * A read of the log the handler already made (to check where the client stands), used
   * as the first one: made as {@link readFromOwnEvent} says, so it holds the client's own
   * last event when the store has it.
   */
  firstRead?: EventLogRead | undefined;
  /** Between two reads of the store that found nothing new. */
  pollMs: number;
  /** How long each read marks the stream as having a reader (the producer's grace sees it). */
  readerTtlMs: number;
  /** A reader of the store gives up once the log has not grown for this long (its producer is gone). */
  staleMs: number;
  /** The longest a reader of the store lives. */
  maxLifeMs: number;
  heartbeatMs: number;
  clock: StreamClock;
  /** The request's signal: the reader ends when its client goes away. */
  signal?: ClientGone | undefined;
}

/** One connection's view of an answer: its SSE body, for the mount to write out. */
export interface AnswerReader {
  /** The body as a Web stream (for a `Response`). */
  webBody(): ReadableStream<Uint8Array>;
  /** Where the bytes go from now on (a Node mount's response); what was written before is handed over first. */
  attach(sink: BodySink): void;
  /** The client took what it was given and wants more (the Web stream's `pull`). */
  pull(): Promise<void>;
  /** The client went away (the Web stream's `cancel`). */
  cancel(): void;
  /** True while the answer is read from the store: each `pull` reads more, so a mount pulls again while the client keeps up. */
  readonly readsStore: boolean;
}

/**
 * A reader: one connection, reading an answer's frames after a seq until its end. It
 * follows the producer live when the producer runs on this instance (attached to it,
 * so the upstream waits while this client is behind), and reads the answer's log in
 * the store otherwise, one command per read, a read every `pollMs` while nothing is
 * new, and none while its client is behind (reads happen in the body's `pull`). A
 * reader that started on the store moves to the producer as soon as it has caught up
 * with what only the store holds. Its client leaving ends the reader, never the
 * answer (the producer decides that, see `detach`).
 */
export function createAnswerReader(options: AnswerReaderOptions): AnswerReader {
  return new Reader(options);
}

class Reader implements AnswerReader, UnderlyingDefaultSource<Uint8Array>, LiveTarget, Clocked, EventListenerObject {
  readonly #options: AnswerReaderOptions;
  readonly #startedAt = performance.now();
  readonly #sink = new HeldSink(BODY_HIGH_WATER_BYTES);
  readonly #writer: SseWriter;
  #mode: 'store' | 'live' | 'over' = 'store';
  /** The next frame's seq (while reading the store). */
  #next: number;
  #firstRead: EventLogRead | undefined;
  /** The last read found nothing new: wait a poll before the next. */
  #idle = false;
  #failedReads = 0;
  #grewAt = performance.now();
  /** The last frame sent (or the client's own last one) was the answer's end (`done` or `error`). */
  #sawEnd = false;
  /**
   * The client's own last event (seq `#next - 1`) is still to be read from the store:
   * when it was the end, the client has the whole answer and the reader closes with
   * nothing, rather than wait for frames that never come.
   */
  #ownUnseen: boolean;
  #wait: { timer: ReturnType<typeof setTimeout>; resolve: () => void } | undefined;

  constructor(options: AnswerReaderOptions) {
    this.#options = options;
    this.#next = options.afterSeq + 1;
    this.#ownUnseen = options.afterSeq >= 0;
    this.#firstRead = options.firstRead;
    this.#writer = new SseWriter(options.streamId, this.#sink, options.heartbeatMs);
    options.clock.add(this);
    if (!this.#firstRead) this.#tryLive();
    options.signal?.addEventListener('abort', this, { once: true });
    // A turn later: the producer of a new answer first sends what it has (its `begin`).
    if (options.signal?.aborted) queueMicrotask(() => this.handleEvent());
  }

  get readsStore(): boolean {
    return this.#mode === 'store';
  }

  webBody(): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>(this, BODY_STRATEGY);
  }

  attach(sink: BodySink): void {
    this.#sink.attach(sink);
  }

  // The body's underlying source (webBody).

  start(controller: ReadableStreamDefaultController<Uint8Array>): void {
    this.attach(controller);
  }

  async pull(): Promise<void> {
    if (this.#mode === 'live') return this.#options.producer?.readerPulled();
    // A pull that enqueues nothing is not called again: read until something went out.
    while (this.#mode === 'store' && !(await this.#readOnce()));
  }

  /** The HTTP layer cancels the body when the client goes away. */
  cancel(): void {
    this.#writer.abandon();
    this.#leave();
  }

  /** The request's signal fired: the client went away (what was written is closed off, for a body still read in process). */
  handleEvent(): void {
    this.#writer.close();
    this.#leave();
  }

  // What the producer writes to (LiveTarget).

  write(bytes: Uint8Array): void {
    this.#writer.writeFrames(bytes);
  }

  get behind(): boolean {
    return this.#writer.behind ?? false;
  }

  bufferedBytes(): number {
    return Math.max(0, BODY_HIGH_WATER_BYTES - (this.#sink.desiredSize ?? BODY_HIGH_WATER_BYTES));
  }

  end(): void {
    this.#finish();
  }

  onTick(now: number): void {
    this.#writer.onTick(now);
  }

  // Attaches to the producer here from the next frame; false when that needs the store first.
  #tryLive(): boolean {
    const producer = this.#options.producer;
    if (!producer || this.#mode !== 'store' || !producer.attach(this, this.#next)) return false;
    this.#mode = 'live';
    return true;
  }

  /** One step of reading the store; true once something was sent or the reader is over. */
  async #readOnce(): Promise<boolean> {
    if (this.#tryLive()) return true;
    const store = this.#options.store;
    if (!store) return this.#fail('The answer cannot be followed from here.');
    let read = this.#firstRead;
    this.#firstRead = undefined;
    if (!read) {
      if (this.#idle) await this.#pause(this.#options.pollMs);
      if (this.#mode !== 'store') return true;
      const after = this.#ownUnseen ? readFromOwnEvent(this.#next - 1) : this.#next - 1;
      const result = await store.readEvents(this.#options.streamId, after, { readerTtlMs: this.#options.readerTtlMs });
      if (this.#mode !== 'store') return true;
      if (!result.ok) {
        this.#idle = true;
        if (++this.#failedReads < MAX_FAILED_READS) return false;
        return this.#fail('The rest of the answer cannot be read right now.');
      }
      if (!result.value) return this.#fail('The rest of the answer is no longer available.');
      read = result.value;
    }
    this.#failedReads = 0;
    const frames = this.#ownUnseen ? this.#takeOwn(read) : read.frames;
    const now = performance.now();
    if (frames.length > 0) {
      this.#writer.writeFrames(frames.join(''));
      this.#next += frames.length;
      this.#sawEnd = isEnd(frames[frames.length - 1] ?? '');
      this.#grewAt = now;
    }
    this.#idle = frames.length === 0;
    if (read.ended && this.#next >= read.nextSeq) {
      if (!this.#sawEnd) return this.#fail('The rest of the answer was not kept.');
      this.#finish();
      return true;
    }
    if (now - this.#grewAt > this.#options.staleMs || now - this.#startedAt > this.#options.maxLifeMs) {
      return this.#fail('The answer stopped before its end.');
    }
    return frames.length > 0;
  }

  /** The frames after the client's own last event, once the read holds that event (which tells whether it was the end). */
  #takeOwn(read: EventLogRead): string[] {
    if (read.nextSeq < this.#next) return [];
    this.#ownUnseen = false;
    this.#sawEnd = isEnd(read.frames[0] ?? '');
    return read.frames.slice(1);
  }

  // Waits between reads; cut short when the reader ends.
  #pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#wait = { timer: setTimeout(resolve, ms), resolve };
    }).finally(() => (this.#wait = undefined));
  }

  /** Ends the body with an error event of the reader's own (no id: it is not part of the answer). */
  #fail(message: string): true {
    const event: ErrorEvent = { type: 'error', code: 'internal_error', message, retryable: true };
    this.#writer.writeFrames(encodeUnnumbered(event));
    this.#finish();
    return true;
  }

  /** The answer is over for this reader: what was written goes out, then the body closes. */
  #finish(): void {
    if (this.#mode === 'over') return;
    this.#mode = 'over';
    this.#writer.close();
    this.#cleanUp();
  }

  /** The client left: the reader ends; the producer decides about the answer. */
  #leave(): void {
    if (this.#mode === 'over') return;
    const live = this.#mode === 'live';
    this.#mode = 'over';
    this.#cleanUp();
    if (live) this.#options.producer?.detach(this);
  }

  #cleanUp(): void {
    this.#options.clock.delete(this);
    this.#options.signal?.removeEventListener('abort', this);
    if (this.#wait) {
      clearTimeout(this.#wait.timer);
      this.#wait.resolve();
    }
  }
}

/** Where a resume stands, from a read of the log made with {@link readFromOwnEvent}. */
export type ResumePoint =
  /** The client's last event was the answer's end (or lies past the end of an ended log): nothing follows. */
  | 'over'
  /** The log ended without the events after the client's: the rest was not kept (the store failed the log). */
  | 'lost'
  /** Follow the log (and the producer, where it runs). */
  | 'follow';

/**
 * The seq to read a log after for a client whose last event is `afterSeq`: one before
 * it (-1 from the start), so the read holds the client's own last event too, and shows
 * whether that was the answer's end.
 */
export function readFromOwnEvent(afterSeq: number): number {
  return afterSeq < 0 ? -1 : afterSeq - 1;
}

/** Where a client whose last event is `afterSeq` stands in a log read from {@link readFromOwnEvent}. */
export function resumePoint(read: EventLogRead, afterSeq: number): ResumePoint {
  if (afterSeq < 0) return read.ended && read.frames.length === 0 ? 'lost' : 'follow';
  const ownHeld = read.nextSeq > afterSeq;
  if (ownHeld && isEnd(read.frames[0] ?? '')) return 'over';
  if (!read.ended) return 'follow';
  // An ended log: past its end there is nothing to send; at or before it, only what it holds.
  if (!ownHeld) return 'over';
  return read.frames.length > 1 ? 'follow' : 'lost';
}

/** Whether a frame is the answer's last event. JSON escapes quotes inside strings, so only the event's own type can match. */
function isEnd(frame: string): boolean {
  return frame.includes('\ndata: {"type":"done"') || frame.includes('\ndata: {"type":"error"');
}

/** The body queues bytes, up to BODY_HIGH_WATER_BYTES. */
const BODY_STRATEGY: QueuingStrategy<Uint8Array> = { highWaterMark: BODY_HIGH_WATER_BYTES, size: (chunk) => chunk.byteLength };
