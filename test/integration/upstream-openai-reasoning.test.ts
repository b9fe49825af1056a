import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { extractReasoningMiddleware, streamText, wrapLanguageModel } from 'ai';
import OpenAI, { APIError } from 'openai';
import type { ChatCompletionChunk, ChatCompletionCreateParamsStreaming } from 'openai/resources/chat/completions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { THINK_CLOSE, THINK_OPEN, planOpenAIChatAnswer, startUpstream } from '../../demo/upstream/server.js';
import type { LocalUpstream } from '../../demo/upstream/server.js';
import { splittingFetch } from '../support/splitting-fetch.js';

// The Chat Completions route as OpenAI-compatible reasoning servers speak it:
// `delta.reasoning_content` (DeepSeek, vLLM) or `delta.reasoning` (OpenRouter, Ollama /v1)
// before the answer, and no usage chunk from servers that ignore include_usage. Two
// judges: the openai client (which passes unknown delta fields through) and the AI
// SDK's openai-compatible provider (which reads both reasoning fields).

let upstream: LocalUpstream;
let client: OpenAI;

beforeAll(async () => {
  upstream = await startUpstream({ pace: { firstTokenMs: 0, tokensPerSecond: 0 } });
  client = new OpenAI({ apiKey: 'test', baseURL: upstream.url, maxRetries: 0 });
});

afterAll(async () => {
  await upstream.close();
});

function params(content: string): ChatCompletionCreateParamsStreaming {
  return {
    model: 'deepseek-reasoner',
    messages: [{ role: 'user', content }],
    stream: true,
    stream_options: { include_usage: true },
  };
}

/** The delta as sent: the SDK's type has no reasoning fields, the wire does. */
type WireDelta = ChatCompletionChunk.Choice.Delta & { reasoning_content?: string; reasoning?: string };

async function readAll(request: ChatCompletionCreateParamsStreaming, reader: OpenAI = client): Promise<ChatCompletionChunk[]> {
  const chunks: ChatCompletionChunk[] = [];
  for await (const chunk of await reader.chat.completions.create(request)) chunks.push(chunk);
  return chunks;
}

function deltas(chunks: readonly ChatCompletionChunk[]): WireDelta[] {
  return chunks.flatMap((chunk) => (chunk.choices[0] ? [chunk.choices[0].delta as WireDelta] : []));
}

describe('reasoning on the Chat Completions route', () => {
  it('[[reasoning:N]] streams N reasoning_content deltas (content null) before the answer, counted in usage', async () => {
    const request = params('Think first [[reasoning:50]] [[length:20]]');
    const plan = planOpenAIChatAnswer(request);
    const chunks = await readAll(request);
    const all = deltas(chunks);
    const reasoning = all.filter((delta) => delta.reasoning_content !== undefined);
    expect(reasoning).toHaveLength(50);
    expect(reasoning.every((delta) => delta.content === null)).toBe(true);
    expect(reasoning.map((delta) => delta.reasoning_content).join('')).toBe(plan.reasoningText);
    expect(all.map((delta) => delta.content ?? '').join('')).toBe(plan.text);
    const lastReasoning = all.findLastIndex((delta) => delta.reasoning_content !== undefined);
    const firstContent = all.findIndex((delta) => (delta.content ?? '') !== '');
    expect(lastReasoning).toBeLessThan(firstContent);
    expect(chunks.at(-1)?.usage).toMatchObject({ completion_tokens: 70, completion_tokens_details: { reasoning_tokens: 50 } });
  });

  it('[[reasoning-field:reasoning]] puts it in delta.reasoning instead', async () => {
    const request = params('Think first [[reasoning:12]] [[reasoning-field:reasoning]] [[length:5]]');
    const plan = planOpenAIChatAnswer(request);
    const all = deltas(await readAll(request));
    expect(all.some((delta) => delta.reasoning_content !== undefined)).toBe(false);
    expect(all.map((delta) => delta.reasoning ?? '').join('')).toBe(plan.reasoningText);
    expect(plan.reasoningField).toBe('reasoning');
  });

  it('the AI SDK openai-compatible provider reads both fields as reasoning, split reads included', async () => {
    for (const [seed, field] of [[1, 'reasoning_content'], [2, 'reasoning']] as const) {
      const provider = createOpenAICompatible({
        name: 'local',
        baseURL: upstream.url,
        apiKey: 'test',
        includeUsage: true,
        fetch: splittingFetch(seed),
      });
      const prompt = `Reason naïve café 🚀 [[reasoning:40]] [[reasoning-field:${field}]] [[length:60]]`;
      const plan = planOpenAIChatAnswer(params(prompt));
      const result = streamText({ model: provider.chatModel('deepseek-reasoner'), prompt, maxRetries: 0 });
      expect(await result.text).toBe(plan.text);
      expect(await result.reasoningText).toBe(plan.reasoningText);
      expect((await result.usage).outputTokens).toBe(100);
    }
  });

  it('[[reasoning-field:think]] puts it inline in the content between <think> tags, as local models do', async () => {
    const request = params('Think inline [[reasoning:15]] [[reasoning-field:think]] [[length:10]]');
    const plan = planOpenAIChatAnswer(request);
    const chunks = await readAll(request);
    const all = deltas(chunks);
    expect(all.some((delta) => delta.reasoning_content !== undefined || delta.reasoning !== undefined)).toBe(false);
    expect(all.map((delta) => delta.content ?? '').join('')).toBe(`${THINK_OPEN}${plan.reasoningText}${THINK_CLOSE}${plan.text}`);
    // The server cannot tell inline reasoning from the answer: all of it is completion, none "reasoning".
    expect(chunks.at(-1)?.usage).toMatchObject({ completion_tokens: 15 + 2 + 10, completion_tokens_details: { reasoning_tokens: 0 } });
  });

  it('the AI SDK\'s extractReasoningMiddleware splits the inline <think> reasoning from the answer', async () => {
    const provider = createOpenAICompatible({ name: 'local', baseURL: upstream.url, apiKey: 'test', fetch: splittingFetch(4) });
    const model = wrapLanguageModel({ model: provider.chatModel('qwen3'), middleware: extractReasoningMiddleware({ tagName: 'think' }) });
    const prompt = 'Inline naïve café [[reasoning:25]] [[reasoning-field:think]] [[length:30]]';
    const plan = planOpenAIChatAnswer(params(prompt));
    const result = streamText({ model, prompt, maxRetries: 0 });
    expect((await result.reasoningText)?.trim()).toBe(plan.reasoningText.trim());
    expect((await result.text).trim()).toBe(plan.text.trim());
  });

  it('a non-streamed answer carries the reasoning in the message', async () => {
    const request = { model: 'deepseek-reasoner', messages: [{ role: 'user' as const, content: 'Whole [[reasoning:6]] [[length:4]]' }] };
    const plan = planOpenAIChatAnswer(request);
    const completion = await client.chat.completions.create(request);
    expect(completion.choices[0]?.message).toMatchObject({ content: plan.text, reasoning_content: plan.reasoningText });
  });
});

describe('usage variants on the Chat Completions route', () => {
  it('[[no-usage]] omits the usage chunk and every usage field even with include_usage', async () => {
    const request = params('No usage [[no-usage]] [[length:8]]');
    const chunks = await readAll(request);
    expect(deltas(chunks).map((delta) => delta.content ?? '').join('')).toBe(planOpenAIChatAnswer(request).text);
    expect(chunks.every((chunk) => chunk.choices.length === 1 && !('usage' in chunk))).toBe(true);
  });

  it('[[cached:N]] reports N cached prompt tokens', async () => {
    const chunks = await readAll(params('Cached [[cached:3]] [[length:4]]'));
    expect(chunks.at(-1)?.usage?.prompt_tokens_details?.cached_tokens).toBe(3);
  });
});

describe('the new faults on the Chat Completions route', () => {
  it('[[fault:503]] and [[fault:529]] answer with that status before any chunk', async () => {
    expect(await client.chat.completions.create(params('[[fault:503]]')).catch((e: unknown) => e)).toMatchObject({ status: 503 });
    expect(await client.chat.completions.create(params('[[fault:529]]')).catch((e: unknown) => e)).toMatchObject({ status: 529 });
  });

  it('[[fault:overloaded]] answers 200 with an error as the first data line', async () => {
    let error: unknown;
    try {
      for await (const chunk of await client.chat.completions.create(params('[[fault:overloaded]]'))) expect(chunk).toBeUndefined();
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(APIError);
  });
});
