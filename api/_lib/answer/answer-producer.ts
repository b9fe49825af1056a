import type { FinishReason, ReasoningEvent, RetryEvent, StartEvent, StreamEvent, TokenEvent, Usage } from '../../../widget/shared/protocol.js';
import type { StreamConfig } from '../config/config.js';
import { createJsonOutputCheck, type JsonOutputCheck } from './json-output-check.js';
import type { Logger } from '../ops/log.js';
import { UpstreamOpener, type OpenUpstreamOptions, type OpenerListener, type UpstreamSession } from '../upstream/open-upstream.js';
import type { UpstreamEvent } from '../upstream/providers/provider-adapter.js';
import { createReasoningCoalescer, type ReasoningTarget } from './reasoning-coalescer.js';
import type { NormalizedRequest } from '../request/request-schema.js';
import { encodeEvent } from './sse-encoder.js';
import { EventLogWriter, type EventLogTtl } from './event-log-writer.js';
import type { SharedStore } from '../store/shared-store.js';
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
const encoder = new TextEncoder();

/** Where the producer writes: one connection's reader attached live (see AnswerReader). */
export interface LiveTarget {
  /** Takes frames as bytes, in order. */
  write(bytes: Uint8Array): void;
  /** True while its client has not taken what it was given (the upstream then pauses). */
  readonly behind: boolean;
  /** Bytes given but not yet taken by the HTTP layer. */
  bufferedBytes(): number;
  /** The answer is over: nothing follows what was written. */
  end(): void;
}

/** The answer's event log, when it is kept for resume. */
export interface EventLogOptions {
  store: SharedStore;
  ttl: EventLogTtl;
  /** How long the answer goes on with no reader before its upstream is aborted. */
  graceMs: number;
}

export interface AnswerProducerOptions {
  streamId: string;
  request: NormalizedRequest;
  /** Where the answer comes from: the model's provider, then its fallbacks. `routes[0].request` is `request`. */
  routes: OpenUpstreamOptions['routes'];
  transport: UpstreamTransport;
  config: StreamConfig;
  /** The starting request's signal: an answer whose client left before it began is aborted at once. */
  clientSignal: AbortSignal;
  /** Logs the answer's frames for resume; undefined when resume is off. */
  eventLog?: EventLogOptions | undefined;
  /** The answer is aborted (with `upstream_timeout`) after this long. */
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

/** One answer's producer; also its registry entry (cancel it by id, read its gauges). */
export interface AnswerProducer extends StreamEntry {
  readonly streamId: string;
  /** Whether the answer's frames are being logged, so a reader can join after a drop. */
  readonly resumable: boolean;
  /** Opens the upstream and sends `start`; call once the first reader is attached. */
  begin(): void;
  /**
   * Attaches a reader from `fromSeq` on: the frames from there that this instance holds
   * are written to it at once, and every later one as it is sent. False when the answer
   * is ending, or some of those frames are only in the store (read them, then try again).
   */
  attach(reader: LiveTarget, fromSeq: number): boolean;
  /** The reader's connection ended: the answer goes on (resume on, for the grace) or is aborted. */
  detach(reader: LiveTarget): void;
  /** A reader took what it was given: the upstream goes on unless another is still behind. */
  readerPulled(): void;
}

/**
 * The producer of one answer: the upstream, counting, coalescing and the numbering of
 * events. Upstream bytes are pushed through one synchronous path (decode → SSE parse →
 * adapter → coalesce → frame) to every reader attached here, and, with resume on, to
 * the event log (never awaited). While an attached reader is behind (its queue passes
 * 16 KB) the upstream read pauses, and goes on when it pulls again. It always ends with
 * one `done` or `error` event (unless nobody is left to read it), and always releases
 * the upstream, the counter and the registry.
 *
 * A reader's connection ending ends that reader, not the answer: with resume off the
 * answer is aborted at once (nobody can come back); with resume on it goes on into the
 * log for the grace period, and is aborted then unless a reader came back (here, or on
 * another instance through the store). A cancel (`DELETE ?id=`, the cancel flag) and the
 * deadline close the upstream directly: no AbortController per stream, whose signal and
 * listeners cost about a kilobyte each (measured, docs/server-design.md).
 */
export function createAnswerProducer(options: AnswerProducerOptions): AnswerProducer {
  return new Producer(options);
}

/**
 * One answer's state and steps, as methods on one object rather than closures: a
 * thousand open streams then hold a thousand of these, not tens of thousands of
 * functions and their scopes.
 */
class Producer implements AnswerProducer, CoalescerTarget, ReasoningTarget, OpenerListener, Clocked {
  readonly streamId: string;
  readonly #options: AnswerProducerOptions;
  readonly #startedAt = performance.now();
  readonly #counter: CompletionTokenCounter;
  readonly #jsonCheck: JsonOutputCheck | undefined;
  readonly #coalescer: TokenCoalescer;
  /** Reasoning's own coalescer, made at the first reasoning delta. */
  #reasoning: TokenCoalescer | undefined;
  /** The readers attached here; usually one, none while a dropped client is away. */
  readonly #readers = new Set<LiveTarget>();
  readonly #eventLog: EventLogWriter | undefined;
  readonly #graceMs: number;
  /** The next event's seq. */
  #seq = 0;
  /** The last frames, held back so they leave with the end in one write (and one append). */
  #corked: { text: string; frames: string[] } | undefined;
  /** Since when no reader is attached (resume on); undefined while one is. */
  #aloneSince: number | undefined;
  /** A `readerSeen` call is out. */
  #askingReader = false;
  #opener: UpstreamOpener | undefined;
  #session: UpstreamSession | undefined;
  /** Why the answer was ended from outside (a cancel, the deadline, the grace); undefined until then. */
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
  /** Set once the output passed the bound: the upstream was aborted, the answer ends with `length`. */
  #overBound = false;
  /** Why the provider's usage was not believed, when it was not. */
  #usageRejected: string | undefined;

  constructor(options: AnswerProducerOptions) {
    this.#options = options;
    this.streamId = options.streamId;
    this.#eventLog = options.eventLog ? new EventLogWriter(options.eventLog.store, options.streamId, options.eventLog.ttl, options.log) : undefined;
    this.#graceMs = options.eventLog?.graceMs ?? 0;
    this.#counter = createCompletionCounter(options.request.model.encoding);
    this.#jsonCheck = options.request.mode === 'json' ? createJsonOutputCheck(options.request.validator) : undefined;
    // Counting and the JSON check see text per flush, not per delta: the same text in
    // fewer, larger pieces, which costs less per token.
    this.#coalescer = createTokenCoalescer(options.config.coalesceMs, this);
    this.#tokenBound = completionTokenBound(options.request.maxTokens);
    this.#nextCountAt = countStep(this.#tokenBound);
    options.clock.add(this);
  }

  get resumable(): boolean {
    return this.#eventLog?.on === true;
  }

  bufferedBytes(): number {
    let most = 0;
    for (const reader of this.#readers) most = Math.max(most, reader.bufferedBytes());
    return most;
  }

  upstreamChars(): number {
    return this.#session?.charsRead() ?? 0;
  }

  begin(): void {
    const { streamId, request, config, clientSignal } = this.#options;
    const start: StartEvent = { type: 'start', streamId, model: request.model.alias, provider: request.model.provider };
    if (this.resumable) start.resumable = true;
    this.#send(start);
    // A client that left while the request was read never got the stream id: nobody can come back.
    if (clientSignal.aborted) return this.#abort(new ClientDisconnected(clientSignal.reason));
    this.#opener = new UpstreamOpener(
      {
        routes: this.#options.routes,
        retry: config.retry,
        idleTimeoutMs: config.limits.idleTimeoutMs,
        firstByteTimeoutMs: config.limits.firstByteTimeoutMs,
        firstTokenBudgetMs: config.limits.firstTokenBudgetMs,
        transport: this.#options.transport,
        // With resume on, a client gone while the upstream opens may come back for the answer.
        ...(this.#eventLog ? {} : { clientSignal }),
      },
      this,
    );
    this.#opener.open();
  }

  attach(reader: LiveTarget, fromSeq: number): boolean {
    if (this.#ending) return false;
    if (fromSeq !== this.#seq) {
      const frames = this.#eventLog?.framesFrom(fromSeq);
      if (!frames || fromSeq + frames.length !== this.#seq) return false;
      reader.write(encoder.encode(frames.join('')));
    }
    this.#readers.add(reader);
    this.#aloneSince = undefined;
    if (reader.behind) this.#session?.pause();
    return true;
  }

  detach(reader: LiveTarget): void {
    if (!this.#readers.delete(reader) || this.#ending) return;
    if (this.#readers.size > 0) return this.readerPulled();
    if (!this.resumable) return this.#abort(new ClientDisconnected());
    this.#aloneSince = performance.now();
    // Nobody to wait for: the rest of the answer goes into the log.
    this.#session?.resume();
  }

  readerPulled(): void {
    if (!this.#anyBehind()) this.#session?.resume();
  }

  /** Ends the answer because someone asked (StreamEntry): `DELETE ?id=`, or the cancel flag. */
  cancel(reason: unknown): void {
    this.#abort(reason);
  }

  // Every ending from outside: a cancel, the deadline, the grace running out, the client leaving with resume off.
  #abort(reason: unknown): void {
    if (this.#abortReason !== undefined) return;
    this.#abortReason = reason ?? new ClientDisconnected();
    void this.#end(this.#abortReason);
  }

  /** A tick of the stream clock: the deadline, the grace, then the upstream idle watchdog. */
  onTick(now: number): void {
    if (this.#ending) return;
    if (now - this.#startedAt >= this.#options.maxStreamMs) {
      return this.#abort(new StreamError('upstream_timeout', 'The answer took too long and was stopped.', { status: 504, retryable: true }));
    }
    if (this.#aloneSince !== undefined && now - this.#aloneSince >= this.#graceMs) this.#askForReader();
    (this.#session ?? this.#opener)?.onTick(now);
  }

  // The grace ran out with no reader here: one store call asks whether one reads the log
  // elsewhere (its reads mark it, for a grace long). If so the wait starts over; if not,
  // or the store cannot say, the upstream is aborted.
  #askForReader(): void {
    const log = this.#options.eventLog;
    if (this.#askingReader || !log) return;
    this.#askingReader = true;
    log.store.readerSeen(this.streamId).then(
      (seen) => {
        this.#askingReader = false;
        if (this.#ending || this.#aloneSince === undefined) return;
        if (seen.ok && seen.value) this.#aloneSince = performance.now();
        else this.#abort(new GraceOver());
      },
      () => this.#abort(new GraceOver()),
    );
  }

  #anyBehind(): boolean {
    for (const reader of this.#readers) if (reader.behind) return true;
    return false;
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
    if (!this.#overBound && this.#counter.estimate() > this.#tokenBound) return this.#endAtBound(event);
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
  #endAtBound(event: TokenEvent | ReasoningEvent): void {
    this.#overBound = true;
    if (this.#ending) return this.#send(event);
    this.#finishReason = 'length';
    this.#session?.abort();
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

  // Frames the events once, writes them to every reader (one write each), and hands them
  // to the log without waiting for it: the hot path has no await.
  #send(...events: StreamEvent[]): void {
    const frames: string[] | undefined = this.#eventLog?.on || this.#corked ? [] : undefined;
    let text = '';
    for (const event of events) {
      const frame = encodeEvent(`${this.streamId}:${this.#seq++}`, event);
      text += frame;
      frames?.push(frame);
    }
    if (this.#corked) {
      this.#corked.text += text;
      if (frames) this.#corked.frames.push(...frames);
      return;
    }
    if (frames) this.#eventLog?.push(frames);
    this.#deliver(text);
    if (this.#anyBehind()) this.#session?.pause();
  }

  #deliver(text: string): void {
    if (this.#readers.size === 0 || text === '') return;
    const bytes = encoder.encode(text);
    for (const reader of this.#readers) reader.write(bytes);
  }

  /** Holds what is sent until `#close`, so the last frames leave in one write and one append. */
  #cork(): void {
    this.#corked ??= { text: '', frames: [] };
  }

  /** Sends what was held with the log's end mark, and ends every reader. */
  #close(): void {
    const corked = this.#corked ?? { text: '', frames: [] };
    this.#corked = undefined;
    this.#eventLog?.push(corked.frames, true);
    this.#deliver(corked.text);
    for (const reader of this.#readers) reader.end();
    this.#readers.clear();
  }

  // Opening (OpenerListener).

  onUpstreamOpen(session: UpstreamSession): void {
    // From here the session is what gets aborted.
    this.#opener = undefined;
    this.#session = session;
    if (this.#ending) return session.abort();
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

  #cleanUp(usage: Usage | undefined): void {
    this.#options.clock.delete(this);
    this.#aloneSince = undefined;
    this.#session?.abort();
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
    this.#cork();
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
    this.#close();
    this.#cleanUp(u);
  }

  // Every other ending: an error, a cancel by id, the deadline, the grace, or the client leaving.
  async #end(thrown: unknown): Promise<void> {
    if (this.#ending) return;
    this.#ending = true;
    this.#opener?.abort(thrown);
    this.#session?.abort();
    const aborted = this.#abortReason;
    const disconnected = aborted instanceof ClientDisconnected;
    this.#cork();
    // Drained even when the client is gone: the text still counts towards usage.
    this.#reasoning?.drain();
    this.#coalescer.drain();
    const error = aborted !== undefined && !StreamError.is(thrown) ? reasonOf(aborted) : toStreamError(thrown);
    let u: Usage | undefined;
    if (error.code === 'cancelled') {
      u = await this.#usage();
      const why = disconnected ? 'client disconnected' : aborted instanceof GraceOver ? 'nobody resumed within the grace' : 'cancelled by id';
      this.#logEnd('cancel', u, { finishReason: 'cancelled', reason: why });
      // A log gets its end even when nobody reads it now: a client coming back finds it.
      if (!disconnected || this.#eventLog?.on) this.#send({ type: 'done', finishReason: 'cancelled', usage: u });
    } else {
      u = this.#firstTokenAt === undefined && this.#firstReasoningAt === undefined ? undefined : await this.#usage();
      this.#logEnd('error', u, { code: error.code, detail: error.detail ?? error.message, retryable: error.retryable });
      this.#send({ type: 'error', code: error.code, message: error.message, retryable: error.retryable, ...(error.path ? { path: error.path } : {}) });
    }
    this.#close();
    this.#cleanUp(u);
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

/** The reason an answer is aborted when its client disconnects and nobody can come back (resume off). */
export class ClientDisconnected extends Error {
  override name = 'ClientDisconnected';
  constructor(cause?: unknown) {
    super('client disconnected', { cause });
  }
}

/** The reason an answer is aborted when its readers left and none came back within the grace. */
export class GraceOver extends Error {
  override name = 'GraceOver';
  constructor() {
    super('nobody resumed within the grace period');
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
