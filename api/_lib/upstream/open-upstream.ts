import type { RetryEvent } from '../../../widget/shared/protocol.js';
import type { ProviderConfig, RetryConfig } from '../config/config.js';
import type { NormalizedRequest } from '../request/request-schema.js';
import type { ProviderAdapter, UpstreamEvent, UpstreamFraming, UpstreamMessage, UpstreamStreamReader } from './providers/provider-adapter.js';
import { upstreamRequestId } from './providers/upstream-request-id.js';
import { backoffDelayMs } from './retry.js';
import { NdjsonParser } from './ndjson-parser.js';
import { SseParser, type SseReceiver } from './sse-parser.js';
import { StreamError, toStreamError } from '../stream-error.js';
import type { ClientGone } from '../http/incoming-call.js';
import type { ByteSource, UpstreamCall, UpstreamReceiver, UpstreamResponse, UpstreamTransport } from './transports/upstream-transport.js';

/** Largest single SSE event accepted from an upstream; bigger means a broken upstream. */
const MAX_UPSTREAM_EVENT_CHARS = 1024 * 1024;
/** The reason of a session aborted on purpose: made once, a stack trace is not free. */
const ABORTED = new Error('upstream session aborted');
/** Why no attempt was opened: the client's signal had fired. */
const CLIENT_GONE = new StreamError('cancelled', 'The answer was cancelled.', { status: 499, detail: 'client gone before the upstream was opened' });
/** The close reason of a session that read its provider's end marker. */
const ENDED = new Error('upstream session ended');
/** How much of an upstream error body is read (for the log). */
const MAX_ERROR_BODY_BYTES = 4 * 1024;

/** One way to answer: a provider, its adapter, and the request as that provider's model gets it. */
export interface UpstreamRoute {
  adapter: ProviderAdapter;
  provider: ProviderConfig;
  /** The provider's configured name (`anthropic`, an AI_STREAM_PROVIDERS name), for retry events and logs. */
  providerName: string;
  request: NormalizedRequest;
}

export interface OpenUpstreamOptions {
  /** The model's route, then its fallbacks in order (an alias's `|` chain). */
  routes: readonly [UpstreamRoute, ...UpstreamRoute[]];
  retry: RetryConfig;
  idleTimeoutMs: number;
  /** Per attempt: the longest wait for the first byte of the response body. */
  firstByteTimeoutMs: number;
  /** Across attempts: the longest wait for the first token (the opener then gives up, without a retry). */
  firstTokenBudgetMs: number;
  transport: UpstreamTransport;
  /** The client's signal: looked at right before each attempt, so none opens for a client already gone. */
  clientSignal?: ClientGone;
  random?: () => number;
}

/** Hears how opening went (the answer). No callback fires after `UpstreamOpener.abort`. */
export interface OpenerListener {
  /** The upstream is past its first event; the session streams from here (call `start`). */
  onUpstreamOpen(session: UpstreamSession): void;
  /** Opening failed for good: not retryable, or no attempt left. */
  onUpstreamFailed(error: unknown): void;
  /** Another attempt follows after `event.delayMs`; called before the wait, so the client can be told. */
  onUpstreamRetry(event: RetryEvent, error: StreamError): void;
}

/** Receives a session's events, in order. */
export interface UpstreamEventHandler {
  onUpstreamEvent(event: UpstreamEvent): void;
}

/**
 * One upstream answer, opened and past its first event. Events are pushed to the
 * handler given to `start`, ending with exactly one `end` or `error`; `pause` halts the
 * upstream read while the client is behind.
 */
export interface UpstreamSession {
  /** How many attempts it took (1 = no retry). */
  readonly attempts: number;
  start(handler: UpstreamEventHandler): void;
  pause(): void;
  resume(): void;
  /** Aborts the upstream connection; no event is delivered afterwards. */
  abort(): void;
  /** Body characters read from the upstream so far (backpressure checks). */
  charsRead(): number;
  /** A tick of the stream's clock: the upstream idle watchdog. */
  onTick(now: number): void;
}

/**
 * Opens the upstream stream, retrying failures that happen before the first piece of
 * text: network errors, retryable HTTP statuses, and a first event that is an error.
 * Once text has been seen the session goes to the listener and nothing is retried any
 * more.
 *
 * Driven by callbacks, not promises: opening lasts as long as the model takes to
 * start (seconds, for a thousand streams at once), and the async frames and promises
 * of an `await` chain held that long are promoted to the old generation before they
 * die, which left about 2 KB of garbage per stream in the heap (measured,
 * docs/server-design.md). Here an open stream holds the attempt, which becomes the
 * session, and nothing else.
 *
 * `abort(reason)` ends it at any stage (a request in flight, a backoff wait) and
 * silences the listener; an abort is never retried. The answer calls it when it ends
 * early (a cancel, the deadline), so an open stream needs no AbortSignal of its own.
 */
export class UpstreamOpener implements AttemptOwner {
  readonly #options: OpenUpstreamOptions;
  readonly #listener: OpenerListener;
  #attempts = 0;
  /** Attempts on the current route: its own retries are counted apart from the fallbacks'. */
  #routeAttempts = 0;
  #route = 0;
  #attempt: Attempt | undefined;
  #aborted = false;
  #wait: ReturnType<typeof setTimeout> | undefined;
  readonly #startedAt = performance.now();

  constructor(options: OpenUpstreamOptions, listener: OpenerListener) {
    this.#options = options;
    this.#listener = listener;
  }

  /** Sends the first attempt. Its outcome always reaches the listener later, never during this call. */
  open(): void {
    this.#next();
  }

  /** Aborts the attempt in flight or the wait before the next one; the listener hears nothing more. */
  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    clearTimeout(this.#wait);
    this.#attempt?.abortWith(reason ?? ABORTED);
    this.#attempt = undefined;
  }

  /** A tick of the stream's clock: the time-to-first-token budget, then the attempt's own watchdog. */
  onTick(now: number): void {
    if (this.#aborted) return;
    if (now - this.#startedAt < this.#options.firstTokenBudgetMs) return this.#attempt?.onTick(now);
    const { firstTokenBudgetMs } = this.#options;
    const error = new StreamError('upstream_timeout', 'The model provider did not start answering in time.', {
      status: 504,
      retryable: true,
      detail: `no first token within ${firstTokenBudgetMs} ms (${this.#attempts} attempts)`,
    });
    this.abort(error);
    this.#listener.onUpstreamFailed(error);
  }

  attemptOpened(attempt: Attempt): void {
    this.#attempt = undefined;
    if (this.#aborted) return attempt.abort();
    this.#listener.onUpstreamOpen(attempt);
  }

  attemptFailed(thrown: unknown): void {
    this.#attempt = undefined;
    if (this.#aborted) return;
    const error = toStreamError(thrown);
    const { retry } = this.#options;
    const wanted = error.retryAfterMs;
    if (!error.retryable || this.#routeAttempts > retry.maxRetries || (wanted !== undefined && wanted > retry.maxRetryAfterMs)) {
      return this.#fallBack(error);
    }
    const delayMs = Math.round(wanted ?? backoffDelayMs(this.#routeAttempts, retry.baseDelayMs, this.#options.random));
    // A retry that would start after the budget ran out would only be cut off: fail now.
    if (performance.now() + delayMs - this.#startedAt >= this.#options.firstTokenBudgetMs) return this.#fallBack(error);
    this.#listener.onUpstreamRetry({ type: 'retry', attempt: this.#attempts, delayMs, reason: error.message }, error);
    if (this.#aborted) return;
    this.#wait = setTimeout(() => this.#next(), delayMs);
  }

  // This route failed for good: the next one in the alias's chain, at once, or the end.
  // Only failures of the provider move on; a request it refused as malformed would be
  // refused by the next one too, and a client that left wants nothing more.
  #fallBack(error: StreamError): void {
    const next = this.#options.routes[this.#route + 1];
    if (!next || !error.code.startsWith('upstream_') || error === CLIENT_GONE) return this.#listener.onUpstreamFailed(error);
    this.#route++;
    this.#routeAttempts = 0;
    this.#listener.onUpstreamRetry({ type: 'retry', attempt: this.#attempts, delayMs: 0, reason: `${error.message} Trying ${next.providerName} instead.`, provider: next.providerName }, error);
    if (this.#aborted) return;
    this.#next();
  }

  #next(): void {
    this.#wait = undefined;
    // The abort listener may not have run yet (a client gone while the request was read
    // or counted): an attempt opened now is billed for nobody.
    if (this.#options.clientSignal?.aborted) {
      // Reported a turn later, as every outcome is, unless the answer aborted us first.
      queueMicrotask(() => {
        if (this.#aborted) return;
        this.#aborted = true;
        this.#listener.onUpstreamFailed(CLIENT_GONE);
      });
      return;
    }
    this.#routeAttempts++;
    this.#attempt = new Attempt(this.#options, this.#options.routes[this.#route] ?? this.#options.routes[0], ++this.#attempts, this);
    this.#attempt.send();
  }
}

/** What an attempt reports to while it opens. */
interface AttemptOwner {
  /** Past the first event: text, a finish, or the end. */
  attemptOpened(attempt: Attempt): void;
  /** Failed before that; `error` says whether it may be retried. */
  attemptFailed(error: unknown): void;
}

/**
 * One attempt: the request, the idle watchdog, the SSE parser, and (once past the
 * first event) the session itself. A class, so that an open stream holds one object and
 * a few callbacks rather than a scope of closures.
 */
class Attempt implements UpstreamSession, UpstreamReceiver, SseReceiver {
  readonly attempts: number;
  readonly #options: OpenUpstreamOptions;
  readonly #route: UpstreamRoute;
  readonly #parser: SseParser | NdjsonParser;
  readonly #reader: UpstreamStreamReader;
  /** Hears the outcome while the attempt opens; cleared once it has. */
  #owner: AttemptOwner | undefined;
  #call: UpstreamCall | undefined;
  /** Why this attempt's call was closed (the answer's abort reason, its own failure, its end); the first wins. */
  #closed: unknown;
  #source: ByteSource | undefined;
  #chars = 0;
  #finished = false;
  #handler: UpstreamEventHandler | undefined;
  /** Events read before `start` (the first ones, while opening); dropped once delivered. */
  #buffered: UpstreamEvent[] | undefined = [];
  // Idle watchdog, looked at on the stream clock's ticks: it only counts while we wait
  // on the upstream, not while paused for a slow client.
  #lastRead = performance.now();
  #paused = false;

  constructor(options: OpenUpstreamOptions, route: UpstreamRoute, attempts: number, owner: AttemptOwner) {
    this.#options = options;
    this.#route = route;
    this.attempts = attempts;
    this.#owner = owner;
    this.#reader = route.adapter.createStreamReader();
    // Each adapter owns its framing; both parsers report to the same receiver.
    this.#parser = route.adapter.framing === 'ndjson' ? new NdjsonParser(this, MAX_UPSTREAM_EVENT_CHARS) : new SseParser(this, MAX_UPSTREAM_EVENT_CHARS);
  }

  /** Sends the request; the first event that settles the attempt (text, finish, end or error) goes to the owner. */
  send(): void {
    const { adapter, request, provider } = this.#route;
    const { transport } = this.#options;
    try {
      const { url, init } = adapter.buildRequest(request, provider);
      this.#call = transport(url, init, this);
    } catch (err) {
      // Reported a turn later, as every outcome is: the owner is still setting up.
      queueMicrotask(() => this.#failOpen(err));
    }
  }

  // The response (UpstreamReceiver).

  onResponse(response: UpstreamResponse): void {
    this.#source = response.body;
    this.#lastRead = performance.now();
    if (response.status >= 200 && response.status <= 299) {
      // An HTML page from a proxy or a whole JSON completion is an answer that was
      // already made (and billed): never read as a stream, never retried.
      const type = response.header('content-type');
      const framing = this.#route.adapter.framing;
      if (!isStreamType(type, framing)) return this.#failOpen(notAStream(response, type, framing));
      return response.body.start(this);
    }
    // An abort silences the body, and the owner has heard of it by then: nothing to do.
    void readSome(response.body, MAX_ERROR_BODY_BYTES).then((text) => {
      this.#failOpen(this.#route.adapter.parseHttpError(response.status, { get: (name) => response.header(name) }, text));
    });
  }

  onFailure(err: unknown): void {
    this.#failOpen(this.#closed ?? networkError(err));
  }

  // Ends the attempt before it opened; the owner decides on a retry.
  #failOpen(error: unknown): void {
    const owner = this.#owner;
    if (!owner) return;
    this.#owner = undefined;
    if (!this.#finished) this.#finish();
    this.#close(error);
    owner.attemptFailed(error);
  }

  // The body's handlers (ByteSource.start).

  data(chunk: string): void {
    if (this.#finished) return;
    this.#chars += chunk.length;
    this.#lastRead = performance.now();
    this.#parser.feed(chunk);
  }

  // The parser's findings (SseReceiver).

  onSseMessage(message: UpstreamMessage): void {
    for (const event of this.#reader.read(message)) this.#emit(event);
  }

  onSseOverflow(maxChars: number): void {
    this.#fail(new StreamError('upstream_error', 'The model provider sent a malformed stream.', { status: 502, retryable: true, detail: `an event longer than ${maxChars} characters` }));
  }

  end(): void {
    if (this.#finished) return;
    if (this.#parser instanceof NdjsonParser) this.#parser.end();
    // Some providers end with the connection (Gemini): the reader says whether that was the answer's end.
    for (const event of this.#reader.bodyEnded?.() ?? []) this.#emit(event);
    // A body that ends without the provider's end marker is a lost connection.
    if (!this.#finished) this.#emit({ type: 'error', error: droppedError() });
  }

  error(err: unknown): void {
    this.#fail(this.#closed ?? droppedError(err));
  }

  // The session.

  charsRead(): number {
    return this.#chars;
  }

  start(handler: UpstreamEventHandler): void {
    this.#handler = handler;
    const buffered = this.#buffered ?? [];
    this.#buffered = undefined;
    // Not resumed here: the handler may have paused it while taking the buffered events.
    for (const event of buffered) handler.onUpstreamEvent(event);
  }

  pause(): void {
    this.#paused = true;
    this.#source?.pause();
  }

  resume(): void {
    // The body's pull calls this whenever the client takes something, a heartbeat
    // included: only the end of a pause restarts the idle watchdog, or a heartbeat every
    // 15 s kept a silent upstream alive until the stream's deadline.
    if (!this.#paused) return;
    this.#paused = false;
    this.#lastRead = performance.now();
    this.#source?.resume();
  }

  abort(): void {
    // Also after the last event: closing the call is what stops an upstream that went
    // on after it (#close does nothing the second time).
    this.#finish();
    this.#close(ABORTED);
  }

  /** No event is delivered from here on. */
  #finish(): void {
    this.#finished = true;
  }

  /**
   * The watchdog (StreamClock): no body byte `firstByteTimeoutMs` after the request was
   * sent, or no upstream byte for `idleTimeoutMs` later on while not paused, ends the attempt.
   */
  onTick(now: number): void {
    if (this.#finished || this.#paused) return;
    const first = this.#chars === 0;
    if (now - this.#lastRead < (first ? this.#options.firstByteTimeoutMs : this.#options.idleTimeoutMs)) return;
    const message = first ? 'The model provider did not start responding.' : 'The model provider stopped responding.';
    const detail = first ? `no response byte within ${this.#options.firstByteTimeoutMs} ms` : `no upstream byte for ${this.#options.idleTimeoutMs} ms`;
    this.#fail(new StreamError('upstream_timeout', message, { status: 504, retryable: true, detail }));
  }

  // Ends the session with an error: before the peek it rejects (so it can be retried),
  // after it, it is the last event delivered.
  #fail(error: unknown): void {
    if (this.#finished) return;
    this.#close(error);
    this.#emit({ type: 'error', error: toStreamError(this.#closed) });
  }

  /** Aborts the attempt from outside (its answer ended early): a pending `open` rejects, a session delivers its last event. */
  abortWith(reason: unknown): void {
    this.#fail(reason);
  }

  // Aborts the request (pending or streaming) at once, remembering the first reason.
  // Only the first call aborts: the transport call is then done with.
  #close(reason: unknown): void {
    if (this.#closed !== undefined) return;
    this.#closed = reason ?? ABORTED;
    this.#call?.abort();
  }

  // The provider's end marker: nothing more is read. The call is released a microtask
  // later, once the rest of this network read has been parsed, so that a response
  // whose body ended in the same read keeps its connection alive; an upstream that
  // holds the connection open after its end marker is closed then.
  #closeAtEnd(): void {
    if (this.#closed !== undefined) return;
    this.#closed = ENDED;
    const call = this.#call;
    if (call) queueMicrotask(() => call.release());
  }

  #emit(event: UpstreamEvent): void {
    if (this.#finished) return;
    const last = event.type === 'end' || event.type === 'error';
    if (last) {
      this.#finish();
      // Whatever ends the answer ends the upstream call: a provider that goes on
      // streaming after its own error or end marker is not read (or billed) any more.
      if (event.type === 'error') this.#close(event.error);
      else this.#closeAtEnd();
    }
    const owner = this.#owner;
    if (owner) {
      if (event.type === 'error') return this.#failOpen(event.error);
      (this.#buffered ??= []).push(event);
      // Reasoning opens the session as text does: it streams to the client from here.
      if (event.type === 'text' || event.type === 'reasoning' || event.type === 'finish' || last) {
        this.#owner = undefined;
        owner.attemptOpened(this);
      }
      return;
    }
    if (this.#handler) this.#handler.onUpstreamEvent(event);
    else (this.#buffered ??= []).push(event);
  }
}

/** The content type each framing comes with, parameters allowed: `text/event-stream`, or NDJSON's. */
const STREAM_TYPES: Record<UpstreamFraming, RegExp> = {
  sse: /^\s*text\/event-stream\s*(;|$)/i,
  ndjson: /^\s*application\/(x-ndjson|jsonl|x-jsonlines)\s*(;|$)/i,
};

function isStreamType(contentType: string | null, framing: UpstreamFraming): boolean {
  return contentType !== null && STREAM_TYPES[framing].test(contentType);
}

function notAStream(response: UpstreamResponse, contentType: string | null, framing: UpstreamFraming): StreamError {
  const type = contentType === null ? 'none' : /^\s*([\w.+-]{1,64}\/[\w.+-]{1,64})/.exec(contentType)?.[1] ?? 'unreadable';
  const id = upstreamRequestId({ get: (name) => response.header(name) });
  return new StreamError('upstream_error', 'The model provider did not answer with a stream; the answer was not used.', {
    status: 502,
    retryable: false,
    detail: `upstream ${response.status} with content-type ${type}, not ${framing === 'sse' ? 'text/event-stream' : 'application/x-ndjson'}${id ? ` (request ${id})` : ''}`,
  });
}

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
