import type { FinishReason } from '../../../../widget/shared/protocol.js';
import type { ProviderConfig } from '../../config/config.js';
import type { NormalizedRequest } from '../../request/request-schema.js';
import { toChatTurns } from './chat-turns.js';
import type { HeaderReader, ProviderAdapter, UpstreamEvent, UpstreamMessage, UpstreamStreamReader } from './provider-adapter.js';
import { errorInfoOf, malformedStream, streamedError, upstreamHttpError } from './provider-errors.js';
import { count, object, parseObject, word } from './provider-json.js';

/** The API version this adapter speaks (the only one Anthropic has published for Messages). */
const ANTHROPIC_VERSION = '2023-06-01';
/** Anthropic reads temperature in 0…1; the protocol allows 0…2, so higher asks are capped. */
const MAX_TEMPERATURE = 1;
/** The smallest thinking budget Anthropic accepts. */
const MIN_THINKING_BUDGET = 1_024;

/**
 * Anthropic Messages (`POST {baseUrl}/v1/messages`, `stream: true`): named SSE events,
 * thinking blocks before text, usage split between `message_start` (input) and
 * `message_delta` (running output totals: overwrite, never add).
 */
export const anthropicAdapter: ProviderAdapter = {
  framing: 'sse',

  buildRequest(request: NormalizedRequest, provider: ProviderConfig) {
    const { system, turns } = toChatTurns(request.messages);
    const body: Record<string, unknown> = { model: request.model.upstreamModel, max_tokens: request.maxTokens, messages: turns, stream: true };
    const instructions = [system, request.mode === 'json' && !request.schema ? 'Answer with one JSON document and nothing else.' : undefined].filter(Boolean);
    if (instructions.length > 0) body.system = instructions.join('\n\n');
    const budget = request.model.thinkingBudget;
    // Thinking needs room for an answer after it, and Anthropic refuses a temperature with it.
    if (budget !== undefined && request.maxTokens > MIN_THINKING_BUDGET) {
      body.thinking = { type: 'enabled', budget_tokens: Math.max(MIN_THINKING_BUDGET, Math.min(budget, request.maxTokens - 1)) };
    } else if (request.temperature !== undefined) {
      body.temperature = Math.min(request.temperature, MAX_TEMPERATURE);
    }
    if (request.mode === 'json' && request.schema) body.output_config = { format: { type: 'json_schema', schema: request.schema } };
    return {
      url: `${provider.baseUrl}/v1/messages`,
      init: {
        method: 'POST' as const,
        headers: {
          'x-api-key': provider.apiKey,
          'anthropic-version': ANTHROPIC_VERSION,
          'content-type': 'application/json',
          accept: 'text/event-stream',
        },
        body: JSON.stringify(body),
      },
    };
  },

  createStreamReader(): UpstreamStreamReader {
    return new AnthropicStreamReader();
  },

  parseHttpError(status: number, headers: HeaderReader, body: string) {
    // 529 is Anthropic's "overloaded": a 5xx, so retried like one.
    return upstreamHttpError(status, headers, errorInfoOf(body));
  },
};

/** Reads one Messages stream. Unknown event types are skipped, as Anthropic asks of clients. */
class AnthropicStreamReader implements UpstreamStreamReader {
  read(message: UpstreamMessage): UpstreamEvent[] {
    const data = parseObject(message.data);
    if (!data) return [{ type: 'error', error: malformedStream(`unparseable ${message.event ?? 'event'}`) }];
    switch (data.type) {
      case 'content_block_delta':
        return deltaEvents(data.delta);
      case 'message_start':
        // Its output count is a placeholder (1–10): only the prompt is known here.
        return usageEvents(object(object(data.message)?.usage), false);
      case 'message_delta': {
        const events = usageEvents(object(data.usage), true);
        const reason = word(object(data.delta)?.stop_reason);
        if (reason) events.unshift({ type: 'finish', reason: finishReasonOf(reason) });
        return events;
      }
      case 'message_stop':
        return [{ type: 'end' }];
      case 'error': {
        // An overloaded or API error is worth another try while nothing reached the client
        // (Anthropic answers a busy streaming request with 200 and this as its first event).
        const info = errorInfoOf(message.data);
        const retryable = info?.type === 'overloaded_error' || info?.type === 'api_error' || info?.type === 'rate_limit_error';
        return [{ type: 'error', error: streamedError(info, retryable) }];
      }
      default:
        // ping, content_block_start/stop (redacted thinking included: it never leaves the server), new types.
        return [];
    }
  }
}

function deltaEvents(value: unknown): UpstreamEvent[] {
  const delta = object(value);
  if (!delta) return [];
  if (delta.type === 'text_delta' && typeof delta.text === 'string' && delta.text !== '') return [{ type: 'text', text: delta.text }];
  if (delta.type === 'thinking_delta' && typeof delta.thinking === 'string' && delta.thinking !== '') return [{ type: 'reasoning', text: delta.thinking }];
  // signature_delta and input_json_delta stay on the server.
  return [];
}

// Anthropic's input_tokens leave out the cached part; the prompt is all three.
function usageEvents(usage: Record<string, unknown> | undefined, withOutput: boolean): UpstreamEvent[] {
  if (!usage) return [];
  const input = count(usage.input_tokens);
  const cacheRead = count(usage.cache_read_input_tokens);
  const cacheWrite = count(usage.cache_creation_input_tokens);
  const output = withOutput ? count(usage.output_tokens) : undefined;
  const event: Extract<UpstreamEvent, { type: 'usage' }> = { type: 'usage' };
  if (input !== undefined) event.promptTokens = input + (cacheRead ?? 0) + (cacheWrite ?? 0);
  if (cacheRead !== undefined) event.cachedPromptTokens = cacheRead;
  if (output !== undefined) event.completionTokens = output;
  return Object.keys(event).length > 1 ? [event] : [];
}

function finishReasonOf(reason: string): FinishReason {
  switch (reason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'refusal';
    default:
      return 'other';
  }
}
