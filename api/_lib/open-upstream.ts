import { createParser } from 'eventsource-parser';
import type { RetryEvent } from '../../widget/shared/protocol.js';
import type { ProviderConfig, RetryConfig } from './config.js';
import type { NormalizedRequest } from './request-schema.js';
import type { ProviderAdapter, UpstreamEvent } from './providers/provider-adapter.js';
import { abortableDelay, backoffDelayMs } from './retry.js';
import { StreamError, toStreamError } from './stream-error.js';
import type { ByteSource, UpstreamTransport } from './transports/upstream-transport.js';

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
  /** Aborts everything: the current attempt, a pending backoff, the stream afterwards. */
  signal: AbortSignal;
  /** Called before each new attempt, so the client can be told. */
  onRetry: (event: RetryEvent, error: StreamError) => void;
  random?: () => number;
}

/**
 * One upstream answer, opened and past its first event. Events are pushed to the
 * handler given to `start`, ending with exactly one `end` or `error`; `pause` stops the
 * upstream read while the client is behind.
 */
export interface UpstreamSession {
  /** How many attempts it took (1 = no retry). */
  readonly attempts: number;
  start(onEvent: (event: UpstreamEvent) => void): void;
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
 */
export async function openUpstream(options: OpenUpstreamOptions): Promise<UpstreamSession> {
  const { retry, signal } = options;
  for (let attempt = 1; ; attempt++) {
    try {
      return await attemptOnce(options, attempt);
    } catch (thrown) {
      if (signal.aborted) throw signal.reason;
      const error = toStreamError(thrown);
      if (!error.retryable || attempt > retry.maxRetries) throw error;
      const wanted = error.retryAfterMs;
      if (wanted !== undefined && wanted > retry.maxRetryAfterMs) throw error;
      const delayMs = Math.round(wanted ?? backoffDelayMs(attempt, retry.baseDelayMs, options.random));
      options.onRetry({ type: 'retry', attempt, delayMs, reason: error.message }, error);
      await abortableDelay(delayMs, signal);
    }
  }
}

async function attemptOnce(options: OpenUpstreamOptions, attempts: number): Promise<UpstreamSession> {
  const { adapter, signal } = options;
  const controller = new AbortController();
  const onOuterAbort = (): void => controller.abort(signal.reason);
  signal.addEventListener('abort', onOuterAbort, { once: true });

  // Idle watchdog: one timer, re-armed lazily; it only counts while we wait on the
  // upstream (not while paused for a slow client).
  let lastActivity = performance.now();
  let paused = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const idleError = (): StreamError => new StreamError('upstream_timeout', 'The model provider stopped responding.', { status: 504, retryable: true });
  const watch = (delay: number): void => {
    timer = setTimeout(() => {
      const quiet = performance.now() - lastActivity;
      if (paused || quiet < options.idleTimeoutMs) return watch(paused ? options.idleTimeoutMs : options.idleTimeoutMs - quiet);
      fail(idleError());
    }, delay);
  };
  watch(options.idleTimeoutMs);

  let source: ByteSource | undefined;
  let chars = 0;
  let finished = false;
  let deliver: ((event: UpstreamEvent) => void) | undefined;
  const buffered: UpstreamEvent[] = [];
  let peeked: { resolve: () => void; reject: (e: unknown) => void } | undefined;

  const release = (): void => {
    finished = true;
    clearTimeout(timer);
    signal.removeEventListener('abort', onOuterAbort);
  };
  // Ends the session with an error: before the peek it rejects (so it can be retried),
  // after it, it is the last event delivered.
  function fail(error: unknown): void {
    if (finished) return;
    source?.destroy();
    if (!controller.signal.aborted) controller.abort(error);
    emit({ type: 'error', error: toStreamError(controller.signal.reason ?? error) });
  }
  function emit(event: UpstreamEvent): void {
    if (finished) return;
    const last = event.type === 'end' || event.type === 'error';
    if (last) release();
    if (peeked) {
      if (event.type === 'error') return void (peeked.reject(event.error), (peeked = undefined));
      buffered.push(event);
      if (event.type === 'text' || event.type === 'finish' || last) {
        peeked.resolve();
        peeked = undefined;
        if (!last) source?.pause();
      }
      return;
    }
    if (deliver) deliver(event);
    else buffered.push(event);
  }

  const parser = createParser({
    onEvent: (message) => {
      for (const event of adapter.parseMessage(message)) emit(event);
    },
    // Unknown fields and bad retry values are ignorable; only an oversized event is fatal.
    onError: (error) => {
      if (error.type === 'max-buffer-size-exceeded') fail(new StreamError('upstream_error', 'The model provider sent a malformed stream.', { status: 502, retryable: true, detail: error.message }));
    },
    maxBufferSize: MAX_UPSTREAM_EVENT_CHARS,
  });

  try {
    const { url, init } = adapter.buildRequest(options.request, options.provider);
    const response = await options.transport(url, init, controller.signal).catch((err: unknown) => {
      throw controller.signal.aborted ? controller.signal.reason : networkError(err);
    });
    source = response.body;
    lastActivity = performance.now();
    if (response.status < 200 || response.status > 299) {
      const text = await readSome(response.body, MAX_ERROR_BODY_BYTES);
      throw adapter.parseHttpError(response.status, { get: (name) => response.header(name) }, text);
    }
    await new Promise<void>((resolve, reject) => {
      peeked = { resolve, reject };
      response.body.start({
        data(chunk) {
          if (finished) return;
          chars += chunk.length;
          lastActivity = performance.now();
          parser.feed(chunk);
        },
        end() {
          // A body that ends without the provider's end marker is a lost connection.
          if (!finished) emit({ type: 'error', error: droppedError() });
        },
        error(err) {
          fail(controller.signal.aborted ? controller.signal.reason : droppedError(err));
        },
      });
    });
  } catch (err) {
    if (!finished) release();
    source?.destroy();
    if (!controller.signal.aborted) controller.abort(err);
    throw err;
  }

  const session: UpstreamSession = {
    attempts,
    charsRead: () => chars,
    start(onEvent) {
      deliver = onEvent;
      for (const event of buffered.splice(0)) onEvent(event);
      if (!finished) session.resume();
    },
    pause() {
      paused = true;
      source?.pause();
    },
    resume() {
      paused = false;
      lastActivity = performance.now();
      source?.resume();
    },
    cancel() {
      if (finished) return;
      release();
      source?.destroy();
      if (!controller.signal.aborted) controller.abort(CANCELLED);
    },
  };
  return session;
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
