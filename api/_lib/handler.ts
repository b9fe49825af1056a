import { Admission, NO_TRUSTED_PROXY, type StreamTicket } from './request/admission.js';
import { createAnswerProducer, type AnswerProducer } from './answer/producer/answer-producer.js';
import { Openings } from './answer/producer/openings.js';
import { createAnswerReader, readFromOwnEvent, resumePoint } from './answer/answer-reader.js';
import { DEFAULT_RESUME_CONFIG, resumeEnabled } from './config/resume-config.js';
import { STREAM_ID, parseResumeRequest } from './request/resume-request.js';
import type { ClientIdentityConfig, IdentifyHook } from './request/client-identity.js';
import type { UpstreamRoute } from './upstream/open-upstream.js';
import type { ModelConfig, StreamConfig } from './config/config.js';
import { corsHeaders, preflightResponse, type HeaderRecord } from './request/cors.js';
import { createLogger, scrubbingLogger, type Logger } from './ops/log.js';
import { ADAPTERS } from './upstream/providers/adapters.js';
import { readJsonBody } from './request/read-body.js';
import type { IncomingCall } from './http/incoming-call.js';
import { webCall, toResponse } from './http/web-mount.js';
import { nodeListener, type NodeListener } from './http/node-mount.js';
import type { Reply } from './http/reply.js';
import type { RateLimitConfig } from './rate-limit/rate-limit-config.js';
import { rateLimitHeaders, rateLimitResponse } from './rate-limit/rate-limit-response.js';
import { compileRequestSchema, normalizeRequest, type NormalizedRequest } from './request/request-schema.js';
import { sseHeaders } from './answer/sse-encoder.js';
import { StreamError, errorResponse, toStreamError } from './stream-error.js';
import { StreamClock, clockTickMs } from './answer/stream-clock.js';
import { StreamMetrics } from './ops/stream-metrics.js';
import type { RateLimitDecision } from './rate-limit/rate-limit-decision.js';
import type { Usage } from '../../widget/shared/protocol.js';
import { StreamRegistry } from './answer/stream-registry.js';
import { CancelWatcher } from './store/cancel-watcher.js';
import { MemoryStore } from './store/memory-store.js';
import type { EventLogRead, SharedStore } from './store/shared-store.js';
import { statusResponse } from './ops/status-endpoint.js';
import { modelsResponse } from './config/models-endpoint.js';
import { fetchTransport } from './upstream/transports/fetch-transport.js';
import { socketTransport } from './upstream/transports/socket-transport.js';
import type { UpstreamTransport } from './upstream/transports/upstream-transport.js';
import { chatTokensUpperBound, countChatTokens, warmTokenizer } from './counting/tokenizer.js';

/** Longest a stream may run; below Vercel's default maxDuration (300 s) so we end it cleanly. */
const DEFAULT_MAX_STREAM_MS = 290_000;

export interface StreamHandlerDeps {
  registry?: StreamRegistry<AnswerProducer>;
  log?: Logger;
  /** Counters behind the status endpoint, fed by the log events. */
  metrics?: StreamMetrics;
  /** How providers are reached: node:http on Node, fetch elsewhere (or a fetch you pass). */
  transport?: UpstreamTransport;
  fetch?: typeof fetch;
  maxStreamMs?: number;
  /**
   * Shared state: stream ownership, cancel flags, rate-limit counters. Create it once
   * per instance (`createStore(loadStoreConfig())`, docs/shared-state.md).
   * @default a MemoryStore of this handler's own
   */
  store?: SharedStore;
  /** The rate limits (`loadRateLimitConfig()`); each is off unless set. @default all off, fail open */
  rateLimits?: RateLimitConfig;
  /** Which proxies may name the client (`loadClientIdentityConfig()`). @default none: the socket's address */
  clientIdentity?: ClientIdentityConfig;
  /** The site's own identity for a request (a signed-in user's id), before the address. */
  identify?: IdentifyHook;
  /** How often open streams' cancel flags are read from the store. @default 250 */
  cancelPollMs?: number;
  /**
   * Past this many answers waiting for their first event (a burst), a new answer's
   * `start` leaves with its first event, or once the burst is over, 2 to 3 s after the
   * request at most (docs/server-design.md, "Bursts").
   * @default 32
   */
  holdStartAbove?: number;
}

/** A Web-standard handler: runs unchanged on Vercel's Node runtime, in Next.js route handlers, Hono, or Node via an adapter. */
export type StreamHandler = ((request: Request, context?: unknown) => Promise<Response>) & {
  /**
   * The same handler on Node's own request and response (`npm start`, Express,
   * `node:http`): no Web objects per request (docs/server-design.md, "Mounts").
   */
  node: NodeListener;
  registry: StreamRegistry<AnswerProducer>;
  metrics: StreamMetrics;
  store: SharedStore;
  /** Whether answers are logged for resume (`AI_STREAM_RESUME` and the store's kind). */
  resumable: boolean;
};

/** How long a stream's owner (and its running event log) is kept beyond the stream's longest life. */
const OWNER_GRACE_MS = 60_000;
/** How long an ended answer's log is kept at least: a client that drops right before the end still finds it. */
const ENDED_LOG_KEEP_MS = 60_000;

/**
 * Creates the handler for `/api/chat/stream`: `POST` starts an answer, `GET ?id=`
 * resumes one (docs/protocol.md, "Resume"), `DELETE ?id=` cancels one, `OPTIONS`
 * answers CORS preflights, `GET ?models` lists the models, `GET ?status` shows the
 * counters to an operator holding `AI_STREAM_STATUS_TOKEN`.
 *
 * @example
 * const handler = createStreamHandler(loadConfig());
 * export const POST = handler, DELETE = handler, OPTIONS = handler;
 */
export function createStreamHandler(config: StreamConfig, deps: StreamHandlerDeps = {}): StreamHandler {
  const registry = deps.registry ?? new StreamRegistry<AnswerProducer>();
  const metrics = deps.metrics ?? new StreamMetrics();
  const log = metrics.wrap(scrubbingLogger(deps.log ?? createLogger(), Object.values(config.providers).map((p) => p.apiKey)));
  const transport = deps.transport ?? (deps.fetch ? fetchTransport(deps.fetch) : defaultTransport());
  const maxStreamMs = deps.maxStreamMs ?? DEFAULT_MAX_STREAM_MS;
  const store = deps.store ?? new MemoryStore();
  const resumeConfig = config.resume ?? DEFAULT_RESUME_CONFIG;
  const resumeOn = resumeEnabled(resumeConfig, store.kind);
  const timeouts = [maxStreamMs, config.heartbeatMs, config.limits.idleTimeoutMs, config.limits.firstByteTimeoutMs];
  const clock = new StreamClock(clockTickMs(...timeouts, ...(resumeOn ? [Math.max(resumeConfig.graceMs, 100)] : [])));
  /** Each read of a log marks a reader for this long: the producer's grace check sees a reader that reads at least that often. */
  const readerTtlMs = Math.max(resumeConfig.graceMs, 5_000);
  const eventLog = resumeOn
    ? { store, graceMs: resumeConfig.graceMs, ttl: { runningMs: maxStreamMs + OWNER_GRACE_MS, endedMs: Math.max(ENDED_LOG_KEEP_MS, 2 * resumeConfig.graceMs) } }
    : undefined;
  const admission = new Admission({
    store,
    rateLimits: deps.rateLimits ?? { onStoreDown: 'open' },
    identity: deps.clientIdentity ?? NO_TRUSTED_PROXY,
    identify: deps.identify,
    log,
  });
  /** Who started each stream this instance serves, for `DELETE` (no store call for a local stream). */
  const owners = new Map<string, string>();
  const cancelled = (): StreamError => new StreamError('cancelled', 'The answer was cancelled.', { status: 499 });
  const openings = new Openings(deps.holdStartAbove);
  const watcher = new CancelWatcher(store, (id) => registry.cancel(id, cancelled()), deps.cancelPollMs);

  const serve = async (call: IncomingCall): Promise<Reply> => {
    let cors: HeaderRecord = {};
    try {
      cors = corsHeaders(call, config);
      switch (call.method) {
        case 'OPTIONS':
          return preflightResponse(cors);
        case 'POST':
          return await create(call, cors);
        case 'DELETE':
          return await cancel(call, cors);
        case 'GET': {
          const query = new URL(call.url).searchParams;
          if (query.has('status')) return await statusResponse(call, config.statusToken, () => metrics.snapshot(registry.size));
          if (query.has('models')) return modelsResponse(config, cors);
          if (query.has('id')) return await resume(call, cors);
          throw methodNotAllowed(call.method);
        }
        default:
          throw methodNotAllowed(call.method);
      }
    } catch (thrown) {
      const error = toStreamError(thrown);
      log('rejected', { status: error.status, code: error.code, detail: error.detail ?? error.message, method: call.method });
      return errorResponse(error, { ...cors, ...rejectionHeaders(error) });
    }
  };
  const handler = (request: Request, context?: unknown): Promise<Response> => serve(webCall(request, context)).then(toResponse);

  // Nothing here awaits the store unless a limit is on or the store is shared: with the
  // defaults (memory, no limits, no identify hook) the upstream call starts as before.
  async function create(call: IncomingCall, cors: HeaderRecord): Promise<Reply> {
    if (!config.defaultModel) throw new StreamError('no_provider', 'No model provider is configured on the server.', { status: 503 });
    const identified = admission.clientOf(call);
    const client = typeof identified === 'string' ? identified : await identified;
    // Before the body is read: a client over its window costs one store call, nothing more.
    const window = admission.limits.requests ? await admission.checkRequest(client) : undefined;
    if (window && !window.success) return refuse(window, cors);
    const headers = window ? { ...cors, ...rateLimitHeaders(window) } : cors;
    const body = await readJsonBody(call, { maxBytes: config.limits.maxBodyBytes, timeoutMs: config.limits.bodyTimeoutMs });
    const normalized = normalizeRequest(body, config);
    // Awaited only when there is something to wait for: each await on the way to the
    // upstream call is a promise and a microtask per request (garbage that, in a burst,
    // is collected while every other stream starts).
    if (normalized.schema !== undefined) await compileRequestSchema(normalized, config);
    // The prompt's byte bound when it surely fits, else its exact count (the fit had to make it).
    const fit = fitContextWindow(normalized);
    let promptTokens: number | undefined;
    const promptBound = typeof fit === 'number' ? fit : (promptTokens = await fit);
    // After the fit: the fallbacks take the clamped maxTokens.
    const routes = routesOf(normalized, config);
    const streamId = crypto.randomUUID();
    let ticket: StreamTicket | undefined;
    if (admission.countsStreams) {
      const upTo = promptBound + normalized.maxTokens;
      const exactly = async (): Promise<number> => (promptTokens ??= await promptCount(normalized)) + normalized.maxTokens;
      const admitted = await admission.admitStream(client, streamId, { upTo, exactly });
      if (!admitted.admitted) return refuse(admitted.decision, cors);
      ticket = admitted.ticket;
    }
    const onEnd = (usage: Usage | undefined): void => {
      owners.delete(streamId);
      watcher.unwatch(streamId);
      ticket?.end(usage);
    };
    let producer: AnswerProducer;
    try {
      producer = createAnswerProducer({
        streamId,
        request: normalized,
        routes,
        transport,
        config,
        clientSignal: call.signal,
        eventLog,
        maxStreamMs,
        promptTokens,
        log,
        registry,
        clock,
        openings,
        onEnd,
      });
    } catch (error) {
      onEnd(undefined);
      throw error;
    }
    registry.add(streamId, producer);
    // The first reader is attached before the first event: it gets every frame from seq 0.
    const reader = createAnswerReader({ ...readerOptions(streamId, -1), producer, signal: call.signal });
    producer.begin();
    // None of these feeds the upstream request, so they come after it is made; the
    // answer ends a turn later at the earliest, so `onEnd` still follows them.
    log('start', { streamId, model: normalized.model.alias, provider: normalized.model.provider, mode: normalized.mode, messages: normalized.messages.length, maxTokens: normalized.maxTokens });
    owners.set(streamId, client);
    watcher.watch(streamId);
    // The memory store records the claim as it is called; a shared store is awaited
    // before the response, so the id reaches the client only once another instance can
    // check its owner.
    const claim = store.claimStream(streamId, client, maxStreamMs + OWNER_GRACE_MS);
    // The provider call goes on the wire before the response head (issue 14): node:http
    // writes it in a nextTick once its agent hands it a kept-alive socket, and the head
    // would otherwise be built and written in this microtask chain, ahead of it.
    await afterQueuedTicks();
    // A claim lost to a down store: the stream is served, but cannot be cancelled from another instance.
    if (store.kind !== 'memory') await claim;
    return { status: 200, headers: sseHeaders(streamId, headers), reader };
  }

  /** What every reader of this handler shares; `store` only with resume on. */
  function readerOptions(streamId: string, afterSeq: number) {
    return {
      streamId,
      afterSeq,
      store: resumeOn ? store : undefined,
      pollMs: resumeConfig.pollMs,
      readerTtlMs,
      staleMs: Math.max(config.limits.idleTimeoutMs, config.limits.firstTokenBudgetMs) + 5_000,
      maxLifeMs: maxStreamMs + OWNER_GRACE_MS,
      heartbeatMs: config.heartbeatMs,
      clock,
    };
  }

  // Only the client that started a stream may resume it; to anyone else, and for an
  // unknown or expired id, it does not exist (404), as for DELETE. A stream whose
  // producer runs here is followed live once caught up; any other is read from its log.
  async function resume(call: IncomingCall, cors: HeaderRecord): Promise<Reply> {
    const asked = parseResumeRequest(new URL(call.url), call.headers.get('last-event-id'));
    if (!asked || !resumeOn) throw notFound();
    const { streamId, afterSeq } = asked;
    const client = await admission.clientOf(call);
    const localOwner = owners.get(streamId);
    if (localOwner === undefined) {
      const owner = await store.ownerOf(streamId);
      if (!owner.ok) throw storeUnavailable();
      if (owner.value !== client) throw notFound();
    } else if (localOwner !== client) throw notFound();
    const producer = registry.get(streamId);
    let firstRead: EventLogRead | undefined;
    if (!producer?.resumable) {
      // A producer here whose log stopped (the store failed it) cannot be caught up with.
      if (producer) throw notFound();
      const read = await store.readEvents(streamId, readFromOwnEvent(afterSeq), { readerTtlMs });
      if (!read.ok) throw storeUnavailable();
      const point = read.value ? resumePoint(read.value, afterSeq) : 'lost';
      if (point === 'lost') throw notFound();
      // The client has the whole answer: 204 tells a browser's EventSource not to reconnect.
      if (point === 'over') return new Response(null, { status: 204, headers: cors });
      firstRead = read.value;
    }
    log('resume', { streamId, afterSeq, producerHere: producer !== undefined });
    const reader = createAnswerReader({ ...readerOptions(streamId, afterSeq), producer, firstRead, signal: call.signal });
    return { status: 200, headers: sseHeaders(streamId, cors), reader };
  }

  /** The prompt's exact count, for a token budget the bound does not fit; the bound if the tokenizer fails. */
  async function promptCount(request: NormalizedRequest): Promise<number> {
    try {
      return await countChatTokens(request.messages, request.model.encoding);
    } catch {
      return chatTokensUpperBound(request.messages);
    }
  }

  function refuse(decision: RateLimitDecision, cors: HeaderRecord): Response {
    log('rejected', { status: decision.storeDown ? 503 : 429, code: decision.storeDown ? 'internal_error' : 'rate_limited', limit: decision.reason });
    return rateLimitResponse(decision, cors);
  }

  // Rejects a prompt that cannot fit, and clamps maxTokens to what is left. The tokenizer
  // is only awaited when the cheap upper bound does not already fit, so a cold start
  // never waits on loading it for an ordinary prompt. Returns the exact count when it
  // had to make it; otherwise, at once, the prompt's upper bound (which a token budget
  // reserves), and the answer counts when it needs to (a metadata event, or usage
  // without the provider's).
  function fitContextWindow(request: NormalizedRequest): number | Promise<number> {
    warmTokenizer(request.model.encoding);
    const window = request.model.contextWindow;
    const bound = chatTokensUpperBound(request.messages);
    if (bound + request.maxTokens <= window) return bound;
    return countChatTokens(request.messages, request.model.encoding).then((prompt) => {
      if (prompt >= window) {
        throw new StreamError('context_length_exceeded', `The conversation is ${prompt} tokens long; "${request.model.alias}" reads at most ${window}.`, { status: 400 });
      }
      request.maxTokens = Math.min(request.maxTokens, window - prompt);
      return prompt;
    });
  }

  // Only the client that started a stream may cancel it; to anyone else it does not
  // exist (404), whether it does or not. A stream served here stops at once; one served
  // elsewhere gets its cancel flag, which its instance reads within a poll.
  async function cancel(call: IncomingCall, cors: HeaderRecord): Promise<Response> {
    const id = new URL(call.url).searchParams.get('id');
    if (!id) throw new StreamError('bad_request', 'Name the stream to cancel with ?id=.', { status: 400 });
    if (!STREAM_ID.test(id)) throw notFound();
    const client = await admission.clientOf(call);
    const localOwner = owners.get(id);
    if (localOwner !== undefined) {
      if (localOwner !== client || !registry.cancel(id, cancelled())) throw notFound();
      return new Response(null, { status: 204, headers: cors });
    }
    const owner = await store.ownerOf(id);
    if (!owner.ok) throw storeUnavailable();
    if (owner.value !== client) throw notFound();
    const flagged = await store.requestCancel(id);
    if (!flagged.ok) throw storeUnavailable();
    return new Response(null, { status: 204, headers: cors });
  }

  return Object.assign(handler, { node: nodeListener(serve), registry, metrics, store, resumable: resumeOn });
}

/** Resolves once the callbacks already queued with `process.nextTick` have run; at once where there is no `process`. */
function afterQueuedTicks(): Promise<void> {
  return typeof process !== 'undefined' && typeof process.nextTick === 'function' ? new Promise((resolve) => process.nextTick(resolve)) : Promise.resolve();
}

function notFound(): StreamError {
  return new StreamError('not_found', 'No such stream is running.', { status: 404 });
}

/** The store cannot say who owns the stream: never act on it (docs/shared-state.md). */
function storeUnavailable(): StreamError {
  return new StreamError('internal_error', 'The stream cannot be reached right now. Try again shortly.', { status: 503, retryable: true });
}

function methodNotAllowed(method: string): StreamError {
  return new StreamError('method_not_allowed', `${method} is not supported here; use POST to start a stream, GET ?id= to resume one.`, { status: 405 });
}

/** Headers a refusal needs beyond CORS. */
function rejectionHeaders(error: StreamError): HeaderRecord {
  if (error.status === 405) return { allow: 'GET, POST, DELETE, OPTIONS' };
  // The rest of a late body may still be on its way: the connection cannot carry another request.
  if (error.code === 'request_timeout') return { connection: 'close' };
  return {};
}

/**
 * The model's provider, then its fallbacks, each with its adapter and the request as
 * that model gets it (its own upstream name, `maxTokens` within its own bound).
 */
function routesOf(request: NormalizedRequest, config: StreamConfig): [UpstreamRoute, ...UpstreamRoute[]] {
  const route = (model: ModelConfig, req: NormalizedRequest): UpstreamRoute => {
    const provider = Object.hasOwn(config.providers, model.provider) ? config.providers[model.provider] : undefined;
    if (!provider) throw new StreamError('no_provider', `No provider is configured for "${model.alias}".`, { status: 503 });
    return { adapter: ADAPTERS[provider.kind], provider, providerName: model.provider, request: req };
  };
  const fallbacks = (request.model.fallbacks ?? []).map((model) => route(model, { ...request, model, maxTokens: Math.min(request.maxTokens, model.maxOutputTokens) }));
  return [route(request.model, request), ...fallbacks];
}

/**
 * Our socket client on Node itself (Vercel's Node runtime, `npm start`), else the
 * platform's fetch: Bun and Deno also report a Node version, but their `net` need not
 * support the `onread` reads the socket client is built on.
 */
function defaultTransport(): UpstreamTransport {
  const versions = typeof process === 'undefined' ? undefined : (process.versions as Record<string, string | undefined> | undefined);
  const isNode = versions?.node !== undefined && versions.bun === undefined && versions.deno === undefined;
  return isNode ? socketTransport : fetchTransport();
}

