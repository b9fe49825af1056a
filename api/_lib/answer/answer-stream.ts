import type { FinishReason, ReasoningEvent, RetryEvent, StreamEvent, TokenEvent, Usage } from '../../../widget/shared/protocol.js';
import type { StreamConfig } from '../config/config.js';
import { createJsonOutputCheck, type JsonOutputCheck } from './json-output-check.js';
import type { Logger } from '../ops/log.js';
import { UpstreamOpener, type OpenUpstreamOptions, type OpenerListener, type UpstreamSession } from '../upstream/open-upstream.js';
import type { UpstreamEvent } from '../upstream/providers/provider-adapter.js';
import { createReasoningCoalescer, type ReasoningTarget } from './reasoning-coalescer.js';
import type { NormalizedRequest } from '../request/request-schema.js';
import { SseWriter } from './sse-encoder.js';
import type { Clocked, StreamClock } from './stream-clock.js';
import type { StreamEntry, StreamRegistry } from './stream-registry.js';
import { StreamError, toStreamError } from '../stream-error.js';
import { completionTokenBound } from '../counting/completion-counter.js';
import { createTokenCoalescer, type CoalescerTarget, type TokenCoalescer } from './token-coalescer.js';
import { countChatTokens, createCompletionCounter, type CompletionTokenCounter } from '../counting/tokenizer.js';
import type { UpstreamTransport } from '../upstream/transports/upstream-transport.js';

/** Metadata events go out at most this often, however small the coalescing window. */
const METADATA_INTERVAL_MS = 250;
/** How long `done` may wait for a token count that the tokenizer is still producing. */
const COUNT_WAIT_MS = 3_000;
/** Bytes the response body may queue before the upstream read pauses. */
const BODY_HIGH_WATER_BYTES = 16 * 1024;

export interface AnswerStreamOptions {
  streamId: string;
  request: NormalizedRequest;
  /** Where the answer comes from: the model's provider, then its fallbacks. `routes[0].request` is `request`. */
  routes: OpenUpstreamOptions['routes'];
  transport: UpstreamTransport;
  config: StreamConfig;
  /** The request's signal: it aborts when the client goes away. */
  clientSignal: AbortSignal;
  /** The stream is stopped (with `upstream_timeout`) after this long. */
  maxStreamMs: number;
  /** The prompt's exact token count when the handler already has it; else counted when first needed. */
  promptTokens: number | undefined;
  log: Logger;
  /** Where the stream is listed; it removes itself, however it ends. */
  registry: StreamRegistry;
  /** Ticks the stream's coarse timeouts: the deadline, the heartbeat, the upstream idle watchdog. */
  clock: StreamClock;
  /**
   * Called exactly once when the answer ends, however it ends, with the usage counted
   * (undefined when it failed before any output): settles the token budget, frees the
   * stream slot.
   */
  onEnd?: ((usage: Usage | undefined) => void) | undefined;
}

/** One answer's response body; also its registry entry (stop it by id, read its gauges). */
export interface AnswerStream extends StreamEntry {
  body: ReadableStream<Uint8Array>;
}

/**
 * The SSE body of one answer. Upstream bytes are pushed through one synchronous path
 * (decode → SSE parse → adapter → coalesce → frame) into a single byte stream; when the
 * client falls behind (its queue passes 16 KB) the upstream read pauses, and resumes
 * when the client pulls again. It always ends with one `done` or `error` event (unless
 * the client is gone), and always releases the upstream, the counter and the registry.
 *
 * Every stop (the client leaving, `DELETE ?id=`, the deadline, the body cancelled)
 * comes in through `abort`, which closes the upstream directly: no AbortController
 * per stream, whose signal and listeners cost about a kilobyte each (measured,
 * docs/server-design.md).
 */
export function createAnswerStream(options: AnswerStreamOptions): AnswerStream {
  return new Answer(options);
}

/**
 * One answer's state and steps, as methods on one object rather than closures: a
 * thousand open streams then hold a thousand of these, not tens of thousands of
 * functions and their scopes.
 */
class Answer implements AnswerStream, UnderlyingDefaultSource<Uint8Array>, CoalescerTarget, ReasoningTarget, OpenerListener, EventListenerObject, Clocked {
  readonly body: ReadableStream<Uint8Array>;
  readonly #options: AnswerStreamOptions;
  readonly #startedAt = performance.now();
  readonly #counter: CompletionTokenCounter;
  readonly #jsonCheck: JsonOutputCheck | undefined;
  readonly #coalescer: TokenCoalescer;
  /** Reasoning's own coalescer, made at the first reasoning delta. */
  #reasoning: TokenCoalescer | undefined;
  #writer: SseWriter | undefined;
  #stream: ReadableStreamDefaultController<Uint8Array> | undefined;
  #opener: UpstreamOpener | undefined;
  #session: UpstreamSession | undefined;
  /** Why the stream was stopped from outside; undefined while nobody stopped it. */
  #abortReason: unknown;
  #promptTokens: number | undefined;
  #promptCount: Promise<number> | undefined;
  /** Usage as the provider reported it, when it did. */
  #providerPromptTokens: number | undefined;
  #providerCompletionTokens: number | undefined;
  #providerReasoningTokens: number | undefined;
  #providerCachedPromptTokens: number | undefined;
  #finishReason: FinishReason | undefined;
  #firstTokenAt: number | undefined;
  #firstReasoningAt: number | undefined;
  #lastMetadataAt = Number.NEGATIVE_INFINITY;
  /** Set by whichever ending comes first; every later ending is ignored. */
  #ending = false;
  /** Output past this many tokens (our count) means the upstream ignores `max_tokens`. */
  readonly #tokenBound: number;
  /** Text characters received, and the count at which they are next counted whatever the coalescer does. */
  #textChars = 0;
  #nextCountAt: number;
  /** Set once the output passed the bound: the upstream was stopped, the answer ends with `length`. */
  #overBound = false;
  /** Why the provider's usage was not believed, when it was not. */
  #usageRejected: string | undefined;

  constructor(options: AnswerStreamOptions) {
    this.#options = options;
    this.#counter = createCompletionCounter(options.request.model.encoding);
    this.#jsonCheck = options.request.mode === 'json' ? createJsonOutputCheck(options.request.validator) : undefined;
    // Counting and the JSON check see text per flush, not per delta: the same text in
    // fewer, larger pieces, which costs less per token.
    this.#coalescer = createTokenCoalescer(options.config.coalesceMs, this);
    this.#tokenBound = completionTokenBound(options.request.maxTokens);
    this.#nextCountAt = countStep(this.#tokenBound);
    options.clientSignal.addEventListener('abort', this, { once: true });
    options.clock.add(this);
    this.body = new ReadableStream<Uint8Array>(this, BODY_STRATEGY);
    // A client that left while the request was read never fires the listener.
    if (options.clientSignal.aborted) this.handleEvent();
  }

  bufferedBytes(): number {
    return this.#stream ? BODY_HIGH_WATER_BYTES - (this.#stream.desiredSize ?? BODY_HIGH_WATER_BYTES) : 0;
  }

  upstreamChars(): number {
    return this.#session?.charsRead() ?? 0;
  }

  // The body's underlying source.

  start(controller: ReadableStreamDefaultController<Uint8Array>): void {
    const { streamId, request, config } = this.#options;
    this.#stream = controller;
    this.#writer = new SseWriter(streamId, controller, config.heartbeatMs);
    this.#send({ type: 'start', streamId, model: request.model.alias, provider: request.model.provider });
    this.#opener = new UpstreamOpener(
      {
        routes: this.#options.routes,
        retry: config.retry,
        idleTimeoutMs: config.limits.idleTimeoutMs,
        firstByteTimeoutMs: config.limits.firstByteTimeoutMs,
        firstTokenBudgetMs: config.limits.firstTokenBudgetMs,
        transport: this.#options.transport,
        clientSignal: this.#options.clientSignal,
      },
      this,
    );
    this.#opener.open();
  }

  pull(): void {
    this.#session?.resume();
  }

  cancel(reason: unknown): void {
    // The HTTP layer cancels the body when the client goes away.
    this.#writer?.abandon();
    this.abort(new ClientDisconnected(reason));
  }

  /** Stops the answer (StreamEntry): `DELETE ?id=`, the deadline, or the client leaving. */
  abort(reason: unknown): void {
    if (this.#abortReason !== undefined) return;
    this.#abortReason = reason ?? new ClientDisconnected();
    void this.#end(this.#abortReason);
  }

  /** The request's signal fired: the client went away. */
  handleEvent(): void {
    this.abort(new ClientDisconnected(this.#options.clientSignal.reason));
  }

  /** A tick of the stream clock: the deadline, then the heartbeat and the upstream idle watchdog. */
  onTick(now: number): void {
    if (this.#ending) return;
    if (now - this.#startedAt >= this.#options.maxStreamMs) {
      return this.abort(new StreamError('upstream_timeout', 'The answer took too long and was stopped.', { status: 504, retryable: true }));
    }
    this.#writer?.onTick(now);
    (this.#session ?? this.#opener)?.onTick(now);
  }

  /** A coalesced piece of text is ready (CoalescerTarget). */
  flushText(content: string): void {
    this.#jsonCheck?.push(content);
    this.#sendOutput({ type: 'token', content });
  }

  /** A coalesced piece of reasoning is ready (ReasoningTarget). */
  flushReasoning(content: string): void {
    this.#sendOutput({ type: 'reasoning', content });
  }

  // Reasoning is counted with the text: providers bill it as completion tokens.
  #sendOutput(event: TokenEvent | ReasoningEvent): void {
    this.#counter.push(event.content);
    if (!this.#overBound && this.#counter.estimate() > this.#tokenBound) return this.#stopAtBound(event);
    const now = performance.now();
    if (now - this.#lastMetadataAt < Math.max(METADATA_INTERVAL_MS, this.#options.config.coalesceMs)) {
      this.#send(event);
      return;
    }
    this.#lastMetadataAt = now;
    void this.#countPrompt();
    const promptTokens = this.#promptTokens;
    this.#send(event, { type: 'metadata', completionTokens: this.#counter.estimate(), ...(promptTokens === undefined ? {} : { promptTokens }) });
  }

  /** Upstream events, in order (UpstreamSession.start). */
  onUpstreamEvent(event: UpstreamEvent): void {
    switch (event.type) {
      case 'text':
        // Reasoning held in its coalescer goes out first: the two never share a flush.
        this.#reasoning?.drain();
        if (this.#firstTokenAt === undefined) {
          this.#firstTokenAt = performance.now();
          this.#options.log('first_token', { streamId: this.#options.streamId, ttftMs: Math.round(this.#firstTokenAt - this.#startedAt), ...this.#ttfr(), attempts: this.#session?.attempts });
        }
        this.#coalescer.add(event.text);
        // A burst faster than the coalescing window is counted every so many characters,
        // so an upstream that ignores max_tokens is caught within a few hundred of them.
        this.#textChars += event.text.length;
        if (this.#textChars >= this.#nextCountAt) {
          this.#nextCountAt = this.#textChars + countStep(this.#tokenBound);
          this.#coalescer.drain();
        }
        return;
      case 'reasoning':
        // Not the first token: ttftMs stays the wait for the answer itself (docs/protocol.md).
        this.#firstReasoningAt ??= performance.now();
        this.#coalescer.drain();
        (this.#reasoning ??= createReasoningCoalescer(this.#options.config.coalesceMs, this)).add(event.text);
        return;
      case 'usage':
        if (event.promptTokens !== undefined) this.#providerPromptTokens = event.promptTokens;
        if (event.completionTokens !== undefined) this.#providerCompletionTokens = event.completionTokens;
        if (event.reasoningTokens !== undefined) this.#providerReasoningTokens = event.reasoningTokens;
        if (event.cachedPromptTokens !== undefined) this.#providerCachedPromptTokens = event.cachedPromptTokens;
        return;
      case 'finish':
        this.#finishReason = event.reason;
        return;
      case 'end':
        void this.#complete();
        return;
      case 'error':
        void this.#end(event.error);
    }
  }

  // The output passed `maxTokens` by more than the margin: the upstream ignores it. Its
  // connection is closed now, the text so far is the answer, and it ends with `length`.
  #stopAtBound(event: TokenEvent | ReasoningEvent): void {
    this.#overBound = true;
    if (this.#ending) return this.#send(event);
    this.#finishReason = 'length';
    this.#session?.cancel();
    this.#send(event);
    void this.#complete();
  }

  // Asked for at the first token, not at the request: off the path to the first token,
  // and never for an answer whose provider reports usage before a metadata event is due.
  #countPrompt(): Promise<number> {
    if (!this.#promptCount) {
      const { request, promptTokens } = this.#options;
      this.#promptCount = promptTokens === undefined ? countChatTokens(request.messages, request.model.encoding) : Promise.resolve(promptTokens);
      this.#promptCount.then((n) => (this.#promptTokens = n), ignore);
    }
    return this.#promptCount;
  }

  #send(...events: StreamEvent[]): void {
    this.#writer?.send(...events);
    if (this.#writer?.behind) this.#session?.pause();
  }

  // Opening (OpenerListener).

  onUpstreamOpen(session: UpstreamSession): void {
    // From here the session is what gets stopped.
    this.#opener = undefined;
    this.#session = session;
    if (this.#ending) return session.cancel();
    session.start(this);
  }

  onUpstreamFailed(error: unknown): void {
    this.#opener = undefined;
    void this.#end(error);
  }

  // Announced before the wait, so the user knows why nothing arrives yet.
  onUpstreamRetry(event: RetryEvent, error: StreamError): void {
    this.#options.log('retry', { streamId: this.#options.streamId, attempt: event.attempt, delayMs: event.delayMs, code: error.code, detail: error.detail ?? error.message });
    this.#send(event);
  }

  async #usage(): Promise<Usage> {
    let p = this.#providerPromptTokens;
    let c = this.#providerCompletionTokens;
    // Usage that cannot be true (negative, fractional, beyond the context window or the
    // output bound) is not passed on as the provider's: the estimate replaces it.
    const { contextWindow } = this.#options.request.model;
    if ((p !== undefined && !isCount(p, contextWindow * 2)) || (c !== undefined && !isCount(c, this.#tokenBound))) {
      this.#usageRejected = `prompt_tokens ${String(p)}, completion_tokens ${String(c)}`;
      p = undefined;
      c = undefined;
    }
    if (p !== undefined && c !== undefined) return { promptTokens: p, completionTokens: c, totalTokens: p + c, source: 'provider', ...this.#usageDetails() };
    const [prompt, completion] = await Promise.all([
      p ?? withTimeout(this.#countPrompt(), COUNT_WAIT_MS, 0),
      c ?? withTimeout(this.#counter.count(), COUNT_WAIT_MS, this.#counter.estimate()),
    ]);
    return { promptTokens: prompt, completionTokens: completion, totalTokens: prompt + completion, source: 'estimate', ...this.#usageDetails() };
  }

  /** The parts of usage only some providers report, when this one did. */
  #usageDetails(): Pick<Usage, 'reasoningTokens' | 'cachedPromptTokens'> {
    const reasoningTokens = this.#providerReasoningTokens;
    const cachedPromptTokens = this.#providerCachedPromptTokens;
    return {
      ...(reasoningTokens === undefined ? {} : { reasoningTokens }),
      ...(cachedPromptTokens === undefined ? {} : { cachedPromptTokens }),
    };
  }

  /** Time to the first reasoning, for the log, when there was any. */
  #ttfr(): { ttfrMs?: number } {
    return this.#firstReasoningAt === undefined ? {} : { ttfrMs: Math.round(this.#firstReasoningAt - this.#startedAt) };
  }

  #logEnd(event: 'done' | 'cancel' | 'error', u: Usage | undefined, extra: Record<string, string | number | boolean | undefined>): void {
    const { streamId, request, log } = this.#options;
    log(event, {
      streamId,
      model: request.model.alias,
      durationMs: Math.round(performance.now() - this.#startedAt),
      ...(this.#firstTokenAt === undefined ? {} : { ttftMs: Math.round(this.#firstTokenAt - this.#startedAt) }),
      ...this.#ttfr(),
      ...(u ? { promptTokens: u.promptTokens, completionTokens: u.completionTokens, usageSource: u.source } : {}),
      ...(this.#session ? { attempts: this.#session.attempts } : {}),
      ...(this.#usageRejected === undefined ? {} : { providerUsageRejected: this.#usageRejected }),
      ...(this.#overBound ? { stoppedAt: `output past ${this.#tokenBound} tokens (maxTokens ${this.#options.request.maxTokens})` } : {}),
      ...extra,
    });
  }

  #release(usage: Usage | undefined): void {
    this.#options.clock.delete(this);
    this.#options.clientSignal.removeEventListener('abort', this);
    this.#session?.cancel();
    this.#coalescer.dispose();
    this.#reasoning?.dispose();
    this.#counter.dispose();
    this.#options.registry.delete(this.#options.streamId);
    this.#options.onEnd?.(usage);
  }

  // The answer is complete: check JSON if asked, then `done` with usage.
  async #complete(): Promise<void> {
    if (this.#ending) return;
    // The last text and `done` leave in one write.
    this.#writer?.cork();
    // At most one of the two holds anything: adding to one drains the other.
    this.#reasoning?.drain();
    this.#coalescer.drain();
    // The drained text may have passed the output bound, which completes the answer itself.
    if (this.#ending) return;
    const reason = this.#finishReason ?? 'stop';
    const invalid = this.#jsonCheck?.finish(reason === 'length');
    if (invalid) return this.#end(invalid);
    this.#ending = true;
    const u = await this.#usage();
    this.#logEnd('done', u, { finishReason: reason });
    this.#send({ type: 'done', finishReason: reason, usage: u });
    this.#writer?.close();
    this.#release(u);
  }

  // Every other ending: an error, a cancel by id, a deadline, or the client leaving.
  async #end(thrown: unknown): Promise<void> {
    if (this.#ending) return;
    this.#ending = true;
    this.#opener?.stop(thrown);
    this.#session?.cancel();
    const stopped = this.#abortReason;
    const disconnected = stopped instanceof ClientDisconnected;
    this.#writer?.cork();
    // Drained even when the client is gone: the text still counts towards usage.
    this.#reasoning?.drain();
    this.#coalescer.drain();
    const error = stopped !== undefined && !StreamError.is(thrown) ? reasonOf(stopped) : toStreamError(thrown);
    let u: Usage | undefined;
    if (error.code === 'cancelled') {
      u = await this.#usage();
      this.#logEnd('cancel', u, { finishReason: 'cancelled', reason: disconnected ? 'client disconnected' : 'cancelled by id' });
      if (!disconnected) this.#send({ type: 'done', finishReason: 'cancelled', usage: u });
    } else {
      u = this.#firstTokenAt === undefined && this.#firstReasoningAt === undefined ? undefined : await this.#usage();
      this.#logEnd('error', u, { code: error.code, detail: error.detail ?? error.message, retryable: error.retryable });
      this.#send({ type: 'error', code: error.code, message: error.message, retryable: error.retryable, ...(error.path ? { path: error.path } : {}) });
    }
    this.#writer?.close();
    this.#release(u);
  }
}

const ignore = (): void => {};

/**
 * Characters between forced counts: the bound (a token is rarely shorter than a
 * character, so less text cannot pass it), and at least 64. Ordinary answers, whose
 * coalescer flushes more often than that, never see a forced count.
 */
function countStep(tokenBound: number): number {
  return Math.max(64, tokenBound);
}

/** A token count a provider could really have made: a whole number from 0 to `max`. */
function isCount(n: number, max: number): boolean {
  return Number.isSafeInteger(n) && n >= 0 && n <= max;
}

/** The body queues bytes, up to BODY_HIGH_WATER_BYTES. */
const BODY_STRATEGY: QueuingStrategy<Uint8Array> = { highWaterMark: BODY_HIGH_WATER_BYTES, size: (chunk) => chunk.byteLength };

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
