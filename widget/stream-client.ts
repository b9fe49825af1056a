import type { StreamEvent, StreamRequest } from './shared/protocol.js';
import { abortableDelay } from './shared/abortable-delay.js';
import { errorFromResponse } from './http-error.js';
import { defaultRetryPolicy, isRetryableStatus, retryDelay, type RetryPolicy } from './retry-timing.js';
import { readStreamEvents } from './sse-event-reader.js';
import { strings } from './strings.js';
import { cancelledError, isStreamError, StreamError } from './stream-error.js';

/** Options of a {@link StreamClient}. */
export interface StreamClientOptions {
  /** The stream endpoint. @default '/api/chat/stream' */
  endpoint?: string;
  /** Extra request headers (an auth token, for example). */
  headers?: Record<string, string>;
  /** Cookies and HTTP auth for cross-origin endpoints. @default 'same-origin' */
  credentials?: RequestCredentials;
  /** How requests that fail before the stream starts are retried. */
  retry?: Partial<RetryPolicy>;
  /** Resume a dropped stream with `GET ?id=` and `Last-Event-ID` when the server offers it. @default true */
  resume?: boolean;
  /**
   * Also send `DELETE ?id=` on cancel when the server does not log the stream. A stream
   * the server logs for resume (its `start` said `resumable`, or it was followed with
   * {@link StreamClient.resume}) always gets the DELETE: the server keeps such a stream
   * generating for a while after a bare disconnect, so only the DELETE stops it (and its
   * bill) at once. Otherwise aborting the fetch is enough; turn this on behind a proxy
   * that keeps aborted connections open upstream. @default false
   */
  cancelRequest?: boolean;
  /** The `fetch` to use (tests, instrumentation). @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Waits before a retry, rejecting when `signal` aborts (tests pass a clock they control). @default abortableDelay */
  delay?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** Options of one {@link StreamClient.stream} call. */
export interface StreamCallOptions {
  /** Aborting it cancels the stream, like {@link ChatStream.cancel}. */
  signal?: AbortSignal;
}

/**
 * A framework-free client for the chat stream endpoint: POSTs a {@link StreamRequest}
 * and yields the protocol's events as they arrive.
 *
 * @example
 * const client = new StreamClient({ endpoint: '/api/chat/stream' });
 * const stream = client.stream({ messages: [{ role: 'user', content: 'Hi' }] });
 * try {
 *   for await (const event of stream) if (event.type === 'token') out.append(event.content);
 * } catch (error) {
 *   if (isStreamError(error) && error.code !== 'cancelled') show(error.message);
 * }
 */
export class StreamClient {
  readonly endpoint: string;
  readonly #options: StreamClientOptions;
  readonly #policy: RetryPolicy;

  constructor(options: StreamClientOptions = {}) {
    this.endpoint = options.endpoint ?? '/api/chat/stream';
    this.#options = options;
    this.#policy = { ...defaultRetryPolicy, ...options.retry };
  }

  /** Starts one answer. Nothing is sent until the returned stream is iterated. */
  stream(request: StreamRequest, options: StreamCallOptions = {}): ChatStream {
    return new ChatStream(this.endpoint, { request }, this.#options, this.#policy, options.signal);
  }

  /**
   * Follows a stream the server logs, by its id (`GET ?id=`): the events after
   * `lastEventId` (an SSE id, `<streamId>:<seq>`), or all of them without it, then the
   * live stream to its end. For a page that reloaded mid-answer; the stream's `text`
   * holds only what arrives from here. A server without resume, or a stream it no
   * longer has, ends the iteration with `stream_interrupted`. When `lastEventId` is the
   * stream's last event (`done` or `error`), the server answers 204 and the iteration
   * ends with no event: that answer is over.
   *
   * @example
   * const stream = client.resume(saved.streamId, saved.lastEventId);
   */
  resume(streamId: string, lastEventId?: string, options: StreamCallOptions = {}): ChatStream {
    return new ChatStream(this.endpoint, { streamId, lastEventId }, this.#options, this.#policy, options.signal);
  }
}

// About the server's grace period for a dropped stream (docs/protocol.md, "Resume").
const offlineWaitMs = 15_000;

/** What a {@link ChatStream} follows: a new request, or a stream the server already runs. */
type StreamSource = { request: StreamRequest } | { streamId: string; lastEventId: string | undefined };

/**
 * One answer being streamed: iterate it once for its events. Failures (HTTP errors
 * after the retries, a dropped connection that could not be resumed, the server's
 * `error` event, a cancel) end the iteration with a {@link StreamError}.
 */
export class ChatStream implements AsyncIterable<StreamEvent> {
  /** The server's id for this stream, known after `start`. */
  streamId: string | undefined;
  /** The text received so far. */
  text = '';
  /** The model's reasoning received so far (`reasoning` events; never part of `text`). */
  reasoning = '';
  /** True once the server said it logs this stream for resume (`start`'s `resumable`, or a resume it answered). */
  resumable = false;
  readonly #controller = new AbortController();
  /** Aborts the connection being read (a stalled one), not the stream. */
  #connection = new AbortController();
  readonly #endpoint: string;
  readonly #request: StreamRequest | undefined;
  readonly #options: StreamClientOptions;
  readonly #policy: RetryPolicy;
  #lastEventId: string | undefined;
  #lastSeq = -1;
  #serverRetryMs: number | undefined;
  #finished = false;
  #iterated = false;
  /** Set while a resume waits out its backoff: aborting it ends the wait early. */
  #wake: AbortController | undefined;
  /** The next resume goes at once (the page came back and found the connection stalled). */
  #now = false;
  /** Counts what arrived (events and heartbeat comments), to tell a stalled connection from a quiet one. */
  #heard = 0;
  #heardWhenHidden = -1;

  constructor(endpoint: string, source: StreamSource, options: StreamClientOptions, policy: RetryPolicy, signal?: AbortSignal) {
    this.#endpoint = endpoint;
    this.#options = options;
    this.#policy = policy;
    if ('request' in source) this.#request = source.request;
    else {
      this.streamId = source.streamId;
      if (source.lastEventId !== undefined) this.#isNew(source.lastEventId);
    }
    if (signal?.aborted) this.cancel();
    else signal?.addEventListener('abort', () => this.cancel(), { once: true, signal: this.#controller.signal });
  }

  /** Aborted when the stream is cancelled. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** The SSE id of the last event received (`<streamId>:<seq>`): where a resume starts from. */
  get lastEventId(): string | undefined {
    return this.#lastEventId;
  }

  /** Stops the stream: aborts the fetch (and any backoff wait) and tells the server. */
  cancel(): void {
    if (this.#controller.signal.aborted || this.#finished) return;
    this.#controller.abort(cancelledError());
    // A followed stream is one the server logs, even before its GET is answered.
    const logged = this.resumable || this.#request === undefined;
    if (this.streamId !== undefined && (logged || this.#options.cancelRequest === true)) {
      // Best effort, and it must go out: a logged stream keeps generating after a bare disconnect.
      this.#fetch(this.#url(this.streamId), { method: 'DELETE', keepalive: true }).catch(() => undefined);
    }
  }

  /**
   * The page came back (visible again, or online): a resume waiting out its backoff goes
   * now, and a connection of a logged stream that heard nothing while the page was
   * hidden (a phone suspends background connections without closing them) is replaced.
   */
  #comeBack(stalled: boolean): void {
    if (this.#wake) this.#wake.abort();
    else if (stalled && this.resumable) {
      this.#now = true;
      this.#connection.abort();
    }
  }

  readonly #onVisibility = (): void => {
    if (document.visibilityState === 'hidden') this.#heardWhenHidden = this.#heard;
    else this.#comeBack(this.#heard === this.#heardWhenHidden);
  };

  readonly #onOnline = (): void => this.#comeBack(false);

  // Offline, a connection is dead or soon will be (the browser does not always close it):
  // a logged stream lets it go and waits for `online` to resume.
  readonly #onOffline = (): void => {
    if (this.resumable && !this.#wake) this.#connection.abort();
  };

  [Symbol.asyncIterator](): AsyncIterator<StreamEvent> {
    if (this.#iterated) throw new Error('A ChatStream can be iterated only once.');
    this.#iterated = true;
    return this.#run();
  }

  async *#run(): AsyncGenerator<StreamEvent, void, undefined> {
    // Listeners live as long as the iteration; the DOM ones only where there is a DOM.
    const listening = new AbortController();
    globalThis.document?.addEventListener('visibilitychange', this.#onVisibility, { signal: listening.signal });
    globalThis.addEventListener?.('online', this.#onOnline, { signal: listening.signal });
    globalThis.addEventListener?.('offline', this.#onOffline, { signal: listening.signal });
    try {
      let body = this.#request ? yield* this.#open(this.#request) : yield* this.#resume(true);
      // No body: the server says the answer ended at the last event this client holds.
      while (body && !(yield* this.#read(body))) body = yield* this.#resume(false);
    } catch (error) {
      if (this.#controller.signal.aborted) throw cancelledError();
      throw error;
    } finally {
      this.#finished = true;
      listening.abort();
    }
  }

  /** POSTs the request, retrying failures that happen before the stream starts. */
  async *#open(request: StreamRequest): AsyncGenerator<StreamEvent, ReadableStream<Uint8Array<ArrayBuffer>>, undefined> {
    for (let attempt = 0; ; attempt++) {
      let error: StreamError;
      try {
        const response = await this.#fetch(this.#endpoint, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream' },
          body: JSON.stringify(request),
        });
        if (response.ok) return checkEventStream(response);
        error = await errorFromResponse(response);
      } catch (cause) {
        if (this.#controller.signal.aborted || isStreamError(cause)) throw cause;
        error = (await this.#refusedByCors()) ? originRefused(cause) : networkError(cause);
      }
      if (!error.retryable || attempt >= this.#policy.retries) throw error;
      if (error.retryAfterMs !== undefined && error.retryAfterMs > this.#policy.maxRetryAfterMs) throw error;
      // Our server's refusal always says when to come back; without that, a retry would be refused again.
      if (error.code === 'rate_limited' && error.retryAfterMs === undefined) throw error;
      const delayMs = retryDelay(this.#policy, attempt + 1, error.retryAfterMs);
      yield { type: 'retry', attempt: attempt + 1, delayMs, reason: error.message };
      await (this.#options.delay ?? abortableDelay)(delayMs, this.#controller.signal);
    }
  }

  /** Yields the events of one response; true when the stream reached `done`. */
  async *#read(body: ReadableStream<Uint8Array<ArrayBuffer>>): AsyncGenerator<StreamEvent, boolean, undefined> {
    const onRetry = (ms: number): void => {
      this.#serverRetryMs = ms;
    };
    const onComment = (): void => {
      this.#heard++;
    };
    try {
      for await (const { id, event } of readStreamEvents(body, { onRetry, onComment })) {
        // A transport that ignores the abort must still not deliver anything after it.
        if (this.#controller.signal.aborted) throw cancelledError();
        this.#heard++;
        if (id !== undefined && !this.#isNew(id)) continue;
        if (event.type === 'start') {
          this.streamId = event.streamId;
          // Older servers leave `resumable` out: only an explicit `true` counts.
          this.resumable = event.resumable === true;
        }
        if (event.type === 'token') this.text += event.content;
        if (event.type === 'reasoning') this.reasoning += event.content;
        if (event.type === 'error') {
          const init = { retryable: event.retryable, ...(event.path === undefined ? {} : { path: event.path }) };
          throw new StreamError(event.code, event.message, init);
        }
        yield event;
        if (event.type === 'done') return true;
      }
    } catch (error) {
      // Anything else is the connection breaking (Chrome's "network error", Safari's
      // "TypeError: Load failed", our own abort of a stalled connection): a drop.
      if (this.#controller.signal.aborted || isStreamError(error)) throw error;
    }
    // The body ended (or broke) before `done` or `error`: the connection dropped.
    return false;
  }

  /**
   * Follows the stream by id (`GET ?id=` with `Last-Event-ID` once an event came):
   * after a drop, from a backoff wait on; when following a known id (`fresh`), at once
   * first. Fails with `stream_interrupted`, keeping the text received. Undefined when the
   * server answers 204: the stream's last event is the one this client already holds.
   */
  async *#resume(fresh: boolean): AsyncGenerator<StreamEvent, ReadableStream<Uint8Array<ArrayBuffer>> | undefined, undefined> {
    const interrupted = new StreamError('stream_interrupted', 'The connection dropped before the answer was complete.', {
      retryable: true,
    });
    const streamId = this.streamId;
    if (this.#options.resume === false || streamId === undefined || (!fresh && this.#lastEventId === undefined)) throw interrupted;
    for (let attempt = fresh ? 0 : 1; attempt <= this.#policy.retries; attempt++) {
      if (attempt > 0) {
        // Offline, an attempt cannot succeed: wait for `online` (which ends the wait), up to the server's grace.
        const offline = globalThis.navigator?.onLine === false;
        const delayMs = offline ? offlineWaitMs : (this.#serverRetryMs ?? retryDelay(this.#policy, attempt));
        yield { type: 'retry', attempt, delayMs, reason: 'The connection dropped; resuming.' };
        await this.#backoff(delayMs);
      }
      let response: Response;
      try {
        const since: Record<string, string> = this.#lastEventId === undefined ? {} : { 'Last-Event-ID': this.#lastEventId };
        response = await this.#fetch(this.#url(streamId), { method: 'GET', headers: { Accept: 'text/event-stream', ...since } });
      } catch (cause) {
        if (this.#controller.signal.aborted) throw cause;
        continue;
      }
      if (response.status === 204) return undefined;
      if (response.ok) {
        this.resumable = true;
        return checkEventStream(response);
      }
      // 404/405/501: this server (or this stream) cannot be resumed; anything else may pass.
      if (!isRetryableStatus(response.status) || response.status === 501) throw interrupted;
    }
    throw interrupted;
  }

  /** A resume's backoff wait, cut short when the page comes back (or skipped after a stall). */
  async #backoff(ms: number): Promise<void> {
    if (this.#now) {
      this.#now = false;
      return;
    }
    const wake = linkedController(this.#controller.signal);
    this.#wake = wake;
    try {
      await (this.#options.delay ?? abortableDelay)(ms, wake.signal);
    } catch (error) {
      if (this.#controller.signal.aborted) throw error;
      // Woken: the wait is over.
    } finally {
      this.#wake = undefined;
    }
  }

  /**
   * After a fetch failed without a response: was it the browser refusing a cross-origin
   * call (the server's preflight said no), rather than the network? Script cannot read a
   * refused preflight, so the client asks the one thing it can: whether the server
   * answers at all, with a no-cors GET (a response we cannot read, and no Origin header
   * for the server to refuse). A server that answers, after a fetch that failed, refused
   * this origin: retrying cannot help. Same-origin endpoints are never refused this way.
   */
  async #refusedByCors(): Promise<boolean> {
    const page = globalThis.location;
    if (!page || new URL(this.#endpoint, page.href).origin === page.origin) return false;
    try {
      const fetchImpl = this.#options.fetch ?? globalThis.fetch;
      await fetchImpl(this.#endpoint, { method: 'GET', mode: 'no-cors', credentials: 'omit', signal: this.#controller.signal });
      return true;
    } catch {
      return false;
    }
  }

  /** Remembers the id; false when the event was already seen (a resume replaying too much). */
  #isNew(id: string): boolean {
    this.#lastEventId = id;
    const seq = Number(id.slice(id.lastIndexOf(':') + 1));
    if (!Number.isInteger(seq)) return true;
    if (seq <= this.#lastSeq) return false;
    this.#lastSeq = seq;
    return true;
  }

  #url(streamId: string): string {
    const url = new URL(this.#endpoint, globalThis.location?.href ?? 'http://localhost/');
    url.searchParams.set('id', streamId);
    return url.href;
  }

  #fetch(url: string, init: RequestInit): Promise<Response> {
    const fetchImpl = this.#options.fetch ?? globalThis.fetch;
    const headers = { ...this.#options.headers, ...(init.headers as Record<string, string> | undefined) };
    // Each connection can be aborted alone (a stalled one), and with the stream.
    if (init.method !== 'DELETE') this.#connection = linkedController(this.#controller.signal);
    return fetchImpl(url, {
      ...init,
      headers,
      credentials: this.#options.credentials ?? 'same-origin',
      // The DELETE must outlive the abort it follows.
      ...(init.method === 'DELETE' ? {} : { signal: this.#connection.signal }),
    });
  }
}

/** A controller that aborts with `parent` (AbortSignal.any is too new for the browsers we serve). */
function linkedController(parent: AbortSignal): AbortController {
  const child = new AbortController();
  if (parent.aborted) child.abort(parent.reason);
  else parent.addEventListener('abort', () => child.abort(parent.reason), { once: true, signal: child.signal });
  return child;
}

function checkEventStream(response: Response): ReadableStream<Uint8Array<ArrayBuffer>> {
  const type = response.headers.get('Content-Type') ?? '';
  if (response.body && type.startsWith('text/event-stream')) return response.body;
  throw new StreamError('protocol_error', 'The server did not answer with an event stream.', {
    retryable: false,
    status: response.status,
  });
}

function originRefused(cause: unknown): StreamError {
  return new StreamError('origin_not_allowed', strings.originNotAllowed, { retryable: false, cause });
}

function networkError(cause: unknown): StreamError {
  return new StreamError('network_error', 'Could not reach the server.', { retryable: true, cause });
}
