import { createAnswerStream } from './answer/answer-stream.js';
import type { UpstreamRoute } from './upstream/open-upstream.js';
import type { ModelConfig, StreamConfig } from './config/config.js';
import { corsHeaders, preflightResponse, type HeaderRecord } from './request/cors.js';
import { createLogger, scrubbingLogger, type Logger } from './ops/log.js';
import { ADAPTERS } from './upstream/providers/adapters.js';
import { readJsonBody } from './request/read-body.js';
import { normalizeRequest, type NormalizedRequest } from './request/request-schema.js';
import { sseHeaders } from './answer/sse-encoder.js';
import { StreamError, errorResponse, toStreamError } from './stream-error.js';
import { StreamClock, clockTickMs } from './answer/stream-clock.js';
import { StreamMetrics } from './ops/stream-metrics.js';
import { StreamRegistry } from './answer/stream-registry.js';
import { statusResponse } from './ops/status-endpoint.js';
import { modelsResponse } from './config/models-endpoint.js';
import { fetchTransport } from './upstream/transports/fetch-transport.js';
import { nodeHttpTransport } from './upstream/transports/node-http-transport.js';
import type { UpstreamTransport } from './upstream/transports/upstream-transport.js';
import { chatTokensUpperBound, countChatTokens, warmTokenizer } from './counting/tokenizer.js';

/** Longest a stream may run; below Vercel's default maxDuration (300 s) so we end it cleanly. */
const DEFAULT_MAX_STREAM_MS = 290_000;

export interface StreamHandlerDeps {
  registry?: StreamRegistry;
  log?: Logger;
  /** Counters behind the status endpoint, fed by the log events. */
  metrics?: StreamMetrics;
  /** How providers are reached: node:http on Node, fetch elsewhere (or a fetch you pass). */
  transport?: UpstreamTransport;
  fetch?: typeof fetch;
  maxStreamMs?: number;
}

/** A Web-standard handler: runs unchanged on Vercel's Node runtime, in Next.js route handlers, Hono, or Node via an adapter. */
export type StreamHandler = ((request: Request) => Promise<Response>) & { registry: StreamRegistry; metrics: StreamMetrics };

/**
 * Creates the handler for `/api/chat/stream`: `POST` starts an answer, `DELETE ?id=`
 * cancels one, `OPTIONS` answers CORS preflights, `GET ?status` shows the counters to
 * an operator holding `AI_STREAM_STATUS_TOKEN`.
 *
 * @example
 * const handler = createStreamHandler(loadConfig());
 * export const POST = handler, DELETE = handler, OPTIONS = handler;
 */
export function createStreamHandler(config: StreamConfig, deps: StreamHandlerDeps = {}): StreamHandler {
  const registry = deps.registry ?? new StreamRegistry();
  const metrics = deps.metrics ?? new StreamMetrics();
  const log = metrics.wrap(scrubbingLogger(deps.log ?? createLogger(), Object.values(config.providers).map((p) => p.apiKey)));
  const transport = deps.transport ?? (deps.fetch ? fetchTransport(deps.fetch) : defaultTransport());
  const maxStreamMs = deps.maxStreamMs ?? DEFAULT_MAX_STREAM_MS;
  const clock = new StreamClock(clockTickMs(maxStreamMs, config.heartbeatMs, config.limits.idleTimeoutMs, config.limits.firstByteTimeoutMs));

  const handler = async (request: Request): Promise<Response> => {
    let cors: HeaderRecord = {};
    try {
      cors = corsHeaders(request, config);
      switch (request.method) {
        case 'OPTIONS':
          return preflightResponse(cors);
        case 'POST':
          return await create(request, cors);
        case 'DELETE':
          return cancel(request, cors);
        case 'GET':
          if (new URL(request.url).searchParams.has('status')) return await statusResponse(request, config.statusToken, () => metrics.snapshot(registry.size));
          if (new URL(request.url).searchParams.has('models')) return modelsResponse(config, cors);
          throw methodNotAllowed(request.method);
        default:
          throw methodNotAllowed(request.method);
      }
    } catch (thrown) {
      const error = toStreamError(thrown);
      log('rejected', { status: error.status, code: error.code, detail: error.detail ?? error.message, method: request.method });
      return errorResponse(error, { ...cors, ...rejectionHeaders(error) });
    }
  };

  async function create(request: Request, cors: HeaderRecord): Promise<Response> {
    if (!config.defaultModel) throw new StreamError('no_provider', 'No model provider is configured on the server.', { status: 503 });
    const body = await readJsonBody(request, { maxBytes: config.limits.maxBodyBytes, timeoutMs: config.limits.bodyTimeoutMs });
    const normalized = normalizeRequest(body, config);
    const { promptTokens } = await fitContextWindow(normalized);
    // After the fit: the fallbacks take the clamped maxTokens.
    const routes = routesOf(normalized, config);
    const streamId = crypto.randomUUID();
    log('start', { streamId, model: normalized.model.alias, provider: normalized.model.provider, mode: normalized.mode, messages: normalized.messages.length, maxTokens: normalized.maxTokens });
    const answer = createAnswerStream({
      streamId,
      request: normalized,
      routes,
      transport,
      config,
      clientSignal: request.signal,
      maxStreamMs,
      promptTokens,
      log,
      registry,
      clock,
    });
    registry.add(streamId, answer);
    return new Response(answer.body, { status: 200, headers: sseHeaders(streamId, cors) });
  }

  // Rejects a prompt that cannot fit, and clamps maxTokens to what is left. The tokenizer
  // is only awaited when the cheap upper bound does not already fit, so a cold start
  // never waits on loading it for an ordinary prompt. Returns the exact count when it
  // had to make it; otherwise the answer counts when it needs to (a metadata event, or
  // usage without the provider's).
  async function fitContextWindow(request: NormalizedRequest): Promise<{ promptTokens: number | undefined }> {
    warmTokenizer(request.model.encoding);
    const window = request.model.contextWindow;
    if (chatTokensUpperBound(request.messages) + request.maxTokens <= window) return { promptTokens: undefined };
    const prompt = await countChatTokens(request.messages, request.model.encoding);
    if (prompt >= window) {
      throw new StreamError('context_length_exceeded', `The conversation is ${prompt} tokens long; "${request.model.alias}" reads at most ${window}.`, { status: 400 });
    }
    request.maxTokens = Math.min(request.maxTokens, window - prompt);
    return { promptTokens: prompt };
  }

  function cancel(request: Request, cors: HeaderRecord): Response {
    const id = new URL(request.url).searchParams.get('id');
    if (!id) throw new StreamError('bad_request', 'Name the stream to cancel with ?id=.', { status: 400 });
    const found = registry.cancel(id, new StreamError('cancelled', 'The answer was cancelled.', { status: 499 }));
    if (!found) throw new StreamError('not_found', 'No such stream is running.', { status: 404 });
    return new Response(null, { status: 204, headers: cors });
  }

  return Object.assign(handler, { registry, metrics });
}

function methodNotAllowed(method: string): StreamError {
  return new StreamError('method_not_allowed', `${method} is not supported here; use POST to start a stream.`, { status: 405 });
}

/** Headers a refusal needs beyond CORS. */
function rejectionHeaders(error: StreamError): HeaderRecord {
  if (error.status === 405) return { allow: 'POST, DELETE, OPTIONS' };
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

/** node:http where it exists (Node, Vercel's Node runtime), else the platform's fetch. */
function defaultTransport(): UpstreamTransport {
  return typeof process !== 'undefined' && process.versions?.node ? nodeHttpTransport : fetchTransport();
}

