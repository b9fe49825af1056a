import type { FinishReason, StreamEvent, Usage } from '../../widget/shared/protocol.js';
import type { ProviderConfig, StreamConfig } from './config.js';
import { createJsonOutputCheck } from './json-output-check.js';
import type { Logger } from './log.js';
import { openUpstream, type UpstreamSession } from './open-upstream.js';
import type { ProviderAdapter, UpstreamEvent } from './providers/provider-adapter.js';
import type { NormalizedRequest } from './request-schema.js';
import { SseWriter } from './sse-encoder.js';
import { StreamError, toStreamError } from './stream-error.js';
import { createTokenCoalescer } from './token-coalescer.js';
import { createCompletionCounter } from './tokenizer.js';
import type { UpstreamTransport } from './transports/upstream-transport.js';

/** Metadata events go out at most this often, however small the coalescing window. */
const METADATA_INTERVAL_MS = 250;
/** How long `done` may wait for a token count that the tokenizer is still producing. */
const COUNT_WAIT_MS = 3_000;
/** Bytes the response body may queue before the upstream read pauses. */
const BODY_HIGH_WATER_BYTES = 16 * 1024;

export interface AnswerStreamOptions {
  streamId: string;
  request: NormalizedRequest;
  adapter: ProviderAdapter;
  provider: ProviderConfig;
  transport: UpstreamTransport;
  config: StreamConfig;
  /** Aborted by a client disconnect, `DELETE ?id=`, or the stream's deadline. */
  controller: AbortController;
  /** Counts the prompt's tokens exactly; called at most once, when first needed. */
  promptTokens: () => Promise<number>;
  log: Logger;
  /** Called exactly once, however the stream ends. */
  onEnd: () => void;
}

/** One answer's response body and its gauges. */
export interface AnswerStream {
  body: ReadableStream<Uint8Array>;
  /** Bytes framed but not yet taken by the HTTP layer. */
  bufferedBytes(): number;
  /** Body characters read from the upstream so far. */
  upstreamChars(): number;
}

/**
 * The SSE body of one answer. Upstream bytes are pushed through one synchronous path
 * (decode → SSE parse → adapter → coalesce → frame) into a single byte stream; when the
 * client falls behind (its queue passes 16 KB) the upstream read pauses, and resumes
 * when the client pulls again. It always ends with one `done` or `error` event (unless
 * the client is gone), and always releases the upstream, the counter and the registry.
 */
export function createAnswerStream(options: AnswerStreamOptions): AnswerStream {
  const { streamId, request, controller, log, config } = options;
  const signal = controller.signal;
  const startedAt = performance.now();
  const counter = createCompletionCounter(request.model.encoding);
  const jsonCheck = request.mode === 'json' ? createJsonOutputCheck(request.validator) : undefined;
  let writer: SseWriter | undefined;
  let stream: ReadableStreamDefaultController<Uint8Array> | undefined;
  let session: UpstreamSession | undefined;
  let promptTokens: number | undefined;
  let providerUsage: { promptTokens?: number; completionTokens?: number } = {};
  let finishReason: FinishReason | undefined;
  let firstTokenAt: number | undefined;
  let lastMetadataAt = Number.NEGATIVE_INFINITY;
  /** Set by whichever ending comes first; every later ending is ignored. */
  let ending = false;

  let promptCount: Promise<number> | undefined;
  // Asked for at the first token, not at the request: off the path to the first token,
  // and never for an answer whose provider reports usage before a metadata event is due.
  const countPrompt = (): Promise<number> => {
    if (!promptCount) {
      promptCount = options.promptTokens();
      promptCount.then((n) => (promptTokens = n), () => {});
    }
    return promptCount;
  };

  // Counting and the JSON check see text per flush, not per delta: the same text in
  // fewer, larger pieces, which costs less per token.
  const coalescer = createTokenCoalescer(config.coalesceMs, (content) => {
    counter.push(content);
    jsonCheck?.push(content);
    const events: StreamEvent[] = [{ type: 'token', content }];
    const now = performance.now();
    if (now - lastMetadataAt >= Math.max(METADATA_INTERVAL_MS, config.coalesceMs)) {
      lastMetadataAt = now;
      void countPrompt();
      events.push({ type: 'metadata', completionTokens: counter.estimate(), ...(promptTokens === undefined ? {} : { promptTokens }) });
    }
    send(...events);
  });

  function send(...events: StreamEvent[]): void {
    writer?.send(...events);
    if (writer?.behind) session?.pause();
  }

  function onEvent(event: UpstreamEvent): void {
    switch (event.type) {
      case 'text':
        if (firstTokenAt === undefined) {
          firstTokenAt = performance.now();
          log('first_token', { streamId, ttftMs: Math.round(firstTokenAt - startedAt), attempts: session?.attempts });
        }
        coalescer.add(event.text);
        return;
      case 'usage':
        if (event.promptTokens !== undefined) providerUsage.promptTokens = event.promptTokens;
        if (event.completionTokens !== undefined) providerUsage.completionTokens = event.completionTokens;
        return;
      case 'finish':
        finishReason = event.reason;
        return;
      case 'end':
        void complete();
        return;
      case 'error':
        void end(event.error);
    }
  }

  async function open(): Promise<void> {
    try {
      session = await openUpstream({
        adapter: options.adapter,
        provider: options.provider,
        request,
        retry: config.retry,
        idleTimeoutMs: config.limits.idleTimeoutMs,
        transport: options.transport,
        signal,
        // Announced before the wait, so the user knows why nothing arrives yet.
        onRetry: (event, error) => {
          log('retry', { streamId, attempt: event.attempt, delayMs: event.delayMs, code: error.code, detail: error.detail ?? error.message });
          send(event);
        },
      });
      if (ending) return session.cancel();
      session.start(onEvent);
    } catch (thrown) {
      await end(thrown);
    }
  }

  async function usage(): Promise<Usage> {
    const p = providerUsage.promptTokens;
    const c = providerUsage.completionTokens;
    if (p !== undefined && c !== undefined) return { promptTokens: p, completionTokens: c, totalTokens: p + c, source: 'provider' };
    const [prompt, completion] = await Promise.all([
      p ?? withTimeout(countPrompt(), COUNT_WAIT_MS, 0),
      c ?? withTimeout(counter.count(), COUNT_WAIT_MS, counter.estimate()),
    ]);
    return { promptTokens: prompt, completionTokens: completion, totalTokens: prompt + completion, source: 'estimate' };
  }

  function logEnd(event: 'done' | 'cancel' | 'error', u: Usage | undefined, extra: Record<string, string | number | boolean | undefined>): void {
    log(event, {
      streamId,
      model: request.model.alias,
      durationMs: Math.round(performance.now() - startedAt),
      ...(firstTokenAt === undefined ? {} : { ttftMs: Math.round(firstTokenAt - startedAt) }),
      ...(u ? { promptTokens: u.promptTokens, completionTokens: u.completionTokens, usageSource: u.source } : {}),
      ...(session ? { attempts: session.attempts } : {}),
      ...extra,
    });
  }

  function release(): void {
    signal.removeEventListener('abort', onAbort);
    session?.cancel();
    coalescer.dispose();
    counter.dispose();
    options.onEnd();
  }

  // The answer is complete: check JSON if asked, then `done` with usage.
  async function complete(): Promise<void> {
    if (ending) return;
    // The last text and `done` leave in one write.
    writer?.cork();
    coalescer.drain();
    const reason = finishReason ?? 'stop';
    const invalid = jsonCheck?.finish(reason === 'length');
    if (invalid) return end(invalid);
    ending = true;
    const u = await usage();
    logEnd('done', u, { finishReason: reason });
    send({ type: 'done', finishReason: reason, usage: u });
    writer?.close();
    release();
  }

  // Every other ending: an error, a cancel by id, a deadline, or the client leaving.
  async function end(thrown: unknown): Promise<void> {
    if (ending) return;
    ending = true;
    session?.cancel();
    const disconnected = signal.reason instanceof ClientDisconnected;
    writer?.cork();
    // Drained even when the client is gone: the text still counts towards usage.
    coalescer.drain();
    const error = signal.aborted && !StreamError.is(thrown) ? reasonOf(signal.reason) : toStreamError(thrown);
    if (error.code === 'cancelled') {
      const u = await usage();
      logEnd('cancel', u, { finishReason: 'cancelled', reason: disconnected ? 'client disconnected' : 'cancelled by id' });
      if (!disconnected) send({ type: 'done', finishReason: 'cancelled', usage: u });
    } else {
      logEnd('error', firstTokenAt === undefined ? undefined : await usage(), { code: error.code, detail: error.detail ?? error.message, retryable: error.retryable });
      send({ type: 'error', code: error.code, message: error.message, retryable: error.retryable, ...(error.path ? { path: error.path } : {}) });
    }
    writer?.close();
    release();
  }

  function onAbort(): void {
    void end(signal.reason);
  }
  signal.addEventListener('abort', onAbort, { once: true });

  const body = new ReadableStream<Uint8Array>(
    {
      start(controllerOfBody) {
        stream = controllerOfBody;
        writer = new SseWriter(streamId, controllerOfBody, config.heartbeatMs);
        send({ type: 'start', streamId, model: request.model.alias, provider: request.model.provider });
        void open();
      },
      pull() {
        session?.resume();
      },
      cancel(reason) {
        // The HTTP layer cancels the body when the client goes away.
        writer?.abandon();
        if (!signal.aborted) controller.abort(new ClientDisconnected(reason));
      },
    },
    { highWaterMark: BODY_HIGH_WATER_BYTES, size: (chunk) => chunk.byteLength },
  );

  return {
    body,
    bufferedBytes: () => (stream ? BODY_HIGH_WATER_BYTES - (stream.desiredSize ?? BODY_HIGH_WATER_BYTES) : 0),
    upstreamChars: () => session?.charsRead() ?? 0,
  };
}

/** The reason a stream is aborted when its client disconnects. */
export class ClientDisconnected extends Error {
  override name = 'ClientDisconnected';
  constructor(cause?: unknown) {
    super('client disconnected', { cause });
  }
}

function reasonOf(reason: unknown): StreamError {
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
