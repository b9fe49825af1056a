import type { FinishReason, StreamEvent, Usage } from '../../widget/shared/protocol.js';
import type { ProviderConfig, StreamConfig } from './config.js';
import type { Logger } from './log.js';
import { openUpstream, type UpstreamReader } from './open-upstream.js';
import type { ProviderAdapter } from './providers/provider-adapter.js';
import type { NormalizedRequest } from './request-schema.js';
import { StreamError, toStreamError } from './stream-error.js';
import { createCompletionCounter } from './tokenizer.js';
import { createJsonOutputCheck } from './json-output-check.js';

/** Metadata events go out at most this often, however small the coalescing window. */
const METADATA_INTERVAL_MS = 250;
/** How long `done` may wait for a token count that the tokenizer is still producing. */
const COUNT_WAIT_MS = 3_000;

export interface AnswerStreamOptions {
  streamId: string;
  request: NormalizedRequest;
  adapter: ProviderAdapter;
  provider: ProviderConfig;
  config: StreamConfig;
  /** Aborted by a client disconnect, `DELETE ?id=`, or the stream's deadline. */
  controller: AbortController;
  /** Exact prompt tokens, counted in the background. */
  promptTokens: Promise<number>;
  log: Logger;
  /** Called exactly once, however the stream ends. */
  onEnd: () => void;
  fetch?: typeof fetch;
}

/**
 * The events of one answer as a pull-based stream: the upstream is read only when the
 * client has taken what came before, so a slow reader makes the upstream wait instead
 * of making this process buffer. Always ends with one `done` or `error` event (unless
 * the client is gone), and always releases the upstream and the registry entry.
 */
export function createAnswerStream(options: AnswerStreamOptions): { events: ReadableStream<StreamEvent>; upstreamBytes: () => number } {
  const { streamId, request, controller, log } = options;
  const signal = controller.signal;
  const startedAt = performance.now();
  const counter = createCompletionCounter(request.model.encoding);
  const jsonCheck = request.mode === 'json' ? createJsonOutputCheck(request.validator) : undefined;
  let upstream: UpstreamReader | undefined;
  let promptTokens: number | undefined;
  let providerUsage: { promptTokens?: number; completionTokens?: number } = {};
  let finishReason: FinishReason | undefined;
  let firstTokenAt: number | undefined;
  let lastMetadataAt = 0;
  /** Set by whichever ending comes first; every later ending is ignored. */
  let ending = false;
  let sent = 0;

  void options.promptTokens.then((n) => (promptTokens = n), () => {});

  const release = (): void => {
    upstream?.cancel();
    counter.dispose();
    options.onEnd();
  };

  const emit = (stream: ReadableStreamDefaultController<StreamEvent>, event: StreamEvent): void => {
    sent++;
    stream.enqueue(event);
  };

  const usage = async (): Promise<Usage> => {
    const p = providerUsage.promptTokens;
    const c = providerUsage.completionTokens;
    if (p !== undefined && c !== undefined) return { promptTokens: p, completionTokens: c, totalTokens: p + c, source: 'provider' };
    const [prompt, completion] = await Promise.all([
      p ?? withTimeout(options.promptTokens, COUNT_WAIT_MS, -1),
      c ?? withTimeout(counter.count(), COUNT_WAIT_MS, counter.estimate()),
    ]);
    const promptCount = prompt < 0 ? 0 : prompt;
    return { promptTokens: promptCount, completionTokens: completion, totalTokens: promptCount + completion, source: 'estimate' };
  };

  const logEnd = (event: 'done' | 'cancel' | 'error', u: Usage | undefined, extra: Record<string, string | number | boolean | undefined> = {}): void => {
    log(event, {
      streamId,
      model: request.model.alias,
      durationMs: Math.round(performance.now() - startedAt),
      ...(firstTokenAt === undefined ? {} : { ttftMs: Math.round(firstTokenAt - startedAt) }),
      ...(u ? { promptTokens: u.promptTokens, completionTokens: u.completionTokens, usageSource: u.source } : {}),
      ...extra,
    });
  };

  const fail = async (thrown: unknown, stream: ReadableStreamDefaultController<StreamEvent>): Promise<void> => {
    if (ending) return;
    ending = true;
    const error = signal.aborted && !StreamError.is(thrown) ? cancelledReason(signal.reason) : toStreamError(thrown);
    if (error.code === 'cancelled') {
      const u = await usage();
      logEnd('cancel', u, { finishReason: 'cancelled' });
      if (!isDisconnect(signal.reason)) {
        emit(stream, { type: 'done', finishReason: 'cancelled', usage: u });
        stream.close();
      }
      return release();
    }
    logEnd('error', firstTokenAt === undefined ? undefined : await usage(), { code: error.code, detail: error.detail ?? error.message, retryable: error.retryable });
    emit(stream, { type: 'error', code: error.code, message: error.message, retryable: error.retryable, ...(error.path ? { path: error.path } : {}) });
    stream.close();
    release();
  };

  // One step: read upstream until something is worth sending. False when the stream is over.
  const step = async (stream: ReadableStreamDefaultController<StreamEvent>): Promise<boolean> => {
    if (!upstream) {
      upstream = await openUpstream({
        adapter: options.adapter,
        provider: options.provider,
        request,
        retry: options.config.retry,
        idleTimeoutMs: options.config.limits.idleTimeoutMs,
        signal,
        // Announced before the wait, so the user knows why nothing arrives yet; a few
        // small events at most (bounded by maxRetries), so pull-based order still holds.
        onRetry: (event, error) => {
          log('retry', { streamId, attempt: event.attempt, delayMs: event.delayMs, code: error.code, detail: error.detail ?? error.message });
          emit(stream, event);
        },
        ...(options.fetch ? { fetch: options.fetch } : {}),
      });
    }
    const event = await upstream.read();
    if (signal.aborted) throw signal.reason;
    if (!event) return false;
    switch (event.type) {
      case 'text': {
        if (firstTokenAt === undefined) {
          firstTokenAt = performance.now();
          log('first_token', { streamId, ttftMs: Math.round(firstTokenAt - startedAt), attempts: upstream.attempts });
        }
        counter.push(event.text);
        jsonCheck?.push(event.text);
        emit(stream, { type: 'token', content: event.text });
        const now = performance.now();
        if (now - lastMetadataAt >= Math.max(METADATA_INTERVAL_MS, options.config.coalesceMs)) {
          lastMetadataAt = now;
          emit(stream, { type: 'metadata', completionTokens: counter.estimate(), ...(promptTokens === undefined ? {} : { promptTokens }) });
        }
        return true;
      }
      case 'usage':
        providerUsage = {
          ...providerUsage,
          ...(event.promptTokens === undefined ? {} : { promptTokens: event.promptTokens }),
          ...(event.completionTokens === undefined ? {} : { completionTokens: event.completionTokens }),
        };
        return true;
      case 'finish':
        finishReason = event.reason;
        return true;
      case 'error':
        throw event.error;
      case 'end': {
        if (ending) return false;
        const reason = finishReason ?? 'stop';
        const invalid = jsonCheck?.finish(reason === 'length');
        if (invalid) throw invalid;
        ending = true;
        const u = await usage();
        logEnd('done', u, { finishReason: reason, attempts: upstream.attempts });
        emit(stream, { type: 'done', finishReason: reason, usage: u });
        stream.close();
        release();
        return false;
      }
    }
  };

  const events = new ReadableStream<StreamEvent>(
    {
      start(stream) {
        emit(stream, { type: 'start', streamId, model: request.model.alias, provider: request.model.provider });
      },
      async pull(stream) {
        try {
          // Loop until something was sent: a pull that enqueues nothing is never repeated.
          const before = sent;
          while (!ending && (await step(stream)) && sent === before);
        } catch (thrown) {
          await fail(thrown, stream);
        }
      },
      async cancel(reason) {
        // The HTTP layer cancels the body when the client goes away.
        if (ending) return;
        ending = true;
        if (!signal.aborted) controller.abort(new ClientDisconnected(reason));
        const u = await usage();
        logEnd('cancel', u, { finishReason: 'cancelled', reason: 'client disconnected' });
        release();
      },
    },
    { highWaterMark: 0 },
  );
  return { events, upstreamBytes: () => upstream?.bytesRead() ?? 0 };
}

/** The reason a stream is aborted when its client disconnects. */
export class ClientDisconnected extends Error {
  override name = 'ClientDisconnected';
  constructor(cause?: unknown) {
    super('client disconnected', { cause });
  }
}

function isDisconnect(reason: unknown): boolean {
  return reason instanceof ClientDisconnected;
}

function cancelledReason(reason: unknown): StreamError {
  if (StreamError.is(reason)) return reason;
  return new StreamError('cancelled', 'The answer was cancelled.', { status: 499, cause: reason });
}

function withTimeout<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(fallback), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      () => {
        clearTimeout(timer);
        resolve(fallback);
      },
    );
  });
}
