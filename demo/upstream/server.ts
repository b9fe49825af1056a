import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { anthropicMessagesRoute } from './anthropic-messages.js';
import { FaultLedger } from './fault-ledger.js';
import { geminiStreamRoute } from './gemini-generate.js';
import { ollamaChatRoute } from './ollama-chat.js';
import { openAIChatRoute } from './openai-chat.js';
import { newRequestId } from './openai-chunks.js';
import { openAIErrors, sendOpenAIError } from './openai-http.js';
import { openAIModelsRoute } from './openai-models.js';
import { openAIResponsesRoute } from './openai-responses.js';
import { resolvePace } from './pace.js';
import type { Pace } from './pace.js';
import { MAX_BODY_BYTES, readRequestBody } from './request-body.js';
import type { RouteContext, UpstreamRoute } from './route.js';
import { UpstreamStats } from './upstream-stats.js';

export type { Pace } from './pace.js';
export type { FaultName } from './directives.js';
export type { StreamClosed, StreamCloseReason, RecordedRequest } from './upstream-stats.js';
export { UpstreamStats } from './upstream-stats.js';
export { THINK_CLOSE, THINK_OPEN, planOpenAIChatAnswer } from './openai-chat-request.js';
export type { OpenAIChatPlan, OpenAIChatRequest, OpenAIUsage } from './openai-chat-request.js';
export { FAULT_AFTER_DELTAS } from './scripted-stream.js';
export { REFUSAL_AFTER_DELTAS } from './answer-plan.js';
export { planAnthropicAnswer } from './anthropic-request.js';
export type { AnthropicMessagesRequest, AnthropicPlan, AnthropicUsage } from './anthropic-request.js';
export { PING_EVERY_DELTAS } from './anthropic-events.js';
export { planGeminiAnswer } from './gemini-request.js';
export type { GeminiPlan, GeminiRequest, GeminiUsage } from './gemini-request.js';
export { planOpenAIResponsesAnswer } from './openai-responses-request.js';
export type { OpenAIResponsesPlan, OpenAIResponsesRequest, OpenAIResponsesUsage } from './openai-responses-request.js';
export { planOllamaAnswer } from './ollama-request.js';
export type { OllamaChatRequest, OllamaPlan } from './ollama-request.js';

/** How to run a local upstream. */
export interface UpstreamOptions {
  /** @default 0 (any free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /**
   * Time to first token and output rate. `{ firstTokenMs: 0, tokensPerSecond: 0 }`
   * means no delay at all (0 tokens/s = unlimited).
   * @default env UPSTREAM_FIRST_TOKEN_MS / UPSTREAM_TOKENS_PER_SECOND, else 300 ms and 50 tokens/s
   */
  pace?: Pace;
  /** Largest accepted request body. @default 1 MiB */
  maxBodyBytes?: number;
}

/** A running local upstream. */
export interface LocalUpstream {
  /** Base URL ending in `/v1`, as `OPENAI_BASE_URL` expects, e.g. `http://127.0.0.1:4010/v1`. */
  url: string;
  /** `http://host:port` without a path, for providers whose SDKs add their own prefix. */
  origin: string;
  port: number;
  /** The pace in effect (after options and environment). */
  pace: Pace;
  /** Stops listening and closes every connection, streams in progress included. */
  close(): Promise<void>;
  /** Live counters and events for tests. */
  stats: UpstreamStats;
}

/** The endpoints served, one provider module each (see docs/local-upstream.md). */
const ROUTES: readonly UpstreamRoute[] = [
  openAIChatRoute,
  openAIModelsRoute,
  openAIResponsesRoute,
  anthropicMessagesRoute,
  geminiStreamRoute,
  ollamaChatRoute,
];

function matchesPath(pattern: string | RegExp, path: string): boolean {
  return typeof pattern === 'string' ? pattern === path : pattern.test(path);
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Starts a local stand-in for the LLM providers on `host:port`.
 *
 * @example
 * const upstream = await startUpstream({ pace: { firstTokenMs: 0, tokensPerSecond: 0 } });
 * const client = new OpenAI({ apiKey: 'test', baseURL: upstream.url });
 * // … stream from it …
 * await upstream.close();
 */
export async function startUpstream(options: UpstreamOptions = {}): Promise<LocalUpstream> {
  const host = options.host ?? '127.0.0.1';
  const pace = resolvePace(options.pace, process.env);
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const stats = new UpstreamStats();
  const faults = new FaultLedger();
  let closing = false;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const startedAt = performance.now();
    const requestId = newRequestId();
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const body = await readRequestBody(req, maxBodyBytes);
    let parsedBody: unknown = body.ok ? body.text : undefined;
    try {
      parsedBody = body.ok && body.text !== '' ? JSON.parse(body.text) : parsedBody;
    } catch {
      // Recorded as raw text; the route answers with the provider's own parse error.
    }
    stats.recordRequest({ requestId, method, path, headers: { ...req.headers }, body: parsedBody, at: startedAt });
    if (!body.ok) {
      const tooLarge = { ...openAIErrors.tooLarge(maxBodyBytes), headers: { connection: 'close' } };
      if (body.reason === 'too-large') sendOpenAIError(res, tooLarge, requestId, startedAt);
      return;
    }
    const route = ROUTES.find((candidate) => candidate.method === method && matchesPath(candidate.path, path));
    if (route === undefined) {
      sendOpenAIError(res, openAIErrors.invalidUrl(method, path), requestId, startedAt);
      return;
    }
    const isClosing = (): boolean => closing;
    const context: RouteContext = { req, res, body: body.text, requestId, startedAt, pace, faults, stats, isClosing };
    await route.handle(context);
  }

  const server = createServer((req, res) => {
    // Errors on a socket the client already left are expected; never let them crash the process.
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    handle(req, res).catch(() => {
      if (!res.headersSent) sendOpenAIError(res, openAIErrors.serverError(), newRequestId(), performance.now());
      else res.destroy();
    });
  });
  server.on('clientError', (_error, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // A thousand connections at once (the server bench's burst) overflow Node's default
    // accept queue of 511: the kernel drops the rest of the SYNs, and those connections
    // start 1, 3 or 7 s late, as retransmitted SYNs.
    server.listen({ port: options.port ?? 0, host, backlog: 4096 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://${formatHost(host)}:${port}`;

  return {
    url: `${origin}/v1`,
    origin,
    port,
    pace,
    stats,
    close: async () => {
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
