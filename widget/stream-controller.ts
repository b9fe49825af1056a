import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { RetryEvent, StreamEvent, StreamRequest } from './shared/protocol.js';
import { createPartialJsonParser, type PartialJsonParser, type PartialJsonResult } from './shared/partial-json/index.js';
import {
  AiStreamCancelEvent,
  AiStreamDoneEvent,
  AiStreamErrorEvent,
  AiStreamJsonEvent,
  AiStreamStartEvent,
  AiStreamTokenEvent,
} from './events.js';
import { FrameBatcher } from './frame-batcher.js';
import type { ChatStream, StreamClient } from './stream-client.js';
import { isStreamError, StreamError } from './stream-error.js';

/** Where the current answer is, as an `as const` object so it reads as a value and a type. */
export const StreamStatus = {
  idle: 'idle',
  /** Request sent, nothing received yet (includes backoff waits). */
  waiting: 'waiting',
  streaming: 'streaming',
  done: 'done',
  error: 'error',
  cancelled: 'cancelled',
} as const;
/** One of {@link StreamStatus}. */
export type StreamStatus = (typeof StreamStatus)[keyof typeof StreamStatus];

/** Token counts and speed of one answer (from the server's `metadata` and `done`). */
export interface AnswerStats {
  promptTokens: number | undefined;
  completionTokens: number;
  /** Completion tokens per second since the first token; unknown for very short answers. */
  tokensPerSecond: number | undefined;
  /** `provider` once the provider reported usage; `estimate` while streaming. */
  source: 'provider' | 'estimate';
}

/** How an answer ended, as reported to {@link StreamControllerOptions.onSettled}. */
export type StreamOutcome = 'done' | 'error' | 'cancelled';

/** What the host gives the controller. */
export interface StreamControllerOptions {
  /** The client to stream with (read at each start, so the host may swap it). */
  client: () => StreamClient;
  /** Called once per animation frame while text arrives, with the text since the last call. */
  onFrame?: (delta: string) => void;
  /** Called at the first `reasoning` event of an answer (the model started thinking). */
  onThinking?: () => void;
  /** Called once when the current answer ends (never for an answer a newer one replaced). */
  onSettled?: (outcome: StreamOutcome) => void;
}

/**
 * Where a streaming answer stands, to follow it again after a reload: the server's
 * stream id, the SSE id of the last event taken in, and the text and reasoning up to it.
 */
export interface AnswerPosition {
  streamId: string;
  lastEventId: string | undefined;
  text: string;
  reasoning: string;
}

// Speeds measured over less than this are noise.
const minSpeedWindowMs = 250;

/**
 * Owns the life of the answer being streamed for a host element: starts it, batches
 * its text to animation frames, tracks usage, dispatches the `ai-stream-*` events on
 * the host, and aborts it when the host leaves the page. Like Lit's `Task`, a newer
 * start aborts the older stream, and a run counter drops the older one's late events.
 */
export class StreamController implements ReactiveController {
  status: StreamStatus = StreamStatus.idle;
  /** The answer so far. */
  text = '';
  /** The model's reasoning so far, apart from the answer (empty when it sent none). */
  reasoning = '';
  stats: AnswerStats | undefined;
  error: StreamError | undefined;
  /** The server's retry while waiting (shown as "retrying"), cleared by the first token. */
  retrying: RetryEvent | undefined;
  /** In JSON mode: the partial value so far (live: updated in place). */
  json: PartialJsonResult | undefined;

  readonly #host: ReactiveControllerHost & HTMLElement;
  readonly #options: StreamControllerOptions;
  readonly #frames = new FrameBatcher(() => this.#flush());
  #run = 0;
  #stream: ChatStream | undefined;
  #parser: PartialJsonParser | undefined;
  #pending = '';
  #jsonDirty = false;
  #firstTokenAt: number | undefined;
  /** What a followed answer held before this page took it up (see {@link resume}). */
  #before = { text: '', reasoning: '' };

  constructor(host: ReactiveControllerHost & HTMLElement, options: StreamControllerOptions) {
    this.#host = host;
    this.#options = options;
    host.addController(this);
  }

  /** True while a request is out (waiting or streaming). */
  get busy(): boolean {
    return this.status === StreamStatus.waiting || this.status === StreamStatus.streaming;
  }

  /**
   * Streams one answer, cancelling the one in progress. Resolves when it ends (or is
   * replaced); never rejects: the outcome is in `status` and the events.
   */
  start(request: StreamRequest): Promise<void> {
    return this.#follow(() => this.#options.client().stream(request), request.mode === 'json');
  }

  /**
   * Takes up an answer the server is still streaming (after a reload): shows the text
   * and reasoning it had, then follows the stream from its last event id. When the
   * server cannot resume it, the answer ends as an error (`stream_interrupted`) keeping
   * that text.
   */
  resume(position: AnswerPosition, json: boolean): Promise<void> {
    return this.#follow(() => this.#options.client().resume(position.streamId, position.lastEventId), json, position);
  }

  /** Where the answer in progress stands; `undefined` when none streams or the server has not named it yet. */
  get position(): AnswerPosition | undefined {
    const stream = this.#stream;
    if (!this.busy || stream?.streamId === undefined) return undefined;
    // The stream's own fields, updated together with its last event id.
    const { text, reasoning } = this.#before;
    return { streamId: stream.streamId, lastEventId: stream.lastEventId, text: text + stream.text, reasoning: reasoning + stream.reasoning };
  }

  async #follow(open: () => ChatStream, json: boolean, before?: AnswerPosition): Promise<void> {
    this.cancel();
    const run = ++this.#run;
    const stream = open();
    this.#stream = stream;
    this.#reset(json);
    this.#before = { text: before?.text ?? '', reasoning: before?.reasoning ?? '' };
    if (before) {
      this.status = StreamStatus.streaming;
      this.reasoning = before.reasoning;
      this.#take(before.text);
      this.#frames.schedule();
    }
    try {
      for await (const event of stream) {
        if (run !== this.#run) return;
        this.#handle(event);
      }
      // Over without a `done` to show (a resume from the answer's last event): the text stays, with Retry.
      if (run === this.#run && this.busy) this.#fail(new StreamError('stream_interrupted', 'The answer had already ended.', { retryable: true }));
    } catch (error) {
      if (run !== this.#run) return;
      this.#fail(isStreamError(error) ? error : unexpected(error));
    }
  }

  /** Stops the answer in progress; the text so far stays. */
  cancel(): void {
    if (!this.busy) return;
    // Invalidate first, so nothing the old stream still delivers reaches the view.
    this.#run++;
    this.#stream?.cancel();
    this.#settle(StreamStatus.cancelled, new AiStreamCancelEvent(this.text));
  }

  /** Forgets the last answer (the host cleared or replaced the conversation). */
  reset(): void {
    this.cancel();
    this.#reset(false);
    this.status = StreamStatus.idle;
    this.#host.requestUpdate();
  }

  hostDisconnected(): void {
    // A move (remove, then insert in the same task) must not cancel; a removal does.
    queueMicrotask(() => {
      if (!this.#host.isConnected) this.cancel();
    });
  }

  #reset(json: boolean): void {
    this.#frames.cancel();
    this.status = StreamStatus.waiting;
    this.text = '';
    this.reasoning = '';
    this.#pending = '';
    this.stats = undefined;
    this.error = undefined;
    this.retrying = undefined;
    this.#firstTokenAt = undefined;
    this.#parser = json ? createPartialJsonParser() : undefined;
    this.json = undefined;
    this.#host.requestUpdate();
  }

  #handle(event: StreamEvent): void {
    switch (event.type) {
      case 'start':
        this.status = StreamStatus.streaming;
        this.#host.dispatchEvent(new AiStreamStartEvent(event.streamId, event.model, event.provider));
        break;
      case 'reasoning':
        // Output began: speed counts from here, as the server counts reasoning as completion tokens.
        this.#firstTokenAt ??= performance.now();
        this.status = StreamStatus.streaming;
        this.retrying = undefined;
        if (!this.reasoning) this.#options.onThinking?.();
        this.reasoning += event.content;
        break;
      case 'token':
        this.#firstTokenAt ??= performance.now();
        this.status = StreamStatus.streaming;
        this.retrying = undefined;
        this.#take(event.content);
        this.#host.dispatchEvent(new AiStreamTokenEvent(event.content, this.text));
        break;
      case 'metadata':
        this.stats = this.#stats(event.promptTokens ?? this.stats?.promptTokens, event.completionTokens, 'estimate');
        break;
      case 'retry':
        this.retrying = event;
        break;
      case 'done': {
        if (this.#parser) {
          this.json = this.#parser.end();
          this.#jsonDirty = true;
        }
        const { usage } = event;
        this.stats = this.#stats(usage.promptTokens, usage.completionTokens, usage.source);
        const done = new AiStreamDoneEvent(this.text, usage, event.finishReason, this.stats.tokensPerSecond);
        this.#settle(StreamStatus.done, done);
        return;
      }
      case 'error':
        // The client turns `error` events into a thrown StreamError; nothing to do here.
        return;
    }
    this.#frames.schedule();
  }

  /** Adds answer text: to the answer, the next frame, and in JSON mode the parser. */
  #take(content: string): void {
    this.text += content;
    this.#pending += content;
    if (this.#parser) {
      this.json = this.#parser.feed(content);
      this.#jsonDirty = true;
    }
  }

  #fail(error: StreamError): void {
    if (error.code === 'cancelled') {
      // Cancelled from outside the controller (the client's own signal).
      this.#settle(StreamStatus.cancelled, new AiStreamCancelEvent(this.text));
      return;
    }
    this.error = error;
    this.#settle(StreamStatus.error, new AiStreamErrorEvent(error, this.text));
  }

  /**
   * Ends the answer: last frame first, so the view holds all text before the event, and
   * the host settles (a finished answer joins `messages`) before any listener hears of it.
   */
  #settle(status: StreamStatus, event: Event): void {
    this.#frames.flushNow();
    this.status = status;
    this.retrying = undefined;
    this.#stream = undefined;
    this.#host.requestUpdate();
    this.#options.onSettled?.(status === StreamStatus.done ? 'done' : status === StreamStatus.error ? 'error' : 'cancelled');
    this.#host.dispatchEvent(event);
  }

  #flush(): void {
    const delta = this.#pending;
    this.#pending = '';
    if (delta) this.#options.onFrame?.(delta);
    if (this.#jsonDirty && this.json) {
      this.#jsonDirty = false;
      // A snapshot: the parser keeps updating its value in place.
      this.#host.dispatchEvent(new AiStreamJsonEvent(structuredClone(this.json.value), this.json.complete));
    }
    this.#host.requestUpdate();
  }

  #stats(promptTokens: number | undefined, completionTokens: number, source: AnswerStats['source']): AnswerStats {
    const elapsed = this.#firstTokenAt === undefined ? 0 : performance.now() - this.#firstTokenAt;
    const tokensPerSecond = elapsed >= minSpeedWindowMs ? (completionTokens * 1000) / elapsed : undefined;
    return { promptTokens, completionTokens, tokensPerSecond, source };
  }
}

function unexpected(cause: unknown): StreamError {
  return new StreamError('internal_error', 'Something went wrong while reading the answer.', { retryable: true, cause });
}
