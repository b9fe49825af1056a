import type { FinishReason } from '../../../../widget/shared/protocol.js';
import type { ProviderConfig } from '../../config/config.js';
import type { NormalizedRequest } from '../../request/request-schema.js';
import { toChatTurns } from './chat-turns.js';
import type { HeaderReader, ProviderAdapter, UpstreamEvent, UpstreamMessage, UpstreamStreamReader } from './provider-adapter.js';
import { errorInfoOf, malformedStream, streamedError, upstreamHttpError } from './provider-errors.js';
import { count, object, parseObject, word } from './provider-json.js';

/**
 * Google Gemini (`POST {baseUrl}/v1beta/models/{model}:streamGenerateContent?alt=sse`):
 * every event is a whole response object, CRLF-framed; usage is cumulative (the last
 * one wins); there is no end marker, the stream ends with the connection. The key goes
 * in `x-goog-api-key`, never in the URL, where proxies and logs would keep it.
 */
export const geminiAdapter: ProviderAdapter = {
  framing: 'sse',

  buildRequest(request: NormalizedRequest, provider: ProviderConfig) {
    const { system, turns } = toChatTurns(request.messages);
    const generationConfig: Record<string, unknown> = { maxOutputTokens: request.maxTokens };
    if (request.temperature !== undefined) generationConfig.temperature = request.temperature;
    if (request.mode === 'json') {
      generationConfig.responseMimeType = 'application/json';
      if (request.schema) generationConfig.responseJsonSchema = request.schema;
    }
    if (request.model.thinkingBudget !== undefined) {
      generationConfig.thinkingConfig = { includeThoughts: true, thinkingBudget: Math.min(request.model.thinkingBudget, request.maxTokens) };
    }
    const body: Record<string, unknown> = {
      contents: turns.map((t) => ({ role: t.role === 'assistant' ? 'model' : 'user', parts: [{ text: t.content }] })),
      generationConfig,
    };
    if (system !== undefined) body.systemInstruction = { parts: [{ text: system }] };
    return {
      url: `${provider.baseUrl}/v1beta/models/${encodeURIComponent(request.model.upstreamModel)}:streamGenerateContent?alt=sse`,
      init: {
        method: 'POST' as const,
        headers: { 'x-goog-api-key': provider.apiKey, 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify(body),
      },
    };
  },

  createStreamReader(): UpstreamStreamReader {
    return new GeminiStreamReader();
  },

  parseHttpError(status: number, headers: HeaderReader, body: string) {
    const info = errorInfoOf(body);
    return upstreamHttpError(status, headers, info && { ...info, retryAfterMs: retryDelayOf(body) });
  },
};

class GeminiStreamReader implements UpstreamStreamReader {
  #finished = false;

  read(message: UpstreamMessage): UpstreamEvent[] {
    const data = parseObject(message.data);
    if (!data) return [{ type: 'error', error: malformedStream('unparseable Gemini event') }];
    const error = object(data.error);
    if (error) {
      const info = errorInfoOf(message.data);
      const type = info?.type;
      return [{ type: 'error', error: streamedError(info, type === 'UNAVAILABLE' || type === 'INTERNAL' || type === 'RESOURCE_EXHAUSTED') }];
    }
    const events: UpstreamEvent[] = [];
    const candidate = object(Array.isArray(data.candidates) ? data.candidates[0] : undefined);
    const parts = object(candidate?.content)?.parts;
    if (Array.isArray(parts)) {
      for (const value of parts) {
        const part = object(value);
        if (typeof part?.text !== 'string' || part.text === '') continue;
        events.push(part.thought === true ? { type: 'reasoning', text: part.text } : { type: 'text', text: part.text });
      }
    }
    const usage = usageOf(object(data.usageMetadata));
    if (usage) events.push(usage);
    const reason = word(candidate?.finishReason) ?? (word(object(data.promptFeedback)?.blockReason) ? 'SAFETY' : undefined);
    if (reason) {
      this.#finished = true;
      events.push({ type: 'finish', reason: finishReasonOf(reason) });
    }
    return events;
  }

  // Gemini has no end marker: a body that ends after a finish reason is the answer's end.
  bodyEnded(): UpstreamEvent[] {
    return this.#finished ? [{ type: 'end' }] : [];
  }
}

// Output is the answer plus the thoughts, as Gemini bills it.
function usageOf(meta: Record<string, unknown> | undefined): UpstreamEvent | undefined {
  if (!meta) return undefined;
  const prompt = count(meta.promptTokenCount);
  const answer = count(meta.candidatesTokenCount);
  const thoughts = count(meta.thoughtsTokenCount);
  const cached = count(meta.cachedContentTokenCount);
  const event: Extract<UpstreamEvent, { type: 'usage' }> = { type: 'usage' };
  if (prompt !== undefined) event.promptTokens = prompt;
  if (answer !== undefined || thoughts !== undefined) event.completionTokens = (answer ?? 0) + (thoughts ?? 0);
  if (thoughts !== undefined) event.reasoningTokens = thoughts;
  if (cached !== undefined) event.cachedPromptTokens = cached;
  return Object.keys(event).length > 1 ? event : undefined;
}

function finishReasonOf(reason: string): FinishReason {
  switch (reason) {
    case 'STOP':
      return 'stop';
    case 'MAX_TOKENS':
      return 'length';
    case 'SAFETY':
    case 'RECITATION':
    case 'BLOCKLIST':
    case 'PROHIBITED_CONTENT':
    case 'SPII':
    case 'IMAGE_SAFETY':
      return 'content_filter';
    default:
      return 'other';
  }
}

/** Gemini's wish to wait, in its error body (`RetryInfo.retryDelay`, e.g. "34.4s"). */
function retryDelayOf(body: string): number | undefined {
  const details = object(parseObject(body)?.error)?.details;
  if (!Array.isArray(details)) return undefined;
  for (const detail of details) {
    const delay = object(detail)?.retryDelay;
    const match = typeof delay === 'string' ? /^(\d+(?:\.\d+)?)s$/.exec(delay) : null;
    if (match) return Math.round(Number(match[1]) * 1000);
  }
  return undefined;
}
