import { createParser, type EventSourceParser } from 'eventsource-parser';
import type { RetryEvent } from '../../widget/shared/protocol.js';
import type { ProviderConfig, RetryConfig } from './config.js';
import type { NormalizedRequest } from './request-schema.js';
import type { ProviderAdapter, UpstreamEvent } from './providers/provider-adapter.js';
import { abortableDelay, backoffDelayMs } from './retry.js';
import { StreamError, toStreamError } from './stream-error.js';
import type { ByteSource, UpstreamCall, UpstreamTransport } from './transports/upstream-transport.js';

/** Largest single SSE event accepted from an upstream; bigger means a broken upstream. */
const MAX_UPSTREAM_EVENT_CHARS = 1024 * 1024;
/** The abort reason of a session closed on purpose: made once, a stack trace is not free. */
const CANCELLED = new Error('upstream session cancelled');
/** How much of an upstream error body is read (for the log). */
const MAX_ERROR_BODY_BYTES = 4 * 1024;

export interface OpenUpstreamOptions {
  adapter: ProviderAdapter;
  provider: ProviderConfig;
  request: NormalizedRequest;
  retry: RetryConfig;
  idleTimeoutMs: number;
  transport: UpstreamTransport;
  /** Called before each new attempt, so the client can be told. */
  onRetry: (event: RetryEvent, error: StreamError) => void;
  random?: () => number;
}

/** Receives a session's events, in order. */
export interface UpstreamEventHandler {
  onUpstreamEvent(event: UpstreamEvent): void;
}

/**
 * One upstream answer, opened and past its first event. Events are pushed to the
 * handler given to `start`, ending with exactly one `end` or `error`; `pause` stops the
 * upstream read while the client is behind.
 */
export interface UpstreamSession {
  /** How many attempts it took (1 = no retry). */
  readonly attempts: number;
  start(handler: UpstreamEventHandler): void;
  pause(): void;
  resume(): void;
  /** Closes the upstream connection; no event is delivered afterwards. */
  cancel(): void;
  /** Body characters read from the upstream so far (backpressure checks). */
  charsRead(): number;
}

/**
 * Opens the upstream stream, retrying failures that happen before the first piece of
 * text: network errors, retryable HTTP statuses, and a first event that is an error.
 * Once text has been seen the session is returned and nothing is retried any more.
 *
 * `stop(reason)` ends it at any stage (a request in flight, a backoff wait): `open`
 * then rejects with that reason, and an abort is never retried. The answer calls it
 * when its stream is cancelled, so an open stream needs no AbortSignal of its own; a
 * signal is made only for a backoff wait, which few streams ever reach.
 */
export class UpstreamOpener {
  readonly #options: OpenUpstreamOptions;
  #attempt: Attempt | undefined;
  #stopped: unknown;
  #waiting: AbortController | undefined;

  constructor(options: OpenUpstreamOptions) {
    this.#options = options;
  }

  async open(): Promise<UpstreamSession> {
    const { retry } = this.#options;
    for (let attempt = 1; ; attempt++) {
      if (this.#stopped !== undefined) throw this.#stopped;
      try {
        this.#attempt = new Attempt(this.#options, attempt);
        await this.#attempt.open();
        return this.#attempt;
      } catch (thrown) {
        if (this.#stopped !== undefined) throw this.#stopped;
        const error = toStreamError(thrown);
        if (!error.retryable || attempt > retry.maxRetries) throw error;
        const wanted = error.retryAfterMs;
        if (wanted !== undefined && wanted > retry.maxRetryAfterMs) throw error;
        const delayMs = Math.round(wanted ?? backoffDelayMs(attempt, retry.baseDelayMs, this.#options.random));
        this.#options.onRetry({ type: 'retry', attempt, delayMs, reason: error.message }, error);
        this.#waiting = new AbortController();
        await abortableDelay(delayMs, this.#waiting.signal);
        this.#waiting = undefined;
      }
    }
  }

  /** Stops the attempt in flight or the wait before the next one; the first reason wins. */
  stop(reason: unknown): void {
    if (this.#stopped !== undefined) return;
    this.#stopped = reason ?? CANCELLED;
    this.#attempt?.abort(this.#stopped);
    this.#waiting?.abort(this.#stopped);
  }
}

/**
 * One attempt: the request, the idle watchdog, the SSE parser, and (once past the
 * first event) the session itself. A class, so that an open stream holds one object and
 * a few callbacks rather than a scope of closures.
 */
class Attempt implements UpstreamSession {
  readonly attempts: number;
  readonly #options: OpenUpstreamOptions;
  readonly #parser: EventSourceParser;
  #call: UpstreamCall | undefined;
  /** Why this attempt stopped (the stream's abort reason, its own failure, or a cancel); the first wins. */
  #stopped: unknown;
  #source: ByteSource | undefined;
  #chars = 0;
  #finished = false;
  #handler: UpstreamEventHandler | undefined;
  #buffered: UpstreamEvent[] = [];
  #peeked: { resolve: () => void; reject: (e: unknown) => void } | undefined;
  // Idle watchdog: one timer, re-armed lazily; it only counts while we wait on the
  // upstream (not while paused for a slow client).
  #lastActivity = performance.now();
  #paused = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #onTimer = (): void => {
    const { idleTimeoutMs } = this.#options;
    const quiet = performance.now() - this.#lastActivity;
    if (this.#paused || quiet < idleTimeoutMs) return this.#watch(this.#paused ? idleTimeoutMs : idleTimeoutMs - quiet);
    this.#fail(new StreamError('upstream_timeout', 'The model provider stopped responding.', { status: 504, retryable: true }));
  };

  constructor(options: OpenUpstreamOptions, attempts: number) {
    this.#options = options;
    this.attempts = attempts;
    this.#watch(options.idleTimeoutMs);
    const reader = options.adapter.createStreamReader();
    this.#parser = createParser({
      onEvent: (message) => {
        for (const event of reader.read(message)) this.#emit(event);
      },
      // Unknown fields and bad retry values are ignorable; only an oversized event is fatal.
      onError: (error) => {
        if (error.type === 'max-buffer-size-exceeded') this.#fail(new StreamError('upstream_error', 'The model provider sent a malformed stream.', { status: 502, retryable: true, detail: error.message }));
      },
      maxBufferSize: MAX_UPSTREAM_EVENT_CHARS,
    });
  }

  /** Sends the request and waits for the first event that settles the attempt (text, finish, end or error). */
  async open(): Promise<void> {
    const { adapter } = this.#options;
    try {
      if (this.#stopped !== undefined) throw this.#stopped;
      const { url, init } = adapter.buildRequest(this.#options.request, this.#options.provider);
      this.#call = this.#options.transport(url, init);
      const response = await this.#call.response.catch((err: unknown) => {
        throw this.#stopped ?? networkError(err);
      });
      this.#source = response.body;
      this.#lastActivity = performance.now();
      if (response.status < 200 || response.status > 299) {
        // Waits like the peek below, so that an abort (which silences the body) rejects it.
        const text = await new Promise<string>((resolve, reject) => {
          this.#peeked = { resolve: ignore, reject };
          void readSome(response.body, MAX_ERROR_BODY_BYTES).then(resolve);
        });
        this.#peeked = undefined;
        throw adapter.parseHttpError(response.status, { get: (name) => response.header(name) }, text);
      }
      await new Promise<void>((resolve, reject) => {
        this.#peeked = { resolve, reject };
        response.body.start(this);
      });
    } catch (err) {
      if (!this.#finished) this.#release();
      this.#stop(err);
      throw err;
    }
  }

  // The body's handlers (ByteSource.start).

  data(chunk: string): void {
    if (this.#finished) return;
    this.#chars += chunk.length;
    this.#lastActivity = performance.now();
    // The parser joins a line left over from the last read with the next chunk, which
    // copies the whole network read. Fed in two pieces cut after the chunk's first
    // blank line, only the short head is joined and the rest is parsed where it lies.
    // (The parser takes any split; where it is cut changes only what it copies.)
    const cut = chunk.indexOf('\n\n') + 2;
    if (cut <= 1 || cut >= chunk.length) return this.#parser.feed(chunk);
    this.#parser.feed(chunk.slice(0, cut));
    this.#parser.feed(chunk.slice(cut));
  }

  end(): void {
    // A body that ends without the provider's end marker is a lost connection.
    if (!this.#finished) this.#emit({ type: 'error', error: droppedError() });
  }

  error(err: unknown): void {
    this.#fail(this.#stopped ?? droppedError(err));
  }

  // The session.

  charsRead(): number {
    return this.#chars;
  }

  start(handler: UpstreamEventHandler): void {
    this.#handler = handler;
    const buffered = this.#buffered;
    this.#buffered = [];
    for (const event of buffered) handler.onUpstreamEvent(event);
    if (!this.#finished) this.resume();
  }

  pause(): void {
    this.#paused = true;
    this.#source?.pause();
  }

  resume(): void {
    this.#paused = false;
    this.#lastActivity = performance.now();
    this.#source?.resume();
  }

  cancel(): void {
    if (this.#finished) return;
    this.#release();
    this.#stop(CANCELLED);
  }

  #watch(delay: number): void {
    this.#timer = setTimeout(this.#onTimer, delay);
  }

  #release(): void {
    this.#finished = true;
    clearTimeout(this.#timer);
  }

  // Ends the session with an error: before the peek it rejects (so it can be retried),
  // after it, it is the last event delivered.
  #fail(error: unknown): void {
    if (this.#finished) return;
    this.#stop(error);
    this.#emit({ type: 'error', error: toStreamError(this.#stopped) });
  }

  /** Ends the attempt from outside (its stream was cancelled): a pending `open` rejects, a session delivers its last event. */
  abort(reason: unknown): void {
    this.#fail(reason);
  }

  // Closes the request (pending or streaming), remembering the first reason.
  #stop(reason: unknown): void {
    if (this.#stopped === undefined) this.#stopped = reason ?? CANCELLED;
    this.#call?.abort(this.#stopped);
  }

  #emit(event: UpstreamEvent): void {
    if (this.#finished) return;
    const last = event.type === 'end' || event.type === 'error';
    if (last) this.#release();
    const peeked = this.#peeked;
    if (peeked) {
      if (event.type === 'error') {
        this.#peeked = undefined;
        return peeked.reject(event.error);
      }
      this.#buffered.push(event);
      if (event.type === 'text' || event.type === 'finish' || last) {
        this.#peeked = undefined;
        peeked.resolve();
        if (!last) this.#source?.pause();
      }
      return;
    }
    if (this.#handler) this.#handler.onUpstreamEvent(event);
    else this.#buffered.push(event);
  }
}

const ignore = (): void => {};

function networkError(err: unknown): StreamError {
  if (StreamError.is(err)) return err;
  const detail = err instanceof Error ? `${err.name}: ${err.message}${err.cause ? ` (${String(err.cause)})` : ''}` : String(err);
  return new StreamError('upstream_unavailable', 'Could not reach the model provider.', { status: 502, retryable: true, detail });
}

function droppedError(cause?: unknown): StreamError {
  const detail = cause === undefined ? 'upstream body ended before its end marker' : `upstream body failed: ${cause instanceof Error ? cause.message : String(cause)}`;
  return new StreamError('upstream_error', 'The connection to the model provider was lost.', { status: 502, retryable: true, detail });
}

function readSome(source: ByteSource, maxBytes: number): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const finish = (): void => resolve(text.slice(0, maxBytes));
    source.start({
      data(chunk) {
        text += chunk;
        const size = text.length;
        if (size >= maxBytes) {
          source.destroy();
          finish();
        }
      },
      end: finish,
      // A body that fails while we read the error is still an error; what we have is enough.
      error: finish,
    });
  });
}
