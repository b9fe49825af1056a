import type { FinishReason } from '../../../../widget/shared/protocol.js';
import type { ProviderConfig } from '../../config/config.js';
import type { NormalizedRequest } from '../../request/request-schema.js';
import { bearerHeaders } from './auth-headers.js';
import type { HeaderReader, ProviderAdapter, UpstreamEvent, UpstreamMessage, UpstreamStreamReader } from './provider-adapter.js';
import { errorInfoOf, malformedStream, streamedError, upstreamHttpError } from './provider-errors.js';
import { count, object, parseObject, word } from './provider-json.js';

/**
 * OpenAI Responses (`POST {baseUrl}/responses`, `stream: true`): named events, each
 * with its `type`; text in `response.output_text.delta`, reasoning summaries in
 * `response.reasoning_summary_text.delta`, usage only in the terminal event. Nothing
 * is stored at OpenAI (`store: false`): the conversation lives in the page.
 */
export const openaiResponsesAdapter: ProviderAdapter = {
  framing: 'sse',

  buildRequest(request: NormalizedRequest, provider: ProviderConfig) {
    const system = request.messages.filter((m) => m.role === 'system').map((m) => m.content);
    const body: Record<string, unknown> = {
      model: request.model.upstreamModel,
      input: request.messages.filter((m) => m.role !== 'system').map((m) => ({ role: m.role, content: m.content })),
      stream: true,
      store: false,
      max_output_tokens: request.maxTokens,
    };
    if (system.length > 0) body.instructions = system.join('\n\n');
    if (request.temperature !== undefined) body.temperature = request.temperature;
    if (request.mode === 'json') {
      body.text = { format: request.schema ? { type: 'json_schema', name: 'answer', schema: request.schema, strict: false } : { type: 'json_object' } };
    }
    if (request.model.thinkingBudget !== undefined) body.reasoning = { summary: 'auto' };
    return {
      url: `${provider.baseUrl}/responses`,
      init: { method: 'POST' as const, headers: bearerHeaders(provider), body: JSON.stringify(body) },
    };
  },

  createStreamReader(): UpstreamStreamReader {
    return new ResponsesStreamReader();
  },

  parseHttpError(status: number, headers: HeaderReader, body: string) {
    return upstreamHttpError(status, headers, errorInfoOf(body));
  },
};

class ResponsesStreamReader implements UpstreamStreamReader {
  read(message: UpstreamMessage): UpstreamEvent[] {
    const data = parseObject(message.data);
    if (!data) return [{ type: 'error', error: malformedStream(`unparseable ${message.event ?? 'event'}`) }];
    const delta = typeof data.delta === 'string' ? data.delta : '';
    switch (data.type) {
      case 'response.output_text.delta':
      case 'response.refusal.delta':
        return delta === '' ? [] : [{ type: 'text', text: delta }];
      case 'response.reasoning_summary_text.delta':
      case 'response.reasoning_text.delta':
        return delta === '' ? [] : [{ type: 'reasoning', text: delta }];
      case 'response.completed':
        return terminal(object(data.response), 'stop');
      case 'response.incomplete': {
        const response = object(data.response);
        const why = word(object(response?.incomplete_details)?.reason);
        return terminal(response, why === 'content_filter' ? 'content_filter' : 'length');
      }
      case 'response.failed': {
        const info = errorInfoOf(JSON.stringify(object(data.response) ?? {}));
        return [{ type: 'error', error: streamedError(info, info?.code === 'server_error' || info?.code === 'rate_limit_exceeded') }];
      }
      case 'error': {
        // Documented flat ({code, message}), seen nested ({error: {type, code}}): both read.
        const info = errorInfoOf(message.data);
        const code = info?.code ?? info?.type;
        return [{ type: 'error', error: streamedError(info, code === 'server_error' || code === 'rate_limit_exceeded') }];
      }
      default:
        return [];
    }
  }
}

function terminal(response: Record<string, unknown> | undefined, reason: FinishReason): UpstreamEvent[] {
  const events: UpstreamEvent[] = [{ type: 'finish', reason }];
  const usage = object(response?.usage);
  if (usage) {
    const event: Extract<UpstreamEvent, { type: 'usage' }> = { type: 'usage' };
    const input = count(usage.input_tokens);
    const output = count(usage.output_tokens);
    const reasoning = count(object(usage.output_tokens_details)?.reasoning_tokens);
    const cached = count(object(usage.input_tokens_details)?.cached_tokens);
    if (input !== undefined) event.promptTokens = input;
    if (output !== undefined) event.completionTokens = output;
    if (reasoning !== undefined) event.reasoningTokens = reasoning;
    if (cached !== undefined) event.cachedPromptTokens = cached;
    events.push(event);
  }
  events.push({ type: 'end' });
  return events;
}
