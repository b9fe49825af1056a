import type { FinishReason } from '../../../../widget/shared/protocol.js';
import type { ProviderConfig } from '../../config/config.js';
import type { NormalizedRequest } from '../../request/request-schema.js';
import type { StreamError } from '../../stream-error.js';
import { TextChunkShape } from './openai-chunk-shape.js';
import type { HeaderReader, ProviderAdapter, UpstreamEvent, UpstreamMessage, UpstreamStreamReader } from './provider-adapter.js';
import { ThinkTagSplitter, type ThinkSplit } from './think-tag-splitter.js';
import { errorInfoOfObject, malformedStream, streamedError, upstreamHttpError } from './provider-errors.js';
import { object, parseObject } from './provider-json.js';

/**
 * OpenAI Chat Completions (`POST {baseUrl}/chat/completions`, `stream: true`), which
 * every OpenAI-compatible server (Ollama, vLLM, Groq, Together, LM Studio…) also speaks.
 */
export const openaiAdapter: ProviderAdapter = {
  framing: 'sse',

  buildRequest(request: NormalizedRequest, provider: ProviderConfig) {
    const body: Record<string, unknown> = {
      model: request.model.upstreamModel,
      messages: request.messages,
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: request.maxTokens,
    };
    if (request.temperature !== undefined) body.temperature = request.temperature;
    if (request.mode === 'json') {
      body.response_format = request.schema
        ? { type: 'json_schema', json_schema: { name: 'answer', schema: request.schema, strict: false } }
        : { type: 'json_object' };
    }
    return {
      url: `${provider.baseUrl}/chat/completions`,
      init: {
        method: 'POST' as const,
        headers: {
          authorization: `Bearer ${provider.apiKey}`,
          'content-type': 'application/json',
          accept: 'text/event-stream',
        },
        body: JSON.stringify(body),
      },
    };
  },

  createStreamReader(): UpstreamStreamReader {
    return new OpenAIStreamReader();
  },

  parseHttpError(status: number, headers: HeaderReader, body: string): StreamError {
    // OpenAI nests its error ({"error": {…}}); a body without one (an HTML page from a proxy) says so.
    const error = object(parseObject(body)?.error);
    return upstreamHttpError(status, headers, error && errorInfoOfObject(error));
  },

};

/** How many chunks a stream may spend learning its text chunks' shape before it stops trying. */
const LEARN_TRIES = 4;

/**
 * One stream's reader: text chunks whose shape it has learned are read without
 * JSON.parse (see openai-chunk-shape.ts); every other message is parsed in full.
 */
class OpenAIStreamReader implements UpstreamStreamReader {
  #shape: TextChunkShape | undefined;
  #tries = 0;
  /** Splits an inline `<think>` block off the content's start; dropped once the answer passes through. */
  #think: ThinkTagSplitter | undefined = new ThinkTagSplitter();

  read(message: UpstreamMessage): UpstreamEvent[] {
    const events = this.#readChunk(message.data);
    return this.#think ? this.#splitThink(events) : events;
  }

  #splitThink(events: UpstreamEvent[]): UpstreamEvent[] {
    const think = this.#think;
    if (!think) return events;
    const split: UpstreamEvent[] = [];
    for (const event of events) {
      if (event.type === 'text') {
        pushSplit(split, think.push(event.text));
      } else {
        // A finish, the end or an error closes the content (usage may ride on any chunk).
        if (event.type === 'finish' || event.type === 'end' || event.type === 'error') pushSplit(split, think.end());
        split.push(event);
      }
    }
    if (think.passing) this.#think = undefined;
    return split;
  }

  #readChunk(data: string): UpstreamEvent[] {
    const text = this.#shape?.textOf(data);
    if (text !== undefined) return [{ type: 'text', text }];
    const events = parseOpenAIChunk(data);
    const [only] = events;
    if (this.#shape === undefined && this.#tries < LEARN_TRIES && events.length === 1 && only?.type === 'text') {
      this.#tries++;
      this.#shape = TextChunkShape.learn(data, only.text, onlyText);
    }
    return events;
  }
}

function pushSplit(events: UpstreamEvent[], { reasoning, text }: ThinkSplit): void {
  if (reasoning !== '') events.push({ type: 'reasoning', text: reasoning });
  if (text !== '') events.push({ type: 'text', text });
}

/** The text of a chunk whose only event is text; for checking a learned shape. */
function onlyText(data: string): string | undefined {
  const events = parseOpenAIChunk(data);
  const [only] = events;
  return events.length === 1 && only?.type === 'text' ? only.text : undefined;
}

/** One chunk, parsed in full. */
export function parseOpenAIChunk(data: string): UpstreamEvent[] {
  if (data === '[DONE]') return [{ type: 'end' }];
  let chunk: OpenAIChunk;
  try {
    chunk = JSON.parse(data) as OpenAIChunk;
  } catch {
    return [{ type: 'error', error: garbage(data) }];
  }
  if (typeof chunk !== 'object' || chunk === null) return [{ type: 'error', error: garbage(data) }];
  if (chunk.error) return [{ type: 'error', error: openaiStreamedError(chunk.error) }];

  const events: UpstreamEvent[] = [];
  const choice = chunk.choices?.[0];
  // DeepSeek and vLLM name it `reasoning_content`, OpenRouter and Ollama's /v1 `reasoning`.
  const reasoning = choice?.delta?.reasoning_content ?? choice?.delta?.reasoning;
  if (typeof reasoning === 'string' && reasoning.length > 0) events.push({ type: 'reasoning', text: reasoning });
  const text = choice?.delta?.content;
  if (typeof text === 'string' && text.length > 0) events.push({ type: 'text', text });
  const refusal = choice?.delta?.refusal;
  if (typeof refusal === 'string' && refusal.length > 0) events.push({ type: 'text', text: refusal });
  if (choice?.finish_reason) events.push({ type: 'finish', reason: mapFinishReason(choice.finish_reason) });
  if (chunk.usage) {
    const { prompt_tokens: promptTokens, completion_tokens: completionTokens } = chunk.usage;
    // Zero counts are left out: every OpenAI answer reports both, mostly as 0, and usage
    // then reads the same as from a provider that has no such thing.
    const reasoningTokens = chunk.usage.completion_tokens_details?.reasoning_tokens;
    const cachedPromptTokens = chunk.usage.prompt_tokens_details?.cached_tokens;
    events.push({
      type: 'usage',
      ...(typeof promptTokens === 'number' ? { promptTokens } : {}),
      ...(typeof completionTokens === 'number' ? { completionTokens } : {}),
      ...(typeof reasoningTokens === 'number' && reasoningTokens > 0 ? { reasoningTokens } : {}),
      ...(typeof cachedPromptTokens === 'number' && cachedPromptTokens > 0 ? { cachedPromptTokens } : {}),
    });
  }
  return events;
}

interface OpenAIChunk {
  choices?: Array<{
    delta?: { content?: string | null; refusal?: string | null; reasoning_content?: string | null; reasoning?: string | null };
    finish_reason?: string | null;
  }>;
  usage?: {
    prompt_tokens?: number;
    completion_tokens?: number;
    prompt_tokens_details?: { cached_tokens?: number } | null;
    completion_tokens_details?: { reasoning_tokens?: number } | null;
  } | null;
  error?: { message?: string; type?: string; code?: string | null };
}

function mapFinishReason(reason: string): FinishReason {
  switch (reason) {
    case 'stop':
      return 'stop';
    case 'length':
      return 'length';
    case 'content_filter':
      return 'content_filter';
    case 'tool_calls':
    case 'function_call':
      return 'tool_calls';
    default:
      return 'other';
  }
}

/** The `error` object of an OpenAI error body, if the body is one. */
function openaiStreamedError(error: NonNullable<OpenAIChunk['error']>): StreamError {
  // OpenAI sends server_error objects for transient failures; those are worth a retry
  // when nothing has reached the client yet (the caller decides that).
  const retryable = error.type === 'server_error' || error.type === 'rate_limit_exceeded' || error.code === 'rate_limit_exceeded';
  return streamedError(errorInfoOfObject(error), retryable);
}

function garbage(data: string): StreamError {
  return malformedStream(`unparseable chunk of ${data.length} characters`);
}
