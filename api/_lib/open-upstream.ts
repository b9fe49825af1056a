import { EventSourceParserStream } from 'eventsource-parser/stream';
import type { RetryEvent } from '../../widget/shared/protocol.js';
import type { ProviderConfig, RetryConfig } from './config.js';
import type { NormalizedRequest } from './request-schema.js';
import type { ProviderAdapter, UpstreamEvent } from './providers/provider-adapter.js';
import { abortableDelay, backoffDelayMs } from './retry.js';
import { StreamError, toStreamError } from './stream-error.js';
import { createIdleWatchdog, type IdleWatchdog } from './idle-watchdog.js';

/** Largest single SSE event accepted from an upstream; bigger means a broken upstream. */
const MAX_UPSTREAM_EVENT_BYTES = 1024 * 1024;
/** How much of an upstream error body is read (for the log). */
const MAX_ERROR_BODY_BYTES = 4 * 1024;

export interface OpenUpstreamOptions {
  adapter: ProviderAdapter;
  provider: ProviderConfig;
  request: NormalizedRequest;
  retry: RetryConfig;
  idleTimeoutMs: number;
  /** Aborts everything: the current attempt, a pending backoff, the stream afterwards. */
  signal: AbortSignal;
  /** Called before each new attempt, so the client can be told. */
  onRetry: (event: RetryEvent, error: StreamError) => void;
  fetch?: typeof fetch;
  random?: () => number;
}

/** A pull-based reader of one upstream answer. `read()` yields `undefined` at the end. */
export interface UpstreamReader {
  read(): Promise<UpstreamEvent | undefined>;
  /** Stops reading and closes the upstream connection. */
  cancel(reason?: unknown): void;
  /** How many attempts it took to get a stream (1 = no retry). */
  readonly attempts: number;
  /** Body bytes read from the upstream so far (backpressure checks). */
  bytesRead(): number;
}

/**
 * Opens the upstream stream, retrying failures that happen before the first piece of
 * text: network errors, retryable HTTP statuses, and a first event that is an error.
 * Once text has been seen the reader is returned and nothing is retried any more.
 */
export async function openUpstream(options: OpenUpstreamOptions): Promise<UpstreamReader> {
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

async function attemptOnce(options: OpenUpstreamOptions, attempt: number): Promise<UpstreamReader> {
  const { adapter, provider, request, signal } = options;
  const controller = new AbortController();
  const onOuterAbort = (): void => controller.abort(signal.reason);
  signal.addEventListener('abort', onOuterAbort, { once: true });
  const watchdog = createIdleWatchdog(options.idleTimeoutMs, () =>
    controller.abort(new StreamError('upstream_timeout', 'The model provider stopped responding.', { status: 504, retryable: true })),
  );
  const release = (): void => {
    watchdog.stop();
    signal.removeEventListener('abort', onOuterAbort);
  };

  try {
    const { url, init } = adapter.buildRequest(request, provider);
    watchdog.arm();
    const response = await (options.fetch ?? fetch)(url, { ...init, signal: controller.signal }).catch((err: unknown) => {
      throw controller.signal.aborted ? controller.signal.reason : networkError(err);
    });
    if (!response.ok || !response.body) {
      const body = await readSome(response, MAX_ERROR_BODY_BYTES);
      throw adapter.parseHttpError(response.status, response.headers, body);
    }
    let bytes = 0;
    const events = response.body
      .pipeThrough(watchdog.stream((n) => (bytes += n)))
      .pipeThrough(new TextDecoderStream())
      .pipeThrough(new EventSourceParserStream({ onError: 'terminate', maxBufferSize: MAX_UPSTREAM_EVENT_BYTES }))
      .getReader();
    const reader = createReader(adapter, events, controller, watchdog, release, attempt, () => bytes);
    await reader.peekFirst();
    return reader;
  } catch (err) {
    controller.abort(err);
    release();
    throw controller.signal.reason === err || !signal.aborted ? err : signal.reason;
  }
}

function createReader(
  adapter: ProviderAdapter,
  events: ReadableStreamDefaultReader<{ data: string; event?: string | undefined; id?: string | undefined }>,
  controller: AbortController,
  watchdog: IdleWatchdog,
  release: () => void,
  attempts: number,
  bytesRead: () => number,
): UpstreamReader & { peekFirst(): Promise<void> } {
  const pending: UpstreamEvent[] = [];
  let ended = false;

  const finish = (): void => {
    if (ended) return;
    ended = true;
    release();
  };

  // Reads the next batch of events from the wire; false when the body ended.
  const fill = async (): Promise<boolean> => {
    let next;
    watchdog.arm();
    try {
      next = await events.read();
    } catch (err) {
      throw controller.signal.aborted ? controller.signal.reason : droppedError(err);
    } finally {
      watchdog.disarm();
    }
    if (next.done) return false;
    pending.push(...adapter.parseMessage(next.value));
    return true;
  };

  return {
    attempts,
    bytesRead,
    // Buffers events up to the first text or the end, so an error there can still be retried.
    async peekFirst() {
      for (;;) {
        const firstError = pending.find((e) => e.type === 'error');
        if (firstError?.type === 'error') throw firstError.error;
        if (pending.some((e) => e.type === 'text' || e.type === 'end' || e.type === 'finish')) return;
        if (!(await fill())) throw droppedError();
      }
    },
    async read() {
      while (!ended) {
        const event = pending.shift();
        if (event) {
          if (event.type === 'end' || event.type === 'error') this.cancel();
          return event;
        }
        if (!(await fill())) {
          this.cancel();
          return { type: 'error', error: droppedError() };
        }
      }
      return undefined;
    },
    cancel(reason?: unknown) {
      if (ended) return;
      if (!controller.signal.aborted) controller.abort(reason ?? new Error('upstream reader cancelled'));
      events.cancel().catch(() => {});
      finish();
    },
  };
}

function networkError(err: unknown): StreamError {
  if (StreamError.is(err)) return err;
  const detail = err instanceof Error ? `${err.name}: ${err.message}${err.cause ? ` (${String(err.cause)})` : ''}` : String(err);
  return new StreamError('upstream_unavailable', 'Could not reach the model provider.', { status: 502, retryable: true, detail });
}

function droppedError(cause?: unknown): StreamError {
  const detail = cause === undefined ? 'upstream body ended before its end marker' : `upstream body failed: ${cause instanceof Error ? `${cause.message} ${String(cause.cause ?? '')}` : String(cause)}`;
  return new StreamError('upstream_error', 'The connection to the model provider was lost.', { status: 502, retryable: true, detail });
}

async function readSome(response: Response, maxBytes: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < maxBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // A body that fails while we read the error is still an error; what we have is enough.
  } finally {
    reader.cancel().catch(() => {});
  }
  return new TextDecoder().decode(Buffer.concat(chunks)).slice(0, maxBytes);
}
