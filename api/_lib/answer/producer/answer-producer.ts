import type { FinishReason, ReasoningEvent, RetryEvent, StartEvent, StreamEvent, TokenEvent, Usage } from '../../../../widget/shared/protocol.js';
import { createJsonOutputCheck, type JsonOutputCheck } from '../json-output-check.js';
import { UpstreamOpener, type OpenerListener, type UpstreamSession } from '../../upstream/open-upstream.js';
import type { UpstreamEvent } from '../../upstream/providers/provider-adapter.js';
import { createReasoningCoalescer, type ReasoningTarget } from '../reasoning-coalescer.js';
import { EventLogWriter } from '../event-log-writer.js';
import type { Clocked } from '../stream-clock.js';
import type { StreamEntry } from '../stream-registry.js';
import { StreamError, toStreamError } from '../../stream-error.js';
import { createTokenCoalescer, type CoalescerTarget, type TokenCoalescer } from '../token-coalescer.js';
import { createCompletionCounter, type CompletionTokenCounter } from '../../counting/tokenizer.js';
import { ClientDisconnected, GraceOver, abortError, cancelWhy } from './abort-reasons.js';
import { AnswerFrames } from './answer-frames.js';
import { AnswerTiming } from './answer-timing.js';
import { LiveReaders, type LiveTarget } from './live-readers.js';
import { START_HOLD_MS } from './openings.js';
import { OutputBound } from './output-bound.js';
import { PromptCount } from './prompt-count.js';
import { ReaderGrace, type GraceListener } from './reader-grace.js';
import { UsageTally } from './usage-tally.js';
import type { AnswerProducerOptions } from './producer-options.js';

export type { AnswerProducerOptions, EventLogOptions } from './producer-options.js';

/** Metadata events go out at most this often, however small the coalescing window. */
const METADATA_INTERVAL_MS = 250;

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
 * thousand open streams then hold a thousand of these (and their few parts, each an
 * object with one job in this folder), not tens of thousands of functions and their
 * scopes.
 */
class Producer implements AnswerProducer, CoalescerTarget, ReasoningTarget, OpenerListener, GraceListener, Clocked {
  readonly streamId: string;
  readonly #options: AnswerProducerOptions;
  readonly #timing = new AnswerTiming();
  readonly #counter: CompletionTokenCounter;
  readonly #jsonCheck: JsonOutputCheck | undefined;
  readonly #coalescer: TokenCoalescer;
  /** Reasoning's own coalescer, made at the first reasoning delta. */
  #reasoning: TokenCoalescer | undefined;
  readonly #readers = new LiveReaders();
  readonly #frames: AnswerFrames;
  readonly #eventLog: EventLogWriter | undefined;
  /** Only with resume on: the wait while no reader is attached. */
  readonly #grace: ReaderGrace | undefined;
  readonly #bound: OutputBound;
  readonly #prompt: PromptCount;
  readonly #usage: UsageTally;
  #opener: UpstreamOpener | undefined;
  #session: UpstreamSession | undefined;
  /** Why the answer was ended from outside (a cancel, the deadline, the grace); undefined until then. */
  #abortReason: unknown;
  #finishReason: FinishReason | undefined;
  #lastMetadataAt = Number.NEGATIVE_INFINITY;
  /** Set by whichever ending comes first; every later ending is ignored. */
  #ending = false;
  /** Begun, first event not yet sent (counted in the handler's `Openings`). */
  #opening = false;
  /** `start`, held in a burst to leave with the first event (or on a tick once the burst is over, or after START_HOLD_MS). */
  #heldStart: StartEvent | undefined;

  constructor(options: AnswerProducerOptions) {
    const { streamId, eventLog, request, log } = options;
    this.#options = options;
    this.streamId = streamId;
    this.#frames = new AnswerFrames(streamId);
    this.#eventLog = eventLog ? new EventLogWriter(eventLog.store, streamId, eventLog.ttl, log) : undefined;
    this.#grace = eventLog ? new ReaderGrace(eventLog.store, streamId, eventLog.graceMs, this) : undefined;
    this.#counter = createCompletionCounter(request.model.encoding);
    this.#jsonCheck = request.mode === 'json' ? createJsonOutputCheck(request.validator) : undefined;
    // Counting and the JSON check see text per flush, not per delta: the same text in
    // fewer, larger pieces, which costs less per token.
    this.#coalescer = createTokenCoalescer(options.config.coalesceMs, this);
    this.#bound = new OutputBound(request.maxTokens);
    this.#prompt = new PromptCount(request, options.promptTokens);
    this.#usage = new UsageTally(request.model.contextWindow, this.#bound.tokens);
    options.clock.add(this);
  }

  get resumable(): boolean {
    return this.#eventLog?.on === true;
  }

  bufferedBytes(): number {
    return this.#readers.mostBuffered();
  }

  upstreamChars(): number {
    return this.#session?.charsRead() ?? 0;
  }

  begin(): void {
    const { streamId, request, config, clientSignal } = this.#options;
    const start: StartEvent = { type: 'start', streamId, model: request.model.alias, provider: request.model.provider };
    if (this.resumable) start.resumable = true;
    // A client that left while the request was read never got the stream id: nobody can come back.
    if (clientSignal.aborted) {
      this.#send(start);
      return this.#abort(new ClientDisconnected(clientSignal.reason));
    }
    // The provider call first, then the start event: the opener reports every outcome a
    // turn later, so `start` is still the first event, and framing it is off the path
    // to the upstream request.
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
    this.#opening = true;
    if (this.#options.openings?.begin()) this.#heldStart = start;
    else this.#write([start]);
  }

  attach(reader: LiveTarget, fromSeq: number): boolean {
    if (this.#ending) return false;
    // A reader that joins by id has the id already: it gets `start` now.
    this.#releaseStart();
    const seq = this.#frames.nextSeq;
    let catchUp = '';
    if (fromSeq !== seq) {
      const frames = this.#eventLog?.framesFrom(fromSeq);
      if (!frames || fromSeq + frames.length !== seq) return false;
      catchUp = frames.join('');
    }
    this.#readers.add(reader, catchUp);
    this.#grace?.attended();
    if (reader.behind) this.#session?.pause();
    return true;
  }

  detach(reader: LiveTarget): void {
    if (!this.#readers.delete(reader) || this.#ending) return;
    if (this.#readers.size > 0) return this.readerPulled();
    // With `start` still held nobody has the stream's id, so nobody can come back for it.
    if (!this.resumable || this.#heldStart) return this.#abort(new ClientDisconnected());
    this.#grace?.alone();
    // Nobody to wait for: the rest of the answer goes into the log.
    this.#session?.resume();
  }

  readerPulled(): void {
    if (!this.#readers.anyBehind()) this.#session?.resume();
  }

  /** Ends the answer because someone asked (StreamEntry): `DELETE ?id=`, or the cancel flag. */
  cancel(reason: unknown): void {
    this.#abort(reason);
  }

  /** Nobody resumed within the grace, here or elsewhere (GraceListener). */
  onGraceOver(): void {
    if (!this.#ending) this.#abort(new GraceOver());
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
    if (now - this.#timing.startedAt >= this.#options.maxStreamMs) {
      return this.#abort(new StreamError('upstream_timeout', 'The answer took too long and was stopped.', { status: 504, retryable: true }));
    }
    if (this.#heldStart && (this.#options.openings?.busy !== true || now - this.#timing.startedAt >= START_HOLD_MS)) this.#releaseStart();
    this.#grace?.onTick(now);
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
    if (this.#bound.passedBy(this.#counter.estimate())) return this.#endAtBound(event);
    const now = performance.now();
    if (now - this.#lastMetadataAt < Math.max(METADATA_INTERVAL_MS, this.#options.config.coalesceMs)) {
      this.#send(event);
      return;
    }
    this.#lastMetadataAt = now;
    this.#prompt.countSoon();
    const promptTokens = this.#prompt.known;
    this.#send(event, { type: 'metadata', completionTokens: this.#counter.estimate(), ...(promptTokens === undefined ? {} : { promptTokens }) });
  }

  /** Upstream events, in order (UpstreamSession.start). */
  onUpstreamEvent(event: UpstreamEvent): void {
    switch (event.type) {
      case 'text': {
        // Reasoning held in its coalescer goes out first: the two never share a flush.
        this.#reasoning?.drain();
        const ttftMs = this.#timing.token();
        if (ttftMs !== undefined) {
          this.#options.log('first_token', { streamId: this.#options.streamId, ttftMs, ...this.#timing.ttfr(), attempts: this.#session?.attempts });
        }
        this.#coalescer.add(event.text);
        if (this.#bound.addText(event.text.length)) this.#coalescer.drain();
        return;
      }
      case 'reasoning':
        this.#timing.reasoning();
        this.#coalescer.drain();
        (this.#reasoning ??= createReasoningCoalescer(this.#options.config.coalesceMs, this)).add(event.text);
        return;
      case 'usage':
        this.#usage.record(event);
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
    this.#bound.markPassed();
    if (this.#ending) return this.#send(event);
    this.#finishReason = 'length';
    this.#session?.abort();
    this.#send(event);
    void this.#complete();
  }

  /** Sends the answer's events; the first of them takes a held `start` along. */
  #send(...events: StreamEvent[]): void {
    if (this.#opening) this.#opened(events);
    this.#write(events);
  }

  #opened(events: StreamEvent[]): void {
    this.#opening = false;
    this.#options.openings?.opened();
    const start = this.#heldStart;
    this.#heldStart = undefined;
    if (start) events.unshift(start);
  }

  /** The held `start` goes out on its own (the hold ran out, or a reader joined by id); the answer is still opening. */
  #releaseStart(): void {
    const start = this.#heldStart;
    if (!start) return;
    this.#heldStart = undefined;
    this.#write([start]);
  }

  // Frames the events once, writes them to every reader (one write each), and hands them
  // to the log without waiting for it: the hot path has no await.
  #write(events: StreamEvent[]): void {
    const framed = this.#frames.frame(events, this.#eventLog?.on === true);
    if (!framed) return;
    if (framed.frames) this.#eventLog?.push(framed.frames);
    this.#readers.write(framed.text);
    if (this.#readers.anyBehind()) this.#session?.pause();
  }

  /** Sends what was held (AnswerFrames.cork) with the log's end mark, and ends every reader. */
  #close(): void {
    const held = this.#frames.uncork();
    this.#eventLog?.push(held.frames, true);
    this.#readers.write(held.text);
    this.#readers.endAll();
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

  #logEnd(event: 'done' | 'cancel' | 'error', u: Usage | undefined, extra: Record<string, string | number | boolean | undefined>): void {
    const { streamId, request, log } = this.#options;
    const rejected = this.#usage.rejected;
    log(event, {
      streamId,
      model: request.model.alias,
      durationMs: Math.round(performance.now() - this.#timing.startedAt),
      ...this.#timing.ttft(),
      ...this.#timing.ttfr(),
      ...(u ? { promptTokens: u.promptTokens, completionTokens: u.completionTokens, usageSource: u.source } : {}),
      ...(this.#session ? { attempts: this.#session.attempts } : {}),
      ...(rejected === undefined ? {} : { providerUsageRejected: rejected }),
      ...this.#bound.logFields(),
      ...extra,
    });
  }

  #cleanUp(usage: Usage | undefined): void {
    this.#options.clock.delete(this);
    if (this.#opening) this.#opened([]);
    this.#grace?.attended();
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
    this.#frames.cork();
    // At most one of the two holds anything: adding to one drains the other.
    this.#reasoning?.drain();
    this.#coalescer.drain();
    // The drained text may have passed the output bound, which completes the answer itself.
    if (this.#ending) return;
    const reason = this.#finishReason ?? 'stop';
    const invalid = this.#jsonCheck?.finish(reason === 'length');
    if (invalid) return this.#end(invalid);
    this.#ending = true;
    const u = await this.#usage.usage(this.#prompt, this.#counter);
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
    this.#frames.cork();
    // Drained even when the client is gone: the text still counts towards usage.
    this.#reasoning?.drain();
    this.#coalescer.drain();
    const error = aborted !== undefined && !StreamError.is(thrown) ? abortError(aborted) : toStreamError(thrown);
    let u: Usage | undefined;
    if (error.code === 'cancelled') {
      u = await this.#usage.usage(this.#prompt, this.#counter);
      this.#logEnd('cancel', u, { finishReason: 'cancelled', reason: cancelWhy(aborted) });
      // A log gets its end even when nobody reads it now: a client coming back finds it.
      if (!disconnected || this.#eventLog?.on) this.#send({ type: 'done', finishReason: 'cancelled', usage: u });
    } else {
      u = this.#timing.hadOutput ? await this.#usage.usage(this.#prompt, this.#counter) : undefined;
      this.#logEnd('error', u, { code: error.code, detail: error.detail ?? error.message, retryable: error.retryable });
      this.#send({ type: 'error', code: error.code, message: error.message, retryable: error.retryable, ...(error.path ? { path: error.path } : {}) });
    }
    this.#close();
    this.#cleanUp(u);
  }
}
