import type { FinishReason } from '../../../../widget/shared/protocol.js';
import type { ProviderConfig } from '../../config/config.js';
import type { NormalizedRequest } from '../../request/request-schema.js';
import type { HeaderReader, ProviderAdapter, UpstreamEvent, UpstreamMessage, UpstreamStreamReader } from './provider-adapter.js';
import { malformedStream, upstreamHttpError } from './provider-errors.js';
import { count, object, parseObject, word } from './provider-json.js';
import { StreamError } from '../../stream-error.js';

/**
 * Ollama's native chat (`POST {host}/api/chat`): newline-delimited JSON, thinking in
 * `message.thinking`, usage only in the final `done` object, and errors as
 * `{"error": …}` lines under status 200.
 */
export const ollamaAdapter: ProviderAdapter = {
  framing: 'ndjson',

  buildRequest(request: NormalizedRequest, provider: ProviderConfig) {
    const options: Record<string, unknown> = { num_predict: request.maxTokens };
    if (request.temperature !== undefined) options.temperature = request.temperature;
    const body: Record<string, unknown> = { model: request.model.upstreamModel, messages: request.messages, stream: true, options };
    if (request.mode === 'json') body.format = request.schema ?? 'json';
    if (request.model.thinkingBudget !== undefined) body.think = true;
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/x-ndjson' };
    // Ollama's own server has no auth; a hosted one (or a proxy in front) takes a bearer key.
    if (provider.apiKey !== '') headers.authorization = `Bearer ${provider.apiKey}`;
    return { url: `${provider.baseUrl}/api/chat`, init: { method: 'POST' as const, headers, body: JSON.stringify(body) } };
  },

  createStreamReader(): UpstreamStreamReader {
    return new OllamaStreamReader();
  },

  parseHttpError(status: number, headers: HeaderReader) {
    // Ollama's error bodies are free text ({"error": "…"}): nothing in them is safe to log.
    return upstreamHttpError(status, headers, {});
  },
};

class OllamaStreamReader implements UpstreamStreamReader {
  read(message: UpstreamMessage): UpstreamEvent[] {
    const data = parseObject(message.data);
    if (!data) return [{ type: 'error', error: malformedStream('unparseable Ollama line') }];
    if (data.error !== undefined) {
      return [{ type: 'error', error: new StreamError('upstream_error', 'The model provider reported an error while answering.', { status: 502, retryable: true, detail: 'streamed error (Ollama)' }) }];
    }
    const events: UpstreamEvent[] = [];
    const msg = object(data.message);
    if (typeof msg?.thinking === 'string' && msg.thinking !== '') events.push({ type: 'reasoning', text: msg.thinking });
    if (typeof msg?.content === 'string' && msg.content !== '') events.push({ type: 'text', text: msg.content });
    if (data.done === true) {
      events.push({ type: 'finish', reason: finishReasonOf(word(data.done_reason)) });
      const usage: Extract<UpstreamEvent, { type: 'usage' }> = { type: 'usage' };
      const prompt = count(data.prompt_eval_count);
      const completion = count(data.eval_count);
      if (prompt !== undefined) usage.promptTokens = prompt;
      if (completion !== undefined) usage.completionTokens = completion;
      if (prompt !== undefined || completion !== undefined) events.push(usage);
      events.push({ type: 'end' });
    }
    return events;
  }
}

function finishReasonOf(reason: string | undefined): FinishReason {
  if (reason === undefined || reason === 'stop') return 'stop';
  if (reason === 'length') return 'length';
  return 'other';
}
